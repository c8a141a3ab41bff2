"""The sweep wakes rows the broker lost and reclaims rows whose worker died; purge and retry."""

import logging
from datetime import timedelta

import pytest
from django.core import mail

from notifications import services
from notifications.models import OutgoingMessage
from tests.notifications.conftest import NOW

pytestmark = pytest.mark.django_db

Status = OutgoingMessage.Status


@pytest.fixture(autouse=True)
def short_timeouts(settings):
    settings.NOTIFICATIONS_REQUEUE_AFTER = 60
    settings.NOTIFICATIONS_SENDING_TIMEOUT = 120
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 8
    settings.NOTIFICATIONS_SWEEP_BATCH = 500


@pytest.fixture
def enqueued(monkeypatch):
    """Row ids the sweep enqueued (the broker is not called)."""
    ids = []

    def record(message_id):
        ids.append(message_id)
        return True

    monkeypatch.setattr(services, "enqueue", record)
    return ids


def row(key, *, status=Status.QUEUED, touched, due=NOW, claimed=None, attempts=0, **fields):
    message = OutgoingMessage.objects.create(
        to="ada@example.org",
        kind="account.password_changed",
        key=key,
        status=status,
        attempts=attempts,
        next_attempt_at=due,
        claimed_at=claimed,
        **fields,
    )
    # auto_now would overwrite updated_at on save; set the stored "touched" time directly.
    OutgoingMessage.objects.filter(pk=message.pk).update(updated_at=touched)
    return message


def test_sweep_requeues_due_rows_untouched_for_requeue_after(enqueued):
    stale = row("stale", touched=NOW - timedelta(seconds=61), due=NOW - timedelta(seconds=61))
    row("fresh", touched=NOW - timedelta(seconds=30), due=NOW - timedelta(seconds=30))
    row("future", touched=NOW - timedelta(hours=1), due=NOW + timedelta(seconds=1))
    row("sent", status=Status.SENT, touched=NOW - timedelta(hours=1))
    row("failed", status=Status.FAILED, touched=NOW - timedelta(hours=1))

    counts = services.sweep(now=NOW)

    assert counts == {"reclaimed": 0, "requeued": 1}
    assert enqueued == [stale.pk]
    stale.refresh_from_db()
    assert (stale.status, stale.updated_at) == (Status.QUEUED, NOW)


def test_sweep_touches_rows_so_the_next_sweep_does_not_double_enqueue(enqueued):
    stale = row("stale", touched=NOW - timedelta(minutes=5), due=NOW - timedelta(minutes=5))

    services.sweep(now=NOW)
    services.sweep(now=NOW + timedelta(seconds=30))

    assert enqueued == [stale.pk]


def test_sweep_wakes_a_scheduled_retry_as_soon_as_it_is_due(enqueued):
    # A 451 at NOW-30s scheduled the retry for NOW; nothing but the sweep enqueues it.
    retry = row("retry", touched=NOW - timedelta(seconds=30), due=NOW, attempts=1)

    assert services.sweep(now=NOW - timedelta(seconds=1)) == {"reclaimed": 0, "requeued": 0}
    assert services.sweep(now=NOW) == {"reclaimed": 0, "requeued": 1}
    assert enqueued == [retry.pk]


def test_sweep_requeues_in_batches(settings, enqueued):
    settings.NOTIFICATIONS_SWEEP_BATCH = 2
    rows = [
        row(f"k{n}", touched=NOW - timedelta(minutes=5), due=NOW - timedelta(minutes=5 - n))
        for n in range(5)
    ]

    assert services.sweep(now=NOW)["requeued"] == 5
    assert enqueued == [r.pk for r in rows]


def test_sweep_stops_enqueueing_when_the_broker_is_down(monkeypatch):
    calls = []

    def broker_down(message_id):
        calls.append(message_id)
        return False

    monkeypatch.setattr(services, "enqueue", broker_down)
    for n in range(3):
        row(f"k{n}", touched=NOW - timedelta(minutes=5), due=NOW - timedelta(minutes=5))

    services.sweep(now=NOW)

    assert len(calls) == 1


