"""Staff run cohort programs here: review applications (one review per reviewer, written on the
application's page), draft decisions and read the email each will send, then send them with an
explicit action; follow confirmed members' commitments and flag them on call. Ideas for sessions
and directory entries are people's own: staff read them.

Every change goes through trainings.programs; nothing here decides anything.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from config.admin import CheckedLookupsMixin
from notifications.services import render_parts
from trainings import programs
from trainings.models import (
    Application,
    ApplicationReview,
    ApplicationStatus,
    CohortMember,
    Commitment,
    Decision,
    DirectoryEntry,
    Kind,
    SessionIdea,
)

APPLICANT_FIELDS = [
    "user",
    "training",
    "statement",
    "background",
    "organization",
    "commits_training_days",
    "commits_actions",
    "availability_notes",
]
OPTIONAL_FIELDS = ["gender", "age_range", "lgbtq", "person_of_color"]
RECORD_FIELDS = [
    "status",
    "decision",
    "decision_drafted_at",
    "decision_drafted_by",
    "decision_sent_at",
    "decision_sent_by",
    "confirmed_at",
    "created_at",
]


class ReviewInline(admin.TabularInline):
    """Every reviewer's review, read-only: each writes their own on the form above."""

    model = ApplicationReview
    extra = 0
    can_delete = False
    fields = ["reviewer", "score", "notes", "updated_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ApplicationForm(forms.ModelForm):
    my_score = forms.TypedChoiceField(
        label=_("Your score"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "—")] + [(n, str(n)) for n in range(1, 6)],
        help_text=_("1 (weak) to 5. One review per reviewer: saving again replaces yours."),
    )
    my_notes = forms.CharField(
        label=_("Your notes"), required=False, max_length=3000, widget=forms.Textarea
    )

    class Meta:
        model = Application
        fields = ["decision_message"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("my_notes") and not cleaned.get("my_score"):
            self.add_error("my_score", _("Give a score with your notes."))
        return cleaned


def _applicant_name(application):
    return application.user.display_name or application.user.email


class CohortProgramFilter(admin.SimpleListFilter):
    title = _("program")
    parameter_name = "program"

    def lookups(self, request, model_admin):
        from trainings.models import Training

        trainings = Training.objects.filter(kind=Kind.COHORT_PROGRAM).order_by("-starts_at")
        return [(str(t.pk), t.title) for t in trainings]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(training_id=value)
        return queryset


@admin.register(Application)
class ApplicationAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    form = ApplicationForm
    list_display = [
        "applicant",
        "training",
        "status",
        "decision",
        "average_score",
        "review_count",
        "decision_sent_at",
    ]
    list_filter = [CohortProgramFilter, "status", "decision"]
    list_select_related = ["user", "training"]
    search_fields = ["user__email", "user__display_name", "statement", "background"]
    readonly_fields = [
        *APPLICANT_FIELDS,
        *OPTIONAL_FIELDS,
        *RECORD_FIELDS,
        "decision_email",
    ]
    fieldsets = [
        (_("Application"), {"fields": APPLICANT_FIELDS}),
        (_("Optional questions"), {"fields": OPTIONAL_FIELDS}),
        (_("Your review"), {"fields": ["my_score", "my_notes"]}),
        (
            _("Decision"),
            {
                "fields": [*RECORD_FIELDS, "decision_message", "decision_email"],
                "description": _(
                    "Draft a decision with the actions on the list, read the email below, then "
                    "send it with the “Send the drafted decisions” action."
                ),
            },
        ),
    ]
    inlines = [ReviewInline]
    actions = ["draft_accept", "draft_waitlist", "draft_decline", "send_decisions"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(average=Avg("reviews__score"), reviewed=Count("reviews"))
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("applicant"), ordering="user__display_name")
    def applicant(self, application):
        return _applicant_name(application)

    @admin.display(description=_("average score"), ordering="average")
    def average_score(self, application):
        return "—" if application.average is None else f"{application.average:.1f}"

    @admin.display(description=_("reviews"), ordering="reviewed")
    def review_count(self, application):
        return application.reviewed

    @admin.display(description=_("the decision email"))
    def decision_email(self, application):
        if not application.decision:
            return _("No decision drafted yet.")
        subject, text, _html = render_parts(
            programs.DECISION_KIND, programs.decision_context(application)
        )
        state = _("Sent.") if not application.decision_pending else _("Drafted, not sent yet.")
        return format_html("<p>{}</p><p><strong>{}</strong></p><pre>{}</pre>", state, subject, text)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        own = obj and obj.reviews.filter(reviewer=request.user).first()
        form.base_fields["my_score"].initial = own.score if own else None
        form.base_fields["my_notes"].initial = own.notes if own else ""
        return form

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        score = form.cleaned_data.get("my_score")
        if score:
            programs.review(
                obj, reviewer=request.user, score=score, notes=form.cleaned_data["my_notes"]
            )

    def _draft(self, request, queryset, decision):
        drafted = programs.draft_decision(list(queryset), decision=decision, by=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d decision drafted; read it on the application, then send it.",
                "%(count)d decisions drafted; read them on the applications, then send them.",
                drafted,
            )
            % {"count": drafted},
        )

    @admin.action(description=_("Draft: accept"), permissions=["change"])
    def draft_accept(self, request, queryset):
        self._draft(request, queryset, Decision.ACCEPT)
        for training in {application.training for application in queryset}:
            self._warn_over_cap(request, training)

    def _warn_over_cap(self, request, training):
        """Accepting more than the places left is allowed (some decline), but staff are told:
        confirmations stop at the cohort size, first come, first served."""
        places = programs.places_left(training)
        drafted = training.applications.filter(
            decision=Decision.ACCEPT, status__in=programs.DECIDABLE
        ).count()
        if drafted > places:
            self.message_user(
                request,
                _(
                    "%(title)s: %(accepted)d accepted or drafted to be, for %(places)d places "
                    "left. Only the first %(places)d to confirm get a place."
                )
                % {"title": training.title, "accepted": drafted, "places": places},
                messages.WARNING,
            )

    @admin.action(description=_("Draft: waitlist"), permissions=["change"])
    def draft_waitlist(self, request, queryset):
        self._draft(request, queryset, Decision.WAITLIST)

    @admin.action(description=_("Draft: decline"), permissions=["change"])
    def draft_decline(self, request, queryset):
        self._draft(request, queryset, Decision.DECLINE)

    @admin.action(
        description=_("Send the drafted decisions (emails go out)"), permissions=["change"]
    )
    def send_decisions(self, request, queryset):
        sent = programs.send_decisions(list(queryset), by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d decision sent.", "%(count)d decisions sent.", sent)
            % {"count": sent},
            messages.SUCCESS if sent else messages.WARNING,
        )


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 1
    fields = ["kind", "date", "description", "recorded_by"]
    readonly_fields = ["recorded_by"]


