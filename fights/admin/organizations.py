"""Organizations: verify or reject (with the checklist or a reason), members, invitations."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils import timezone

from fights import services
from fights.admin import forms
from fights.admin.base import ScopedAdmin, ScopedCountryFilter, TextRulesMixin
from fights.models import Invitation, Membership, Organization


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


class MembershipInline(admin.TabularInline):
    """The members: change a role, or remove someone. The person of a membership never changes
    (remove it and add another), so each row shows its user as text, from one query."""

    model = Membership
    fields = ("user", "email", "role", "created_at")
    readonly_fields = ("user", "email", "created_at")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "organization")

    def has_add_permission(self, request, obj=None):
        return False  # NewMembershipInline adds

    @admin.display(description="email")
    def email(self, membership):
        return membership.user.email


class NewMembershipInline(TextRulesMixin, admin.TabularInline):
    """Add a member (e.g. a new admin for an organization whose only admin left)."""

    model = Membership
    form = forms.NewMembershipForm
    fields = ("user", "role")
    autocomplete_fields = ("user",)
    extra = 0
    verbose_name = "new member"
    verbose_name_plural = "add members"

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_delete_permission(self, request, obj=None):
        return False  # it lists no rows: MembershipInline removes members


class InvitationInline(admin.TabularInline):
    """Who was invited, by whom, and whether they came. The token is signed from the id and
    never stored, so there is nothing secret here to show; links are never rendered."""

    model = Invitation
    fields = ("email", "role", "invited_by", "created_at", "accepted_at", "accepted_by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        related = ("organization", "invited_by", "accepted_by")
        return super().get_queryset(request).select_related(*related)

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
    form = forms.OrganizationAdminForm
    list_display = ("name", "verification_state", "kind", "country", "region", "member_count")
    list_filter = (VerificationFilter, "kind", ScopedCountryFilter)
    search_fields = ("name", "affiliation", "city", "website", "memberships__user__email")
    search_help_text = "Name, affiliation, city, website, or a member's email."
    ordering = ("name", "pk")  # explicit: the members count groups rows, dropping Meta.ordering
    inlines = (MembershipInline, NewMembershipInline, InvitationInline)
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
        form = forms.VerifyForm(request.POST if "confirm" in request.POST else None)
        if not form.is_valid():
            return self._decision_page(request, queryset, form, "verify")
        done, already, refused = [], [], []
        for organization in queryset:
            try:
                moved = services.verify_organization(
                    organization, by=request.user, **form.checklist()
                )
            except ValidationError as error:  # the checklist passed: not attested
                refused.append(f"{organization} ({' '.join(error.messages)})")
                continue
            (done if moved else already).append(organization)
            if moved:
                self.log_change(request, organization, _checklist_log(form.checklist()))
        self._report(request, done, already, refused, verb="Verified", state="verified")
        return None

    @admin.action(description="Reject selected organizations…", permissions=["change"])
    def reject_organizations(self, request, queryset):
        form = forms.RejectForm(request.POST if "confirm" in request.POST else None)
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
