"""Exact query counts of "My matches" and the organizer's helpers page, the same for 1 and 3
rows. Each request has two skills, and rows are in every section, so a missing prefetch or
select_related would show as growth."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import Match, MatchStatus
from tests.factories import DonorSkillFactory, RequestSkillFactory, SkillFactory
from tests.matching.conftest import make_donor, make_request

pytestmark = pytest.mark.django_db

STATES = (MatchStatus.PROPOSED, MatchStatus.ACCEPTED, MatchStatus.COMPLETED)


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _requests(organization, organizer, skill, count):
    extra = SkillFactory()
    requests = []
    for _ in range(count):
        support_request = make_request(organization, organizer, skill=skill, helpers_needed=3)
        RequestSkillFactory(request=support_request, skill=extra, required=False)
        requests.append(support_request)
    return requests


@pytest.mark.parametrize("count", [1, 3])
def test_my_matches_query_count_constant(
    client, organization, organizer, skill, propose, count, django_assert_num_queries
):
    requests = _requests(organization, organizer, skill, count * len(STATES))
    donor = make_donor(requests[0], email=f"v{count}@example.org")
    for index, support_request in enumerate(requests):
        match = Match.objects.create(
            request=support_request, donor=donor, status=STATES[index % len(STATES)]
        )
        assert match.pk
    client.force_login(donor.user)

    # the session with its user (and whether a volunteer, for the header's My matches and My
    # profile links), the matches (with request, fight, organization), their request skills.
    assert _queries(client, reverse("matching:my_matches")) == 3


@pytest.mark.parametrize("count", [1, 3])
def test_organizer_request_matches_query_count_constant(
    client, organization, organizer, skill, support_request, count
):
    RequestSkillFactory(request=support_request, skill=SkillFactory(), required=False)
    for index in range(count * len(STATES)):
        donor = make_donor(support_request, email=f"helper{index}@example.org")
        DonorSkillFactory(donor=donor, level=3)
        Match.objects.create(
            request=support_request,
            donor=donor,
            status=STATES[index % len(STATES)],
            explanation={
                "skills": [{"skill": skill.name, "level": 2, "min_level": 1, "required": True}]
            },
        )
    client.force_login(organizer)

    # the session with its user, the request (with fight and organization), its request skills,
    # their skills, their categories (fights.access prefetches), its languages, then the matches
    # with their donors and users.
    url = reverse("matching:request_matches", kwargs={"pk": support_request.pk})
    assert _queries(client, url) == 7


@pytest.mark.parametrize("count", [1, 3])
def test_organizer_dashboard_with_helpers_query_count_constant(
    client, organization, organizer, skill, count
):
    for support_request in _requests(organization, organizer, skill, count):
        for index in range(2):
            donor = make_donor(support_request, email=f"h{support_request.pk}-{index}@example.org")
            Match.objects.create(request=support_request, donor=donor, status=MatchStatus.ACCEPTED)
    client.force_login(organizer)

    body_queries = _queries(client, reverse("fights:dashboard"))

    assert body_queries == 6  # the header's "is this person a volunteer?" comes with the user
