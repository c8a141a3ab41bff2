"""Exact query counts for the public pages and feeds, the same with 1 and with 3 rows.

Each row has two skills and two languages, so a missing prefetch would show as growth.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tests.factories import (
    FightFactory,
    MembershipFactory,
    RequestLanguageFactory,
    RequestSkillFactory,
    SupportRequestFactory,
)

pytestmark = pytest.mark.django_db

FILTERS = {"work_mode": "remote", "urgency": "normal", "kind": "strike", "language": "es"}


def make_requests(fight, count):
    for _ in range(count):
        support_request = SupportRequestFactory(fight=fight)
        RequestSkillFactory.create_batch(2, request=support_request)
        RequestLanguageFactory(request=support_request, code="es")
        RequestLanguageFactory(request=support_request, code="en")


@pytest.fixture
def rows(request):
    def make(count):
        fight = FightFactory(kind="strike")
        make_requests(fight, count)
        # A confidential fight's rows must change nothing, not even the count of queries.
        make_requests(FightFactory(visibility="confidential"), 2)
        return fight

    return make


def _urls(fight):
    first = fight.requests.first()
    return {
        "list": (reverse("fights:list"), {}),
        "list_filtered": (reverse("fights:list"), {**FILTERS, "page": "1"}),
        "fight": (reverse("fights:fight", kwargs={"slug": fight.slug}), {}),
        "request": (
            reverse("fights:request", kwargs={"slug": fight.slug, "pk": first.pk}),
            {},
        ),
        "feed_atom": (reverse("fights:feed_atom"), FILTERS),
        "feed_json": (reverse("fights:feed_json"), FILTERS),
    }


# Anonymous: no session to read. The list: skills for the choices, one count per filter (7),
# the paginator's count, the page, its skills and languages. Pages: the object(s) and prefetches.
ANONYMOUS = {
    "list": 12,
    "list_filtered": 12,
    "fight": 4,
    "request": 4,
    "feed_atom": 4,
    "feed_json": 4,
}


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize("page", list(ANONYMOUS))
def test_public_page_anonymous_query_count_constant(
    client, django_assert_num_queries, rows, page, count
):
    url, params = _urls(rows(count))[page]

    with django_assert_num_queries(ANONYMOUS[page]):
        response = client.get(url, params)

    assert response.status_code == 200


# A member of a confidential fight: the session with its user (and whether they are a volunteer,
# for the header's My profile link), then the permission check that visible_to() makes (the
# user's and the groups' permissions), then the same reads as above.
MEMBER = {"list": 13, "fight": 7, "request": 7}


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize("page", list(MEMBER))
def test_public_page_member_of_confidential_fight_query_count_constant(
    client, django_assert_num_queries, page, count
):
    fight = FightFactory(visibility="confidential")
    make_requests(fight, count)
    make_requests(FightFactory(kind="strike"), count)  # what the list shows
    client.force_login(MembershipFactory(organization=fight.organization).user)
    url, params = _urls(fight)[page]
    ContentType.objects.clear_cache()

    with django_assert_num_queries(MEMBER[page]):
        response = client.get(url, params)

    assert response.status_code == 200
