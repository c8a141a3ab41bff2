"""The matching part of `seed_demo`: matches in every state, so `make run` shows the loop.

volunteer1@example.org (vetted for confidential fights here) has a proposal waiting on the
confidential fight when it fits, so signing in as them shows the redacted summary and the
Accept / Decline buttons; organizer1's requests come first, so their dashboard shows helpers.
Every pair comes from `rank_candidates`, so each match carries a real stored explanation.

Idempotent: matches are created only when there are none, and no mail is sent (the rows are
written directly, as if the lifecycle had already happened).
"""

import datetime

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from accounts.models import User
from donors.management.commands.seed_demo import STAFF_EMAIL
from donors.models import Donor
from fights.models import SupportRequest
from matching import scoring
from matching.models import COMMITTED_STATUSES, Match, MatchStatus
from matching.services import answer_deadline

FIRST_ORGANIZATION = "warehouse-workers-local-2025"
VOLUNTEER = "volunteer1@example.org"
# One match per state, in this order (volunteer1's proposal is made first, apart).
STATES = (
    MatchStatus.ACCEPTED,
    MatchStatus.ACTIVE,
    MatchStatus.COMPLETED,
    MatchStatus.PROPOSED,
    MatchStatus.SUGGESTED,
    MatchStatus.DECLINED,
    MatchStatus.EXPIRED,
    MatchStatus.WITHDRAWN,
)


def seed(*, password: str) -> str:
    if Match.objects.exists():
        return "Demo matches: already there."
    staff = User.objects.filter(email=STAFF_EMAIL).first()
    now = timezone.now()
    requests = _open_requests()
    made = []
    volunteer = Donor.objects.filter(user__email=VOLUNTEER).first()
    if volunteer is not None:
        Donor.objects.filter(pk=volunteer.pk).update(vetted_at=now, vetted_by=staff)
        made += _volunteer_proposal(volunteer, requests, staff, now)
    for state in STATES:
        made += _one(state, requests, staff, now)
    return (
        f"Demo matches: {len(made)} created, one in every state"
        f"{' (volunteer1 has a proposal waiting)' if volunteer else ''}."
    )


def _open_requests() -> list[SupportRequest]:
    """Open requests of verified organizations: organizer1's first, confidential first (so
    volunteer1's proposal shows the redacted summary when it fits), most urgent first."""
    first = Case(
        When(fight__organization__slug=FIRST_ORGANIZATION, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return list(
        SupportRequest.objects.filter(
            status="open", fight__status="active", fight__organization__verified_at__isnull=False
        )
        .select_related("fight__organization")
        .order_by(first, "fight__visibility", "needed_by", "pk")
    )


def _volunteer_proposal(volunteer, requests, staff, now) -> list[Match]:
    for support_request in requests:
        candidate = scoring.score_donor(support_request, volunteer, now=now)
        if candidate is not None:
            return [_create(MatchStatus.PROPOSED, support_request, candidate, staff, now)]
    return []


def _one(state, requests, staff, now) -> list[Match]:
    for support_request in requests:
        if state in COMMITTED_STATUSES or state == MatchStatus.COMPLETED:
            taken = support_request.matches.filter(
                status__in=(*COMMITTED_STATUSES, MatchStatus.COMPLETED)
            ).count()
            if taken >= support_request.helpers_needed:
                continue
        candidates = scoring.rank_candidates(support_request, limit=3, now=now)
        candidates = [c for c in candidates if not _is_volunteer(c.donor_id)]
        if candidates:
            return [_create(state, support_request, candidates[0], staff, now)]
    return []


def _is_volunteer(donor_id) -> bool:
    return Donor.objects.filter(pk=donor_id, user__email=VOLUNTEER).exists()


def _create(state, support_request, candidate, staff, now) -> Match:
    """A match as if it had gone through the lifecycle up to `state`."""
    asked = now - datetime.timedelta(days=2)
    fields = {
        "request": support_request,
        "donor_id": candidate.donor_id,
        "status": state,
        "score": candidate.score,
        "explanation": candidate.explanation,
        "scoring_version": scoring.SCORING_VERSION,
        "status_changed_at": now,
    }
    if state == MatchStatus.SUGGESTED:
        return Match.objects.create(**fields, initiated_by_donor=True)
    fields |= {"proposed_by": staff, "proposed_at": asked}
    if state == MatchStatus.PROPOSED:
        fields["proposed_at"] = now
        fields["expires_at"] = answer_deadline(support_request, now)
    else:
        fields["expires_at"] = asked + datetime.timedelta(hours=48)
    if state == MatchStatus.EXPIRED:
        fields["expires_at"] = now - datetime.timedelta(hours=1)
    if state in (*COMMITTED_STATUSES, MatchStatus.COMPLETED, MatchStatus.DECLINED):
        fields["answered_at"] = asked + datetime.timedelta(hours=3)
    if state == MatchStatus.DECLINED:
        fields["decline_reason"] = "Away that week, sorry."
    if state in (MatchStatus.ACTIVE, MatchStatus.COMPLETED):
        fields["started_at"] = asked + datetime.timedelta(days=1)
    if state == MatchStatus.COMPLETED:
        fields |= _completed(support_request, now)
    return Match.objects.create(**fields)


def _completed(support_request, now) -> dict:
    organizer = support_request.created_by
    return {
        "completed_at": now,
        "hours_logged": support_request.hours_estimate,
        "hours_logged_at": now,
        "donor_rating": 5,
        "donor_comment": "A well organized local; the flyers went out on time.",
        "donor_feedback_at": now,
        "organizer_rating": 5,
        "organizer_comment": "Fast, careful work. We would ask again.",
        "organizer_feedback_at": now,
        "organizer_feedback_by": organizer,
    }
