"""Staff review: the queue of open requests, one request's candidates and matches (reads), and the
staff moves made from those pages, each a thin loop over `matching.services` that turns a
refusal into a message. The pages are `matching/staff_views.py`.

Every read is a fixed number of queries, whatever the size of the pool or of the queue.
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    Prefetch,
    Q,
    Value,
    When,
)
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from donors.models import Donor, DonorSkill, WorkMode
from fights.models import CRITICAL_DAYS, RequestSkill, SupportRequest
from matching import scoring, services
from matching.models import COMMITTED_STATUSES, Match, MatchStatus

CANDIDATE_LIMIT = 20
# Matches staff may call off from the review page; accepted helpers are a conversation first.
WITHDRAWABLE = (MatchStatus.SUGGESTED, MatchStatus.PROPOSED)
# The order the candidate page lists a request's matches in.
STATUS_ORDER = (
    MatchStatus.SUGGESTED,
    MatchStatus.PROPOSED,
    MatchStatus.ACCEPTED,
    MatchStatus.ACTIVE,
    MatchStatus.COMPLETED,
    MatchStatus.DECLINED,
    MatchStatus.EXPIRED,
    MatchStatus.WITHDRAWN,
)


# --- The review queue ------------------------------------------------------------------------


class QueueView:
    """The queue's tabs: which open requests each one lists."""

    ALL = "all"
    NOT_PROPOSED = "not_proposed"
    NOT_ACCEPTED = "not_accepted"
    EXPIRED = "expired"
    CHOICES = (
        (ALL, gettext_lazy("All open requests")),
        (NOT_PROPOSED, gettext_lazy("Not yet proposed")),
        (NOT_ACCEPTED, gettext_lazy("Not yet accepted")),
        (EXPIRED, gettext_lazy("Expired or declined")),
    )


def _late_proposal(now) -> Q:
    """A proposal past half its answer window: less time is left than has gone by."""
    at_now = Value(now, output_field=DateTimeField())
    left = ExpressionWrapper(F("matches__expires_at") - at_now, output_field=DurationField())
    gone = ExpressionWrapper(at_now - F("matches__proposed_at"), output_field=DurationField())
    return Q(matches__status=MatchStatus.PROPOSED) & Q(LessThanOrEqual(left, gone))