def test_sweep_reclaims_rows_stuck_in_sending(enqueued):
    stuck = row(
        "stuck",
        status=Status.SENDING,
        claimed=NOW - timedelta(seconds=121),
        touched=NOW - timedelta(seconds=121),
        attempts=1,
    )
    working = row(
        "working",
        status=Status.SENDING,
        claimed=NOW - timedelta(seconds=60),
        touched=NOW - timedelta(seconds=60),
        attempts=1,
    )

    counts = services.sweep(now=NOW)

    assert counts == {"reclaimed": 1, "requeued": 0}
    assert enqueued == [stuck.pk]
    stuck.refresh_from_db()
    working.refresh_from_db()
    assert (stuck.status, stuck.attempts, stuck.next_attempt_at) == (Status.QUEUED, 1, NOW)
    assert stuck.last_error == "The worker did not finish the attempt (it died or timed out)."
    assert working.status == Status.SENDING


def test_sweep_fails_stuck_row_that_used_its_last_attempt(settings, enqueued):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    stuck = row(
        "stuck",
        status=Status.SENDING,
        claimed=NOW - timedelta(minutes=5),
        touched=NOW - timedelta(minutes=5),
        attempts=3,
    )

    services.sweep(now=NOW)

    stuck.refresh_from_db()
    assert stuck.status == Status.FAILED
    assert enqueued == []


def test_reclaimed_row_is_delivered_once_with_the_same_message_id():
    stuck = row(
        "stuck",
        status=Status.SENDING,
        claimed=NOW - timedelta(minutes=5),
        touched=NOW - timedelta(minutes=5),
        attempts=1,
    )

    services.sweep(now=NOW)  # tasks run inline in tests: the wake-up delivers at once

    stuck.refresh_from_db()
    assert (stuck.status, stuck.attempts) == (Status.SENT, 2)
    assert [m.extra_headers["X-Outbox-Id"] for m in mail.outbox] == [str(stuck.pk)]


def test_purge_deletes_finished_rows_older_than_retention_only(settings):
    settings.NOTIFICATIONS_RETENTION_DAYS = 30
    old = NOW - timedelta(days=30, seconds=1)
    recent = NOW - timedelta(days=29)
    for status in (Status.SENT, Status.FAILED, Status.SUPPRESSED):
        row(f"old-{status}", status=status, touched=old)
        row(f"recent-{status}", status=status, touched=recent)
    row("old-queued", touched=old)
    row("old-sending", status=Status.SENDING, touched=old, claimed=old)

    deleted = services.purge(now=NOW)

    assert deleted == 3
    assert sorted(OutgoingMessage.objects.values_list("key", flat=True)) == [
        "old-queued",
        "old-sending",
        "recent-failed",
        "recent-sent",
        "recent-suppressed",
    ]


def test_retry_failed_requeues_failed_rows_only_and_enqueues_after_commit(
    enqueued, django_capture_on_commit_callbacks
):
    failed = row("failed", status=Status.FAILED, touched=NOW, attempts=8, last_error="SMTP 550")
    row("sent", status=Status.SENT, touched=NOW)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        count = services.retry_failed(OutgoingMessage.objects.all(), now=NOW)
    assert enqueued == []
    for callback in callbacks:
        callback()

    failed.refresh_from_db()
    assert count == 1
    assert enqueued == [failed.pk]
    assert (failed.status, failed.attempts, failed.next_attempt_at, failed.last_error) == (
        Status.QUEUED,
        0,
        NOW,
        "",
    )


# --- with the real enqueue (tasks run inline in tests: a wake-up delivers at once) ---------


def stale_rows(count, *, due_first=NOW - timedelta(minutes=10)):
    """Due rows the broker lost, created newest-due first so pk order is not due order."""
    rows = [
        row(f"k{n}", touched=NOW - timedelta(hours=1), due=due_first + timedelta(minutes=n))
        for n in reversed(range(count))
    ]
    return list(reversed(rows))  # oldest due first


def test_sweep_with_the_real_broker_wakes_every_row_of_every_batch(settings):
    settings.NOTIFICATIONS_SWEEP_BATCH = 2
    rows = stale_rows(5)

    counts = services.sweep(now=NOW)

    assert counts == {"reclaimed": 0, "requeued": 5}
    assert [m.extra_headers["X-Outbox-Id"] for m in mail.outbox] == [str(r.pk) for r in rows]
    assert set(OutgoingMessage.objects.values_list("status", flat=True)) == {Status.SENT}


