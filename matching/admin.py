"""Matches and rejected candidates in the admin: read-only records. Every move of a match goes
through matching.services (the staff review pages call them); the admin shows what happened
and why, scoped like the requests: a confidential fight's matches only to those who may see it.
"""

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from config.admin import CheckedLookupsMixin
from fights.models import SupportRequest
from matching.models import CandidateRejection, Match


class ReadOnlyScopedAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    """Rows of requests `SupportRequest.objects.for_staff(user)` shows; viewed, never edited."""

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_queryset(self, request):
        visible = SupportRequest.objects.for_staff(request.user).values("pk")
        return super().get_queryset(request).filter(request_id__in=visible)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _level(value):
    return "—" if value is None else str(value)


def explanation_table(explanation: dict):
    """The stored explanation as a table: one row per skill and per modifier, with a bar."""
    if not explanation:
        return "—"
    rows = [
        (
            s["skill"],
            "required" if s["required"] else "nice to have",
            f"minimum {s['min_level']}, has {_level(s['level'])}"
            + (" (near miss)" if s.get("near_miss") else "")
            + (f"; verified by a training: {s['trained_in']}" if s.get("trained") else ""),
            s["points"],
            s["max_points"],
        )
        for s in explanation.get("skills", [])
    ] + [
        (m["label"], "modifier", m["detail"], m["points"], m["max_points"])
        for m in explanation.get("modifiers", [])
    ]
    body = format_html_join(
        "",
        "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td><td>{}</td>"
        "<td><meter min='0' max='{}' value='{}'>{} / {}</meter></td></tr>",
        ((name, kind, detail, pts, top, pts, pts, top) for name, kind, detail, pts, top in rows),
    )
    missing = explanation.get("missing_required") or []
    return format_html(
        "<table class='match-explanation'><caption>Scoring version {}: {} points{}</caption>"
        "<thead><tr><th scope='col'>Factor</th><th scope='col'>Kind</th>"
        "<th scope='col'>Detail</th><th scope='col'>Points</th><th scope='col'>Of</th></tr>"
        "</thead><tbody>{}</tbody></table>",
        explanation.get("version", "?"),
        explanation.get("score", "?"),
        format_html("; missing: {}", ", ".join(missing)) if missing else "",
        body,
    )


@admin.register(Match)
class MatchAdmin(ReadOnlyScopedAdmin):
    list_display = ("donor_name", "request", "status", "score", "proposed_at", "expires_at")
    list_select_related = ("donor__user", "request")
    list_filter = ("status", "initiated_by_donor")
    search_fields = ("donor__user__display_name", "donor__user__email", "request__title")
    fields = (
        "request",
        "donor",
        "status",
        "score",
        "explanation_display",
        "initiated_by_donor",
        ("proposed_by", "proposed_at"),
        "expires_at",
        "answered_at",
        "decline_reason",
        ("started_at", "completed_at"),
        ("status_changed_by", "status_changed_at"),
        ("created_at", "updated_at"),
    )
    readonly_fields = [
        name for entry in fields for name in (entry if isinstance(entry, tuple) else (entry,))
    ]

    @admin.display(description="volunteer", ordering="donor__user__display_name")
    def donor_name(self, match):
        return match.donor.user.display_name or match.donor.user.email

    @admin.display(description="why this score")
    def explanation_display(self, match):
        return explanation_table(match.explanation)


@admin.register(CandidateRejection)
class CandidateRejectionAdmin(ReadOnlyScopedAdmin):
    list_display = ("donor_name", "request", "rejected_by", "created_at")
    list_select_related = ("donor__user", "request", "rejected_by")
    fields = ("request", "donor", "reason", "rejected_by", "created_at")
    readonly_fields = fields

    @admin.display(description="volunteer", ordering="donor__user__display_name")
    def donor_name(self, rejection):
        return rejection.donor.user.display_name or rejection.donor.user.email
