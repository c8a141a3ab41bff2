"""Organizations, their members, their fights and the support requests inside them.

Visibility is decided here, in querysets, so that every list, page, feed and admin screen asks
the same question: `Fight.objects.visible_to(user)`, `SupportRequest.objects.listed()`.
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from donors.models import Level, Skill, WorkMode

# Who may see confidential fights without being a member of the organization (staff with it).
VIEW_CONFIDENTIAL = "fights.view_confidential_fight"

# Urgency bounds, in days before `needed_by` (a date: "under 72 hours" = needed within 3 days).
CRITICAL_DAYS = 3
SOON_DAYS = 14

MAX_REQUEST_HOURS = 500
MAX_HELPERS = 50


def _today(today=None) -> datetime.date:
    return today or timezone.localdate()


def can_see_confidential(user) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm(VIEW_CONFIDENTIAL)


def _member_of(user, organization_field: str) -> models.Q:
    """Rows whose `organization_field` is one of the user's organizations."""
    member_of = Membership.objects.filter(user=user).values("organization_id")
    return models.Q(**{f"{organization_field}__in": member_of})


# --- Organizations ----------------------------------------------------------------------------


class OrganizationKind(models.TextChoices):
    UNION_LOCAL = "union_local", _("Union local")
    WORKER_CENTER = "worker_center", _("Worker center")
    COMMUNITY_GROUP = "community_group", _("Community group")
    COALITION = "coalition", _("Coalition")
    OTHER = "other", _("Other")


class OrganizationQuerySet(models.QuerySet):
    def verified(self):
        return self.filter(verified_at__isnull=False, rejected_at__isnull=True)

    def unverified(self):
        return self.filter(verified_at__isnull=True, rejected_at__isnull=True)

    def for_member(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)

    def for_staff(self, user):
        """What the admin shows `user`: every organization, except — to staff without the
        confidential permission — those known only through confidential fights. Such an
        organization's name says as much as its fights' titles do (a workers' committee named
        for the workplace it is quietly organizing). Members always see their own."""
        if can_see_confidential(user):
            return self.all()
        hidden = Fight.objects.filter(visibility=Visibility.CONFIDENTIAL).exclude(
            organization_id__in=Fight.objects.filter(visibility=Visibility.PUBLIC).values(
                "organization_id"
            )
        )
        return self.exclude(
            models.Q(pk__in=hidden.values("organization_id")) & ~_member_of(user, "pk")
        )


class Organization(models.Model):
    """A union local, worker center or community group. Unverified until staff verify it."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind)
    affiliation = models.CharField(
        _("affiliation"),
        max_length=200,
        blank=True,
        help_text=_("The national union or network you belong to, if any."),
    )
    country = CountryField(_("country"))
    region = models.CharField(
        _("region"), max_length=10, blank=True, help_text=_("ISO 3166-2 code, e.g. US-CA.")
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    description = models.TextField(_("description"), max_length=2000, blank=True)

    # The creator's attestation: a workers' organization with no interest on the employer side.
    attested_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organizations_created",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Staff verification: the checklist, and who decided when.
    affiliation_checked = models.BooleanField(_("affiliation checked"), default=False)
    contact_confirmed = models.BooleanField(
        _("a contact confirmed outside the site"), default=False
    )
    web_presence_checked = models.BooleanField(_("web presence checked"), default=False)
    verification_notes = models.TextField(_("verification notes"), blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organizations_verified",
    )
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organizations_rejected",
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(verified_at__isnull=True) | models.Q(rejected_at__isnull=True),
                name="organization_not_verified_and_rejected",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None and self.rejected_at is None

    @property
    def is_rejected(self) -> bool:
        return self.rejected_at is not None


class MemberRole(models.TextChoices):
    ADMIN = "admin", _("Admin")
    ORGANIZER = "organizer", _("Organizer")


class Membership(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=MemberRole, default=MemberRole.ORGANIZER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique")
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.organization})"

    @property
    def is_admin(self) -> bool:
        return self.role == MemberRole.ADMIN


class Invitation(models.Model):
    """An organization admin invites someone by email; the link carries a signed, expiring token
    made from the invitation's id (nothing secret is stored), accepted once."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=10, choices=MemberRole, default=MemberRole.ORGANIZER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="invitations_sent",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations_accepted",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.email} → {self.organization}"


# --- Fights -----------------------------------------------------------------------------------


class FightKind(models.TextChoices):
    STRIKE = "strike", _("Strike")
    ORGANIZING_DRIVE = "organizing_drive", _("Organizing drive")
    CONTRACT_CAMPAIGN = "contract_campaign", _("Contract campaign")
    BOYCOTT = "boycott", _("Boycott")
    COMMUNITY_CAMPAIGN = "community_campaign", _("Community campaign")
    OTHER = "other", _("Other")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    CONFIDENTIAL = "confidential", _("Confidential")


class FightStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    SETTLED = "settled", _("Settled")
    ENDED = "ended", _("Ended")


class FightQuerySet(models.QuerySet):
    def public(self):
        """Public fights of verified organizations: what anyone may see."""
        return self.filter(
            visibility=Visibility.PUBLIC,
            organization__verified_at__isnull=False,
            organization__rejected_at__isnull=True,
        )

    def active(self):
        return self.filter(status=FightStatus.ACTIVE)

    def of_member(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(organization__memberships__user=user)

    def visible_to(self, user):
        """Public fights, plus every fight of the user's organizations; staff with the
        confidential permission see all. One query, no duplicates."""
        if user.is_authenticated and user.is_active and user.has_perm(VIEW_CONFIDENTIAL):
            return self.all()
        if not user.is_authenticated:
            return self.public()
        member_of = Membership.objects.filter(user=user).values("organization_id")
        return self.filter(
            models.Q(pk__in=self.public().values("pk")) | models.Q(organization_id__in=member_of)
        )

    def for_staff(self, user):
        """What the admin shows `user`: every fight of every organization, verified or not,
        except confidential ones, which need the permission (or membership)."""
        if can_see_confidential(user):
            return self.all()
        return self.filter(
            ~models.Q(visibility=Visibility.CONFIDENTIAL) | _member_of(user, "organization_id")
        )


class Fight(models.Model):
    """A campaign of an organization: a strike, an organizing drive, a boycott …"""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="fights")
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    kind = models.CharField(_("kind of fight"), max_length=20, choices=FightKind)
    target_employer = models.CharField(_("employer or target"), max_length=200, blank=True)
    # normalize_name(target_employer): compared with donors' conflicts, like Conflict.
    target_employer_normalized = models.CharField(max_length=200, blank=True, db_index=True)
    sector = models.CharField(_("sector"), max_length=100, blank=True)
    country = CountryField(_("country"))
    region = models.CharField(
        _("region"), max_length=10, blank=True, help_text=_("ISO 3166-2 code, e.g. US-CA.")
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    key_date = models.DateField(
        _("key date"), null=True, blank=True, help_text=_("e.g. the strike or vote date.")
    )
    summary = models.TextField(_("summary"), max_length=4000, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=12, choices=Visibility, default=Visibility.PUBLIC
    )
    status = models.CharField(
        _("status"), max_length=10, choices=FightStatus, default=FightStatus.ACTIVE
    )
    outcome = models.TextField(_("outcome"), max_length=4000, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fights_created",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FightQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("view_confidential_fight", "Can see confidential fights of any organization"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_confidential(self) -> bool:
        return self.visibility == Visibility.CONFIDENTIAL

    @property
    def is_active(self) -> bool:
        return self.status == FightStatus.ACTIVE


# --- Support requests -------------------------------------------------------------------------


class RequestStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    FILLED = "filled", _("Filled")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Urgency(models.TextChoices):
    CRITICAL = "critical", _("Critical: needed within 72 hours")
    SOON = "soon", _("Soon: needed within 2 weeks")
    NORMAL = "normal", _("Normal")


class SupportRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=RequestStatus.OPEN)

    def listed(self):
        """Open requests of active public fights of verified organizations: the public list."""
        return self.open().filter(
            fight__in=Fight.objects.public().active().values("pk"),
        )

    def visible_to(self, user):
        """What `user` may open: listed requests, every request of their organizations' fights,
        all of them for staff with the confidential permission."""
        if user.is_authenticated and user.is_active and user.has_perm(VIEW_CONFIDENTIAL):
            return self.all()
        if not user.is_authenticated:
            return self.listed()
        member_of = Membership.objects.filter(user=user).values("organization_id")
        return self.filter(
            models.Q(pk__in=self.listed().values("pk"))
            | models.Q(fight__organization_id__in=member_of)
        )

    def for_staff(self, user):
        """What the admin shows `user`: requests of the fights `Fight.objects.for_staff` shows."""
        if can_see_confidential(user):
            return self.all()
        return self.filter(fight__in=Fight.objects.for_staff(user).values("pk"))

    def with_urgency(self, urgency, today=None):
        """Requests whose `needed_by` puts them in that urgency band."""
        today = _today(today)
        critical = today + datetime.timedelta(days=CRITICAL_DAYS)
        soon = today + datetime.timedelta(days=SOON_DAYS)
        if urgency == Urgency.CRITICAL:
            return self.filter(needed_by__lt=critical)
        if urgency == Urgency.SOON:
            return self.filter(needed_by__gte=critical, needed_by__lt=soon)
        return self.filter(needed_by__gte=soon)


class SupportRequest(models.Model):
    """One concrete need inside a fight."""

    fight = models.ForeignKey(Fight, on_delete=models.CASCADE, related_name="requests")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=6000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus, default=RequestStatus.DRAFT
    )
    needed_by = models.DateField(_("needed by"))
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    hours_estimate = models.PositiveSmallIntegerField(
        _("hours of work, roughly"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REQUEST_HOURS)],
    )
    helpers_needed = models.PositiveSmallIntegerField(
        _("helpers needed"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HELPERS)],
    )
    work_mode = models.CharField(
        _("remote or in person"), max_length=10, choices=WorkMode, default=WorkMode.REMOTE
    )
    country = CountryField(_("country"), blank=True)
    region = models.CharField(_("region"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="support_requests_created",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    skills = models.ManyToManyField(Skill, through="RequestSkill", related_name="support_requests")

    objects = SupportRequestQuerySet.as_manager()

    class Meta:
        ordering = ["needed_by", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours_estimate__gte=1, hours_estimate__lte=MAX_REQUEST_HOURS),
                name="supportrequest_hours_range",
            ),
            models.CheckConstraint(
                condition=models.Q(helpers_needed__gte=1, helpers_needed__lte=MAX_HELPERS),
                name="supportrequest_helpers_range",
            ),
        ]

    def __str__(self):
        return self.title

    def urgency_on(self, today=None) -> str:
        days_left = (self.needed_by - _today(today)).days
        if days_left < CRITICAL_DAYS:
            return Urgency.CRITICAL
        if days_left < SOON_DAYS:
            return Urgency.SOON
        return Urgency.NORMAL

    @property
    def urgency(self) -> str:
        return self.urgency_on()

    @property
    def urgency_label(self) -> str:
        return Urgency(self.urgency).label

    @property
    def is_open(self) -> bool:
        return self.status == RequestStatus.OPEN

    @property
    def language_codes(self) -> list[str]:
        return [language.code for language in self.languages.all()]


