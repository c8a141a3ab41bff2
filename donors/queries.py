"""Reads for donor profiles, and the reference data (pycountry) profiles are checked against."""

import datetime
import zoneinfo
from dataclasses import dataclass, field
from functools import cache
from itertools import groupby

import pycountry
from django.utils import timezone
from django_countries import countries

from config import onequery
from donors import places_data
from donors.models import Donor, DonorSkill, Skill, WorkMode, normalize_name


def own_donor(user, *, with_profile=True) -> Donor | None:
    """The signed-in person's own profile (with everything the pages show), or None.

    There is deliberately no lookup by id: a volunteer only ever reaches their own profile.
    """
    if with_profile:
        donor = own_donor_from(user, own_profile_rows(user))
        return donor and with_lists(donor)
    donor = Donor.objects.filter(user=user).first()
    # Remembered on the user, so the header's `user.is_volunteer` costs no second query.
    Donor.user.field.remote_field.set_cached_value(user, donor)
    return donor


# What a profile page shows besides the donor's own row, with the order each list's Meta gives
# (the same as Donor.objects.with_profile()), but fetched inside the donor's query.
PROFILE_LISTS = (
    (
        Donor.donor_skills,
        ("skill", "skill__category"),
        lambda ds: (ds.skill.category.position, ds.skill.position, ds.skill.name, ds.pk),
    ),
    (Donor.languages, (), lambda language: language.code),
    (Donor.conflicts, (), lambda conflict: (conflict.normalized_name, conflict.pk)),
)


# The annotation names the lists' JSON arrays come under, on the donor.
PROFILE_ROWS = {
    f"_{relation.rel.get_accessor_name()}_rows": (relation, joins, order)
    for relation, joins, order in PROFILE_LISTS
}


# What other apps show on the profile page (trainings: the person's history), fetched inside the
# donor's query too: {annotation name: a function making its related_rows()}. Apps add theirs
# in their AppConfig.ready(); donors imports none of them.
PROFILE_EXTRAS: dict = {}


def _profile_donors(user_id):
    """A person's donor with their lists' JSON annotations (compiled once: see below)."""
    annotations = {
        name: onequery.related_rows(relation, joins=joins)
        for name, (relation, joins, _) in PROFILE_ROWS.items()
    } | {name: rows() for name, rows in PROFILE_EXTRAS.items()}
    return Donor.objects.annotate(**annotations).filter(user=user_id).order_by("pk")[:1]


# Compiling the three JSON subqueries costs more than running them: once per process.
_OWN_PROFILE = onequery.Compiled(_profile_donors)


def own_profile_rows(user) -> list[tuple]:
    """The person's profile (donor, skills, languages, conflicts, PROFILE_EXTRAS) as the
    database's one row, all the profile page shows of it: [] for someone without a profile."""
    return _OWN_PROFILE.rows(user.pk)


def own_donor_from(user, rows) -> Donor | None:
    """The donor of own_profile_rows(), remembered on the user (the header's `is_volunteer`
    costs no query); its lists wait for with_lists()."""
    donor = next(iter(_OWN_PROFILE.instances(rows)), None)
    Donor.user.field.remote_field.set_cached_value(user, donor)
    if donor is not None:
        Donor.user.field.set_cached_value(donor, user)
    return donor


def with_lists(donor: Donor) -> Donor:
    """The donor's skills, languages and conflicts from its row's JSON into the prefetch cache,
    so the pages read them as after with_profile()."""
    for name, (relation, joins, order) in PROFILE_ROWS.items():
        onequery.install(donor, relation, getattr(donor, name), joins=joins, order=order)
    return donor


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


# Languages offered first on the profile form, before the country's own: the languages most
# fights and volunteers work in. The rest are one "Other languages" click away.
COMMON_LANGUAGES = ("en", "es", "fr", "pt", "ar", "zh")


@cache
def language_names() -> dict[str, str]:
    return dict(language_choices())


def first_languages(country_code: str = "") -> tuple[str, ...]:
    """The languages the form offers before the rest: the common ones, then the country's own."""
    own = places_data.COUNTRY_LANGUAGES.get(country_code, ())
    names = language_names()
    return tuple(code for code in dict.fromkeys((*COMMON_LANGUAGES, *own)) if code in names)


# --- Time zones, by place ------------------------------------------------------------------


@cache
def _zone_places() -> dict[str, tuple[str, str]]:
    """IANA zone -> (country code, tzdata's description), for the zones this system knows."""
    available = zoneinfo.available_timezones()
    return {
        zone: (country, comment)
        for country, zones in places_data.COUNTRY_TIME_ZONES.items()
        for zone, comment in zones
        if zone in available
    }


