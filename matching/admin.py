"""Matches and rejected candidates in the admin: read-only records. Every move of a match goes
through matching.services (the staff review pages call them); the admin shows what happened
and why, scoped like the requests: a confidential fight's matches only to those who may see it.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from config.admin import CheckedLookupsMixin
from donors.models import Donor
from fights.admin.fights import SupportRequestAdmin
from fights.models import SupportRequest
from matching.models import CandidateRejection, Match
from matching.templatetags.matching_review import explanation_table


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


@admin.register(Match)
class MatchAdmin(ReadOnlyScopedAdmin):
    """Also a volunteer's match history: `?donor__id__exact=<donor id>` (linked from the donor)."""

    list_display = (
        "donor_name",
        "request",
        "fight",
        "status",
        "score",
        "created_at",
        "proposed_at",
        "answered_at",
        "status_changed_at",
    )
    list_select_related = ("donor__user", "request__fight")
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

    @admin.display(description="fight", ordering="request__fight__title")
    def fight(self, match):
        return match.request.fight

    def changelist_view(self, request, extra_context=None):
        donor = _history_donor(request.GET.get("donor__id__exact", ""))
        if donor is not None:
            title = _("Match history of %(name)s") % {"name": donor.user.display_name or donor}
            extra_context = {**(extra_context or {}), "title": title}
        return super().changelist_view(request, extra_context)


def _history_donor(value: str):
    """The donor whose history the match list is filtered to, if the filter names one."""
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        return None
    return Donor.objects.select_related("user").filter(pk=int(value)).first()


@admin.register(CandidateRejection)
class CandidateRejectionAdmin(ReadOnlyScopedAdmin):
    list_display = ("donor_name", "request", "rejected_by", "created_at")
    list_select_related = ("donor__user", "request", "rejected_by")
    fields = ("request", "donor", "reason", "rejected_by", "created_at")
    readonly_fields = fields

    @admin.display(description="volunteer", ordering="donor__user__display_name")
    def donor_name(self, rejection):
        return rejection.donor.user.display_name or rejection.donor.user.email


# The requests' admin is the fights app's; matching adds the link to each request's candidates
# here, so that fights/ knows nothing of matching/ (its admin is registered first).
admin.site.unregister(SupportRequest)


@admin.register(SupportRequest)
class SupportRequestReviewAdmin(SupportRequestAdmin):
    list_display = (*SupportRequestAdmin.list_display, "candidates_link")
    change_form_template = "admin/matching/supportrequest_change_form.html"

    @admin.display(description="review")
    def candidates_link(self, support_request):
        url = reverse("matching_staff:candidates", kwargs={"pk": support_request.pk})
        return format_html('<a href="{}">{}</a>', url, _("Candidates"))
