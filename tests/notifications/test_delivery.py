"""deliver(): claim, render, send, and the retry schedule stored on the row."""

import logging
import smtplib
import socket
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.utils import timezone

from notifications import kinds, preferences, services
from notifications.models import NotificationPreference, OutgoingMessage
from tests.conftest import require
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
    assert message.updated_at == NOW
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
    # Read the token back: signing.dumps stamps the time, so a token made now may differ.
    prefix = "<https://donors.example.net/notifications/unsubscribe/"
    header = sent.extra_headers["List-Unsubscribe"]
    assert header.startswith(prefix) and header.endswith("/>")
    token = header.removeprefix(prefix).removesuffix("/>")
    assert preferences.read_unsubscribe_token(token) == (user.pk, digest)
    link = header[1:-1]
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = sent.alternatives[0][0]
    assert "https://donors.example.net/notifications/preferences/" in sent.body
    assert 'href="https://donors.example.net/notifications/preferences/"' in html
    assert f'href="{link}"' in html
    assert sent.subject == "Your digest: May"


def test_deliver_essential_kind_to_a_known_user_has_no_unsubscribe(settings):
    settings.SITE_URL = "https://donors.example.net"
    user = UserFactory()
    message = queued(to=user.email, user=user)

    services.deliver(message.pk, now=NOW)

    sent = mail.outbox[0]
    assert "List-Unsubscribe" not in sent.extra_headers
    assert "List-Unsubscribe-Post" not in sent.extra_headers
    assert "/notifications/" not in sent.body
    assert "Account and security emails are always sent." in sent.body


def test_deliver_mail_links_the_site_and_names_the_kind(digest, settings):
    settings.SITE_URL = "https://donors.example.net"
    user = UserFactory()
    message = queued(to=user.email, user=user, kind=digest, context={"title": "May"})

    services.deliver(message.pk, now=NOW)

    sent = mail.outbox[0]
    html = sent.alternatives[0][0]
    assert "Knowledge Donors - https://donors.example.net\n" in sent.body
    assert 'You receive "Weekly digest" emails because of your settings' in sent.body
    assert '<a href="https://donors.example.net">Knowledge Donors</a>' in html
    assert "You receive “Weekly digest” emails" in html
    unsubscribe = sent.extra_headers["List-Unsubscribe"][1:-1]
    assert sent.body.endswith(f"Stop these emails: {unsubscribe}\n")


def test_deliver_subject_and_text_are_not_html_escaped(digest):
    user = UserFactory()
    title = "Pay & <benefits>"
    message = queued(to=user.email, user=user, kind=digest, context={"title": title})

    services.deliver(message.pk, now=NOW)

    sent = mail.outbox[0]
    assert sent.subject == "Your digest: Pay & <benefits>"
    assert "Digest: Pay & <benefits> & more at" in sent.body
    assert "<p>Digest: Pay &amp; &lt;benefits&gt;</p>" in sent.alternatives[0][0]


def test_deliver_auto_submitted_header_tells_autoresponders_not_to_reply():
    message = queued()

    services.deliver(message.pk, now=NOW)

    assert mail.outbox[0].extra_headers["Auto-Submitted"] == "auto-generated"


@pytest.mark.parametrize(
    ("sender", "domain"),
    [
        ('"no@reply"@mail.example.net', "mail.example.net"),
        ("", "localhost"),
    ],
)
def test_deliver_message_id_domain_without_site_url(settings, sender, domain):
    settings.SITE_URL = ""
    settings.DEFAULT_FROM_EMAIL = sender
    message = queued()

    services.deliver(message.pk, now=NOW)

    assert mail.outbox[0].extra_headers["Message-ID"] == f"<outbox-{message.pk}@{domain}>"


