"""Who could help with a support request, best first, and why.

Design: hard filters and the whole score are one SQL query over `Donor.objects.matchable()`
(a join to the donors' skills *of this request only*, grouped by donor, plus correlated counts
of their matches), ordered and cut in the database, so ranking never loads the pool. The
explanation is then built in Python for the short list alone, with the same formulas, and the
short list re-sorted by the exact points, so what staff read is what ranked the candidate.

Score (0 to 100) = skill coverage (80) + hours fit (8) + proximity (4) + fairness (8):
- coverage is asymmetric: each of the request's skills carries a share of the 80 points by its
  weight — rarity in the matchable pool (IDF) times 2 when required, 1 when nice-to-have — and
  the donor earns that share at or above the minimum level, half of it one level below (a
  near miss, flagged). Skills the request does not name earn nothing and cost nothing.
- hours fit: the donor's weekly hours against the hours per week the request needs by its date.
- proximity: same region, or else same country.
- fairness: a bonus for the never-matched; others lose points per committed and recent match.
Changing any weight means bumping SCORING_VERSION: stored explanations name their version.

Trainings hook: `skill_credit()` is the one place a donor's level on a skill becomes credit;
skills verified by attending a training get their bonus there (and a new version).
"""

import dataclasses
import datetime
import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from donors.models import Conflict, Donor, DonorLanguage, DonorSkill, WorkMode
from matching.models import COMMITTED_STATUSES, CandidateRejection, Match, MatchStatus

SCORING_VERSION = 1
SKILL_POINTS = 80.0
HOURS_POINTS = 8.0
PROXIMITY_POINTS = 4.0
SAME_COUNTRY_POINTS = 2.0
FAIRNESS_POINTS = 8.0  # never matched
FAIRNESS_BASE = 6.0  # matched before, nothing current
FAIRNESS_PER_COMMITTED = 3.0
FAIRNESS_PER_RECENT = 1.5
REQUIRED_WEIGHT = 2.0
NICE_WEIGHT = 1.0
NEAR_MISS_CREDIT = 0.5
SHORTLIST_MARGIN = 2  # rank limit times this in SQL, then exact points decide the cut

MATCHED_STATUSES = (MatchStatus.ACCEPTED, MatchStatus.ACTIVE, MatchStatus.COMPLETED)

# Why a candidate is resting (outside the ask budget), in Candidate.resting_reason.
RESTING_DECLINED = "declined"  # declined a proposal lately; rests until `resting_until`
RESTING_OPEN_PROPOSALS = "open_proposals"  # as many open proposals as MATCHING_MAX_OPEN_PROPOSALS


@dataclass(frozen=True)
class Candidate:
    """A ranked donor. Resting donors appear only with `include_resting=True`: their
    `resting_reason` is RESTING_OPEN_PROPOSALS when they have too many open proposals (the rest
    ends when one is answered, so no date), else RESTING_DECLINED. `resting_until` is when the
    cooldown after their last decline ends, whenever one is running (also beside too many
    proposals). A donor outside the budget is ""/None; proposing a resting donor is refused."""

    donor_id: int
    score: float
    covers_all_required: bool
    explanation: dict
    resting_until: datetime.datetime | None = None
    resting_reason: str = ""

    @property
    def is_resting(self) -> bool:
        return bool(self.resting_reason)


@dataclass(frozen=True)
class _Need:
    skill_id: int
    name: str
    required: bool
    min_level: int
    weight: float
    max_points: float


def skill_credit(level: int | None, min_level: int) -> float:
    """Share of a skill's points a donor earns: all of it at or above the minimum level, part of
    it one level short (a near miss), none otherwise."""
    if level is None:
        return 0.0
    if level >= min_level:
        return 1.0
    return NEAR_MISS_CREDIT if level == min_level - 1 else 0.0


# --- Hard filters ------------------------------------------------------------------------------


def _count(matches):
    """A correlated count of the outer donor's matches in `matches`, 0 when none."""
    counted = matches.filter(donor=OuterRef("pk")).values("donor").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), 0)


def _with_counts(donors, now):
    recent_since = now - datetime.timedelta(days=settings.MATCHING_RECENT_DAYS)
    return donors.annotate(
        committed_count=_count(Match.objects.filter(status__in=COMMITTED_STATUSES)),
        recent_count=_count(
            Match.objects.filter(status__in=MATCHED_STATUSES, answered_at__gte=recent_since)
        ),
        matched_count=_count(Match.objects.filter(status__in=MATCHED_STATUSES)),
        proposed_count=_count(Match.objects.proposed()),
        last_declined_at=Subquery(
            Match.objects.filter(donor=OuterRef("pk"), status=MatchStatus.DECLINED)
            .values("donor")
            .annotate(last=Max("answered_at"))
            .values("last")
        ),
    )


