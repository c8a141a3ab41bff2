import logging

from celery import shared_task

from matching import scoring, services

logger = logging.getLogger(__name__)


@shared_task(name="matching.expire_matches", ignore_result=True)
def expire_matches() -> None:
    """Unanswered proposals past their deadline go back to staff's queue as expired."""
    expired = services.expire_matches()
    if expired:
        logger.info("Matching: %s unanswered proposal(s) expired", expired)


@shared_task(name="matching.refresh_rarity", ignore_result=True)
def refresh_rarity() -> None:
    """Count the skills' rarity in the pool before the cached count expires, so no ranking
    waits for it (at 100,000 donors it takes about half a second)."""
    scoring.refresh_rarity()
