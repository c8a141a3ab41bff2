"""Reads for the volunteer's and the organizers' match pages, and who may open which match.

The step-by-step rule lives in `helper_for_organizers`: until the volunteer accepts, organizers
see a proposed helper only as skills with levels, region and a first name or a pseudonym; the
contact fields are simply not there (None), so no template can show them by mistake.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from donors.models import Level
from fights.models import RequestSkill
from matching import mail
from matching.models import COMMITTED_STATUSES, Match, MatchStatus

# What organizers are shown of their requests' matches: proposals waiting for an answer, then
# the helpers who said yes. Suggestions are staff's working list; declines and expiries go back
# to staff's queue.
ORGANIZER_STATUSES = (MatchStatus.PROPOSED, *COMMITTED_STATUSES, MatchStatus.COMPLETED)
# States in which both sides have agreed: names and contact details are shared.
INTRODUCED_STATUSES = (*COMMITTED_STATUSES, MatchStatus.COMPLETED)


def is_introduced(match) -> bool:
    return match.status in INTRODUCED_STATUSES


def is_answerable(match, now=None) -> bool:
    """A proposal the volunteer can still accept or decline."""
    now = now or timezone.now()
    return match.status == MatchStatus.PROPOSED and not (
        match.expires_at and match.expires_at <= now
    )


def donor_sees_details(match) -> bool:
    """A confidential fight's names and text reach the volunteer only once they accepted."""
    return not match.request.fight.is_confidential or is_introduced(match)


def first_name_or_pseudonym(match) -> str:
    """The first word of the volunteer's display name; without one (or when it looks like an
    address), "Volunteer <match number>", which says nothing about who they are."""
    words = match.donor.user.display_name.split()
    if words and "@" not in words[0]:
        return words[0][:40]
    return _("Volunteer %(number)s") % {"number": match.pk}


@dataclass
class Helper:
    match: Match
    name: str
    skills: list[tuple[str, str]]
    region: str
    introduced: bool
    email: str | None = None
    pronouns: str | None = None
    place: str | None = None
    links: list[str] = field(default_factory=list)


def _skills_from_explanation(match) -> list[tuple[str, str]]:
    return [
        (skill["skill"], Level(skill["level"]).label)
        for skill in (match.explanation or {}).get("skills", [])
        if skill.get("level") in Level.values
    ]


def helper_for_organizers(match) -> Helper:
    donor = match.donor
    skills = _skills_from_explanation(match)
    if not is_introduced(match):
        return Helper(
            match=match,
            name=first_name_or_pseudonym(match),
            skills=skills,
            region=donor.region_name or donor.country.name,
            introduced=False,
        )
    contact = mail.donor_contact(donor)
    return Helper(
        match=match,
        name=contact["name"],
        skills=skills,
        region=donor.region_name or donor.country.name,
        introduced=True,
        email=contact["email"],
        pronouns=contact["pronouns"],
        place=contact["place"],
        links=contact["links"],
    )


def _with_request():
    skills = RequestSkill.objects.select_related("skill").order_by("-required", "skill__name")
    return Prefetch("request__request_skills", queryset=skills)


def my_matches(user) -> dict[str, list[Match]]:
    """The volunteer's matches by section, in one query plus the request skills. Staff's own
    suggestions are not shown; "I can help" offers are."""
    now = timezone.now()
    matches = (
        Match.objects.filter(donor__user=user)
        .exclude(status=MatchStatus.SUGGESTED, initiated_by_donor=False)
        .select_related("request__fight__organization")
        .prefetch_related(_with_request())
        .order_by("expires_at", "-status_changed_at", "-pk")
    )
    sections = {"waiting": [], "offered": [], "current": [], "past": []}
    for match in matches:
        match.answerable = is_answerable(match, now)
        match.shows_details = donor_sees_details(match)
        if match.answerable:
            sections["waiting"].append(match)
        elif match.status == MatchStatus.SUGGESTED:
            sections["offered"].append(match)
        elif match.status in COMMITTED_STATUSES:
            sections["current"].append(match)
        else:
            sections["past"].append(match)
    return sections


def match_for_donor(request, pk) -> Match:
    """The signed-in volunteer's own match, or 403 for anyone else's (404 if there is none)."""
    match = get_object_or_404(
        Match.objects.select_related("request__fight__organization", "donor__user")
        .prefetch_related(_with_request())
        .exclude(status=MatchStatus.SUGGESTED, initiated_by_donor=False),
        pk=pk,
    )
    if match.donor.user_id != request.user.pk:
        raise PermissionDenied(_("This match is addressed to someone else."))
    return match


def match_for_organizer(request, pk) -> Match:
    """A match on a request of one of the person's organizations that organizers may see, or
    404 (the same as a missing id)."""
    return get_object_or_404(
        Match.objects.filter(
            request__fight__organization__memberships__user=request.user,
            status__in=ORGANIZER_STATUSES,
        ).select_related("request__fight__organization", "donor__user"),
        pk=pk,
    )


def helpers_of_request(support_request) -> dict[str, list[Helper]]:
    """The request's matches organizers see, as helpers: waiting for an answer, helping, done."""
    matches = (
        support_request.matches.filter(status__in=ORGANIZER_STATUSES)
        .select_related("donor__user")
        .order_by("status_changed_at", "pk")
    )
    sections = {"proposed": [], "helping": [], "done": []}
    for match in matches:
        match.request = support_request
        helper = helper_for_organizers(match)
        if match.status == MatchStatus.PROPOSED:
            sections["proposed"].append(helper)
        elif match.status == MatchStatus.COMPLETED:
            sections["done"].append(helper)
        else:
            sections["helping"].append(helper)
    return sections


def accepted_helpers_by_request(organizations) -> dict[int, list[Helper]]:
    """For the organizer dashboard: the committed helpers of these organizations' requests,
    by request id, in one query."""
    matches = (
        Match.objects.committed()
        .filter(request__fight__organization__in=[o.pk for o in organizations])
        .select_related("donor__user")
        .order_by("answered_at", "pk")
    )
    helpers = {}
    for match in matches:
        helpers.setdefault(match.request_id, []).append(helper_for_organizers(match))
    return helpers
