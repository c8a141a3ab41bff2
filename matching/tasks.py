import logging

from celery import shared_task

from matching import services

logger = logging.getLogger(__name__)


@shared_task(name="matching.expire_matches", ignore_result=True)
def expire_matches() -> None:
    """Unanswered proposals past their deadline go back to staff's queue as expired."""
    expired = services.expire_matches()
    if expired:
        logger.info("Matching: %s unanswered proposal(s) expired", expired)
