"""Trainings (workshops, conferences, webinars, cohort programs) and who registered for them.

Seats are decided in `trainings.services` under a row lock on the training, so that the number
of rows holding a seat (`SEAT_STATUSES`) never exceeds `Training.capacity`. Rows move only
through those services.
"""

import datetime
import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from donors.models import Level, Skill

# A training this long or longer is "a full day": registrants are asked about dietary needs.
FULL_DAY = datetime.timedelta(hours=5)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Pick a time zone such as Europe/Paris or America/Chicago."))


class Kind(models.TextChoices):
    WORKSHOP = "workshop", _("Workshop")
    CONFERENCE = "conference", _("Conference")
    WEBINAR = "webinar", _("Webinar")
    COHORT_PROGRAM = "cohort_program", _("Cohort program")


class Venue(models.Model):
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"), max_length=500, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = CountryField(_("country"))
    region = models.CharField(
        _("region"), max_length=10, blank=True, help_text=_("ISO 3166-2 code, e.g. US-CA.")
    )
    wheelchair_accessible = models.BooleanField(_("wheelchair accessible"), default=False)
    accessibility_notes = models.TextField(
        _("accessibility notes"),
        max_length=2000,
        blank=True,
        help_text=_("Step-free access, lifts, toilets, hearing loop, quiet room, transit."),
    )

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return f"{self.name}, {self.city}" if self.city else self.name


class Trainer(models.Model):
    """A public trainer profile (name and bio as shown on training pages); not tied to an account,
    so that trainings and sessions hold no personal data of site users."""

    name = models.CharField(_("name"), max_length=200)
    bio = models.TextField(_("bio"), max_length=2000, blank=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class TrainingQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def upcoming(self, now=None):
        return self.filter(ends_at__gt=now or timezone.now(), cancelled_at__isnull=True)

    def past(self, now=None):
        return self.filter(ends_at__lte=now or timezone.now())

    def listed(self, now=None):
        """What the public list, feed and calendar show."""
        return self.published().upcoming(now)

    def with_seat_counts(self):
        return self.annotate(
            seats_taken=models.Count(
                "registrations", filter=models.Q(registrations__status__in=SEAT_STATUSES)
            )
        )


class Training(models.Model):
    # Stable across edits: calendar clients match updates to entries by it.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), max_length=10000, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="America/New_York",
        validators=[validate_time_zone],
        help_text=_("Where the training happens; times are shown in it."),
    )
    venue = models.ForeignKey(
        Venue,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trainings",
        help_text=_("Leave empty for an online training."),
    )
    meeting_url = models.URLField(
        _("meeting link"),
        max_length=500,
        blank=True,
        help_text=_("Private: shown only to confirmed registrants, on their page and emails."),
    )
    capacity = models.PositiveIntegerField(_("seats"), validators=[MinValueValidator(1)])
    registration_closes_at = models.DateTimeField(
        _("registration closes at"),
        null=True,
        blank=True,
        help_text=_("Empty: registration closes when the training starts."),
    )
    price = models.DecimalField(
        _("price"), max_digits=8, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    scholarships_available = models.BooleanField(
        _("scholarships / fee waivers available"), default=False
    )
    skills = models.ManyToManyField(
        Skill, through="TrainingSkill", related_name="trainings", blank=True
    )
    trainers = models.ManyToManyField(Trainer, related_name="trainings", blank=True)
    feedback_url = models.URLField(
        _("feedback form"),
        max_length=500,
        blank=True,
        help_text=_("Sent to those who attended once it ends."),
    )
    published = models.BooleanField(_("published"), default=False)
    # Cohort programs: applications open until the deadline, at most `cohort_size` accepted.
    application_deadline = models.DateTimeField(_("application deadline"), null=True, blank=True)
    cohort_size = models.PositiveSmallIntegerField(
        _("cohort size"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    stipend = models.CharField(_("stipend"), max_length=200, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TrainingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="training_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="training_capacity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="training_price_not_negative"
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The end must be after the start.")
        closes = self.registration_closes_at
        if closes and self.ends_at and closes > self.ends_at:
            errors["registration_closes_at"] = _("Registration must close before the end.")
        if self.kind == Kind.COHORT_PROGRAM and self.cohort_size and self.cohort_size > 100:
            errors["cohort_size"] = _("A cohort has at most 100 members.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_online(self) -> bool:
        return self.venue_id is None

    @property
    def is_full_day(self) -> bool:
        return self.ends_at - self.starts_at >= FULL_DAY

    @property
    def is_free(self) -> bool:
        return self.price == 0

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def closes_at(self) -> datetime.datetime:
        return self.registration_closes_at or self.starts_at

    def is_open_for_registration(self, now=None) -> bool:
        now = now or timezone.now()
        return self.published and self.cancelled_at is None and now < self.closes_at


class TrainingSkill(models.Model):
    """A skill the training teaches, and the level someone who attended is credited with."""

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="taught")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="taught_in")
    level = models.PositiveSmallIntegerField(_("level taught"), choices=Level, default=Level.CAN_DO)

    class Meta:
        ordering = ["skill__name"]
        constraints = [
            models.UniqueConstraint(fields=["training", "skill"], name="trainingskill_unique"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=3), name="trainingskill_level_range"
            ),
        ]

    def __str__(self):
        return f"{self.skill} ({self.get_level_display()})"


class Track(models.Model):
    """A parallel strand of a conference's sessions (e.g. "Video", "Organizing online")."""

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="tracks")
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["training", "name"], name="track_unique_per_training")
        ]

    def __str__(self):
        return self.name


