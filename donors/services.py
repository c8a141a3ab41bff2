"""Changes to donor profiles. Views call these; nothing else writes a profile."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from donors.models import (
    PAUSED_INDEFINITELY,
    Conflict,
    Donor,
    DonorLanguage,
    DonorSkill,
    WorkMode,
    normalize_name,
)


@dataclass(frozen=True, kw_only=True)
class ProfileData:
    """A validated profile, as the profile form produces it."""

    display_name: str
    time_zone: str = "UTC"
    pronouns: str = ""
    country: str
    region: str = ""  # ISO 3166-2 code
    city: str = ""
    work_mode: str = WorkMode.EITHER
    weekly_hours: int
    capacity: int = 1
    available_from: datetime.date | None = None
    available_until: datetime.date | None = None
    on_call: bool = False
    bio: str = ""
    links: list[str] = field(default_factory=list)
    contact_consent: bool = False
    languages: list[str]  # ISO 639-1 codes
    skill_levels: dict[int, int]  # active skill id -> level 1..3
    conflicts: list[str] = field(default_factory=list)  # names as typed


DONOR_FIELDS = (
    "pronouns",
    "country",
    "region",
    "city",
    "work_mode",
    "weekly_hours",
    "capacity",
    "available_from",
    "available_until",
    "on_call",
    "bio",
    "links",
    "contact_consent",
)


def save_donor_profile(*, user, data: ProfileData) -> Donor:
    """Create or replace the user's profile: the user's name and time zone, the donor row,
    and its skills, languages and conflicts. Retired skills already on the profile are kept.
    """
    # A with-block rather than @transaction.atomic: mutmut skips decorated functions.
    with transaction.atomic():
        # Updating the user row first locks it until commit: two saves of one person (a
        # double-clicked "Save" on a new profile) run one after the other, and the second updates
        # the profile the first created instead of failing on the one-to-one constraint.
        get_user_model().objects.filter(pk=user.pk).update(
            display_name=data.display_name, time_zone=data.time_zone
        )
        user.display_name, user.time_zone = data.display_name, data.time_zone
        donor = Donor.objects.filter(user=user).first() or Donor(user=user)
        for name in DONOR_FIELDS:
            setattr(donor, name, getattr(data, name))
        donor.save()
        _replace_skills(donor, data.skill_levels)
        _replace_languages(donor, data.languages)
        _replace_conflicts(donor, data.conflicts)
        return donor


def _replace_skills(donor: Donor, skill_levels: dict[int, int]) -> None:
    """The picked skills become the profile's. A skill kept keeps its row, so a training's
    record of it (trained_at, trained_in) survives a new level; a retired skill cannot be
    picked any more, so it stays exactly as it is."""
    owned = {ds.skill_id: ds for ds in donor.donor_skills.select_related("skill")}
    kept = {skill_id for skill_id, ds in owned.items() if ds.skill.retired}
    dropped = set(owned) - set(skill_levels) - kept
    donor.donor_skills.filter(skill_id__in=dropped).delete()
    changed = []
    for skill_id, level in skill_levels.items():
        if skill_id in owned and skill_id not in kept and owned[skill_id].level != level:
            owned[skill_id].level = level
            changed.append(owned[skill_id])
    DonorSkill.objects.bulk_update(changed, ["level"])
    DonorSkill.objects.bulk_create(
        DonorSkill(donor=donor, skill_id=skill_id, level=level)
        for skill_id, level in skill_levels.items()
        if skill_id not in owned
    )


def _replace_languages(donor: Donor, codes: list[str]) -> None:
    donor.languages.all().delete()
    DonorLanguage.objects.bulk_create(
        DonorLanguage(donor=donor, code=c) for c in dict.fromkeys(codes)
    )


def _replace_conflicts(donor: Donor, names: list[str]) -> None:
    donor.conflicts.all().delete()
    by_normalized = {}
    for name in names:
        by_normalized.setdefault(normalize_name(name), " ".join(name.split()))
    by_normalized.pop("", None)
    Conflict.objects.bulk_create(
        Conflict(donor=donor, name=name, normalized_name=normalized)
        for normalized, name in by_normalized.items()
    )


def pause_donor(*, donor: Donor, until: datetime.date) -> None:
    """Not proposed for anything through `until` (PAUSED_INDEFINITELY: until they resume)."""
    donor.paused_until = until
    # Only this column: an edit form open in another tab must not look stale because of it.
    donor.save(update_fields=["paused_until"])


def pause_donor_indefinitely(*, donor: Donor) -> None:
    pause_donor(donor=donor, until=PAUSED_INDEFINITELY)


def resume_donor(*, donor: Donor) -> None:
    donor.paused_until = None
    donor.save(update_fields=["paused_until"])


def vet_donor(donor: Donor, *, by) -> bool:
    """Staff vouch for the donor: from now on they may be asked to help confidential fights.
    Vetting an already vetted donor keeps the first record; returns whether this call vetted."""
    vetted = Donor.objects.filter(pk=donor.pk, vetted_at__isnull=True).update(
        vetted_at=timezone.now(), vetted_by=by
    )
    donor.refresh_from_db(fields=["vetted_at", "vetted_by"])
    return bool(vetted)
