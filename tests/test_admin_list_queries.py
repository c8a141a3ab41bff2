"""Exact query counts for the admin list pages not covered beside their apps' other tests.

Each page is loaded with 1 and with 3 rows: the count must be the same exact number. The fights
pages also hold a confidential fight the (unprivileged) staff member must not see or count.
(The donor changelist has its own, with a search and filters, in tests/donors/test_admin.py.)
"""

import pytest
from django.contrib.contenttypes.models import ContentType

from fights.models import RequestTemplate
from matching.models import CandidateRejection, Match
from notifications.models import OutgoingMessage
from tests.factories import (
    DonorFactory,
    FightFactory,
    MembershipFactory,
    OrganizationFactory,
    RequestLanguageFactory,
    RequestSkillFactory,
    SkillFactory,
    SupportRequestFactory,
    UserFactory,
)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def outgoing(count):
    for number in range(count):
        user = UserFactory()
        OutgoingMessage.objects.create(
            to=user.email,
            user=user,
            kind="account.password_changed",
            key=f"count-{number}",
            status=OutgoingMessage.Status.FAILED,
            last_error="550 mailbox unavailable",
        )


def users(count):
    UserFactory.create_batch(count)


def skills(count):
    SkillFactory.create_batch(count, synonyms="querycount-synonym, handouts")


def organizations(count):
    for _ in range(count):
        organization = OrganizationFactory(affiliation="querycount-affiliation")
        MembershipFactory.create_batch(2, organization=organization)
        FightFactory(organization=organization)
    # Hidden from staff without the confidential permission: never counted, never a query more.
    FightFactory(visibility="confidential", organization__affiliation="querycount-affiliation")


def fights(count):
    for _ in range(count):
        SupportRequestFactory.create_batch(2, fight=FightFactory(sector="querycount-sector"))
    FightFactory(visibility="confidential", sector="querycount-sector")


def support_requests(count):
    for _ in range(count):
        request = SupportRequestFactory(title="querycount request")
        RequestSkillFactory.create_batch(2, request=request)
        RequestLanguageFactory(request=request, code="es")
    SupportRequestFactory(title="querycount request", fight__visibility="confidential")


def request_templates(count):
    # Of the nine seeded templates, `count` stay active.
    RequestTemplate.objects.update(active=False)
    for template in RequestTemplate.objects.order_by("position")[:count]:
        template.active = True
        template.save()


def matches(count):
    for _ in range(count):
        Match.objects.create(
            request=SupportRequestFactory(title="querycount request"),
            donor=DonorFactory(),
            status="proposed",
        )
    Match.objects.create(
        request=SupportRequestFactory(title="querycount request", fight__visibility="confidential"),
        donor=DonorFactory(),
        status="proposed",
    )


def candidate_rejections(count):
    for _ in range(count):
        CandidateRejection.objects.create(
            request=SupportRequestFactory(title="querycount request"),
            donor=DonorFactory(),
            rejected_by=UserFactory(is_staff=True),
        )
    CandidateRejection.objects.create(
        request=SupportRequestFactory(title="querycount request", fight__visibility="confidential"),
        donor=DonorFactory(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize(
    ("url", "make", "params", "queries"),
    [
        ("/admin/notifications/outgoingmessage/", outgoing, {"status__exact": "failed"}, 8),
        ("/admin/accounts/user/", users, {"q": "example.org", "is_staff__exact": "0"}, 6),
        ("/admin/donors/skill/", skills, {"q": "querycount-synonym", "retired__exact": "0"}, 6),
        (
            "/admin/fights/organization/",
            organizations,
            {"q": "querycount-affiliation", "verification": "verified", "kind": "union_local"},
            6,
        ),
        (
            "/admin/fights/fight/",
            fights,
            {"q": "querycount-sector", "visibility__exact": "public", "country": "US"},
            7,
        ),
        (
            "/admin/fights/supportrequest/",
            support_requests,
            {"q": "querycount", "status__exact": "open", "urgency": "normal"},
            8,
        ),
        ("/admin/fights/requesttemplate/", request_templates, {"active__exact": "1"}, 6),
        (
            "/admin/matching/match/",
            matches,
            {"q": "querycount", "status__exact": "proposed"},
            5,
        ),
        ("/admin/matching/candidaterejection/", candidate_rejections, {}, 5),
    ],
    ids=[
        "outbox",
        "users",
        "skills",
        "organizations",
        "fights",
        "requests",
        "templates",
        "matches",
        "rejections",
    ],
)
def test_admin_changelist_as_staff_query_count_constant(
    staff_client, django_assert_num_queries, url, make, params, queries, count
):
    make(count)
    ContentType.objects.clear_cache()  # earlier tests may have warmed it

    # Each one fewer since the staff member's permissions come in one query, not two
    # (accounts.queries.load_permissions).
    with django_assert_num_queries(queries):
        response = staff_client.get(url, params)

    assert response.status_code == 200
    assert response.context["cl"].result_count == count