class Session(models.Model):
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="sessions")
    track = models.ForeignKey(
        Track, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.CharField(_("room"), max_length=100, blank=True)
    trainers = models.ManyToManyField(Trainer, related_name="sessions", blank=True)

    class Meta:
        ordering = ["starts_at", "track__position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            )
        ]

    def __str__(self):
        return self.title


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("Waitlisted")
    OFFERED = "offered", _("Offered a seat")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("No-show")


# Rows that hold one of the training's seats.
SEAT_STATUSES = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.OFFERED,
    RegistrationStatus.ATTENDED,
    RegistrationStatus.NO_SHOW,
)
# Rows that are "registered" (they get change notices and reminders).
ACTIVE_STATUSES = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.OFFERED,
)


class Payment(models.TextChoices):
    NOT_DUE = "not_due", _("Nothing to pay")
    PAY_AT_DOOR = "pay_at_door", _("Pay at the door")
    PAID = "paid", _("Paid")
    WAIVED = "waived", _("Waived")


class Scholarship(models.TextChoices):
    NONE = "", _("Not requested")
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class RegistrationQuerySet(models.QuerySet):
    def holding_seats(self):
        return self.filter(status__in=SEAT_STATUSES)

    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def waitlist(self):
        """The waitlist in the order seats are offered: first come, first served."""
        return self.filter(status=RegistrationStatus.WAITLISTED).order_by("queued_at", "pk")


class Registration(models.Model):
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations"
    )
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus)
    # The answers to the registration questions.
    organization = models.CharField(_("organization"), max_length=200, blank=True)
    accessibility_needs = models.TextField(_("accessibility needs"), max_length=1000, blank=True)
    dietary_needs = models.TextField(_("dietary needs"), max_length=500, blank=True)
    # Money: no online payment; staff record what happened.
    payment = models.CharField(
        _("payment"), max_length=12, choices=Payment, default=Payment.NOT_DUE
    )
    scholarship = models.CharField(
        _("scholarship / fee waiver"), max_length=10, choices=Scholarship, blank=True, default=""
    )
    scholarship_reason = models.TextField(_("why a scholarship"), max_length=1000, blank=True)
    scholarship_decided_at = models.DateTimeField(null=True, blank=True)
    scholarship_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="scholarships_decided",
    )
    # Waitlist order: set when the row joins the waitlist (again).
    queued_at = models.DateTimeField(default=timezone.now)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    walk_in = models.BooleanField(_("walk-in"), default=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations_made",
        help_text=_("The organizer who registered this person with their group, if any."),
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations_changed",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["training", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["training", "user"], name="registration_unique_per_training"
            )
        ]
        indexes = [models.Index(fields=["status", "offer_expires_at"])]

    def __str__(self):
        return f"{self.user} — {self.training} ({self.get_status_display()})"

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_STATUSES

    @property
    def sees_meeting_link(self) -> bool:
        """Only people with a confirmed seat see the private link."""
        return self.status in (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED)


# --- Cohort programs, session ideas, the directory (trainings/programs.py) ----------------------
# Appended here, after the registrations: applications to cohort programs with reviews per
# reviewer, decisions drafted then sent, confirmed members and their commitments, ideas for
# sessions, and the opt-in directory of trained digital strategists.


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    WAITLISTED = "waitlisted", _("Waitlisted")
    DECLINED = "declined", _("Declined")
    CONFIRMED = "confirmed", _("Confirmed a place")


