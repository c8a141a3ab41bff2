"""The Celery side: task names the beat schedule and the integration workers rely on."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from config.celery import app
from notifications import tasks
from notifications.models import OutgoingMessage


def test_beat_schedule_runs_sweep_and_purge_tasks_that_exist():
    app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE

    assert {entry["task"] for entry in schedule.values()} == {
        "notifications.sweep_outbox",
        "notifications.purge_outbox",
        "matching.expire_matches",
        "matching.refresh_rarity",
        "trainings.expire_offers",
        "trainings.send_reminders",
    }
    assert all(entry["task"] in app.tasks for entry in schedule.values())
    assert schedule["notifications-sweep"]["schedule"] == settings.NOTIFICATIONS_SWEEP_INTERVAL


def test_deliver_task_has_the_outbox_hard_time_limit():
    assert tasks.deliver_message.name == "notifications.deliver_message"
    assert tasks.deliver_message.time_limit == settings.NOTIFICATIONS_TASK_TIME_LIMIT
    assert tasks.deliver_message.time_limit < settings.NOTIFICATIONS_SENDING_TIMEOUT
    assert settings.EMAIL_TIMEOUT < settings.NOTIFICATIONS_TASK_TIME_LIMIT


@pytest.mark.django_db
def test_sweep_task_delivers_a_row_the_broker_lost():
    long_ago = timezone.now() - timedelta(minutes=5)
    message = OutgoingMessage.objects.create(
        to="ada@example.org", kind="account.password_changed", key="k", next_attempt_at=long_ago
    )
    OutgoingMessage.objects.filter(pk=message.pk).update(updated_at=long_ago)

    tasks.sweep_outbox.delay()

    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.SENT
    assert [m.extra_headers["X-Outbox-Id"] for m in mail.outbox] == [str(message.pk)]


@pytest.mark.django_db
def test_purge_task_deletes_old_finished_rows():
    message = OutgoingMessage.objects.create(
        to="ada@example.org", kind="account.password_changed", key="k", status="sent"
    )
    old = timezone.now() - timedelta(days=settings.NOTIFICATIONS_RETENTION_DAYS + 1)
    OutgoingMessage.objects.filter(pk=message.pk).update(updated_at=old)

    tasks.purge_outbox.delay()

    assert OutgoingMessage.objects.count() == 0
