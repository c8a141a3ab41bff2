"""The mail a match sends, built from the rows: a proposal to the volunteer, then on acceptance
one introduction to each side. Called by matching.services inside their transaction.

What a mail may say follows what the reader may see. A proposal for a confidential fight
carries only a redacted summary (kind, sector, region, skills, dates, hours): never the
employer, the organization, a title or the organizers' free text, which could name either.
Contact details appear only in the introductions, which are sent once the volunteer accepted.
"""

import zoneinfo

import pycountry
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from donors.models import Level
from fights.models import Membership
from notifications.services import notify

PROPOSAL_KIND = "matching.proposal"
INTRODUCTION_DONOR_KIND = "matching.introduction_donor"
INTRODUCTION_ORGANIZER_KIND = "matching.introduction_organizer"


def site_url(name, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _level(value) -> str:
    return Level(value).label if value in Level.values else ""


def _local(moment, user) -> str:
    """A moment as the reader's clock shows it: '7 December 2026, 14:30 (Europe/Paris)'."""
    try:
        zone = zoneinfo.ZoneInfo(user.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    local = timezone.localtime(moment, zone)
    return f"{local:%-d %B %Y, %H:%M} ({zone.key})"


def _day(value) -> str:
    return f"{value:%-d %B %Y}" if value else ""


def region_label(support_request) -> str:
    """Where the request is, at region level (never the city): what a redacted summary names."""
    fight = support_request.fight
    country = support_request.country or fight.country
    region = support_request.region or fight.region
    region_name = region
    if region:
        subdivision = pycountry.subdivisions.get(code=region)
        region_name = subdivision.name if subdivision else region
    return ", ".join(part for part in (region_name, country.name if country else "") if part)


def request_summary(support_request) -> dict:
    """What anyone asked may know: no names, no titles, no free text. JSON-safe."""
    fight = support_request.fight
    skills = [
        {
            "name": rs.skill.name,
            "level": rs.get_min_level_display(),
            "required": rs.required,
        }
        for rs in support_request.request_skills.all()
    ]
    return {
        "kind": fight.get_kind_display(),
        "sector": fight.sector,
        "region": region_label(support_request),
        "skills": skills,
        "needed_by": _day(support_request.needed_by),
        "starts_on": _day(support_request.starts_on),
        "hours": support_request.hours_estimate,
        "work_mode": support_request.get_work_mode_display(),
        "confidential": fight.is_confidential,
    }


def request_details(support_request) -> dict:
    """The summary plus the names and text: for public fights, and for accepted helpers."""
    fight = support_request.fight
    return {
        **request_summary(support_request),
        "title": support_request.title,
        "description": support_request.description,
        "fight_title": fight.title,
        "organization": fight.organization.name,
        "employer": fight.target_employer,
        "city": support_request.city or fight.city,
    }


def brings(match) -> list[str]:
    """What this volunteer brings to the request, from the stored explanation (organizer side)."""
    explanation = match.explanation or {}
    lines = []
    for skill in explanation.get("skills", []):
        if skill.get("level") is None or not skill.get("points"):
            continue
        lines.append(
            f"{skill['skill']}: {_level(skill['level']).lower()} "
            f"(asked: at least {_level(skill['min_level']).lower()}"
            f"{'' if skill['required'] else ', nice to have'})"
        )
    for modifier in explanation.get("modifiers", []):
        if modifier.get("factor") in ("hours_fit", "proximity") and modifier.get("points"):
            lines.append(modifier["detail"])
    return lines


def offers(match) -> list[str]:
    """What the request offers this volunteer, from the stored explanation (volunteer side)."""
    explanation = match.explanation or {}
    support_request = match.request
    fight = support_request.fight
    lines = [
        f"Your {skill['skill']} ({_level(skill['level']).lower()}): "
        f"{'what it needs most' if skill['required'] else 'a welcome extra'}"
        for skill in explanation.get("skills", [])
        if skill.get("level") is not None and skill.get("points")
    ]
    lines.append(
        fight.get_kind_display()
        + (f" in {fight.sector}" if fight.sector else "")
        + f": about {support_request.hours_estimate} hours, needed by "
        + f"{_day(support_request.needed_by)}, {support_request.get_work_mode_display().lower()}"
    )
    return lines


def send_proposal(match) -> None:
    """Ask the volunteer (once per proposal: the key is the match and its proposal time)."""
    user = match.donor.user
    support_request = match.request
    confidential = support_request.fight.is_confidential
    context = {
        "user_display": user.display_name,
        "request": (
            request_summary(support_request)
            if confidential
            else _public_part(request_details(support_request))
        ),
        "answer_by": _local(match.expires_at, user) if match.expires_at else "",
        "match_url": site_url("matching:detail", match.pk),
        "accept_url": site_url("matching:accept", match.pk),
        "decline_url": site_url("matching:decline", match.pk),
        "offers": offers(match),
    }
    notify(
        to=user.email,
        kind=PROPOSAL_KIND,
        user=user,
        context=context,
        key=f"match-{match.pk}-proposed-{match.proposed_at.timestamp():.6f}",
    )


def _public_part(details) -> dict:
    """A public fight's details without the employer line and the city (not needed to decide)."""
    return {k: v for k, v in details.items() if k not in ("employer", "city")}


def organizers_to_introduce(support_request) -> list:
    """Who speaks for the request: its author while still a member, else the organization's
    admins."""
    members = list(
        Membership.objects.filter(organization_id=support_request.fight.organization_id)
        .select_related("user")
        .order_by("pk")
    )
    author = [m.user for m in members if m.user_id == support_request.created_by_id]
    return author or [m.user for m in members if m.is_admin]


def donor_contact(donor) -> dict:
    user = donor.user
    return {
        "name": user.display_name or user.email,
        "email": user.email,
        "pronouns": donor.pronouns,
        "place": ", ".join(p for p in (donor.city, donor.region_name, donor.country.name) if p),
        "links": donor.web_links,
    }


def organizer_contact(user) -> dict:
    return {"name": user.display_name or user.email, "email": user.email}


def send_introductions(match) -> None:
    """Both sides get each other's contact details and why this match (once per match)."""
    support_request = match.request
    donor_user = match.donor.user
    organizers = organizers_to_introduce(support_request)
    details = request_details(support_request)
    match_url = site_url("matching:detail", match.pk)
    notify(
        to=donor_user.email,
        kind=INTRODUCTION_DONOR_KIND,
        user=donor_user,
        key=f"match-{match.pk}-introduction",
        context={
            "user_display": donor_user.display_name,
            "request": details,
            "organizers": [organizer_contact(user) for user in organizers],
            "offers": offers(match),
            "match_url": match_url,
        },
    )
    donor = donor_contact(match.donor)
    for user in organizers:
        notify(
            to=user.email,
            kind=INTRODUCTION_ORGANIZER_KIND,
            user=user,
            key=f"match-{match.pk}-introduction",
            context={
                "user_display": user.display_name,
                "request": {"title": details["title"], "fight_title": details["fight_title"]},
                "helper": donor,
                "brings": brings(match),
                "matches_url": site_url("matching:request_matches", support_request.pk),
            },
        )