class OnTrackFilter(admin.SimpleListFilter):
    title = _("commitments")
    parameter_name = "track"

    def lookups(self, request, model_admin):
        return [("on", _("On track")), ("behind", _("Behind"))]

    def queryset(self, request, queryset):
        if self.value() not in ("on", "behind"):
            return queryset
        # Cohorts are small (about a dozen each): the rule is applied in Python, once.
        today = timezone.localdate()
        wanted = self.value() == "on"
        ids = [m.pk for m in queryset if programs.progress_of(m, today).on_track == wanted]
        return queryset.filter(pk__in=ids)


@admin.register(CohortMember)
class CohortMemberAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = [
        "member",
        "training",
        "training_days_attended",
        "actions_joined",
        "on_track",
        "on_call",
    ]
    list_filter = [CohortProgramFilter, OnTrackFilter]
    list_select_related = ["user__donor", "training"]
    search_fields = ["user__email", "user__display_name"]
    fields = ["user", "training", "confirmed_at", "progress_rule"]
    readonly_fields = fields
    inlines = [CommitmentInline]
    actions = ["flag_on_call", "unflag_on_call"]

    def get_queryset(self, request):
        members = super().get_queryset(request).filter(status=ApplicationStatus.CONFIRMED)
        return programs.with_commitment_counts(members).select_related("user__donor", "training")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("member"), ordering="user__display_name")
    def member(self, application):
        return _applicant_name(application)

    @admin.display(description=_("training days"), ordering="training_days")
    def training_days_attended(self, member):
        progress = programs.progress_of(member)
        return f"{progress.training_days} / {progress.expected_days}"

    @admin.display(description=_("actions"), ordering="actions")
    def actions_joined(self, member):
        progress = programs.progress_of(member)
        return f"{progress.actions} / {progress.expected_actions}"

    @admin.display(description=_("on track"), boolean=True)
    def on_track(self, member):
        return programs.progress_of(member).on_track

    @admin.display(description=_("on call"))
    def on_call(self, member):
        donor = getattr(member.user, "donor", None)
        if donor is None:
            return _("no volunteer profile")
        return _("on call") if donor.on_call else "—"

    @admin.display(description=_("progress"))
    def progress_rule(self, member):
        progress = programs.progress_of(
            programs.with_commitment_counts(CohortMember.objects.filter(pk=member.pk))
            .select_related("training")
            .get()
        )
        return _(
            "%(days)d of %(expected_days)d training days and %(actions)d of %(expected_actions)d "
            "actions expected by now (one of each per whole month since the program began, up "
            "to five days and twelve actions)."
        ) % {
            "days": progress.training_days,
            "expected_days": progress.expected_days,
            "actions": progress.actions,
            "expected_actions": progress.expected_actions,
        }

    def save_formset(self, request, form, formset, change):
        for commitment in formset.save(commit=False):
            commitment.recorded_by = commitment.recorded_by or request.user
            commitment.save()
        for gone in formset.deleted_objects:
            gone.delete()

    def _on_call(self, request, queryset, on_call):
        changed, without = programs.set_on_call(list(queryset), on_call=on_call)
        self.message_user(request, _("%(count)d members changed.") % {"count": changed})
        if without:
            self.message_user(
                request,
                _("%(count)d have no volunteer profile, so they cannot be on call.")
                % {"count": without},
                messages.WARNING,
            )

    @admin.action(description=_("Flag on call for rapid response"), permissions=["change"])
    def flag_on_call(self, request, queryset):
        self._on_call(request, queryset, True)

    @admin.action(description=_("Take off call"), permissions=["change"])
    def unflag_on_call(self, request, queryset):
        self._on_call(request, queryset, False)


@admin.register(SessionIdea)
class SessionIdeaAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "skill", "user", "created_at"]
    list_filter = ["kind", ("skill", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["skill", "user"]
    search_fields = ["title", "description"]
    readonly_fields = ["user", "kind", "skill", "title", "description", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(DirectoryEntry)
class DirectoryEntryAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["user", "headline", "opted_in_at"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__display_name"]
    readonly_fields = ["user", "headline", "opted_in_at"]

    def has_add_permission(self, request):
        return False
