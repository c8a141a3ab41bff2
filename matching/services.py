"""Every move of a match, each one function. A row moves only from the state the move expects
(a conditional UPDATE whose row count says who won, or a row lock); who moved it and when are
recorded. A refused move raises MatchError with a message fit to show, and changes nothing."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from fights.models import Membership, SupportRequest, Urgency
from matching import mail, scoring
from matching.models import (
    OPEN_STATUSES,
    CandidateRejection,
    Match,
    MatchStatus,
)


class MatchError(Exception):
    """A move that is not allowed now; the message says why."""


def _move(match, *, expected, to, by, now=None, **fields) -> Match:
    """Move `match` from one of `expected` to `to`, or refuse. Refreshes `match`."""
    now = now or timezone.now()
    moved = Match.objects.filter(pk=match.pk, status__in=expected).update(
        status=to, status_changed_at=now, status_changed_by=by, updated_at=now, **fields
    )
    match.refresh_from_db()
    if not moved:
        raise MatchError(
            _("This match is %(status)s; it cannot become %(to)s.")
            % {"status": match.get_status_display().lower(), "to": MatchStatus(to).label.lower()}
        )
    return match


def answer_deadline(support_request, now) -> datetime.datetime:
    """When a proposal's answer is due: shorter when the request is critical."""
    critical = support_request.urgency_on(timezone.localdate(now)) == Urgency.CRITICAL
    hours = settings.MATCHING_CRITICAL_ANSWER_HOURS if critical else settings.MATCHING_ANSWER_HOURS
    return now + datetime.timedelta(hours=hours)


def _scored(support_request, donor, *, now, keep_match=None) -> scoring.Candidate:
    """The donor's score for the request, or MatchError if a hard filter rules them out."""
    if not support_request.is_open:
        raise MatchError(_("This request is not open."))
    candidate = scoring.score_donor(
        support_request, donor, now=now, keep_match=keep_match, include_resting=True
    )
    if candidate is None:
        raise MatchError(_("This volunteer cannot be asked for this request."))
    if candidate.is_resting:
        raise MatchError(_resting_refusal(candidate))
    return candidate


def _resting_refusal(candidate) -> str:
    """Why a donor outside their ask budget cannot be asked now (staff read it)."""
    if candidate.resting_reason == scoring.RESTING_OPEN_PROPOSALS:
        return _(
            "This volunteer cannot be asked now: %(count)d proposals are already waiting for "
            "their answer."
        ) % {"count": settings.MATCHING_MAX_OPEN_PROPOSALS}
    return _(
        "This volunteer cannot be asked now: they declined a proposal lately and rest until "
        "%(date)s."
    ) % {"date": formats.date_format(timezone.localtime(candidate.resting_until))}


def _score_fields(candidate) -> dict:
    return {
        "score": candidate.score,
        "explanation": candidate.explanation,
        "scoring_version": scoring.SCORING_VERSION,
    }


@transaction.atomic
def suggest_match(*, request, donor, by=None, initiated_by_donor=False, now=None) -> Match:
    """Put a donor on the request's list for staff to review."""
    now = now or timezone.now()
    candidate = _scored(request, donor, now=now)
    return Match.objects.create(
        request=request,
        donor=donor,
        status=MatchStatus.SUGGESTED,
        initiated_by_donor=initiated_by_donor,
        status_changed_at=now,
        status_changed_by=by,
        **_score_fields(candidate),
    )


def offer_help(*, request, donor, now=None) -> Match:
    """The volunteer's "I can help": a suggestion staff review like any other. The hard filters
    apply; a donor they rule out is refused without saying which one (a conflict stays private)."""
    if not request.fight.is_active or not request.is_open:
        raise MatchError(_("This request is no longer looking for help."))
    try:
        return suggest_match(
            request=request, donor=donor, by=donor.user, initiated_by_donor=True, now=now
        )
    except MatchError as error:
        raise MatchError(
            _("Thank you for offering. This request isn't open to you, but others may be.")
        ) from error


@transaction.atomic
def propose_match(*, request, donor, by, now=None) -> Match:
    """Staff ask the donor: the hard filters are checked again, the score stored as it is now,
    and the answer deadline set by the request's urgency. A suggestion is promoted in place."""
    now = now or timezone.now()
    suggestion = (
        Match.objects.select_for_update()
        .filter(request=request, donor=donor, status=MatchStatus.SUGGESTED)
        .first()
    )
    candidate = _scored(request, donor, now=now, keep_match=suggestion)
    fields = {
        "proposed_by": by,
        "proposed_at": now,
        "expires_at": answer_deadline(request, now),
        **_score_fields(candidate),
    }
    if suggestion is not None:
        match = _move(
            suggestion,
            expected=[MatchStatus.SUGGESTED],
            to=MatchStatus.PROPOSED,
            by=by,
            now=now,
            **fields,
        )
    else:
        match = Match.objects.create(
            request=request,
            donor=donor,
            status=MatchStatus.PROPOSED,
            status_changed_at=now,
            status_changed_by=by,
            **fields,
        )
    mail.send_proposal(match)
    return match


def _own(match, by):
    if match.donor.user_id != by.pk:
        raise MatchError(_("This proposal is addressed to someone else."))