def resting_donors(now=None):
    """Donors outside their ask budget: too many open proposals, or resting after a decline."""
    now = now or timezone.now()
    busy = (
        Match.objects.proposed()
        .values("donor")
        .annotate(n=Count("pk"))
        .filter(n__gte=settings.MATCHING_MAX_OPEN_PROPOSALS)
        .values("donor")
    )
    cooldown = now - datetime.timedelta(days=settings.MATCHING_DECLINE_COOLDOWN_DAYS)
    declined = Match.objects.filter(status=MatchStatus.DECLINED, answered_at__gte=cooldown)
    return Donor.objects.filter(Q(pk__in=busy) | Q(pk__in=declined.values("donor")))


def eligible_donors(support_request, *, now=None, keep_match=None, include_resting=False):
    """Every donor the request may be offered to (the hard filters), with their match counts.
    `keep_match`: a match on this request not to count as "already has a match" (proposing a
    suggested one re-checks the filters without the suggestion excluding its own donor).
    `include_resting`: keep donors outside their ask budget (see `resting_donors`) too."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    fight = support_request.fight
    donors = _with_counts(Donor.objects.matchable(today), now)
    if fight.is_confidential:
        donors = donors.vetted()
    donors = donors.filter(committed_count__lt=F("capacity"))
    donors = donors.filter(
        Q(available_from__isnull=True) | Q(available_from__lte=support_request.needed_by),
        Q(available_until__isnull=True) | Q(available_until__gte=today),
    )
    codes = support_request.language_codes
    if codes:
        speakers = DonorLanguage.objects.filter(code__in=codes).values("donor_id")
        donors = donors.filter(pk__in=speakers)
    if support_request.work_mode == WorkMode.IN_PERSON:
        donors = donors.exclude(work_mode=WorkMode.REMOTE).filter(**_place(support_request))
    if fight.target_employer_normalized:
        conflicted = Conflict.objects.filter(normalized_name=fight.target_employer_normalized)
        donors = donors.exclude(pk__in=conflicted.values("donor_id"))
    rejected = CandidateRejection.objects.filter(request=support_request)
    existing = Match.objects.filter(request=support_request)
    if keep_match is not None:
        existing = existing.exclude(pk=keep_match.pk)
    donors = donors.exclude(pk__in=rejected.values("donor_id")).exclude(
        pk__in=existing.values("donor_id")
    )
    if include_resting:
        return donors
    return donors.exclude(pk__in=resting_donors(now).values("pk"))


def _place(support_request) -> dict:
    """Where in-person work happens: the request's region, else its fight's, else the country."""
    region = support_request.region or support_request.fight.region
    if region:
        return {"region": region}
    return {"country": support_request.country or support_request.fight.country}


# --- Score ---------------------------------------------------------------------------------


def _needs(support_request, now) -> list[_Need]:
    rows = list(support_request.request_skills.select_related("skill"))
    if not rows:
        return []
    pool = Donor.objects.matchable(timezone.localdate(now))
    pool_size = pool.count()
    holders = dict(
        DonorSkill.objects.filter(skill_id__in=[r.skill_id for r in rows], donor__in=pool)
        .values("skill_id")
        .annotate(n=Count("pk"))
        .values_list("skill_id", "n")
    )

    def weight(row):
        idf = math.log((pool_size + 1) / (holders.get(row.skill_id, 0) + 1)) + 1
        return idf * (REQUIRED_WEIGHT if row.required else NICE_WEIGHT)

    weights = [weight(row) for row in rows]
    total = sum(weights)
    return [
        _Need(
            skill_id=row.skill_id,
            name=row.skill.name,
            required=row.required,
            min_level=row.min_level,
            weight=round(w, 3),
            max_points=SKILL_POINTS * w / total,
        )
        for row, w in zip(rows, weights, strict=True)
    ]


def _weekly_hours_needed(support_request, today) -> float:
    start = max(today, support_request.starts_on or today)
    weeks = max(1.0, (support_request.needed_by - start).days / 7)
    return support_request.hours_estimate / weeks


def _sql_points(support_request, needs, hours_needed):
    """The score as SQL over the donor joined to their skills of this request."""
    skill_points = Value(0.0)
    required_met = Value(0)
    if needs:
        skill_points = Coalesce(
            Sum(
                Case(
                    *(
                        When(
                            donor_skills__skill_id=n.skill_id,
                            donor_skills__level__gte=n.min_level,
                            then=Value(n.max_points),
                        )
                        for n in needs
                    ),
                    *(
                        When(
                            donor_skills__skill_id=n.skill_id,
                            donor_skills__level=n.min_level - 1,
                            then=Value(n.max_points * NEAR_MISS_CREDIT),
                        )
                        for n in needs
                    ),
                    default=Value(0.0),
                    output_field=FloatField(),
                )
            ),
            Value(0.0),
        )
        required_met = Coalesce(
            Sum(
                Case(
                    *(
                        When(
                            donor_skills__skill_id=n.skill_id,
                            donor_skills__level__gte=n.min_level,
                            then=Value(1),
                        )
                        for n in needs
                        if n.required
                    ),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            ),
            Value(0),
        )
    hours = Case(
        When(weekly_hours__gte=hours_needed, then=Value(HOURS_POINTS)),
        default=F("weekly_hours") * Value(HOURS_POINTS / hours_needed),
        output_field=FloatField(),
    )
    region = support_request.region or support_request.fight.region
    country = support_request.country or support_request.fight.country
    proximity = Case(
        *([When(region=region, then=Value(PROXIMITY_POINTS))] if region else []),
        When(country=country, then=Value(SAME_COUNTRY_POINTS)),
        default=Value(0.0),
        output_field=FloatField(),
    )
    fairness = Case(
        When(matched_count=0, then=Value(FAIRNESS_POINTS)),
        default=Greatest(
            Value(0.0),
            Value(FAIRNESS_BASE)
            - F("committed_count") * Value(FAIRNESS_PER_COMMITTED)
            - F("recent_count") * Value(FAIRNESS_PER_RECENT),
        ),
        output_field=FloatField(),
    )
    return skill_points, required_met, hours + proximity + fairness


def rank_candidates(
    support_request, *, limit=20, now=None, include_resting=False, within=None
) -> list[Candidate]:
    """The best `limit` eligible donors for the request, best first: those covering every
    required skill first, then by score, then by donor id (stable). Donors holding none of the
    request's skills are not candidates. Donors outside their ask budget are left out, unless
    `include_resting`: then they are ranked in their place and marked (`Candidate.is_resting`).
    `within`: a Q on Donor narrowing the pool further (staff's filters: on call, remote …);
    it never widens it, and scores are computed as without it."""
    now = now or timezone.now()
    needs = _needs(support_request, now)
    donors = eligible_donors(support_request, now=now, include_resting=include_resting)
    if within is not None:
        donors = donors.filter(within)
    if needs:
        donors = donors.filter(donor_skills__skill_id__in=[n.skill_id for n in needs])
    return _rank(support_request, donors, needs=needs, limit=limit, now=now)


def score_donor(
    support_request, donor, *, now=None, keep_match=None, include_resting=False
) -> Candidate | None:
    """One donor's score for the request, or None when a hard filter rules them out (a resting
    donor counts as ruled out unless `include_resting`; then the candidate says so)."""
    now = now or timezone.now()
    donors = eligible_donors(
        support_request, now=now, keep_match=keep_match, include_resting=include_resting
    ).filter(pk=donor.pk)
    needs = _needs(support_request, now)
    ranked = _rank(support_request, donors, needs=needs, limit=1, now=now)
    return ranked[0] if ranked else None


def _rank(support_request, donors, *, needs, limit, now) -> list[Candidate]:
    hours_needed = _weekly_hours_needed(support_request, timezone.localdate(now))
    skill_points, required_met, modifiers = _sql_points(support_request, needs, hours_needed)
    n_required = sum(n.required for n in needs)
    shortlist = (
        donors.annotate(skill_points=skill_points, required_met=required_met)
        .annotate(
            rank_points=F("skill_points") + modifiers,
            covers=Case(When(required_met__gte=n_required, then=Value(1)), default=Value(0)),
        )
        .order_by("-covers", "-rank_points", "pk")
        .values(
            "pk",
            "weekly_hours",
            "region",
            "country",
            "committed_count",
            "recent_count",
            "matched_count",
            "proposed_count",
            "last_declined_at",
        )[: limit * SHORTLIST_MARGIN]
    )
    rows = list(shortlist)
    levels = _levels([row["pk"] for row in rows], needs)
    candidates = [
        _with_rest(
            explain(support_request, needs, row, levels.get(row["pk"], {}), hours_needed), row, now
        )
        for row in rows
    ]
    candidates.sort(key=lambda c: (not c.covers_all_required, -c.score, c.donor_id))
    return candidates[:limit]


def _with_rest(candidate, row, now) -> Candidate:
    """Mark a candidate outside the ask budget (the same rule as `resting_donors`)."""
    cooldown = datetime.timedelta(days=settings.MATCHING_DECLINE_COOLDOWN_DAYS)
    declined = row["last_declined_at"]
    until = declined + cooldown if declined and declined + cooldown >= now else None
    if row["proposed_count"] >= settings.MATCHING_MAX_OPEN_PROPOSALS:
        reason = RESTING_OPEN_PROPOSALS
    else:
        reason = RESTING_DECLINED if until else ""
    return dataclasses.replace(candidate, resting_until=until, resting_reason=reason)


def _levels(donor_ids, needs) -> dict[int, dict[int, int]]:
    levels: dict[int, dict[int, int]] = {}
    rows = DonorSkill.objects.filter(
        donor_id__in=donor_ids, skill_id__in=[n.skill_id for n in needs]
    ).values_list("donor_id", "skill_id", "level")
    for donor_id, skill_id, level in rows:
        levels.setdefault(donor_id, {})[skill_id] = level
    return levels


# --- Explanation -----------------------------------------------------------------------------


def _points(value: float) -> float:
    return round(value, 2)


def explain(support_request, needs, row, levels, hours_needed) -> Candidate:
    """One candidate's score, factor by factor; the points add up to the score."""
    skills = []
    for need in needs:
        level = levels.get(need.skill_id)
        credit = skill_credit(level, need.min_level)
        skills.append(
            {
                "skill_id": need.skill_id,
                "skill": need.name,
                "required": need.required,
                "min_level": need.min_level,
                "level": level,
                "weight": need.weight,
                "max_points": _points(need.max_points),
                "points": _points(need.max_points * credit),
                "near_miss": credit == NEAR_MISS_CREDIT,
            }
        )
    missing = [s["skill"] for s in skills if s["required"] and not _meets(s)]
    modifiers = [
        _hours_fit(row["weekly_hours"], hours_needed),
        _proximity(support_request, row),
        _fairness(row),
    ]
    score = _points(sum(s["points"] for s in skills) + sum(m["points"] for m in modifiers))
    explanation = {
        "version": SCORING_VERSION,
        "skills": skills,
        "missing_required": missing,
        "modifiers": modifiers,
        "score": score,
    }
    return Candidate(
        donor_id=row["pk"], score=score, covers_all_required=not missing, explanation=explanation
    )


