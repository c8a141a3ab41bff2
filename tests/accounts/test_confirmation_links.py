"""A confirmation link opened again, or too late, says what it is and what to do next."""

import time

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from tests.accounts.test_signup import confirm_path, sign_up

FOUR_DAYS = 4 * 24 * 60 * 60  # allauth's links work for 3 days (EMAIL_CONFIRMATION_EXPIRE_DAYS)


def move_clock(monkeypatch, seconds):
    """Signed links and allauth's rate limits read time.time()."""
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + seconds)


@pytest.fixture
def link(client, django_capture_on_commit_callbacks):
    sign_up(client, "new@example.org", capture=django_capture_on_commit_callbacks)
    return confirm_path(mail.outbox[0])


@pytest.mark.django_db
def test_confirmed_link_opened_again_says_so_and_leads_to_the_account(client, link):
    client.post(link)

    response = client.get(link)

    assert response.status_code == 200
    assert "<h1>Address already confirmed</h1>" in response.text
    assert "This email address is already confirmed" in response.text
    assert '<a class="button" href="/me/">Go to my account</a>' in response.text
    assert "action_resend" not in response.text


@pytest.mark.django_db
def test_confirmed_link_opened_in_another_browser_leads_to_sign_in(client, link):
    client.post(link)

    response = Client().get(link)

    assert "<h1>Address already confirmed</h1>" in response.text
    assert '<a class="button" href="/accounts/login/">Sign in</a>' in response.text


@pytest.mark.django_db
def test_expired_link_offers_a_new_one(client, link, monkeypatch):
    move_clock(monkeypatch, FOUR_DAYS)

    response = client.get(link)

    assert response.status_code == 200
    assert "<h1>This link has expired</h1>" in response.text
    assert f'<form method="post" action="{link}"' in response.text
    assert '<button type="submit" name="action_resend">Send me a new link</button>' in (
        response.text
    )
    assert EmailAddress.objects.get().verified is False


@pytest.mark.django_db
def test_send_me_a_new_link_mails_one_that_works(
    client, link, monkeypatch, django_capture_on_commit_callbacks
):
    move_clock(monkeypatch, FOUR_DAYS)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link, {"action_resend": ""}, follow=True)

    assert response.redirect_chain == [("/accounts/confirm-email/", 302)]
    assert "We sent a new link to new@example.org." in response.text
    assert [m.to for m in mail.outbox] == [["new@example.org"], ["new@example.org"]]
    new_link = confirm_path(mail.outbox[1])
    assert new_link != link
    Client().post(new_link)
    assert EmailAddress.objects.get().verified is True


@pytest.mark.django_db
def test_send_me_a_new_link_twice_in_a_row_sends_one_and_says_so(
    client, link, monkeypatch, django_capture_on_commit_callbacks
):
    move_clock(monkeypatch, FOUR_DAYS)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link, {"action_resend": ""})

        response = client.post(link, {"action_resend": ""})

    assert response.status_code == 200
    assert "We sent you a new link a few minutes ago." in response.text
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_send_me_a_new_link_for_a_confirmed_address_sends_nothing(
    client, link, django_capture_on_commit_callbacks
):
    client.post(link)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link, {"action_resend": ""})

    assert response.status_code == 302
    assert response["Location"] == link
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_send_me_a_new_link_with_a_forged_key_sends_nothing(
    client, link, django_capture_on_commit_callbacks
):
    forged = "/accounts/confirm-email/MQ:1tXyZa:forgedsignature/"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(forged, {"action_resend": ""})

    assert response.status_code == 302
    assert "This confirmation link does not work" in client.get(forged).text
    assert len(mail.outbox) == 1