def time_zone_label(zone: str) -> str:
    """A zone by its place: "Los Angeles (Pacific)", "Paris"; a zone no country lists (UTC,
    an old alias) by its name with spaces."""
    place = zone.rsplit("/", 1)[-1].replace("_", " ")
    if zone not in _zone_places():
        return zone.replace("_", " ")
    comment = _zone_places()[zone][1]
    return f"{place} ({comment})" if comment else place


def country_time_zones(country_code: str) -> list[tuple[str, str]]:
    """(zone, label) for each time zone of the country, most populous first."""
    zones = places_data.COUNTRY_TIME_ZONES.get(country_code, ())
    return [(zone, time_zone_label(zone)) for zone, _ in zones if zone in _zone_places()]


@cache
def country_time_zone(country_code: str) -> str | None:
    """The country's time zone when it keeps one time (all its zones agree in January and in
    July, e.g. Germany's two), else None: the person must say which."""
    zones = [zone for zone, _ in country_time_zones(country_code)]
    if not zones:
        return None
    year = timezone.now().year
    instants = [datetime.datetime(year, month, 15, 12, tzinfo=datetime.UTC) for month in (1, 7)]
    offsets = {
        tuple(instant.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset() for instant in instants)
        for zone in zones
    }
    return zones[0] if len(offsets) == 1 else None


@cache
def _time_zones_by_country() -> tuple:
    names = dict(countries)
    groups = [
        (code, names.get(code, code), tuple(country_time_zones(code)))
        for code in places_data.COUNTRY_TIME_ZONES
    ]
    return tuple(sorted((group for group in groups if group[2]), key=lambda group: group[1]))


def time_zone_choices(country_code: str = "") -> list:
    """Time zones by place, grouped by country, the person's country first; "" means "my
    country's" (see country_time_zone)."""
    first = [group for group in _time_zones_by_country() if group[0] == country_code]
    rest = [group for group in _time_zones_by_country() if group[0] != country_code]
    return [
        ("", "My country's time zone (where it has one)"),
        *((name, zones) for _, name, zones in first),
        ("Coordinated Universal Time", (("UTC", "UTC"),)),
        *((name, zones) for _, name, zones in rest),
    ]


@cache
def time_zone_names() -> frozenset[str]:
    return frozenset(_zone_places()) | {"UTC"}


def region_text(country_code: str, code: str) -> str:
    """How a stored region reads back in the form: its name when the name alone finds it again
    ("California"), else its code (two regions of Bangladesh are called "Dhaka")."""
    subdivision = pycountry.subdivisions.get(code=code) if code else None
    if subdivision is None:
        return code
    found = matching_regions(country_code, subdivision.name)
    return subdivision.name if [s.code for s in found] == [code] else code


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
    """`percent` and `missing` count only what matching needs; `suggestions` are optional
    additions that help organizers and staff, never "missing"."""

    percent: int
    missing: list[str]
    suggestions: list[str] = field(default_factory=list)


NOT_CONSENTED = "Consent to be contacted about matches: you are not matchable until you consent"
REGION_FOR_IN_PERSON = "Your region, so we can propose you for in-person work near you"


def profile_completeness(donor: Donor) -> Completeness:
    """What matching needs (a current skill, a language, a region for in-person work, consent)
    and what it is missing, in the order of the form; then suggestions for the rest."""
    donor_skills: list[DonorSkill] = list(donor.donor_skills.all())
    checks = [
        (any(not ds.skill.retired for ds in donor_skills), "A skill from the current list"),
        (bool(donor.languages.all()), "A language you can work in"),
        (_has_place_for_matching(donor), REGION_FOR_IN_PERSON),
        (donor.contact_consent, NOT_CONSENTED),
    ]
    suggestions = [
        (bool(donor.bio), "You could add a short bio: what you do and would like to help with."),
        (bool(donor.web_links), "You could add a link to your work."),
    ]
    done = sum(1 for ok, _ in checks if ok)
    return Completeness(
        percent=done * 100 // len(checks),
        missing=[label for ok, label in checks if not ok],
        suggestions=[label for ok, label in suggestions if not ok],
    )


def _has_place_for_matching(donor: Donor) -> bool:
    """In-person requests are matched by region; remote volunteers and countries without
    regions need none."""
    if donor.work_mode == WorkMode.REMOTE or donor.region:
        return True
    return not subdivisions_of(donor.country.code)
