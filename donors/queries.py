"""Reads for donor profiles, and the reference data (pycountry) profiles are checked against."""

import zoneinfo
from dataclasses import dataclass
from functools import cache
from itertools import groupby

import pycountry

from donors.models import Donor, DonorSkill, Skill, normalize_name


def own_donor(user, *, with_profile=True) -> Donor | None:
    """The signed-in person's own profile (with everything the pages show), or None.

    There is deliberately no lookup by id: a volunteer only ever reaches their own profile.
    """
    donors = Donor.objects.with_profile() if with_profile else Donor.objects.all()
    return donors.filter(user=user).first()


# Categories are ordered by position and then name, so that each comes out as one group.
BY_CATEGORY = ("category__position", "category__name", "position", "name")


def picker_skills() -> list[Skill]:
    """Skills offered in the picker, with their categories, in one query."""
    return list(Skill.objects.active().select_related("category").order_by(*BY_CATEGORY))


def group_by_category(items, *, skill=lambda item: item):
    """[(category, [item, ...]), ...] for items already ordered by category."""
    return [
        (category, list(members))
        for category, members in groupby(items, key=lambda item: skill(item).category)
    ]


def grouped_donor_skills(donor: Donor) -> list[tuple]:
    """The donor's skills by category (from the prefetch of Donor.objects.with_profile())."""
    donor_skills = sorted(
        donor.donor_skills.all(),
        key=lambda ds: (
            ds.skill.category.position,
            ds.skill.category.name,
            ds.skill.position,
            ds.skill.name,
        ),
    )
    return group_by_category(donor_skills, skill=lambda ds: ds.skill)


# --- Reference data -------------------------------------------------------------------------


@cache
def language_choices() -> tuple[tuple[str, str], ...]:
    """ISO 639-1 languages (those with a two-letter code), sorted by name."""
    languages = (
        (language.alpha_2, getattr(language, "common_name", language.name))
        for language in pycountry.languages
        if hasattr(language, "alpha_2")
    )
    return tuple(sorted(languages, key=lambda choice: choice[1]))


# Canonical IANA areas; the rest (Etc/GMT+5, US/Pacific, EST5EDT) are aliases and legacy names.
TIME_ZONE_AREAS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


@cache
def time_zone_choices() -> tuple:
    """UTC, then the IANA zones grouped by area: ("Europe", (("Europe/Paris", "Paris"), ...))."""
    groups = {area: [] for area in TIME_ZONE_AREAS}
    for name in sorted(zoneinfo.available_timezones()):
        area, _, place = name.partition("/")
        if area in groups and place:
            groups[area].append((name, place.replace("_", " ").replace("/", " / ")))
    return (("UTC", "UTC"), *((area, tuple(zones)) for area, zones in groups.items()))


@cache
def time_zone_names() -> frozenset[str]:
    return frozenset(name for _, zones in time_zone_choices()[1:] for name, _ in zones) | {"UTC"}


def subdivisions_of(country_code: str) -> list:
    """ISO 3166-2 subdivisions of a country, by name; empty when pycountry knows none."""
    found = pycountry.subdivisions.get(country_code=country_code) or []
    return sorted(found, key=lambda subdivision: subdivision.name)


def _names(subdivision) -> set[str]:
    # pycountry writes alternative names in brackets: "Illes Balears [Islas Baleares]".
    full = subdivision.name
    names = {full, *full.replace("]", "").split("[")}
    return {normalize_name(name) for name in names if name.strip()}


def matching_regions(country_code: str, text: str) -> list:
    """Subdivisions of the country that `text` names: by code ("US-CA" or "CA"), else by name."""
    subdivisions = subdivisions_of(country_code)
    code = text.strip().upper()
    by_code = [s for s in subdivisions if s.code in (code, f"{country_code}-{code}")]
    if by_code:
        return by_code
    wanted = normalize_name(text)
    return [s for s in subdivisions if wanted in _names(s)]


# --- Completeness ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Completeness:
    percent: int
    missing: list[str]


NOT_CONSENTED = "Consent to be contacted about matches: you are not matchable until you consent"


def profile_completeness(donor: Donor) -> Completeness:
    """How much of the profile is filled in, and what is missing, in the order of the form."""
    donor_skills: list[DonorSkill] = list(donor.donor_skills.all())
    checks = [
        (bool(donor.user.display_name), "Your name"),
        (_has_location(donor), "Your region and city"),
        (bool(donor.languages.all()), "A language you can work in"),
        (any(not ds.skill.retired for ds in donor_skills), "A skill from the current list"),
        (bool(donor.available_from or donor.available_until), "When you are available"),
        (bool(donor.bio), "A short bio"),
        (bool(donor.web_links), "A link to your work"),
        (donor.contact_consent, NOT_CONSENTED),
    ]
    done = sum(1 for ok, _ in checks if ok)
    return Completeness(
        percent=done * 100 // len(checks), missing=[label for ok, label in checks if not ok]
    )


def _has_location(donor: Donor) -> bool:
    region_needed = bool(subdivisions_of(donor.country.code))
    return bool(donor.city) and (bool(donor.region) or not region_needed)