def test_deliver_smtp_server_unreachable_keeps_the_mail_queued(settings):
    """A real SMTP connection to a closed port: the error must reach deliver, not be swallowed."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    message = queued()

    outcome = services.deliver(message.pk, now=NOW, rand=fixed(0.0))

    message.refresh_from_db()
    assert outcome == "retry"
    assert (message.status, message.sent_at, message.attempts) == (Status.QUEUED, None, 1)
    assert message.last_error.startswith("ConnectionRefusedError: ")
    assert message.context == {"ip": "192.0.2.1"}


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (smtplib.SMTPResponseException(500, b"5.5.2 Syntax error"), Status.FAILED),
        (smtplib.SMTPResponseException(599, b"odd"), Status.FAILED),
        (smtplib.SMTPResponseException(499, b"odd"), Status.QUEUED),
        (smtplib.SMTPResponseException(600, b"odd"), Status.QUEUED),
        (smtplib.SMTPRecipientsRefused({"ada@example.org": (500, b"no")}), Status.FAILED),
        (smtplib.SMTPRecipientsRefused({"ada@example.org": (599, b"no")}), Status.FAILED),
        (smtplib.SMTPRecipientsRefused({"ada@example.org": (600, b"odd")}), Status.QUEUED),
    ],
)
def test_deliver_every_5xx_is_permanent_and_only_5xx(smtp_error, error, expected):
    smtp_error(error)
    message = queued()

    services.deliver(message.pk, now=NOW)

    message.refresh_from_db()
    assert message.status == expected


@pytest.mark.parametrize(
    ("error", "last_error"),
    [
        (
            smtplib.SMTPRecipientsRefused(
                {"ada@example.org": (550, b"unknown \xff"), "bo@example.org": (551, "moved")}
            ),
            "Recipient refused: 550 unknown \ufffd; 551 moved",
        ),
        (smtplib.SMTPResponseException(554, "rejected as spam"), "SMTP 554: rejected as spam"),
        (PermissionError("denied"), "PermissionError: denied"),
    ],
)
def test_deliver_records_the_error_staff_see(smtp_error, error, last_error):
    smtp_error(error)
    message = queued()

    services.deliver(message.pk, now=NOW)

    message.refresh_from_db()
    assert (message.last_error, message.updated_at) == (last_error, NOW)


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPRecipientsRefused({"ada@example.org": (550, b"x" * 2000)}),
        smtplib.SMTPResponseException(550, b"x" * 2000),
        OSError("x" * 2000),
    ],
)
def test_deliver_error_is_cut_to_the_column(smtp_error, error):
    smtp_error(error)
    message = queued()

    services.deliver(message.pk, now=NOW)

    message.refresh_from_db()
    assert len(message.last_error) == 1000


def test_deliver_logs_each_failure_with_the_row_and_the_error(smtp_error, caplog):
    caplog.set_level(logging.INFO, logger="notifications.services")
    message = queued()
    smtp_error(temporary_failure())
    services.deliver(message.pk, now=NOW, rand=fixed(0.5))
    smtp_error(permanent_failure())
    services.deliver(message.pk, now=NOW + timedelta(minutes=1))

    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        (
            "INFO",
            f"Outgoing message {message.pk} will be retried in 0:00:45: "
            "SMTP 451: 4.3.0 Try again later",
        ),
        (
            "WARNING",
            f"Outgoing message {message.pk} failed after 2 attempt(s): "
            "SMTP 550: 5.1.1 No such user",
        ),
    ]


def test_deliver_failures_stamp_the_row_at_the_attempt(smtp_error):
    smtp_error(temporary_failure())
    message = queued()
    services.deliver(message.pk, now=NOW)
    message.refresh_from_db()
    assert message.updated_at == NOW

    smtp_error(permanent_failure())
    later = message.next_attempt_at
    services.deliver(message.pk, now=later)

    message.refresh_from_db()
    assert (message.status, message.updated_at) == (Status.FAILED, later)


def test_deliver_unregistered_kind_and_opt_out_stamp_the_row(digest):
    unknown = queued(key="gone")
    OutgoingMessage.objects.filter(pk=unknown.pk).update(kind="gone.kind")
    user = UserFactory()
    preferences.set_preference(user=user, kind=digest, enabled=False)
    opted_out = queued(to=user.email, user=user, kind=digest, key="d")

    services.deliver(unknown.pk, now=NOW)
    services.deliver(opted_out.pk, now=NOW)

    unknown.refresh_from_db()
    opted_out.refresh_from_db()
    assert (unknown.status, unknown.updated_at) == (Status.FAILED, NOW)
    assert (opted_out.status, opted_out.updated_at) == (Status.SUPPRESSED, NOW)
    assert opted_out.last_error == "Recipient opted out of this kind"


@pytest.mark.parametrize("outcome", ["sent", "retry", "failed", "unknown kind", "opted out"])
def test_deliver_stamps_the_row_when_the_outcome_is_written(digest, smtp_error, outcome):
    """On the real clock: updated_at says when the attempt ended, not when it was claimed."""
    user = UserFactory()
    preferences.set_preference(user=user, kind=digest, enabled=outcome != "opted out")
    message = queued(to=user.email, user=user, kind=digest, next_attempt_at=timezone.now())
    if outcome == "unknown kind":
        OutgoingMessage.objects.filter(pk=message.pk).update(kind="gone.kind")
    smtp_error({"retry": temporary_failure(), "failed": permanent_failure()}.get(outcome))

    services.deliver(message.pk)

    message.refresh_from_db()
    assert message.claimed_at < message.updated_at <= timezone.now()


# --- a worker that lost its claim ----------------------------------------------------------


class Meanwhile(LocmemBackend):
    """A mail connection whose send first runs `during` (what happens while SMTP is slow)."""

    def __init__(self, during, error=None, **kwargs):
        super().__init__(**kwargs)
        self.during, self.error = during, error

    def send_messages(self, messages):
        self.during()
        if self.error is not None:
            raise self.error
        return super().send_messages(messages)


class WorkerKilled(BaseException):
    """The hard time limit killing a worker mid-send: nothing in deliver() runs after it."""


def take_over(message_id, *, at):
    """What the sweep and a second worker do while the first one is stuck in SMTP: reclaim the
    row, and claim it again in a worker that is still sending (frozen here mid-send)."""
    services.sweep(now=at)
    with pytest.raises(WorkerKilled):
        services.deliver(message_id, now=at, connection=Meanwhile(lambda: None, WorkerKilled()))


@pytest.mark.parametrize("first_outcome", ["sent", "temporary failure"])
def test_deliver_worker_that_lost_its_claim_leaves_the_newer_attempt_alone(
    settings, monkeypatch, caplog, first_outcome
):
    settings.NOTIFICATIONS_SENDING_TIMEOUT = 120
    monkeypatch.setattr(services, "enqueue", lambda pk: True)  # the second worker is run below
    message = queued()
    later = NOW + timedelta(seconds=121)
    error = temporary_failure() if first_outcome != "sent" else None
    slow = Meanwhile(lambda: take_over(message.pk, at=later), error)

    services.deliver(message.pk, now=NOW, connection=slow, rand=fixed(0.0))

    message.refresh_from_db()
    assert (message.status, message.claimed_at, message.attempts) == (Status.SENDING, later, 2)
    assert (message.sent_at, message.updated_at) == (None, later)
    assert message.last_error == "The worker did not finish the attempt (it died or timed out)."
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    if first_outcome == "sent":
        assert warnings == [f"Outgoing message {message.pk} was sent, but its claim had been taken"]


class Held(LocmemBackend):
    """A connection that signals when SMTP is reached and waits to be let go (another thread)."""

    def __init__(self, error=None, **kwargs):
        super().__init__(**kwargs)
        self.error, self.sending, self.release = error, threading.Event(), threading.Event()

    def __deepcopy__(self, memo):  # locmem copies each message, and a message its connection
        return self

    def send_messages(self, messages):
        self.sending.set()
        assert self.release.wait(10)
        if self.error is not None:
            raise self.error
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_deliver_lost_claim_race_between_two_workers_keeps_the_newer_attempt(settings, monkeypatch):
    """Two real workers (threads, own connections): the first is stuck in SMTP past the sending
    timeout, the sweep reclaims the row and a second worker claims it; the first then fails and
    must not requeue the row the second is sending, whose success is then recorded."""
    require(connection.vendor == "postgresql", "concurrent workers: run with PostgreSQL")
    settings.NOTIFICATIONS_SENDING_TIMEOUT = 0
    monkeypatch.setattr(services, "enqueue", lambda pk: True)  # the second worker is started here
    message = queued(next_attempt_at=timezone.now())
    first, second, outcomes = Held(temporary_failure()), Held(), {}

    def work(name, mail_connection, sweep_first=False):
        try:
            if sweep_first:
                services.sweep()
            outcomes[name] = services.deliver(message.pk, connection=mail_connection)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work, args=("first", first)),
        threading.Thread(target=work, args=("second", second, True)),
    ]
    threads[0].start()
    assert first.sending.wait(10)
    threads[1].start()
    assert second.sending.wait(10)
    first.release.set()
    threads[0].join(10)
    second.release.set()
    threads[1].join(10)

    message.refresh_from_db()
    assert outcomes == {"first": "retry", "second": "sent"}
    assert (message.status, message.attempts, message.last_error) == (Status.SENT, 2, "")
    assert len(mail.outbox) == 1


def test_deliver_late_worker_cannot_revive_a_row_the_sweep_failed(settings, smtp_error):
    settings.NOTIFICATIONS_SENDING_TIMEOUT = 120
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 1
    message = queued()
    gave_up = NOW + timedelta(seconds=121)
    slow = Meanwhile(lambda: services.sweep(now=gave_up), temporary_failure())

    services.deliver(message.pk, now=NOW, connection=slow)

    message.refresh_from_db()
    assert (message.status, message.attempts, message.updated_at) == (Status.FAILED, 1, gave_up)
    assert message.last_error == "The worker did not finish the attempt (it died or timed out)."


def test_deliver_writes_only_its_own_row_when_two_workers_claim_at_one_instant():
    other = queued(key="other")
    OutgoingMessage.objects.filter(pk=other.pk).update(
        status=Status.SENDING, claimed_at=NOW, attempts=1
    )
    message = queued()

    assert services.deliver(message.pk, now=NOW) == "sent"

    other.refresh_from_db()
    assert (other.status, other.sent_at, other.context) == (
        Status.SENDING,
        None,
        {"ip": "192.0.2.1"},
    )


def test_deliver_row_says_sending_while_the_mail_goes_out():
    message = queued()
    seen = []

    def look():
        seen.append(
            OutgoingMessage.objects.values_list("status", "claimed_at", "updated_at").get(
                pk=message.pk
            )
        )

    services.deliver(message.pk, now=NOW, connection=Meanwhile(look))

    assert seen == [(Status.SENDING, NOW, NOW)]
    assert len(mail.outbox) == 1


def test_deliver_success_logs_no_warning(caplog):
    message = queued()

    services.deliver(message.pk, now=NOW)

    assert [r for r in caplog.records if r.levelname == "WARNING"] == []
