"""Staff see the outbox: recipient, kind, status, attempts, errors, times; never bodies or links."""

import pytest
from django.urls import reverse

from notifications.models import OutgoingMessage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SECRET_LINK = "http://localhost:8000/accounts/password/reset/key/1-SECRET-TOKEN/"
CHANGELIST = reverse("admin:notifications_outgoingmessage_changelist")


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def pending(db):
    return OutgoingMessage.objects.create(
        to="ada@example.org",
        kind="account.password_reset_key",
        key="k-1",
        context={"password_reset_url": SECRET_LINK},
        status=OutgoingMessage.Status.FAILED,
        attempts=3,
        last_error="SMTP 451: 4.3.0 Try again later",
    )


def change_url(message):
    return reverse("admin:notifications_outgoingmessage_change", args=[message.pk])


@pytest.mark.parametrize("who", ["superuser", "staff"])
def test_admin_changelist_shows_recipient_status_and_error_but_no_link(
    client, request, pending, who
):
    client.force_login(request.getfixturevalue(who))

    response = client.get(CHANGELIST)

    assert response.status_code == 200
    for shown in ("ada@example.org", "account.password_reset_key", "SMTP 451: 4.3.0 Try again"):
        assert shown in response.text
    assert "SECRET-TOKEN" not in response.text
    assert "password_reset_url" not in response.text


@pytest.mark.parametrize("who", ["superuser", "staff"])
def test_admin_change_page_is_read_only_without_context_or_link(client, request, pending, who):
    client.force_login(request.getfixturevalue(who))

    response = client.get(change_url(pending))

    assert response.status_code == 200
    assert "ada@example.org" in response.text
    assert "SMTP 451: 4.3.0 Try again later" in response.text
    assert "SECRET-TOKEN" not in response.text
    assert "Context" not in response.text
    assert 'name="_save"' not in response.text


def test_admin_change_post_changes_nothing(client, superuser, pending):
    client.force_login(superuser)

    response = client.post(change_url(pending), {"status": "sent", "to": "eve@example.org"})

    pending.refresh_from_db()
    assert response.status_code == 403
    assert (pending.status, pending.to) == (OutgoingMessage.Status.FAILED, "ada@example.org")


def test_admin_has_no_add_page(client, superuser):
    client.force_login(superuser)

    response = client.get(reverse("admin:notifications_outgoingmessage_add"))

    assert response.status_code == 403


def test_admin_filters_by_status_and_kind(client, superuser, pending):
    OutgoingMessage.objects.create(to="bob@example.org", kind="account.password_set", key="k-2")
    client.force_login(superuser)

    response = client.get(CHANGELIST, {"status__exact": "failed"})

    assert "ada@example.org" in response.text
    assert "bob@example.org" not in response.text
    response = client.get(CHANGELIST, {"kind": "account.password_set"})
    assert "bob@example.org" in response.text
    assert "ada@example.org" not in response.text


@pytest.mark.parametrize("who", ["superuser", "staff"])
def test_admin_retry_action_requeues_failed_messages(
    client, request, pending, who, django_capture_on_commit_callbacks
):
    client.force_login(request.getfixturevalue(who))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST, {"action": "retry_failed", "_selected_action": [pending.pk]}, follow=True
        )

    pending.refresh_from_db()
    assert response.status_code == 200
    assert "1 failed message(s) queued again." in response.text
    # Tasks run inline in tests: the retry was delivered straight after commit.
    assert (pending.status, pending.attempts) == (OutgoingMessage.Status.SENT, 1)


def test_admin_outbox_is_closed_to_non_staff(client, user, pending):
    client.force_login(user)

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