class Decision(models.TextChoices):
    """What staff drafted; it becomes the application's status only once sent."""

    ACCEPT = "accepted", _("Accept")
    WAITLIST = "waitlisted", _("Waitlist")
    DECLINE = "declined", _("Decline")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")
    SELF_DESCRIBED = "self_described", _("In another way")
    PREFER_NOT = "prefer_not", _("Prefer not to say")


class AgeRange(models.TextChoices):
    UNDER_25 = "under_25", _("Under 25")
    FROM_25 = "25_34", _("25 to 34")
    FROM_35 = "35_44", _("35 to 44")
    FROM_45 = "45_54", _("45 to 54")
    FROM_55 = "55_plus", _("55 or over")
    PREFER_NOT = "prefer_not", _("Prefer not to say")


class YesNoPreferNot(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    PREFER_NOT = "prefer_not", _("Prefer not to say")


class Application(models.Model):
    """An application to a cohort program; once accepted and confirmed, a member of the cohort."""

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="applications")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_applications"
    )
    statement = models.TextField(_("why you want to join"), max_length=3000)
    background = models.TextField(_("your background"), max_length=3000)
    organization = models.CharField(_("organization"), max_length=200, blank=True)
    commits_training_days = models.BooleanField(
        _("I can attend one full training day a month for five months"), default=False
    )
    commits_actions = models.BooleanField(
        _("I can join about a dozen actions over the year"), default=False
    )
    availability_notes = models.TextField(_("availability notes"), max_length=1000, blank=True)
    # Optional questions, never required; empty means the person did not answer.
    gender = models.CharField(_("gender"), max_length=20, choices=Gender, blank=True)
    age_range = models.CharField(_("age"), max_length=20, choices=AgeRange, blank=True)
    lgbtq = models.CharField(_("LGBTQ+"), max_length=20, choices=YesNoPreferNot, blank=True)
    person_of_color = models.CharField(
        _("person of colour"), max_length=20, choices=YesNoPreferNot, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ApplicationStatus,
        default=ApplicationStatus.SUBMITTED,
    )
    # A decision is drafted (visible to staff), then sent: only sending changes the status.
    decision = models.CharField(_("drafted decision"), max_length=12, choices=Decision, blank=True)
    decision_message = models.TextField(
        _("personal note in the decision email"), max_length=2000, blank=True
    )
    decision_drafted_at = models.DateTimeField(null=True, blank=True)
    decision_drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="application_decisions_drafted",
    )
    decision_sent_at = models.DateTimeField(null=True, blank=True)
    decision_sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="application_decisions_sent",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["training", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["training", "user"], name="application_unique_per_training"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.training}"

    @property
    def decision_pending(self) -> bool:
        """A drafted decision staff have not sent yet."""
        return bool(self.decision) and self.decision != self.status


class CohortMember(Application):
    """The confirmed applications, as the cohort's members list in the admin."""

    class Meta:
        proxy = True
        verbose_name = _("cohort member")
        verbose_name_plural = _("cohort members")


class ApplicationReview(models.Model):
    """One reviewer's score and notes on one application: staff data about the applicant."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="application_reviews",
    )
    score = models.PositiveSmallIntegerField(
        _("score"), choices=[(n, str(n)) for n in range(1, 6)], help_text=_("1 (weak) to 5.")
    )
    notes = models.TextField(_("notes"), max_length=3000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["application", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="review_one_per_reviewer"
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="review_score_range"
            ),
        ]

    def __str__(self):
        return f"{self.reviewer}: {self.score}"


class CommitmentKind(models.TextChoices):
    TRAINING_DAY = "training_day", _("Training day attended")
    ACTION = "action", _("Action joined")


class Commitment(models.Model):
    """One training day a cohort member attended or one action they joined (staff record it)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="commitments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CommitmentKind)
    date = models.DateField(_("date"))
    description = models.CharField(_("what"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments_recorded",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date}"


class IdeaKind(models.TextChoices):
    OFFER = "offer", _("I could give this workshop")
    REQUEST = "request", _("I need this workshop")


class SessionIdea(models.Model):
    """A workshop someone could give, or one they need."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_ideas"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=IdeaKind)
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="session_ideas")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("details"), max_length=3000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]

    def __str__(self):
        return self.title


class DirectoryEntry(models.Model):
    """A person's own choice to be listed as a trained digital strategist; deleting it revokes.

    What the directory shows comes from their volunteer profile (region) and trained skills;
    the entry holds only the consent and an optional line about themselves."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="directory_entry"
    )
    headline = models.CharField(_("one line about you"), max_length=200, blank=True)
    opted_in_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user__display_name", "pk"]
        verbose_name_plural = _("directory entries")

    def __str__(self):
        return str(self.user)
