"""Password reset by emailed link, and password change for a signed-in person."""

import re

import pytest
from django.core import mail

from tests.factories import PASSWORD

RESET_LINK = re.compile(r"https?://[^/\s]+(/accounts/password/reset/key/[^/\s]+/)")
NEW_PASSWORD = "another long passphrase 77"


def request_reset(client, email, capture):
    with capture(execute=True):
        return client.post("/accounts/password/reset/", {"email": email})


@pytest.mark.django_db
def test_password_reset_mails_link_to_known_address(
    client, user, django_capture_on_commit_callbacks
):
    response = request_reset(client, user.email, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert RESET_LINK.search(mail.outbox[0].body)


@pytest.mark.django_db
def test_password_reset_for_unknown_address_looks_the_same(
    client, django_capture_on_commit_callbacks
):
    response = request_reset(client, "nobody@example.org", django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert not any(RESET_LINK.search(m.body) for m in mail.outbox)


@pytest.mark.django_db
def test_password_reset_link_sets_new_password(client, user, django_capture_on_commit_callbacks):
    request_reset(client, user.email, django_capture_on_commit_callbacks)
    link = RESET_LINK.search(mail.outbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    action = form_page.redirect_chain[-1][0]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert form_page.status_code == 200
    assert 'autocomplete="new-password"' in form_page.text
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/key/done/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_password_reset_link_cannot_be_used_twice(client, user, django_capture_on_commit_callbacks):
    request_reset(client, user.email, django_capture_on_commit_callbacks)
    link = RESET_LINK.search(mail.outbox[0].body).group(1)
    action = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(action, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    again = client.get(link, follow=True)

    assert again.status_code == 200
    assert re.search(r"<h1>\s*This reset link does not work\s*</h1>", again.text)


@pytest.mark.django_db
def test_password_reset_with_mismatch_shows_error_at_field(
    client, user, django_capture_on_commit_callbacks
):
    request_reset(client, user.email, django_capture_on_commit_callbacks)
    link = RESET_LINK.search(mail.outbox[0].body).group(1)
    action = client.get(link, follow=True).redirect_chain[-1][0]

    response = client.post(action, {"password1": NEW_PASSWORD, "password2": "different 1234"})

    assert response.status_code == 200
    assert 'aria-describedby="id_password2_error"' in response.text
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_password_change_needs_current_password(client, user):
    client.force_login(user)

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "Please type your current password." in response.text
    assert 'aria-describedby="id_oldpassword_helptext id_oldpassword_error"' in response.text
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_password_change_with_current_password_changes_it(
    client, user, django_capture_on_commit_callbacks
):
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/password/change/",
            {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