@transaction.atomic
def accept_match(match, *, by, now=None) -> Match:
    """The donor says yes, before the deadline, while the request still needs helpers. The
    request row is locked first, so concurrent accepts count helpers one at a time."""
    now = now or timezone.now()
    _own(match, by)
    request = SupportRequest.objects.select_for_update().get(pk=match.request_id)
    match.refresh_from_db()
    if match.status != MatchStatus.PROPOSED:
        return _move(match, expected=[MatchStatus.PROPOSED], to=MatchStatus.ACCEPTED, by=by)
    if match.expires_at and match.expires_at <= now:
        raise MatchError(_("This proposal has expired."))
    if not request.is_open:
        raise MatchError(_("This request is no longer looking for help. Thank you all the same."))
    if request.matches.committed().count() >= request.helpers_needed:
        raise MatchError(_("This request already has all the helpers it needs. Thank you!"))
    match = _move(
        match,
        expected=[MatchStatus.PROPOSED],
        to=MatchStatus.ACCEPTED,
        by=by,
        now=now,
        answered_at=now,
    )
    mail.send_introductions(match)
    return match


def decline_match(match, *, by, reason="", now=None) -> Match:
    """The donor says no (optionally why); they rest from new asks for a while. A proposal
    past its answer deadline cannot be declined any more: it has expired."""
    _own(match, by)
    now = now or timezone.now()
    if match.status == MatchStatus.PROPOSED and match.expires_at and match.expires_at <= now:
        raise MatchError(_("This proposal has expired."))
    return _move(
        match,
        expected=[MatchStatus.PROPOSED],
        to=MatchStatus.DECLINED,
        by=by,
        now=now,
        answered_at=now,
        decline_reason=reason.strip(),
    )


def withdraw_match(match, *, by, now=None) -> Match:
    """Staff (or the donor) call it off from any open state."""
    return _move(match, expected=OPEN_STATUSES, to=MatchStatus.WITHDRAWN, by=by, now=now)


def start_match(match, *, by, now=None) -> Match:
    """Work begins on an accepted match."""
    now = now or timezone.now()
    return _move(
        match,
        expected=[MatchStatus.ACCEPTED],
        to=MatchStatus.ACTIVE,
        by=by,
        now=now,
        started_at=now,
    )


def complete_match(match, *, by, now=None) -> Match:
    """The work is done (from accepted too: short jobs need not be started first)."""
    now = now or timezone.now()
    return _move(
        match,
        expected=[MatchStatus.ACCEPTED, MatchStatus.ACTIVE],
        to=MatchStatus.COMPLETED,
        by=by,
        now=now,
        completed_at=now,
    )


def expire_matches(now=None) -> int:
    """Proposals past their answer deadline become expired (run by Celery beat). One UPDATE:
    an accept that won its race first is not touched. Returns how many expired."""
    now = now or timezone.now()
    return Match.objects.filter(status=MatchStatus.PROPOSED, expires_at__lte=now).update(
        status=MatchStatus.EXPIRED, status_changed_at=now, status_changed_by=None, updated_at=now
    )


@transaction.atomic
def reject_candidate(*, request, donor, by, reason="") -> CandidateRejection:
    """Staff rule the donor out for this request: never ranked for it again, and a
    suggestion for the pair is withdrawn."""
    rejection, _created = CandidateRejection.objects.get_or_create(
        request=request, donor=donor, defaults={"rejected_by": by, "reason": reason.strip()}
    )
    Match.objects.filter(request=request, donor=donor, status=MatchStatus.SUGGESTED).update(
        status=MatchStatus.WITHDRAWN, status_changed_at=timezone.now(), status_changed_by=by
    )
    return rejection


# --- After the work: hours and feedback ----------------------------------------------------------

HOURS_STATUSES = (MatchStatus.ACTIVE, MatchStatus.COMPLETED)


def log_hours(match, *, by, hours, now=None) -> Match:
    """The volunteer says how many hours they gave (again to correct it), once work started."""
    _own(match, by)
    now = now or timezone.now()
    moved = Match.objects.filter(pk=match.pk, status__in=HOURS_STATUSES).update(
        hours_logged=hours, hours_logged_at=now, updated_at=now
    )
    match.refresh_from_db()
    if not moved:
        raise MatchError(_("Hours can be logged once the work has started."))
    return match


def _feedback(match, *, side, rating, comment, now, **extra) -> Match:
    """Set one side's feedback once, on a completed match (the UPDATE's row count decides)."""
    if rating not in range(1, 6):
        raise MatchError(_("Choose a rating from 1 to 5."))
    now = now or timezone.now()
    moved = Match.objects.filter(
        pk=match.pk, status=MatchStatus.COMPLETED, **{f"{side}_feedback_at__isnull": True}
    ).update(
        **{
            f"{side}_rating": rating,
            f"{side}_comment": comment.strip(),
            f"{side}_feedback_at": now,
        },
        updated_at=now,
        **extra,
    )
    match.refresh_from_db()
    if not moved:
        if match.status != MatchStatus.COMPLETED:
            raise MatchError(_("Feedback can be left once the work is marked done."))
        raise MatchError(_("Feedback was already left for this match. Thank you!"))
    return match


def leave_donor_feedback(match, *, by, rating, comment="", now=None) -> Match:
    """The volunteer's 1 to 5 and comment on how the work went."""
    _own(match, by)
    return _feedback(match, side="donor", rating=rating, comment=comment, now=now)


def leave_organizer_feedback(match, *, by, rating, comment="", now=None) -> Match:
    """The organization's 1 to 5 and comment (any member; the first one to answer counts)."""
    if not Membership.objects.filter(
        organization_id=match.request.fight.organization_id, user=by
    ).exists():
        raise MatchError(_("Only the organization's members can leave its feedback."))
    return _feedback(
        match,
        side="organizer",
        rating=rating,
        comment=comment,
        now=now,
        organizer_feedback_by=by,
    )