def _meets(skill) -> bool:
    return skill["level"] is not None and skill["level"] >= skill["min_level"]


def _hours_fit(weekly_hours, hours_needed) -> dict:
    points = HOURS_POINTS * min(1.0, weekly_hours / hours_needed)
    return {
        "factor": "hours_fit",
        "label": "Hours fit",
        "detail": f"{weekly_hours} h/week offered, about {hours_needed:.1f} h/week needed",
        "points": _points(points),
        "max_points": HOURS_POINTS,
    }


def _proximity(support_request, row) -> dict:
    region = support_request.region or support_request.fight.region
    country = support_request.country or support_request.fight.country
    if region and row["region"] == region:
        points, detail = PROXIMITY_POINTS, "Same region"
    elif row["country"] == country:
        points, detail = SAME_COUNTRY_POINTS, "Same country"
    else:
        points, detail = 0.0, "Elsewhere"
    return {
        "factor": "proximity",
        "label": "Proximity",
        "detail": detail,
        "points": points,
        "max_points": PROXIMITY_POINTS,
    }


def _fairness(row) -> dict:
    if row["matched_count"] == 0:
        points, detail = FAIRNESS_POINTS, "Never matched yet"
    else:
        points = max(
            0.0,
            FAIRNESS_BASE
            - row["committed_count"] * FAIRNESS_PER_COMMITTED
            - row["recent_count"] * FAIRNESS_PER_RECENT,
        )
        detail = f"{row['committed_count']} current, {row['recent_count']} recent matches"
    return {
        "factor": "fairness",
        "label": "Fairness",
        "detail": detail,
        "points": _points(points),
        "max_points": FAIRNESS_POINTS,
    }
