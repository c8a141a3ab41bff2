"""Change of email: one address per account; the new one is verified before it replaces the old."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from tests.factories import UserFactory

CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)")


def request_change(client, new_email, capture):
    with capture(execute=True):
        return client.post("/accounts/email/", {"action_add": "", "email": new_email})


def addresses(user):
    return list(
        EmailAddress.objects.filter(user=user)
        .order_by("email")
        .values_list("email", "primary", "verified")
    )


@pytest.mark.django_db
def test_email_change_keeps_old_address_primary_until_new_one_is_verified(
    client, user, django_capture_on_commit_callbacks
):
    client.force_login(user)
    old = user.email

    response = request_change(client, "new-home@example.org", django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert addresses(user) == [("new-home@example.org", False, False), (old, True, True)]
    user.refresh_from_db()
    assert user.email == old
    assert [m.to for m in mail.outbox] == [["new-home@example.org"]]
    page = client.get("/accounts/email/")
    assert "Change waiting for verification" in page.text
    assert "new-home@example.org" in page.text


@pytest.mark.django_db
def test_email_change_verified_replaces_old_and_tells_old_address(
    client, user, django_capture_on_commit_callbacks
):
    client.force_login(user)
    old = user.email
    request_change(client, "new-home@example.org", django_capture_on_commit_callbacks)
    link = CONFIRM_LINK.search(mail.outbox[0].body).group(1)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link)

    assert response.status_code == 302
    assert addresses(user) == [("new-home@example.org", True, True)]
    user.refresh_from_db()
    assert user.email == "new-home@example.org"
    assert [m.to for m in mail.outbox] == [[old]]
    assert "new-home@example.org" in mail.outbox[0].body


@pytest.mark.django_db
def test_email_change_can_be_cancelled(client, user, django_capture_on_commit_callbacks):
    client.force_login(user)
    request_change(client, "new-home@example.org", django_capture_on_commit_callbacks)

    response = client.post(
        "/accounts/email/", {"action_remove": "", "email": "new-home@example.org"}
    )

    assert response.status_code == 302
    assert addresses(user) == [(user.email, True, True)]


@pytest.mark.django_db
def test_email_change_to_invalid_address_shows_error_at_field(client, user):
    client.force_login(user)

    response = client.post("/accounts/email/", {"action_add": "", "email": "not an address"})

    assert response.status_code == 200
    assert '<ul class="errorlist" id="id_email_error">' in response.text
    assert 'aria-describedby="id_email_error"' in response.text
    assert 'value="not an address"' in response.text
    assert addresses(user) == [(user.email, True, True)]


@pytest.mark.django_db
def test_email_change_to_another_accounts_address_does_not_reveal_it(
    client, user, django_capture_on_commit_callbacks
):
    other = UserFactory(email="taken@example.org")
    client.force_login(user)

    response = request_change(client, "taken@example.org", django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert addresses(other) == [("taken@example.org", True, True)]
    assert addresses(user) == [(user.email, True, True), ("taken@example.org", False, False)]
    assert [m.to for m in mail.outbox] == [["taken@example.org"]]


@pytest.mark.django_db
def test_email_change_to_another_accounts_address_cannot_be_confirmed(
    client, user, django_capture_on_commit_callbacks
):
    other = UserFactory(email="taken@example.org")
    client.force_login(user)
    request_change(client, "taken@example.org", django_capture_on_commit_callbacks)
    link = CONFIRM_LINK.search(mail.outbox[0].body).group(1)

    page = client.get(link)
    client.post(link)

    assert "another account has already confirmed it" in page.text
    assert addresses(other) == [("taken@example.org", True, True)]
    assert addresses(user) == [(user.email, True, True), ("taken@example.org", False, False)]


@pytest.mark.django_db
def test_email_page_requires_login(client):
    response = client.get("/accounts/email/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/email/"
