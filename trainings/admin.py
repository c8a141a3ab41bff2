"""Staff run trainings here: the programme (skills taught, tracks, sessions, trainers, venue) and
the registrants with their status. Every change of a registration's status goes through
trainings.services (the actions below and the phone check-in page call them); saving a new
time or place tells everyone registered (services.training_saved)."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from config.admin import CheckedLookupsMixin
from trainings import services
from trainings.models import (
    Payment,
    Registration,
    Session,
    Track,
    Trainer,
    Training,
    TrainingSkill,
    Venue,
)


class TrainingSkillInline(admin.TabularInline):
    model = TrainingSkill
    extra = 1
    autocomplete_fields = ["skill"]


class TrackInline(admin.TabularInline):
    model = Track
    extra = 0


class SessionInline(admin.StackedInline):
    model = Session
    extra = 0
    filter_horizontal = ["trainers"]


class RegistrationInline(admin.TabularInline):
    """Who registered and where they stand; changed only through the services."""

    model = Registration
    fk_name = "training"
    extra = 0
    can_delete = False
    fields = ["user", "status", "payment", "scholarship", "walk_in", "created_at"]
    readonly_fields = fields
    ordering = ["status", "created_at"]
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Training)
class TrainingAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "capacity", "confirmed", "published"]
    list_filter = ["kind", "published"]
    search_fields = ["title", "summary"]
    date_hierarchy = "starts_at"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["trainers"]
    readonly_fields = ["uid", "cancelled_at", "staff_links"]
    inlines = [TrainingSkillInline, TrackInline, SessionInline, RegistrationInline]
    actions = ["cancel_trainings"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "summary", "description", "published"]}),
        (
            _("When and where"),
            {"fields": ["starts_at", "ends_at", "time_zone", "venue", "meeting_url"]},
        ),
        (
            _("Registration"),
            {
                "fields": [
                    "capacity",
                    "registration_closes_at",
                    "price",
                    "currency",
                    "scholarships_available",
                    "feedback_url",
                ]
            },
        ),
        (_("Cohort programs"), {"fields": ["application_deadline", "cohort_size", "stipend"]}),
        (_("Trainers"), {"fields": ["trainers"]}),
        (_("Record"), {"fields": ["uid", "cancelled_at", "staff_links"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_seat_counts()

    @admin.display(description=_("seats taken"), ordering="seats_taken")
    def confirmed(self, training):
        return training.seats_taken

    @admin.display(description=_("staff pages"))
    def staff_links(self, training):
        if not training.pk:
            return "—"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("trainings:check_in", args=[training.slug]),
            _("Check-in (phone)"),
            reverse("trainings:export", args=[training.slug]),
            _("Registrants (CSV)"),
            reverse("trainings:emails", args=[training.slug]),
            _("Email list"),
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            told = services.training_saved(obj, form.changed_data)
            if told:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d registrant was told about the change.",
                        "%(count)d registrants were told about the change.",
                        told,
                    )
                    % {"count": told},
                )

    @admin.action(
        description=_("Cancel the selected trainings (everyone registered is told)"),
        permissions=["change"],
    )
    def cancel_trainings(self, request, queryset):
        told = sum(services.cancel_training(t, by=request.user) for t in queryset)
        self.message_user(request, _("%(count)d registrants were told.") % {"count": told})


@admin.register(Registration)
class RegistrationAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["user", "email", "training", "status", "payment", "scholarship", "created_at"]
    list_filter = ["status", "payment", "scholarship", "training__kind"]
    list_select_related = ["user", "training"]
    search_fields = ["user__email", "user__display_name", "training__title", "organization"]
    fields = [
        "training",
        "user",
        "email",
        "status",
        "organization",
        "accessibility_needs",
        "dietary_needs",
        "payment",
        "scholarship",
        "scholarship_reason",
        "scholarship_decided_at",
        "scholarship_decided_by",
        "walk_in",
        "registered_by",
        "queued_at",
        "confirmed_at",
        "offered_at",
        "offer_expires_at",
        "cancelled_at",
        "checked_in_at",
        "status_changed_at",
        "status_changed_by",
        "created_at",
    ]
    readonly_fields = [name for name in fields if name != "payment"]
    actions = [
        "mark_attended",
        "mark_no_show",
        "approve_scholarships",
        "decline_scholarships",
        "mark_paid",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("email"), ordering="user__email")
    def email(self, registration):
        return registration.user.email

    def _each(self, request, queryset, move, done):
        moved = 0
        for registration in queryset.select_related("training", "user"):
            try:
                move(registration)
                moved += 1
            except services.RegistrationError as error:
                self.message_user(request, f"{registration.user}: {error}", messages.WARNING)
        self.message_user(request, done % {"count": moved})

    @admin.action(description=_("Mark attended (grants the skills taught)"), permissions=["change"])
    def mark_attended(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda r: services.mark_attended(r, by=request.user),
            _("%(count)d marked attended."),
        )

    @admin.action(description=_("Mark no-show"), permissions=["change"])
    def mark_no_show(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda r: services.mark_no_show(r, by=request.user),
            _("%(count)d marked no-show."),
        )

    @admin.action(description=_("Approve scholarship (waive the fee)"), permissions=["change"])
    def approve_scholarships(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda r: services.decide_scholarship(r, approve=True, by=request.user),
            _("%(count)d scholarships approved."),
        )

    @admin.action(description=_("Decline scholarship (pay at the door)"), permissions=["change"])
    def decline_scholarships(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda r: services.decide_scholarship(r, approve=False, by=request.user),
            _("%(count)d scholarships declined."),
        )

    @admin.action(description=_("Record as paid"), permissions=["change"])
    def mark_paid(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda r: services.record_payment(r, payment=Payment.PAID, by=request.user),
            _("%(count)d recorded as paid."),
        )


@admin.register(Venue)
class VenueAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["name", "city", "region", "wheelchair_accessible"]
    search_fields = ["name", "city"]


@admin.register(Trainer)
class TrainerAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


from trainings import program_admin  # noqa: E402, F401  (cohort programs, ideas, directory)
