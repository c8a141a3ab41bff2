"""Thin Celery wrappers around the trainings services (Celery beat runs both)."""

import logging

from celery import shared_task

from trainings import services

logger = logging.getLogger(__name__)


@shared_task(name="trainings.expire_offers", ignore_result=True)
def expire_offers() -> None:
    """Unclaimed seat offers past their deadline pass to the next on the waitlist."""
    expired = services.expire_offers()
    if expired:
        logger.info("Trainings: %s unclaimed offer(s) passed on", expired)


@shared_task(name="trainings.send_reminders", ignore_result=True)
def send_reminders() -> None:
    """Reminders the day before and the morning of; feedback requests once a training ended."""
    considered = services.send_reminders()
    if considered:
        logger.info("Trainings: %s reminder(s) or feedback request(s) considered", considered)
