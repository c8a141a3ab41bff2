"""Staff tools for organizers' data: verify or reject organizations, correct fights and support
requests, edit the guided path's request templates.

Confidential fights, their requests, and organizations known only through them are hidden from
staff without `fights.view_confidential_fight` everywhere the admin reaches: every list, count,
search, filter, related lookup and autocomplete starts from a `for_staff(user)` queryset, and
their change, history and delete pages answer 404, as for an id that does not exist.

Organizers create organizations (with the attestation), fights and requests, and move them
through their states with the services; staff correct what was typed, and verify or reject.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import BadRequest, ValidationError
from django.db import models
from django.db.models import Count, Prefetch
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone

from fights import admin_forms, fields, services
from fights.models import (
    Fight,
    Invitation,
    Membership,
    Organization,
    RequestLanguage,
    RequestSkill,
    RequestTemplate,
    RequestTemplateSkill,
    SupportRequest,
    Urgency,
)

SCOPED_MODELS = (Organization, Fight, SupportRequest)


class TextRulesMixin:
    """Every text field refuses control characters; every link to a scoped model offers (and
    accepts) only the rows this staff member may see."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        text = isinstance(db_field, models.CharField | models.TextField)
        if text and formfield is not None and not getattr(formfield, "choices", None):
            formfield.validators += fields.text_validators_for(formfield)
        return formfield

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model in SCOPED_MODELS:
            kwargs["queryset"] = db_field.related_model.objects.for_staff(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class NulSafeChangelistMixin:
    """PostgreSQL refuses NUL in a string parameter, so a filter value holding one would fail
    the list with a 500: answer 400 instead."""

    def changelist_view(self, request, extra_context=None):
        if any("\x00" in value for values in request.GET.lists() for value in values[1]):
            raise BadRequest("The address holds a NUL character.")
        return super().changelist_view(request, extra_context)


class ScopedAdmin(NulSafeChangelistMixin, TextRulesMixin, admin.ModelAdmin):
    """A model admin whose rows are `Model.objects.for_staff(user)`."""

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_queryset(self, request):
        scoped = self.model.objects.for_staff(request.user)
        return super().get_queryset(request).filter(pk__in=scoped.values("pk"))

    def get_object(self, request, object_id, from_field=None):
        found = super().get_object(request, object_id, from_field)
        if found is None:  # missing and hidden look the same
            raise Http404(f"No {self.opts.verbose_name} with this id.")
        return found


class ScopedCountryFilter(admin.SimpleListFilter):
    """Countries of the rows this staff member may see (django-countries' filter reads all)."""

    title = "country"
    parameter_name = "country"

    def lookups(self, request, model_admin):
        codes = (
            model_admin.get_queryset(request)
            .order_by("country")
            .values_list("country", flat=True)
            .distinct()
        )
        names = dict(Organization._meta.get_field("country").get_choices(include_blank=False))
        return [(code, names.get(code, code)) for code in codes if code]

    def queryset(self, request, queryset):
        return queryset.filter(country=self.value()) if self.value() else queryset


# --- Organizations ----------------------------------------------------------------------------


class VerificationFilter(admin.SimpleListFilter):
    title = "verification"
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return [("pending", "Pending"), ("verified", "Verified"), ("rejected", "Rejected")]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.unverified()
        if self.value() == "verified":
            return queryset.verified()
        if self.value() == "rejected":
            return queryset.filter(rejected_at__isnull=False)
        return queryset


class MembershipInline(TextRulesMixin, admin.TabularInline):
    model = Membership
    fields = ("user", "email", "role", "created_at")
    readonly_fields = ("email", "created_at")
    autocomplete_fields = ("user",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    @admin.display(description="email")
    def email(self, membership):
        return membership.user.email if membership.user_id else "—"


class InvitationInline(admin.TabularInline):
    """Who was invited, by whom, and whether they came. The token is signed from the id and
    never stored, so there is nothing secret here to show; links are never rendered."""

    model = Invitation
    fields = ("email", "role", "invited_by", "created_at", "accepted_at", "accepted_by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("invited_by", "accepted_by")

    def has_add_permission(self, request, obj=None):
        return False  # organization admins invite, through the invitation email

    def has_change_permission(self, request, obj=None):
        return False


VERIFICATION_FIELDS = (
    "verification_state",
    "affiliation_checked",
    "contact_confirmed",
    "web_presence_checked",
    "verification_notes",
    "verified_at",
    "verified_by",
    "rejected_at",
    "rejected_by",
    "rejection_reason",
)


@admin.register(Organization)
class OrganizationAdmin(ScopedAdmin):
    form = admin_forms.OrganizationAdminForm
    list_display = ("name", "verification_state", "kind", "country", "region", "member_count")
    list_filter = (VerificationFilter, "kind", ScopedCountryFilter)
    search_fields = ("name", "affiliation", "city", "website", "memberships__user__email")
    search_help_text = "Name, affiliation, city, website, or a member's email."
    ordering = ("name", "pk")  # explicit: the members count groups rows, dropping Meta.ordering
    inlines = (MembershipInline, InvitationInline)
    readonly_fields = ("slug", "attestation", "created_by", "created_at", *VERIFICATION_FIELDS)
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind", "affiliation", "description")}),
        ("Where", {"fields": ("country", "region", "city", "website")}),
        ("Attestation", {"fields": ("attestation", "created_by", "created_at")}),
        ("Verification", {"fields": VERIFICATION_FIELDS}),
    )
    actions = ("verify_organizations", "reject_organizations")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(member_count=Count("memberships", distinct=True))
            .select_related("created_by", "verified_by", "rejected_by")
        )

    def has_add_permission(self, request):
        return False  # organizers create them, attesting who they are

    @admin.display(description="members", ordering="member_count")
    def member_count(self, organization):
        return organization.member_count

    @admin.display(description="verification", ordering="verified_at")
    def verification_state(self, organization):
        if organization.is_rejected:
            return f"Rejected {organization.rejected_at:%Y-%m-%d}"
        if organization.is_verified:
            return f"Verified {organization.verified_at:%Y-%m-%d}"
        return "Pending"

    @admin.display(description="attestation")
    def attestation(self, organization):
        if organization.attested_at is None:
            return "Not attested: it cannot be verified until its creator attests."
        return (
            f"On {timezone.localtime(organization.attested_at):%Y-%m-%d %H:%M}, its creator "
            "attested that it is a workers' organization with no pecuniary interest on the "
            "other side: not an employer, a labor-relations consultant, a law firm or a vendor "
            "acting for one."
        )

    # --- actions: an intermediate page with the checklist or the reason, then the services ---

    @admin.action(description="Verify selected organizations…", permissions=["change"])
    def verify_organizations(self, request, queryset):
        form = admin_forms.VerifyForm(request.POST if "confirm" in request.POST else None)
        if not form.is_valid():
            return self._decision_page(request, queryset, form, "verify")
        done, already, refused = [], [], []
        for organization in queryset:
            try:
                moved = services.verify_organization(
                    organization, by=request.user, **form.checklist()
                )
            except ValidationError as error:
                if len(queryset) == 1:
                    _add_errors(form, error)
                    return self._decision_page(request, queryset, form, "verify")
                refused.append(f"{organization} ({' '.join(error.messages)})")
                continue
            (done if moved else already).append(organization)
            if moved:
                self.log_change(request, organization, _checklist_log(form.checklist()))
        self._report(request, done, already, refused, verb="Verified", state="verified")
        return None

    @admin.action(description="Reject selected organizations…", permissions=["change"])
    def reject_organizations(self, request, queryset):
        form = admin_forms.RejectForm(request.POST if "confirm" in request.POST else None)
        if not form.is_valid():
            return self._decision_page(request, queryset, form, "reject")
        done, already = [], []
        reason = form.cleaned_data["reason"]
        for organization in queryset:
            moved = services.reject_organization(organization, by=request.user, reason=reason)
            (done if moved else already).append(organization)
            if moved:
                self.log_change(request, organization, f"Rejected: {reason}")
        self._report(request, done, already, [], verb="Rejected", state="rejected")
        return None

    def _decision_page(self, request, queryset, form, decision):
        context = {
            **self.admin_site.each_context(request),
            "title": f"{decision.capitalize()} organizations",
            "opts": self.opts,
            "organizations": queryset,
            "form": form,
            "action": f"{decision}_organizations",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "decision": decision,
        }
        return TemplateResponse(request, "admin/fights/organization/decide.html", context)

    def _report(self, request, done, already, refused, *, verb, state):
        if done:
            names = ", ".join(str(o) for o in done)
            self.message_user(
                request,
                f"{verb} {len(done)} organization(s): {names}. Their admins are emailed.",
                messages.SUCCESS,
            )
        if already:
            names = ", ".join(str(o) for o in already)
            self.message_user(
                request,
                f"Already {state}, left as they were: {names}.",
                messages.WARNING,
            )
        if refused:
            self.message_user(request, f"Not verified: {'; '.join(refused)}", messages.ERROR)


def _add_errors(form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(None if field == "__all__" else field, messages_)


def _checklist_log(checklist: dict) -> str:
    checks = [
        label
        for key, label in (
            ("affiliation_checked", "affiliation"),
            ("contact_confirmed", "contact outside the site"),
            ("web_presence_checked", "web presence"),
        )
        if checklist[key]
    ]
    return f"Verified (checked: {', '.join(checks)})"


# --- Fights -----------------------------------------------------------------------------------


@admin.register(Fight)
class FightAdmin(ScopedAdmin):
    form = admin_forms.FightAdminForm
    list_display = (
        "title",
        "organization",
        "kind",
        "visibility",
        "status",
        "place",
        "key_date",
        "request_count",
    )
    list_select_related = ("organization",)
    list_filter = (
        ("organization", admin.RelatedOnlyFieldListFilter),
        "kind",
        "visibility",
        "status",
        ScopedCountryFilter,
    )
    search_fields = ("title", "target_employer", "organization__name", "sector", "city")
    search_help_text = "Title, employer or target, organization, sector or city."
    ordering = ("-created_at", "-pk")  # explicit: the requests count groups rows
    readonly_fields = (
        "organization",
        "slug",
        "visibility",
        "status",
        "outcome",
        "status_changed_at",
        "status_changed_by",
        "target_employer_normalized",
        "created_by",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("organization", "title", "slug", "kind", "summary")}),
        (
            "Target",
            {"fields": ("target_employer", "target_employer_normalized", "sector")},
        ),
        ("Where and when", {"fields": ("country", "region", "city", "key_date")}),
        (
            "Set by the organizers",
            {
                "fields": (
                    "visibility",
                    "status",
                    "outcome",
                    "status_changed_at",
                    "status_changed_by",
                    "created_by",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(request_count=Count("requests"))

    def has_add_permission(self, request):
        return False  # organizers create fights inside their organization

    @admin.display(description="requests", ordering="request_count")
    def request_count(self, fight):
        return fight.request_count

    @admin.display(description="place", ordering="region")
    def place(self, fight):
        return ", ".join(part for part in (fight.city, fight.region or fight.country.code) if part)


# --- Support requests -------------------------------------------------------------------------


class UrgencyFilter(admin.SimpleListFilter):
    title = "urgency"
    parameter_name = "urgency"

    def lookups(self, request, model_admin):
        return Urgency.choices

    def queryset(self, request, queryset):
        if self.value() in Urgency.values:
            return queryset.with_urgency(self.value())
        return queryset


class RequestSkillInline(TextRulesMixin, admin.TabularInline):
    model = RequestSkill
    form = admin_forms.RequestSkillForm
    formset = admin_forms.RequestSkillFormSet
    fields = ("skill", "required", "min_level")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("skill")


class RequestLanguageInline(admin.TabularInline):
    model = RequestLanguage
    form = admin_forms.RequestLanguageForm
    fields = ("code",)
    extra = 0


@admin.register(SupportRequest)
class SupportRequestAdmin(ScopedAdmin):
    form = admin_forms.SupportRequestAdminForm
    list_display = (
        "title",
        "fight",
        "organization",
        "status",
        "urgency_label",
        "needed_by",
        "hours_estimate",
        "helpers_needed",
        "skills_summary",
        "languages_summary",
    )
    list_select_related = ("fight__organization",)
    list_filter = (
        "status",
        UrgencyFilter,
        "work_mode",
        ("fight__organization", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = (
        "title",
        "fight__title",
        "fight__organization__name",
        "request_skills__skill__name",
    )
    search_help_text = "Title, fight, organization or skill."
    inlines = (RequestSkillInline, RequestLanguageInline)
    readonly_fields = (
        "status",
        "opened_at",
        "status_changed_at",
        "status_changed_by",
        "created_by",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("fight", "title", "description")}),
        (
            "The work",
            {
                "fields": (
                    ("needed_by", "starts_on"),
                    "hours_estimate",
                    "helpers_needed",
                    "work_mode",
                )
            },
        ),
        ("Where", {"fields": ("country", "region", "city")}),
        (
            "Set by the organizers",
            {"fields": readonly_fields},
        ),
    )

    def get_queryset(self, request):
        skills = RequestSkill.objects.select_related("skill")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("request_skills", queryset=skills), "languages")
        )

    def has_add_permission(self, request):
        return False  # organizers post requests inside their fights

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and "fight" in form.base_fields:
            # A misplaced request may move to another fight of its own organization only.
            fight = form.base_fields["fight"]
            fight.queryset = fight.queryset.filter(organization_id=obj.fight.organization_id)
        return form

    @admin.display(description="organization", ordering="fight__organization__name")
    def organization(self, support_request):
        return support_request.fight.organization

    @admin.display(description="urgency", ordering="needed_by")
    def urgency_label(self, support_request):
        return Urgency(support_request.urgency).label.split(":")[0]

    @admin.display(description="skills (min. level)")
    def skills_summary(self, support_request):
        return ", ".join(
            f"{row.skill.name} ({row.min_level}{'' if row.required else ', nice to have'})"
            for row in support_request.request_skills.all()
        )

    @admin.display(description="languages")
    def languages_summary(self, support_request):
        return ", ".join(language.code for language in support_request.languages.all())


# --- Request templates ------------------------------------------------------------------------


class TemplateSkillInline(TextRulesMixin, admin.TabularInline):
    model = RequestTemplateSkill
    form = admin_forms.TemplateSkillForm
    fields = ("skill", "required", "min_level")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("skill")


@admin.register(RequestTemplate)
class RequestTemplateAdmin(NulSafeChangelistMixin, TextRulesMixin, admin.ModelAdmin):
    """The guided path's plain-language needs. Retire one by unticking "active"."""

    form = admin_forms.RequestTemplateAdminForm
    list_display = ("need", "request_title", "hours_estimate", "helpers_needed", "skills_summary")
    list_display_links = ("need",)
    list_filter = ("active", "work_mode")
    search_fields = ("need", "request_title")
    ordering = ("position", "need")
    prepopulated_fields = {"slug": ("need",)}
    inlines = (TemplateSkillInline,)
    fields = (
        "need",
        "slug",
        "request_title",
        "description",
        "hours_estimate",
        "helpers_needed",
        "work_mode",
        "position",
        "active",
    )

    def get_queryset(self, request):
        skills = RequestTemplateSkill.objects.select_related("skill")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("template_skills", queryset=skills))
        )

    @admin.display(description="skills (min. level)")
    def skills_summary(self, template):
        return ", ".join(
            f"{row.skill.name} ({row.min_level}{'' if row.required else ', nice to have'})"
            for row in template.template_skills.all()
        )