class RequestSkill(models.Model):
    request = models.ForeignKey(
        SupportRequest, on_delete=models.CASCADE, related_name="request_skills"
    )
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="request_skills")
    required = models.BooleanField(_("required"), default=True)
    min_level = models.PositiveSmallIntegerField(
        _("minimum level"), choices=Level, default=Level.CAN_DO
    )

    class Meta:
        ordering = ["-required", "skill__category__position", "skill__position", "skill__name"]
        constraints = [
            models.UniqueConstraint(fields=["request", "skill"], name="requestskill_unique"),
            models.CheckConstraint(
                condition=models.Q(min_level__gte=1, min_level__lte=3),
                name="requestskill_level_range",
            ),
        ]

    def __str__(self):
        return f"{self.skill} ({self.get_min_level_display()})"


class RequestLanguage(models.Model):
    """A language the work must be done in (ISO 639-1, like DonorLanguage)."""

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="languages")
    code = models.CharField(max_length=3, help_text=_("ISO 639 code"))

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["request", "code"], name="requestlanguage_unique")
        ]

    def __str__(self):
        return self.code


# --- Request templates ------------------------------------------------------------------------


class RequestTemplateQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class RequestTemplate(models.Model):
    """A plain-language need ("We need flyers and graphics") that pre-fills a draft request.
    Staff edit these in the admin; the guided path offers the active ones."""

    need = models.CharField(_("the need, in plain words"), max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    request_title = models.CharField(_("title of the request it drafts"), max_length=200)
    description = models.TextField(
        _("description skeleton"),
        help_text=_("The draft's description: questions for the organizer to answer."),
    )
    hours_estimate = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REQUEST_HOURS)]
    )
    helpers_needed = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_HELPERS)]
    )
    work_mode = models.CharField(max_length=10, choices=WorkMode, default=WorkMode.REMOTE)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    skills = models.ManyToManyField(Skill, through="RequestTemplateSkill", related_name="+")

    objects = RequestTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["position", "need"]

    def __str__(self):
        return self.need


class RequestTemplateSkill(models.Model):
    template = models.ForeignKey(
        RequestTemplate, on_delete=models.CASCADE, related_name="template_skills"
    )
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+")
    required = models.BooleanField(default=True)
    min_level = models.PositiveSmallIntegerField(choices=Level, default=Level.CAN_DO)

    class Meta:
        ordering = ["-required", "skill__name"]
        constraints = [
            models.UniqueConstraint(fields=["template", "skill"], name="templateskill_unique"),
        ]

    def __str__(self):
        return f"{self.skill} ({self.get_min_level_display()})"
