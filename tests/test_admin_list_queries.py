"""Exact query counts for the admin list pages not covered beside their apps' other tests.

Each page is loaded with 1 and with 3 rows: the count must be the same exact number.
(The donor changelist has its own, with a search and filters, in tests/donors/test_admin.py.)
"""

import pytest
from django.contrib.contenttypes.models import ContentType

from notifications.models import OutgoingMessage
from tests.factories import SkillFactory, UserFactory


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


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize(
    ("url", "make", "params", "queries"),
    [
        ("/admin/notifications/outgoingmessage/", outgoing, {"status__exact": "failed"}, 10),
        ("/admin/accounts/user/", users, {"q": "example.org", "is_staff__exact": "0"}, 8),
        ("/admin/donors/skill/", skills, {"q": "querycount-synonym", "retired__exact": "0"}, 8),
    ],
    ids=["outbox", "users", "skills"],
)
def test_admin_changelist_as_staff_query_count_constant(
    staff_client, django_assert_num_queries, url, make, params, queries, count
):
    make(count)
    ContentType.objects.clear_cache()  # earlier tests may have warmed it

    with django_assert_num_queries(queries):
        response = staff_client.get(url, params)

    assert response.status_code == 200
    assert response.context["cl"].result_count == count