def test_sweep_broker_down_leaves_later_batches_for_the_next_sweep(settings, monkeypatch):
    settings.NOTIFICATIONS_SWEEP_BATCH = 1
    rows = stale_rows(3)
    from notifications.tasks import deliver_message

    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(deliver_message, "apply_async", refuse)

    counts = services.sweep(now=NOW)

    assert counts["requeued"] == 1
    touched = OutgoingMessage.objects.filter(updated_at=NOW).values_list("pk", flat=True)
    assert list(touched) == [rows[0].pk]


def test_enqueue_logs_the_broker_failure_then_skips_publishing(monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="notifications.services")
    from notifications.tasks import deliver_message

    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(deliver_message, "apply_async", refuse)

    assert services.enqueue(41) is False
    assert services.enqueue(42) is False

    first, second = caplog.records
    assert (first.levelname, first.getMessage()) == (
        "WARNING",
        "Could not enqueue outgoing message 41; the sweep will",
    )
    assert first.exc_info is not None and first.exc_info[0] is ConnectionError
    assert (second.levelname, second.getMessage()) == (
        "INFO",
        "Broker unreachable a moment ago; message 42 waits for the sweep",
    )


def stuck_row(key, *, claimed, attempts=1):
    return row(
        key,
        status=Status.SENDING,
        claimed=claimed,
        touched=claimed,
        due=claimed - timedelta(minutes=30),
        attempts=attempts,
    )


def test_sweep_reclaims_oldest_claims_first_within_the_batch(settings, enqueued):
    settings.NOTIFICATIONS_SWEEP_BATCH = 2
    newest = stuck_row("newest", claimed=NOW - timedelta(minutes=5))
    middle = stuck_row("middle", claimed=NOW - timedelta(minutes=10))
    oldest = stuck_row("oldest", claimed=NOW - timedelta(minutes=20))

    counts = services.sweep(now=NOW)

    assert counts["reclaimed"] == 2
    assert enqueued == [oldest.pk, middle.pk]
    newest.refresh_from_db()
    assert newest.status == Status.SENDING
    oldest.refresh_from_db()
    assert (oldest.status, oldest.next_attempt_at, oldest.updated_at) == (Status.QUEUED, NOW, NOW)


def test_sweep_failing_a_stuck_row_tells_staff_why(settings, enqueued):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    stuck = stuck_row("stuck", claimed=NOW - timedelta(minutes=5), attempts=3)

    services.sweep(now=NOW)

    stuck.refresh_from_db()
    assert (stuck.status, stuck.updated_at) == (Status.FAILED, NOW)
    assert stuck.last_error == "The worker did not finish the attempt (it died or timed out)."


def test_purge_counts_every_batch(settings):
    settings.NOTIFICATIONS_RETENTION_DAYS = 30
    settings.NOTIFICATIONS_SWEEP_BATCH = 2
    for n in range(5):
        row(f"old-{n}", status=Status.SENT, touched=NOW - timedelta(days=31))

    assert services.purge(now=NOW) == 5
    assert not OutgoingMessage.objects.exists()


def test_retry_failed_requeues_only_the_selected_failed_rows(
    settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 8
    failed = [
        row(f"failed-{n}", status=Status.FAILED, touched=NOW, attempts=8, last_error="SMTP 550")
        for n in range(3)
    ]
    sent = row("sent", status=Status.SENT, touched=NOW)
    later = NOW + timedelta(hours=1)
    selection = OutgoingMessage.objects.filter(pk__in=[failed[0].pk, failed[2].pk, sent.pk])

    with django_capture_on_commit_callbacks(execute=True):
        assert services.retry_failed(selection, now=later) == 2

    statuses = dict(OutgoingMessage.objects.values_list("key", "status"))
    assert statuses == {
        "failed-0": Status.SENT,  # woken after commit and delivered inline
        "failed-1": Status.FAILED,
        "failed-2": Status.SENT,
        "sent": Status.SENT,
    }
    assert OutgoingMessage.objects.get(key="failed-1").last_error == "SMTP 550"
    assert len(mail.outbox) == 2


def test_retry_failed_schedules_the_rows_now(enqueued):
    failed = row("failed", status=Status.FAILED, touched=NOW, due=NOW, last_error="SMTP 550")
    later = NOW + timedelta(hours=1)

    services.retry_failed(OutgoingMessage.objects.all(), now=later)

    failed.refresh_from_db()
    assert (failed.status, failed.next_attempt_at, failed.updated_at) == (
        Status.QUEUED,
        later,
        later,
    )
