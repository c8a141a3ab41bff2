"""Reads for the public side: the list of fights that need help, a fight's page, a request's page.

Who may see what is decided by the querysets in fights/models.py (`listed()`, `visible_to()`);
these functions only add what the pages show, in a fixed number of queries, and answer 404 the
same way for a confidential fight as for one that does not exist.
"""

from functools import cache

import pycountry
from django.db.models import Prefetch, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404

from donors.models import Skill, WorkMode
from donors.queries import BY_CATEGORY, language_choices
from fights.models import Fight, RequestLanguage, RequestSkill, SupportRequest

# A request's place: its own region, else its fight's (a request rarely repeats the fight's).
PLACE_REGION = Coalesce(NullIf("region", Value("")), "fight__region")

# Listed requests, most urgent first: urgency is a band of needed_by, so needed_by orders both.
PUBLIC_ORDER = ("needed_by", "pk")


def with_details(requests):
    """What a request card shows: its fight and organization, skills and languages."""
    return requests.select_related("fight__organization").prefetch_related(
        Prefetch(
            "request_skills",
            queryset=RequestSkill.objects.select_related("skill__category"),
        ),
        "languages",
    )


def listed_requests():
    """Open requests of active public fights of verified organizations, most urgent first."""
    return (
        SupportRequest.objects.listed().annotate(place_region=PLACE_REGION).order_by(*PUBLIC_ORDER)
    )


def fight_for_viewer(user, slug) -> Fight:
    """The fight `user` may see, or 404: a confidential fight answers like a missing one."""
    fights = Fight.objects.visible_to(user).select_related("organization")
    fight = fights.filter(slug=slug).first()
    if fight is None:
        raise Http404("No such fight.")
    return fight


def open_requests_of(fight, user):
    """The fight's open requests `user` may see (for the public: only if the fight is listed)."""
    requests = SupportRequest.objects.visible_to(user).open().filter(fight=fight)
    return with_details(requests.order_by(*PUBLIC_ORDER))


def request_for_viewer(user, fight_slug, pk) -> SupportRequest:
    """The request `user` may see, under the fight it belongs to, or 404."""
    requests = with_details(SupportRequest.objects.visible_to(user))
    found = requests.filter(pk=pk, fight__slug=fight_slug).first()
    if found is None:
        raise Http404("No such request.")
    return found


def filterable_skills() -> list[Skill]:
    """Skills a visitor may filter on, with their categories, in one query."""
    return list(Skill.objects.active().select_related("category").order_by(*BY_CATEGORY))


@cache
def language_names() -> dict[str, str]:
    return dict(language_choices())


@cache
def region_name(code: str) -> str:
    """ "California (US)" for US-CA; the code itself when pycountry does not know it."""
    subdivision = pycountry.subdivisions.get(code=code)
    if subdivision is None:
        return code
    return f"{subdivision.name} ({subdivision.country_code})"


def is_region_code(code: str) -> bool:
    return bool(code) and pycountry.subdivisions.get(code=code) is not None


def needing_skill(requests, skill_ids):
    """Requests that ask for any of these skills (required or nice to have), once each."""
    wanted = RequestSkill.objects.filter(skill__in=skill_ids).values("request_id")
    return requests.filter(pk__in=wanted)


def in_language(requests, code):
    return requests.filter(pk__in=RequestLanguage.objects.filter(code=code).values("request_id"))


def workable(requests, work_mode):
    """Requests that can be done that way: remote work includes "either", so does in person."""
    return requests.filter(Q(work_mode=work_mode) | Q(work_mode=WorkMode.EITHER))