def review_queue(user, view=QueueView.ALL, *, now=None):
    """Open requests `user` may review, with their match counts: critical requests nobody has
    accepted first, then by needed-by date (most urgent first)."""
    now = now or timezone.now()
    critical_before = timezone.localdate(now) + datetime.timedelta(days=CRITICAL_DAYS)
    requests = (
        SupportRequest.objects.for_staff(user)
        .open()
        .select_related("fight__organization")
        .prefetch_related(
            Prefetch("request_skills", queryset=RequestSkill.objects.select_related("skill"))
        )
        .annotate(
            accepted=Count("matches", filter=Q(matches__status__in=COMMITTED_STATUSES)),
            waiting=Count("matches", filter=Q(matches__status=MatchStatus.PROPOSED)),
            suggested=Count("matches", filter=Q(matches__status=MatchStatus.SUGGESTED)),
            late=Count("matches", filter=_late_proposal(now)),
            expired=Count("matches", filter=Q(matches__status=MatchStatus.EXPIRED)),
            declined=Count("matches", filter=Q(matches__status=MatchStatus.DECLINED)),
            next_due=Min("matches__expires_at", filter=Q(matches__status=MatchStatus.PROPOSED)),
        )
        .annotate(
            is_critical=Case(
                When(needed_by__lt=critical_before, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            nobody_accepted=Case(
                When(accepted=0, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )
    short = Q(accepted__lt=F("helpers_needed"))
    if view == QueueView.NOT_PROPOSED:
        requests = requests.filter(short, waiting=0)
    elif view == QueueView.NOT_ACCEPTED:
        requests = requests.filter(late__gt=0)
    elif view == QueueView.EXPIRED:
        requests = requests.filter(short, Q(expired__gt=0) | Q(declined__gt=0))
    return requests.order_by(
        Case(When(is_critical=True, nobody_accepted=True, then=Value(0)), default=Value(1)),
        "needed_by",
        "pk",
    )


def unstaffed_critical_count(user, *, now=None) -> int:
    """How many open critical requests have nobody accepted: the number the queue shouts."""
    now = now or timezone.now()
    return review_queue(user, now=now).filter(is_critical=True, accepted=0).count()


# --- One request: its matches and its candidates -----------------------------------------------


def request_matches(support_request) -> list[tuple[MatchStatus, list[Match]]]:
    """The request's matches grouped by status, in lifecycle order: [(status, matches), …]."""
    matches = support_request.matches.select_related("donor__user").order_by("-created_at", "-pk")
    grouped: dict[str, list[Match]] = {}
    for match in matches:
        grouped.setdefault(match.status, []).append(match)
    return [(MatchStatus(s), grouped[s]) for s in STATUS_ORDER if s in grouped]


def helper_counts(grouped) -> dict[str, int]:
    """Helpers accepted, proposals waiting, suggestions to review, from `request_matches`."""
    count = {status: len(matches) for status, matches in grouped}
    return {
        "accepted": sum(count.get(s, 0) for s in COMMITTED_STATUSES),
        "waiting": count.get(MatchStatus.PROPOSED, 0),
        "suggested": count.get(MatchStatus.SUGGESTED, 0),
    }


def candidate_filter(support_request, *, on_call=False, remote=False, min_level=None) -> Q:
    """Staff's narrowing of the pool: on call only, can work remotely, and at least `min_level`
    on every required skill of the request."""
    within = Q()
    if on_call:
        within &= Q(on_call=True)
    if remote:
        within &= Q(work_mode__in=[WorkMode.REMOTE, WorkMode.EITHER])
    if min_level:
        for row in support_request.request_skills.all():
            if row.required:
                holders = DonorSkill.objects.filter(skill_id=row.skill_id, level__gte=min_level)
                within &= Q(pk__in=holders.values("donor_id"))
    return within


@dataclass(frozen=True)
class CandidateRow:
    candidate: scoring.Candidate
    donor: Donor


def ranked_candidates(support_request, *, within=None, now=None) -> list[CandidateRow]:
    """The request's best candidates with their donors, resting ones in their place (marked)."""
    candidates = scoring.rank_candidates(
        support_request, limit=CANDIDATE_LIMIT, now=now, include_resting=True, within=within
    )
    donors = Donor.objects.select_related("user").in_bulk([c.donor_id for c in candidates])
    return [CandidateRow(c, donors[c.donor_id]) for c in candidates if c.donor_id in donors]


# --- Staff moves ---------------------------------------------------------------------------


def donor_name(donor) -> str:
    return donor.user.display_name or donor.user.email


@dataclass(frozen=True)
class Outcome:
    donor: Donor
    match: Match | None = None
    refusal: str = ""


def propose_candidates(*, request, donors, by, now=None) -> list[Outcome]:
    """Propose each donor for the request; one refused never stops the others."""
    open_matches = {m.donor_id: m for m in request.matches.open()}
    return [_propose_one(request, donor, open_matches.get(donor.pk), by, now) for donor in donors]


def _propose_one(request, donor, existing, by, now) -> Outcome:
    if existing is not None and existing.status != MatchStatus.SUGGESTED:
        return Outcome(donor, refusal=_already(existing))
    try:
        return Outcome(donor, services.propose_match(request=request, donor=donor, by=by, now=now))
    except services.MatchError as error:
        return Outcome(donor, refusal=str(error))
    except IntegrityError:  # a second submit won the race for the one open match of the pair
        return Outcome(donor, refusal=_("This volunteer already has a match on this request."))


def _already(match) -> str:
    return _("This volunteer is already %(status)s for this request.") % {
        "status": match.get_status_display().lower()
    }


def withdraw(match, *, by) -> str:
    """Call off a suggestion or a proposal; returns a refusal, or "" when done."""
    if match.status not in WITHDRAWABLE:
        return _("This match is %(status)s; only suggestions and proposals are withdrawn here.") % {
            "status": match.get_status_display().lower()
        }
    try:
        services.withdraw_match(match, by=by)
    except services.MatchError as error:
        return str(error)
    return ""


def promote(match, *, by, now=None) -> Outcome:
    """Propose a suggestion (staff's or the volunteer's "I can help") as it stands."""
    if match.status != MatchStatus.SUGGESTED:
        return Outcome(
            match.donor,
            refusal=_("This match is %(status)s; only a suggestion can be proposed.")
            % {"status": match.get_status_display().lower()},
        )
    return _propose_one(match.request, match.donor, match, by, now)
