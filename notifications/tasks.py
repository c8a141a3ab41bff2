"""Thin Celery wrappers: only row ids cross the broker; the services do the work."""

import logging

from celery import shared_task
from django.conf import settings

from notifications import services

logger = logging.getLogger(__name__)


@shared_task(
    name="notifications.deliver_message",
    ignore_result=True,
    time_limit=settings.NOTIFICATIONS_TASK_TIME_LIMIT,
)
def deliver_message(message_id: int) -> None:
    outcome = services.deliver(message_id)
    logger.info("Outgoing message %s: %s", message_id, outcome)


@shared_task(name="notifications.sweep_outbox", ignore_result=True)
def sweep_outbox() -> None:
    counts = services.sweep()
    if any(counts.values()):
        logger.info("Outbox sweep: %s", counts)


@shared_task(name="notifications.purge_outbox", ignore_result=True)
def purge_outbox() -> None:
    deleted = services.purge()
    logger.info("Outbox purge: %s old message(s) deleted", deleted)
