import datetime
import unicodedata
from urllib.parse import urlsplit

import pycountry
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

# "Paused indefinitely" is stored as the last representable date, so one field answers both.
PAUSED_INDEFINITELY = datetime.date(9999, 12, 31)


def normalize_name(value: str) -> str:
    """Casefolded, accent-free, single-spaced: how matching compares employer names."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


class SkillCategory(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "skill categories"

    def __str__(self):
        return self.name


class SkillQuerySet(models.QuerySet):
    def active(self):
        return self.filter(retired=False)


class Skill(models.Model):
    category = models.ForeignKey(SkillCategory, on_delete=models.PROTECT, related_name="skills")
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    synonyms = models.CharField(
        max_length=300, blank=True, help_text="Other words people use for it, comma separated."
    )
    retired = models.BooleanField(
        default=False, help_text="Hidden from the picker; kept on profiles that already have it."
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = SkillQuerySet.as_manager()

    class Meta:
        ordering = ["category__position", "position", "name"]

    def __str__(self):
        return self.name

    @property
    def synonym_list(self) -> list[str]:
        return [s.strip() for s in self.synonyms.split(",") if s.strip()]


class Level(models.IntegerChoices):
    CAN_DO = 1, "Can do it"
    EXPERIENCED = 2, "Experienced"
    CAN_LEAD = 3, "Can lead or teach it"


class WorkMode(models.TextChoices):
    REMOTE = "remote", "Remote"
    IN_PERSON = "in_person", "In person"
    EITHER = "either", "Either"


class DonorQuerySet(models.QuerySet):
    def paused(self, today=None):
        return self.filter(paused_until__gte=today or timezone.localdate())

    def active(self, today=None):
        today = today or timezone.localdate()
        return self.exclude(paused_until__gte=today)

    def matchable(self, today=None):
        return self.active(today).filter(contact_consent=True, user__is_active=True)

    def vetted(self):
        return self.filter(vetted_at__isnull=False)

    def with_profile(self):
        """Everything a profile page shows, in a fixed number of queries."""
        return self.select_related("user").prefetch_related(
            models.Prefetch(
                "donor_skills", queryset=DonorSkill.objects.select_related("skill__category")
            ),
            "languages",
            "conflicts",
        )


class Donor(models.Model):
    """A volunteer's profile. Having one is what makes a user a volunteer."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    pronouns = models.CharField(max_length=40, blank=True)
    country = CountryField()
    region = models.CharField(
        max_length=10, blank=True, help_text="ISO 3166-2 subdivision code, e.g. US-CA."
    )
    city = models.CharField(max_length=100, blank=True)
    work_mode = models.CharField(max_length=10, choices=WorkMode, default=WorkMode.EITHER)
    weekly_hours = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(40)]
    )
    capacity = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="How many fights at once.",
    )
    available_from = models.DateField(null=True, blank=True)
    available_until = models.DateField(null=True, blank=True)
    on_call = models.BooleanField(default=False, help_text="Reachable for rapid response.")
    bio = models.TextField(max_length=1000, blank=True)
    links = models.JSONField(default=list, blank=True)
    contact_consent = models.BooleanField(default=False)
    paused_until = models.DateField(null=True, blank=True)
    # Staff vetting: only vetted donors are ever asked to help a confidential fight.
    vetted_at = models.DateTimeField(null=True, blank=True)
    vetted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="donors_vetted",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    skills = models.ManyToManyField(Skill, through="DonorSkill", related_name="donors")

    objects = DonorQuerySet.as_manager()

    class Meta:
        ordering = ["user__display_name", "pk"]
        # Vetting is its own right: staff who may only look at profiles still vet volunteers.
        permissions = [("vet_donor", "Can vet donors for confidential fights")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekly_hours__gte=1, weekly_hours__lte=40),
                name="donor_weekly_hours_range",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1, capacity__lte=5),
                name="donor_capacity_range",
            ),
        ]
        # Who can work in person somewhere: ranking at scale narrows to them first (matching).
        indexes = [models.Index(fields=["region"], name="donor_region")]

    def __str__(self):
        return str(self.user)

    def is_paused_on(self, day: datetime.date) -> bool:
        """Paused on `day`: the rule `Donor.objects.paused(day)` applies, for one row."""
        return self.paused_until is not None and self.paused_until >= day

    @property
    def is_paused(self) -> bool:
        return self.is_paused_on(timezone.localdate())

    @property
    def is_vetted(self) -> bool:
        return self.vetted_at is not None

    @property
    def is_paused_indefinitely(self) -> bool:
        return self.paused_until == PAUSED_INDEFINITELY

    @property
    def web_links(self) -> list[str]:
        """The stored links that are web addresses: what pages show and link to. Anything else
        (a non-list, or a javascript: link saved before the admin checked links) is left out."""
        links = self.links if isinstance(self.links, list) else []
        return [
            link
            for link in links
            if isinstance(link, str) and urlsplit(link).scheme.lower() in ("http", "https")
        ]

    @property
    def region_name(self) -> str:
        subdivision = pycountry.subdivisions.get(code=self.region) if self.region else None
        return subdivision.name if subdivision else self.region


class DonorSkill(models.Model):
    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="donor_skills")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="donor_skills")
    level = models.PositiveSmallIntegerField(choices=Level)
    # Set by the trainings app when the donor attended a training teaching this skill: matching
    # counts such a skill as verified. `donors` knows the training only by its title.
    trained_at = models.DateTimeField(
        _("trained on"), null=True, blank=True, help_text=_("When a training verified this skill.")
    )
    trained_in = models.CharField(
        _("trained in"), max_length=200, blank=True, help_text=_("The training that taught it.")
    )

    class Meta:
        ordering = ["skill__category__position", "skill__position", "skill__name"]
        constraints = [
            models.UniqueConstraint(fields=["donor", "skill"], name="donorskill_unique"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=3), name="donorskill_level_range"
            ),
        ]
        # Ranking reads the holders of a request's skills from this index alone (matching).
        indexes = [
            models.Index(
                fields=["skill", "donor", "level", "trained_at"], name="donorskill_rank_cover"
            ),
            # The few skills a training verified, which ranking at scale looks up first.
            models.Index(
                fields=["skill", "level", "donor"],
                condition=models.Q(trained_at__isnull=False),
                name="donorskill_trained",
            ),
        ]

    def __str__(self):
        return f"{self.skill} ({self.get_level_display()})"


class DonorLanguage(models.Model):
    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="languages")
    code = models.CharField(max_length=3, help_text="ISO 639 code")

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["donor", "code"], name="donorlanguage_unique")
        ]

    def __str__(self):
        return self.code

    @property
    def name(self) -> str:
        language = pycountry.languages.get(alpha_2=self.code) or pycountry.languages.get(
            alpha_3=self.code
        )
        return getattr(language, "common_name", None) or getattr(language, "name", self.code)


class Conflict(models.Model):
    """An employer or organization the donor must never be matched against."""

    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="conflicts")
    name = models.CharField(max_length=200)
    normalized_name = models.CharField(max_length=200, db_index=True)

    class Meta:
        ordering = ["normalized_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["donor", "normalized_name"], name="conflict_unique_per_donor"
            )
        ]

    def __str__(self):
        return self.name
