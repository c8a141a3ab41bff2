"""deliver(): claim, render, send, and the retry schedule stored on the row."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail

from notifications import kinds, preferences, services
from notifications.models import NotificationPreference, OutgoingMessage
from tests.factories import UserFactory
from tests.notifications.conftest import NOW, permanent_failure, temporary_failure

pytestmark = pytest.mark.django_db

Status = OutgoingMessage.Status
KIND = "account.password_changed"


def queued(**fields):
    values = {
        "to": "ada@example.org",
        "kind": KIND,
        "key": "k-1",
        "context": {"ip": "192.0.2.1"},
        "next_attempt_at": NOW,
    }
    return OutgoingMessage.objects.create(**{**values, **fields})


def fixed(value):
    return lambda: value


# --- success -------------------------------------------------------------------------------


def test_deliver_sends_marks_sent_and_clears_context():
    message = queued()

    outcome = services.deliver(message.pk, now=NOW)

    message.refresh_from_db()
    assert outcome == "sent"
    assert (message.status, message.attempts, message.sent_at) == (Status.SENT, 1, NOW)
    assert message.context == {}
    assert message.last_error == ""
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]


def test_deliver_mail_has_text_and_html_parts_and_outbox_headers(settings):
    settings.SITE_URL = "https://donors.example.net"
    message = queued()

    services.deliver(message.pk, now=NOW)

    sent = mail.outbox[0]
    assert sent.subject == "Your password was changed"
    assert "192.0.2.1" in sent.body
    assert [(mimetype, "192.0.2.1" in html) for html, mimetype in sent.alternatives] == [
        ("text/html", True)
    ]
    assert sent.extra_headers["Message-ID"] == f"<outbox-{message.pk}@donors.example.net>"
    assert sent.extra_headers["X-Outbox-Id"] == str(message.pk)
    assert "List-Unsubscribe" not in sent.extra_headers
    assert "Knowledge Donors" in sent.body


def test_deliver_message_id_falls_back_to_sender_domain(settings):
    settings.SITE_URL = ""
    settings.DEFAULT_FROM_EMAIL = "Knowledge Donors <noreply@mail.example.net>"
    message = queued()

    services.deliver(message.pk, now=NOW)

    assert mail.outbox[0].extra_headers["Message-ID"] == f"<outbox-{message.pk}@mail.example.net>"


def test_deliver_text_part_is_not_html_escaped():
    message = queued(
        kind="account.password_reset_key",
        context={"password_reset_url": "http://localhost:8000/reset/?a=1&b=2"},
    )

    services.deliver(message.pk, now=NOW)

    sent = mail.outbox[0]
    assert "http://localhost:8000/reset/?a=1&b=2" in sent.body
    assert 'href="http://localhost:8000/reset/?a=1&amp;b=2"' in sent.alternatives[0][0]


# --- claiming ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.SENDING, Status.SENT, Status.FAILED, Status.SUPPRESSED])
def test_deliver_row_not_queued_is_left_alone(status):
    message = queued(status=status)

    outcome = services.deliver(message.pk, now=NOW)

    message.refresh_from_db()
    assert outcome == "not-claimed"
    assert (message.status, message.attempts) == (status, 0)
    assert mail.outbox == []


def test_deliver_row_not_due_yet_is_left_alone():
    message = queued(next_attempt_at=NOW + timedelta(seconds=1))

    assert services.deliver(message.pk, now=NOW) == "not-claimed"
    assert mail.outbox == []


def test_deliver_missing_row_is_a_no_op():
    assert services.deliver(987654, now=NOW) == "not-claimed"


def test_deliver_twice_sends_once():
    message = queued()

    outcomes = [services.deliver(message.pk, now=NOW), services.deliver(message.pk, now=NOW)]

    assert outcomes == ["sent", "not-claimed"]
    assert len(mail.outbox) == 1


# --- failures and the retry schedule -------------------------------------------------------


def test_deliver_temporary_failure_requeues_with_backoff_on_the_row(settings, smtp_error):
    settings.NOTIFICATIONS_RETRY_BASE = 60
    smtp_error(temporary_failure())
    message = queued()

    outcome = services.deliver(message.pk, now=NOW, rand=fixed(0.5))

    message.refresh_from_db()
    assert outcome == "retry"
    assert (message.status, message.attempts) == (Status.QUEUED, 1)
    # equal jitter: half of 60 s plus rand·half = 30 + 15
    assert message.next_attempt_at == NOW + timedelta(seconds=45)
    assert message.last_error == "SMTP 451: 4.3.0 Try again later"
    assert message.context == {"ip": "192.0.2.1"}  # kept for the next attempt


def test_deliver_retry_schedule_doubles_and_caps(settings, smtp_error):
    settings.NOTIFICATIONS_RETRY_BASE = 60
    settings.NOTIFICATIONS_RETRY_CAP = 300
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 10
    smtp_error(temporary_failure())
    message = queued()
    delays = []

    moment = NOW
    for _ in range(5):
        services.deliver(message.pk, now=moment, rand=fixed(1.0))
        message.refresh_from_db()
        delays.append((message.next_attempt_at - moment).total_seconds())
        moment = message.next_attempt_at

    assert delays == [60, 120, 240, 300, 300]
    assert message.attempts == 5


def test_deliver_temporary_failure_recovers_and_sends_once(smtp_error):
    smtp_error(temporary_failure())
    message = queued()
    services.deliver(message.pk, now=NOW, rand=fixed(0.0))
    message.refresh_from_db()
    smtp_error(None)

    outcome = services.deliver(message.pk, now=message.next_attempt_at)

    message.refresh_from_db()
    assert outcome == "sent"
    assert (message.status, message.attempts, message.last_error) == (Status.SENT, 2, "")
    assert len(mail.outbox) == 1


def test_deliver_gives_up_after_max_attempts(settings, smtp_error):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    smtp_error(temporary_failure())
    message = queued()
    services.deliver(message.pk, now=NOW, rand=fixed(0.0))
    message.refresh_from_db()

    outcome = services.deliver(message.pk, now=message.next_attempt_at)

    message.refresh_from_db()
    assert outcome == "failed"
    assert (message.status, message.attempts) == (Status.FAILED, 2)
    assert message.last_error == "SMTP 451: 4.3.0 Try again later"


def test_deliver_permanent_failure_fails_after_one_attempt(smtp_error):
    smtp_error(permanent_failure())
    message = queued()

    outcome = services.deliver(message.pk, now=NOW)

    message.refresh_from_db()
    assert outcome == "failed"
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert message.last_error == "SMTP 550: 5.1.1 No such user"
    assert services.deliver(message.pk, now=NOW + timedelta(days=1)) == "not-claimed"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (smtplib.SMTPRecipientsRefused({"ada@example.org": (550, b"unknown")}), Status.FAILED),
        (smtplib.SMTPRecipientsRefused({"ada@example.org": (450, b"busy")}), Status.QUEUED),
        (smtplib.SMTPSenderRefused(553, b"sender refused", "noreply@localhost"), Status.FAILED),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), Status.QUEUED),
        (smtplib.SMTPConnectError(421, b"too busy"), Status.QUEUED),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), Status.QUEUED),
        (ConnectionRefusedError(111, "Connection refused"), Status.QUEUED),
        (TimeoutError("timed out"), Status.QUEUED),
        (OSError(101, "Network is unreachable"), Status.QUEUED),
    ],
)
def test_deliver_classifies_failures(smtp_error, error, expected):
    smtp_error(error)
    message = queued()

    services.deliver(message.pk, now=NOW)

    message.refresh_from_db()
    assert (message.status, message.attempts) == (expected, 1)


def test_deliver_template_error_fails_permanently():
    message = queued(kind="test.no_templates")

    with kinds.temporary_kind("test.no_templates", essential=True):
        outcome = services.deliver(message.pk, now=NOW)

    message.refresh_from_db()
    assert outcome == "failed"
    assert message.last_error.startswith("PermanentFailure: Rendering failed: TemplateDoesNotExist")
    assert mail.outbox == []


def test_deliver_unregistered_kind_fails():
    message = queued()
    OutgoingMessage.objects.filter(pk=message.pk).update(kind="gone.kind")

    assert services.deliver(message.pk, now=NOW) == "failed"
    message.refresh_from_db()
    assert (message.status, message.last_error) == (Status.FAILED, "Unknown kind")


# --- the backoff function ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attempts", "rand", "seconds"),
    [
        (1, 0.0, 30),
        (1, 0.999, 59.97),
        (2, 0.5, 90),
        (3, 1.0, 240),
        (7, 0.0, 1800),
        (8, 1.0, 3600),
        (50, 1.0, 3600),
    ],
)
def test_backoff_delay_is_exponential_capped_with_equal_jitter(attempts, rand, seconds):
    delay = services.backoff_delay(attempts, base=60, cap=3600, rand=fixed(rand))

    assert delay.total_seconds() == pytest.approx(seconds)


# --- preferences at send time --------------------------------------------------------------


def test_deliver_optional_kind_opted_out_after_queueing_is_suppressed(
    digest, django_capture_on_commit_callbacks
):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=False):
        message = services.notify(
            to=user.email, kind=digest, context={"title": "May"}, key="d-1", user=user
        )
    preferences.set_preference(user=user, kind=digest, enabled=False)

    outcome = services.deliver(message.pk)

    message.refresh_from_db()
    assert outcome == "suppressed"
    assert (message.status, message.context) == (Status.SUPPRESSED, {})
    assert mail.outbox == []


def test_deliver_essential_kind_ignores_an_opt_out_row():
    user = UserFactory()
    NotificationPreference.objects.create(user=user, kind=KIND, enabled=False)
    message = queued(to=user.email, user=user)

    assert services.deliver(message.pk, now=NOW) == "sent"
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_set_preference_refuses_essential_kind():
    with pytest.raises(ValueError, match="essential"):
        preferences.set_preference(user=UserFactory(), kind=KIND, enabled=False)


def test_deliver_optional_kind_has_one_click_unsubscribe_and_preferences_footer(digest, settings):
    settings.SITE_URL = "https://donors.example.net"
    user = UserFactory()
    message = queued(to=user.email, user=user, kind=digest, context={"title": "May"})

    services.deliver(message.pk, now=NOW)

    sent = mail.outbox[0]
    token = preferences.unsubscribe_token(user=user, kind=digest)
    link = f"https://donors.example.net/notifications/unsubscribe/{token}/"
    assert sent.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = sent.alternatives[0][0]
    assert "https://donors.example.net/notifications/preferences/" in sent.body
    assert 'href="https://donors.example.net/notifications/preferences/"' in html
    assert f'href="{link}"' in html
    assert sent.subject == "Your digest: May"
