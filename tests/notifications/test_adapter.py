"""allauth's account mail goes through the outbox: stored row, sent after commit, two parts."""

import logging
import re
from pathlib import Path

import allauth
import pytest
from django.core import mail
from kombu.exceptions import OperationalError

from accounts.adapter import AccountAdapter
from notifications.kinds import ACCOUNT_KINDS
from notifications.models import OutgoingMessage
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long and unusual passphrase 42"
Status = OutgoingMessage.Status


def sign_up(client, email):
    return client.post(
        "/accounts/signup/", {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )


def test_every_mail_allauth_sends_is_mapped_to_a_kind():
    source = Path(allauth.__file__).parent
    sent = set()
    for path in source.rglob("*.py"):
        if "tests" in path.parts:
            continue
        sent |= set(re.findall(r'"(account/email/[a-z_]+)"', path.read_text()))

    assert sent - set(ACCOUNT_KINDS) == set()
    assert len(sent) == 12


def test_signup_verification_mail_goes_through_the_outbox(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://donors.example.net"

    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, "New.Person@Example.org")

    assert response.status_code == 302
    message = OutgoingMessage.objects.get()
    assert (message.to, message.kind, message.status) == (
        "new.person@example.org",
        "account.email_confirmation_signup",
        Status.SENT,
    )
    assert message.user.email == "new.person@example.org"
    assert message.context == {}
    [sent] = mail.outbox
    assert sent.to == ["new.person@example.org"]
    assert sent.subject == "Confirm your email address to finish signing up"
    assert sent.extra_headers["Message-ID"] == f"<outbox-{message.pk}@donors.example.net>"
    assert sent.extra_headers["X-Outbox-Id"] == str(message.pk)
    link = re.search(r"https://donors\.example\.net/accounts/confirm-email/[^/\s]+/", sent.body)
    assert link is not None
    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link.group(0)}"' in html


def test_signup_with_broker_down_still_succeeds_and_keeps_the_row(
    client, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    from notifications.tasks import deliver_message

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to localhost:6379. Connection refused.")

    monkeypatch.setattr(deliver_message, "apply_async", refuse)

    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, "new@example.org")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    message = OutgoingMessage.objects.get()
    assert message.status == Status.QUEUED
    assert "activate_url" in message.context
    assert mail.outbox == []
    assert f"Could not enqueue outgoing message {message.pk}; the sweep will" in caplog.text


def test_resent_confirmation_with_identical_link_is_a_new_mail(
    rf, user, django_capture_on_commit_callbacks
):
    # allauth's HMAC confirmation link is the same on every resend; each request must mail.
    context = {"user": user, "activate_url": "http://testserver/accounts/confirm-email/K/"}

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            AccountAdapter(rf.get("/")).send_mail(
                "account/email/email_confirmation", user.email, dict(context)
            )

    keys = set(OutgoingMessage.objects.values_list("key", flat=True))
    assert len(keys) == 2
    assert len(mail.outbox) == 2
    assert "http://localhost:8000/accounts/confirm-email/K/" in mail.outbox[1].body


def test_password_reset_link_is_built_on_site_url_not_request_host(
    client, settings, user, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://donors.example.net"
    settings.ALLOWED_HOSTS = ["testserver", "attacker.example"]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/password/reset/", {"email": user.email}, HTTP_HOST="attacker.example"
        )

    [sent] = mail.outbox
    assert "attacker.example" not in sent.body
    assert "attacker.example" not in sent.alternatives[0][0]
    assert re.search(r"https://donors\.example\.net/accounts/password/reset/key/\S+/", sent.body)
    assert OutgoingMessage.objects.get().user == user


def test_password_reset_for_unknown_address_has_no_user(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "nobody@example.org"})

    message = OutgoingMessage.objects.get()
    assert (message.to, message.kind, message.user) == (
        "nobody@example.org",
        "account.unknown_account",
        None,
    )
    assert "http://localhost:8000/accounts/signup/" in mail.outbox[0].body


def test_signup_with_taken_address_mails_owner_linked_to_account(
    client, user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, user.email.upper())

    assert response.status_code == 302
    message = OutgoingMessage.objects.get()
    assert (message.kind, message.user) == ("account.account_already_exists", user)
    assert mail.outbox[0].subject == "You already have an account"


def test_password_change_notice_shows_time_in_users_zone(
    client, django_capture_on_commit_callbacks
):
    person = UserFactory(time_zone="America/New_York", display_name="Ada")
    client.force_login(person)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/password/change/",
            {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )

    message = OutgoingMessage.objects.get()
    assert message.kind == "account.password_changed"
    [sent] = mail.outbox
    assert sent.body.startswith("Hello Ada,")
    assert "- IP address: 127.0.0.1" in sent.body
    assert re.search(r"- Time: \d{1,2} \w+ \d{4}, \d\d:\d\d E[SD]T", sent.body)
    assert "http://localhost:8000/accounts/password/reset/" in sent.body


def test_unmapped_allauth_mail_is_still_sent_directly_and_logged(caplog, rf):
    from allauth.core import context

    # allauth ships templates for "email_confirm" but never sends it: a stand-in for a mail a
    # newer allauth might add before ACCOUNT_KINDS knows it.
    request = rf.get("/")
    with (
        caplog.at_level(logging.ERROR, logger="accounts.adapter"),
        context.request_context(request),
    ):
        AccountAdapter(request).send_mail("account/email/email_confirm", "ada@example.org", {})

    assert "account/email/email_confirm is not mapped to a notification kind" in caplog.text
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]
    assert OutgoingMessage.objects.count() == 0
