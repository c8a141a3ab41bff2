"""Who could help with a support request, best first, and why.

Design (speed at scale): the hard filters are one Donor queryset (`Donor.objects.matchable()`
plus uncorrelated NOT IN subqueries, each hashed once by the database). Ranking wraps it in one
SQL statement that starts from the donors' skills *of this request only*: those rows are summed
per donor (through a CASE whose values `skill_credit` computed, so SQL holds no rule of its
own), joined to the filtered donors and to their match history grouped once by donor (not a
count per donor, which cost a subquery per candidate), then ordered and cut to a short list in
the database, so ranking never loads the pool. The skills' rarity (IDF) is counted for every
skill at once and kept MATCHING_RARITY_SECONDS in the cache. The explanation is then built in
Python for the short list alone, with the same formulas, and the short list re-sorted by the
exact points, so what staff read is what ranked the candidate.

Score (0 to 100) = skill coverage (80) + hours fit (8) + proximity (4) + fairness (8):
- coverage is asymmetric: each of the request's skills carries a share of the 80 points by its
  weight — rarity in the matchable pool (IDF) times 2 when required, 1 when nice-to-have — and
  the donor earns that share at or above the minimum level, half of it one level below (a
  near miss, flagged). A skill only declared earns 90 % of that, one verified by attending a
  training (`DonorSkill.trained_at`) all of it. Skills the request does not name earn nothing
  and cost nothing.
- hours fit: the donor's weekly hours against the hours per week the request needs by its date.
- proximity: same region, or else same country.
- fairness: a bonus for the never-matched; others lose points per committed and recent match.
Changing any weight means bumping SCORING_VERSION: stored explanations name their version.

Trainings: `skill_credit()` is the one place a donor's level on a skill becomes credit, and
where a skill verified by a training earns its bonus; the explanation names the training.
"""

import dataclasses
import datetime
import functools
import hashlib
import itertools
import math
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, F, Max, OuterRef, Q, prefetch_related_objects
from django.utils import timezone

from donors.models import Conflict, Donor, DonorLanguage, DonorSkill, Level, WorkMode
from matching.models import (
    COMMITTED_STATUSES,
    MATCHED_STATUSES,
    CandidateRejection,
    Match,
    MatchStatus,
)

LEVELS = tuple(sorted(Level.values))  # read once: the enum builds the list on every access
SCORING_VERSION = 2  # 2: skills verified by a training earn more (skill_credit)
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
UNVERIFIED_CREDIT = 0.9  # a declared skill; one verified by attending a training earns 1
SHORTLIST_MARGIN = 2  # rank limit times this in SQL, then exact points decide the cut

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
    # Of the matchable pool, the share holding it one level short or better, at its minimum
    # or better, and at its minimum verified by a training: what narrowing expects a set to hold.
    shares: tuple[float, float, float] = (1.0, 1.0, 1.0)
    pool: int = 0  # the matchable pool's size


def skill_credit(level: int | None, min_level: int, *, trained: bool = False) -> float:
    """Share of a skill's points a donor earns: all of it at or above the minimum level, part of
    it one level short (a near miss), none otherwise; of that, a skill the donor only declared
    earns UNVERIFIED_CREDIT and one a training verified (`DonorSkill.trained_at`) all of it."""
    if level is None or level < min_level - 1:
        return 0.0
    credit = 1.0 if level >= min_level else NEAR_MISS_CREDIT
    return credit if trained else credit * UNVERIFIED_CREDIT


# --- Hard filters ------------------------------------------------------------------------------


def _full_donors():
    """Donors whose committed matches fill their capacity: one uncorrelated subquery the
    database hashes once, not a count per donor."""
    return (
        Match.objects.committed()
        .values("donor", "donor__capacity")
        .annotate(n=Count("pk"))
        .filter(n__gte=F("donor__capacity"))
        .values("donor")
    )


def _resting(now) -> Q:
    """Donors outside their ask budget, as a condition on donors: as many open proposals as
    MATCHING_MAX_OPEN_PROPOSALS, or a decline within MATCHING_DECLINE_COOLDOWN_DAYS."""
    busy = (
        Match.objects.proposed()
        .values("donor")
        .annotate(n=Count("donor"))  # not "pk": the partial index on donor alone answers it
        .filter(n__gte=settings.MATCHING_MAX_OPEN_PROPOSALS)
        .values("donor")
    )
    cooldown = now - datetime.timedelta(days=settings.MATCHING_DECLINE_COOLDOWN_DAYS)
    declined = Match.objects.filter(status=MatchStatus.DECLINED, answered_at__gte=cooldown)
    return Q(pk__in=busy) | Q(pk__in=declined.values("donor"))


def resting_donors(now=None):
    """Donors outside their ask budget: too many open proposals, or resting after a decline."""
    return Donor.objects.filter(_resting(now or timezone.now()))


def eligible_donors(support_request, *, now=None, keep_match=None, include_resting=False):
    """Every donor the request may be offered to (the hard filters).
    `keep_match`: a match on this request not to count as "already has a match" (proposing a
    suggested one re-checks the filters without the suggestion excluding its own donor).
    `include_resting`: keep donors outside their ask budget (see `resting_donors`) too."""
    now = now or timezone.now()
    donors = _eligible_but_capacity(
        support_request, now=now, keep_match=keep_match, include_resting=include_resting
    )
    return donors.exclude(pk__in=_full_donors())


def _eligible_but_capacity(support_request, *, now, keep_match, include_resting):
    """Every hard filter but capacity, which ranking checks against the match history it
    joins anyway (`_shortlist`)."""
    # The request's languages, read once for the filters here and `_among` later.
    prefetch_related_objects([support_request], "languages")
    today = timezone.localdate(now)
    fight = support_request.fight
    donors, _narrower = _selective(support_request, Donor.objects.matchable(today))
    donors = donors.filter(
        Q(available_from__isnull=True) | Q(available_from__lte=support_request.needed_by),
        Q(available_until__isnull=True) | Q(available_until__gte=today),
    )
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
    return donors if include_resting else donors.exclude(_resting(now))


def _selective(support_request, donors):
    """`donors` narrowed by the hard filters that keep few of them: vetting for a confidential
    fight, the languages the request names, the place of in-person work. Returns them and
    whether any applied (ranking at scale reads skills only among those donors)."""
    narrower = False
    if support_request.fight.is_confidential:
        donors, narrower = donors.vetted(), True
    codes = support_request.language_codes
    if codes:
        speakers = DonorLanguage.objects.filter(code__in=codes).values("donor_id")
        donors, narrower = donors.filter(pk__in=speakers), True
    if support_request.work_mode == WorkMode.IN_PERSON:
        donors = donors.exclude(work_mode=WorkMode.REMOTE).filter(**_place(support_request))
        narrower = True
    return donors, narrower


def _among(support_request, within=None):
    """The ids of the donors `_selective` keeps (and `within`, staff's filters, when given), as
    a query; None when it keeps everyone."""
    donors, narrower = _selective(support_request, Donor.objects.order_by())
    if within is not None:
        donors, narrower = donors.filter(within), True
    return donors.values("id") if narrower else None


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
    pool_size, levels = _rarity(timezone.localdate(now))

    def held(row, at_least, trained=False):
        counted = levels.get(row.skill_id, {}).items()
        return sum(
            n for (level, verified), n in counted if level >= at_least and verified >= trained
        )

    def weight(row):
        idf = math.log((pool_size + 1) / (held(row, 0) + 1)) + 1
        return idf * (REQUIRED_WEIGHT if row.required else NICE_WEIGHT)

    def shares(row):
        at = [
            held(row, row.min_level - 1),
            held(row, row.min_level),
            held(row, row.min_level, True),
        ]
        return tuple(n / max(pool_size, 1) for n in at)

    weights = [weight(row) for row in rows]
    return [
        _Need(
            skill_id=row.skill_id,
            name=row.skill.name,
            required=row.required,
            min_level=row.min_level,
            weight=round(w, 3),
            max_points=share,
            shares=shares(row),
            pool=pool_size,
        )
        for row, w, share in zip(rows, weights, _shares(weights), strict=True)
    ]


def _shares(weights) -> list[float]:
    """SKILL_POINTS split by weight, in hundredths that add up to exactly SKILL_POINTS (the last
    skill takes the rounding), so full marks are 100 and never a hundredth more."""
    total = sum(weights)
    shares = [round(SKILL_POINTS * w / total, 2) for w in weights[:-1]]
    return [*shares, round(SKILL_POINTS - sum(shares), 2)]


def _rarity(today) -> tuple[int, dict[int, dict[tuple[int, bool], int]]]:
    """The matchable pool's size and how many in it hold each skill, at each level, verified by
    a training or not: what IDF weighs (and narrowing expects). Counted for every skill at once
    and kept MATCHING_RARITY_SECONDS in the cache (Celery beat counts it again before then,
    `refresh_rarity`): rarity moves slowly, and counting it over the pool would otherwise be
    most of a ranking's work at scale."""
    return cache.get(_rarity_key(today)) or refresh_rarity(today)


def _rarity_key(today) -> str:
    return f"matching:rarity:levels:{today.isoformat()}"


def refresh_rarity(today=None) -> tuple[int, dict[int, dict[tuple[int, bool], int]]]:
    """Count the skills' rarity in the matchable pool (see `_rarity`) and keep it in the cache."""
    today = today or timezone.localdate()
    pool = Donor.objects.matchable(today)
    counted = (
        DonorSkill.objects.filter(donor__in=pool)
        .values("skill_id", "level")
        .annotate(trained=Q(trained_at__isnull=False), n=Count("pk"))
        .values_list("skill_id", "level", "trained", "n")
    )
    levels: dict[int, dict[tuple[int, bool], int]] = {}
    for skill_id, level, trained, n in counted:
        levels.setdefault(skill_id, {})[level, trained] = n
    rarity = (pool.count(), levels)
    cache.set(_rarity_key(today), rarity, settings.MATCHING_RARITY_SECONDS)
    return rarity


def _weekly_hours_needed(support_request, today) -> float:
    start = max(today, support_request.starts_on or today)
    weeks = max(1.0, (support_request.needed_by - start).days / 7)
    return support_request.hours_estimate / weeks


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
    donors = _eligible_but_capacity(
        support_request, now=now, keep_match=None, include_resting=include_resting
    )
    if within is not None:
        donors = donors.filter(within)
    return _rank(
        support_request,
        donors,
        limit=limit,
        now=now,
        holders_only=True,
        include_resting=include_resting,
        within=within,
    )


def score_donor(
    support_request, donor, *, now=None, keep_match=None, include_resting=False
) -> Candidate | None:
    """One donor's score for the request, or None when a hard filter rules them out (a resting
    donor counts as ruled out unless `include_resting`; then the candidate says so)."""
    now = now or timezone.now()
    donors = _eligible_but_capacity(
        support_request, now=now, keep_match=keep_match, include_resting=include_resting
    ).filter(pk=donor.pk)
    ranked = _rank(
        support_request,
        donors,
        limit=1,
        now=now,
        holders_only=False,
        include_resting=include_resting,
    )
    return ranked[0] if ranked else None


def _rank(
    support_request, donors, *, limit, now, holders_only, include_resting, within=None
) -> list[Candidate]:
    needs = _needs(support_request, now)
    hours_needed = _weekly_hours_needed(support_request, timezone.localdate(now))
    rows = _shortlist(
        support_request,
        donors,
        needs,
        hours_needed,
        now,
        size=limit * SHORTLIST_MARGIN,
        holders_only=holders_only and bool(needs),
        within=within,
    )
    donor_ids = [row["pk"] for row in rows]
    levels = _levels(donor_ids, needs)
    rests = _rests(donor_ids) if include_resting else {}
    candidates = [
        _with_rest(
            explain(support_request, needs, row, levels.get(row["pk"], {}), hours_needed),
            rests.get(row["pk"]),
            now,
        )
        for row in rows
    ]
    candidates.sort(key=lambda c: (not c.covers_all_required, -c.score, c.donor_id))
    return candidates[:limit]


# --- The shortlist: one SQL query ----------------------------------------------------------------


# A number as SQL: double precision, which sums and sorts faster than PostgreSQL's numeric.
REAL = "CAST(%s AS DOUBLE PRECISION)"


# One skill row of a donor as a number: its skill, level and whether a training verified it.
ROW_KEY = "(ds.skill_id * 4 + ds.level) * 2 + CASE WHEN ds.trained_at IS NULL THEN 0 ELSE 1 END"


def _row_key(skill_id, level, trained) -> int:
    return (skill_id * 4 + level) * 2 + trained


def _credit_cases(needs) -> tuple[str, str, list]:
    """SQL for the points one of the donor's skill rows earns and whether it meets a required
    minimum: a CASE over every (skill, level, trained) of the request, its values taken from
    `skill_credit`, so that stays the only rule and SQL only looks its results up."""
    points, met, points_params, met_params = [], [], [], []
    for need in needs:
        for level in LEVELS:
            for trained in (False, True):
                key = _row_key(need.skill_id, level, trained)
                credit = skill_credit(level, need.min_level, trained=trained)
                points.append(f"WHEN %s THEN {REAL}")
                points_params += [key, need.max_points * credit]
                if need.required and level >= need.min_level:
                    met.append("WHEN %s THEN 1")
                    met_params.append(key)
    points_sql = f"CASE {ROW_KEY} {' '.join(points)} ELSE 0 END"
    met_sql = f"CASE {ROW_KEY} {' '.join(met)} ELSE 0 END" if met else "0"
    return points_sql, met_sql, [*points_params, *met_params]


def _shortlist(
    support_request, donors, needs, hours_needed, now, *, size, holders_only, within=None
):
    """The best `size` of `donors` by the score computed in the database (`_ranked_rows`).

    At 100k donors, ranking every holder of a popular skill costs hundreds of milliseconds, so
    ranking first tries narrower sets of donors read from the skills indexes (`_narrowed`),
    each taken only when it provably holds the whole answer; the whole pool of holders is
    ranked only when none does. The answer is the same either way."""
    among = _among(support_request, within)
    if holders_only and needs:
        rows = _narrowed(support_request, donors, needs, hours_needed, now, size=size, among=among)
        if rows is not None:
            return rows
    return _ranked_rows(
        support_request,
        donors,
        needs,
        hours_needed,
        now,
        size=size,
        holders_only=holders_only,
        among=among,
    )


def _narrowed(support_request, donors, needs, hours_needed, now, *, size, among):
    """The shortlist ranked among a narrower set of donors that provably holds it, or None.

    1. When the selective hard filters keep at most MATCHING_NARROW_MAX / 2 donors: all of them.
    2. The donors covering every required skill, when at most as many: when `size` of them pass
       the filters, they are the answer (covering donors rank above everyone else).
    3. Everyone able to reach a score (`_within_reach`), the score picked so that the set is
       expected to hold twice `size` donors (`_expected`), a larger one when fewer pass the
       filters: ranked, they hold the answer when the last one shortlisted scores that much.
       When it scores less, that is a score the answer reaches (the seed), and everyone able
       to reach the seed is a set that always holds the answer.
    Sets only grow as the score falls: past MATCHING_NARROW_MAX donors, ranking them is no
    cheaper than ranking the pool.
    """
    ranked, reached = {}, {}  # the same set is never read or ranked twice

    def rank(ids):
        if len(ids) < size:
            return []  # too few to shortlist `size`: proves nothing and seeds nothing
        key = tuple(ids)
        if key not in ranked:
            ranked[key] = _ranked_rows(
                support_request, donors, needs, hours_needed, now, size=size, donor_ids=ids
            )
        return ranked[key]

    def within_reach(score):
        sets = tuple(_reaching_sets(needs, score))
        if sets not in reached:
            reached[sets] = _within_reach(needs, score, also=also, among=among)
        return reached[sets]

    # Ranking more than half MATCHING_NARROW_MAX donors costs more than reading a set of
    # those able to reach a score and ranking that (measured at 100k donors).
    most = settings.MATCHING_NARROW_MAX // 2
    share = 1.0  # of the pool, kept by the selective filters
    if among is not None:
        kept = _members([among], limit=most + 1)
        if kept is not None:
            return _ranked_rows(
                support_request,
                donors,
                needs,
                hours_needed,
                now,
                size=size,
                donor_ids=sorted(kept),
            )
        pool = max(need.pool for need in needs)
        share = min(1.0, _kept(among) / pool) if pool else 1.0
    required = [need for need in needs if need.required]
    covering = _covering(required, among=among, most=most) if required else None
    rows = rank(covering or [])
    if len(rows) == size:
        return rows
    # Covering donors rank first whatever their score: a set holding every donor able to reach
    # a score holds the answer's non-covering part only when it holds all covering ones too.
    also, whole = covering or [], not required or covering is not None
    scores, want, tries = _reach_scores(needs), 2 * size, settings.MATCHING_NARROW_TRIES
    seed = None
    while tries and seed is None and scores:
        # The best score whose set is expected to hold `want` donors; sets grow as scores fall.
        score = scores[_first(scores, lambda s, want=want: _expected(needs, s) * share >= want)]
        ids = within_reach(score)
        if ids is None:
            return None  # too many: and sets only grow as the score falls
        tries -= 1
        rows = rank(ids)
        if len(rows) < size:  # fewer than expected pass the filters: a larger set
            scores, want = [s for s in scores if s < score], max(4 * want, 4 * len(ids))
            continue
        last = rows[-1]
        if last["sql_score"] >= score and (last["covers"] or whole):
            return rows
        seed = (last["covers"], last["sql_score"])
    if seed is None or not (seed[0] or whole):
        return None
    # Everyone able to reach the seed: that set holds the answer (and the seed's own short list).
    rows = rank(within_reach(seed[1]) or [])
    return rows if len(rows) == size else None


def _kept(among) -> int:
    """How many donors the selective filters keep, kept MATCHING_RARITY_SECONDS in the cache
    like the skills' rarity (it only guides which set to try)."""
    sql, params = among.query.sql_with_params()
    key = "matching:kept:" + hashlib.sha256(repr((sql, params)).encode()).hexdigest()
    kept = cache.get(key)
    if kept is None:
        kept = among.order_by().count()
        cache.set(key, kept, settings.MATCHING_RARITY_SECONDS)
    return kept


def _covering(required, *, among=None, most) -> list[int] | None:
    """The ids of the donors holding every required skill at its minimum level, read from the
    skills indexes alone; None when more than `most`."""
    held = _holding([(need, _HELD) for need in required], among=among)
    found = _members([held], limit=most + 1)
    return None if found is None else sorted(found)


def _first(items, test) -> int:
    """The index of the first of `items` passing `test`, which fails up to some index and
    passes from there on (the last index when none passes): a binary search."""
    low, high = 0, len(items) - 1
    while low < high:
        middle = (low + high) // 2
        if test(items[middle]):
            high = middle
        else:
            low = middle + 1
    return low


def _within_reach(needs, score, *, also, among=None) -> list[int] | None:
    """The ids of every donor who could score `score` or more, with `also`; None when more than
    MATCHING_NARROW_MAX, or when no set is needed. Read in one query: the holders of the two
    rarest skills of each reaching set (`_reaching_sets`), in the states it names, kept when
    their skills of the request, each counted at the best its state allows, reach the score."""
    sets = _reaching_sets(needs, score)
    if () in sets:
        return None  # anyone could: no narrower set
    cap = settings.MATCHING_NARROW_MAX
    rarest = {tuple(sorted(sorted(held, key=_rarity_of)[:2], key=_key)) for held in sets}
    candidates = _members([_holding(pairs) for pairs in sorted(rarest, key=_keys)])
    if among is not None:  # once, not in each set
        candidates = (
            Donor.objects.filter(pk__in=candidates, id__in=among)
            .order_by()
            .values(donor_id=F("pk"))
        )
    found = _reaching(needs, score, candidates, limit=cap + 1)
    if found is None or len(found | set(also)) > cap:
        return None
    return sorted(found | set(also))


def _rarity_of(pair) -> tuple[float, int, int]:
    """How rare holding a skill in a state is (ties broken by skill and state: a fixed order)."""
    need, state = pair
    return need.shares[state - 1], need.skill_id, state


def _key(pair) -> tuple[int, int]:
    return pair[0].skill_id, pair[1]


def _keys(pairs) -> list[tuple[int, int]]:
    """A fixed order for sets of pairs, so the same sets make the same query."""
    return [_key(pair) for pair in pairs]


def _reaching(needs, score, candidates, *, limit) -> set[int] | None:
    """The donors among `candidates` (a query of ids) whose skills of the request, each
    counted at the best its state allows (`_credit_at_best`), reach `score` with full
    modifiers; None when `limit` or more."""
    cases, params = [], []
    for need in needs:
        for level in LEVELS:
            for trained in (False, True):
                state = _state(need, level, trained)
                if state != _NONE:
                    cases.append(f"WHEN %s THEN {REAL}")
                    params += [_row_key(need.skill_id, level, trained), _best_points(need, state)]
    skill_ids = [need.skill_id for need in needs]
    candidates_sql, candidates_params = candidates.query.sql_with_params()
    # Only placeholders, fixed names and Django's own SQL are put together; values are params.
    # Each candidate's skills are summed through the (donor, skill) index, one by one: reading
    # every row of a popular skill to join them would cost more.
    sql = (
        f"SELECT c.donor_id FROM ({candidates_sql}) c WHERE ("  # noqa: S608
        f"SELECT SUM(CASE {ROW_KEY} {' '.join(cases)} ELSE 0 END) FROM donors_donorskill ds "
        f"WHERE ds.donor_id = c.donor_id AND ds.skill_id IN ({_marks(skill_ids)})"
        ") >= %s LIMIT %s"
    )
    params = [*candidates_params, *params, *skill_ids, score - MODIFIER_POINTS - 1e-6, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {donor_id for (donor_id,) in cursor.fetchall()}
    return found if len(found) < limit else None


# How a donor holds one of the request's skills, as far as the bounds go, least first: not
# within a level of its minimum; one level short (a near miss, at best verified by a training);
# at its minimum or above; there and verified by a training. A donor in one state is in each
# lesser one too: "holding" a skill in a state means in it or a greater one.
_NONE, _NEAR, _HELD, _TRAINED = 0, 1, 2, 3


def _credit_at_best(need, state) -> float:
    if state == _NONE:
        return 0.0
    if state == _NEAR:
        return skill_credit(*_below(need), trained=True)
    return skill_credit(need.min_level, need.min_level, trained=state == _TRAINED)


def _state(need, level, trained) -> int:
    """The state of a donor holding the need's skill at `level`, verified by a training or not."""
    if level >= need.min_level:
        return _TRAINED if trained else _HELD
    return _NEAR if level == need.min_level - 1 else _NONE


def _best_points(need, state) -> float:
    return need.max_points * _credit_at_best(need, state)


@functools.lru_cache(maxsize=1024)
def _states(need) -> tuple[int, ...]:
    """The states a donor can be in for this need (no near miss below the lowest level)."""
    if _below(need)[0] is None:
        return (_NONE, _HELD, _TRAINED)
    return (_NONE, _NEAR, _HELD, _TRAINED)


def _vector_score(needs, vector) -> float:
    """The most a donor can score holding the request's skills in the states of `vector`: each
    at the best its state allows (`_credit_at_best`), full modifiers."""
    points = sum(_best_points(need, state) for need, state in zip(needs, vector, strict=True))
    return points + MODIFIER_POINTS


@functools.lru_cache(maxsize=256)
def _weighed(needs, most=5) -> dict[tuple[int, ...], float]:
    """Every way of holding the request's skills (a state per skill), least first so that a
    way comes after every way it holds more than, with its best score (`_vector_score`); none
    past `most` skills (4 ** most ways: too many to weigh)."""
    if len(needs) > most:
        return {}
    vectors = sorted(itertools.product(*(_states(need) for need in needs)), key=sum)
    return {vector: _vector_score(needs, vector) for vector in vectors}


def _reach_scores(needs) -> list[float]:
    """The scores worth trying to reach, best first: the best score of each way of holding the
    request's skills, but what anyone could score (full modifiers alone)."""
    scores = {round(best, 6) for best in _weighed(tuple(needs)).values()}
    return sorted((score for score in scores if score > MODIFIER_POINTS), reverse=True)


def _reaching_sets(needs, score) -> list[tuple[tuple[_Need, int], ...]]:
    """The least ways of holding the request's skills whose holders could score `score`, as
    pairs of a need and its state: every way that could, none holding more than another one
    that could (what a donor can score at best only grows with how they hold each skill, so a
    way is one of the least when holding any skill one state less could not).
    [()] when anyone could, or the request has too many skills."""
    needs = tuple(needs)
    weighed = _weighed(needs)
    if not weighed:
        return [()]
    reach = score - 1e-6  # never leave out a donor for a float's last digit

    def least(vector):
        for i, state in enumerate(vector):
            if state != _NONE:
                states = _states(needs[i])
                lower = (*vector[:i], states[states.index(state) - 1], *vector[i + 1 :])
                if weighed[lower] >= reach:
                    return False
        return True

    return [
        tuple((need, state) for need, state in zip(needs, vector, strict=True) if state)
        for vector, best in weighed.items()
        if best >= reach and least(vector)
    ]


def _expected(needs, score) -> float:
    """How many donors of the pool the sets able to reach `score` are expected to hold, skills
    taken as independent: what narrowing uses to pick the score to try (never whether an
    answer is right)."""
    total = 0.0
    for held in _reaching_sets(needs, score):
        share = 1.0
        for need, state in held:
            share *= need.shares[state - 1]
        total += share
    return total * max((need.pool for need in needs), default=0)


MODIFIER_POINTS = HOURS_POINTS + PROXIMITY_POINTS + FAIRNESS_POINTS


def _below(need) -> tuple[int | None, int]:
    """skill_credit's arguments for the level just under the minimum (None when there is none)."""
    below = need.min_level - 1 if need.min_level > LEVELS[0] else None
    return below, need.min_level


def _holding(held, *, among=None):
    """The ids of the donors holding each skill of `held` (pairs of a need and a state: one
    level short, at the minimum, or there verified by a training) as a query: the rarest
    holders, each checked for the other skills in the (donor, skill) index; only donors
    `among` when given."""

    def share(pair):
        need, state = pair
        return need.shares[state - 1], need.skill_id

    def holding(need, state, **donor):
        at_least = need.min_level - 1 if state == _NEAR else need.min_level
        rows = DonorSkill.objects.filter(skill_id=need.skill_id, level__gte=at_least, **donor)
        return rows.filter(trained_at__isnull=False) if state == _TRAINED else rows

    rarest, *others = sorted(held, key=share)
    members = holding(*rarest)
    for need, state in others:
        members = members.filter(Exists(holding(need, state, donor_id=OuterRef("donor_id"))))
    if among is not None:
        members = members.filter(donor_id__in=among)
    return members.order_by().values_list("donor_id", flat=True)


def _members(queries, *, limit=None):
    """The ids any of `queries` finds, in one query; None when `limit` or more. Read with the
    cursor: thousands of ids through the ORM's row iterator cost more than the query. Without
    `limit`, the query itself (to read inside another)."""
    first, *rest = queries
    union = first.union(*rest) if rest else first
    if limit is None:
        return union
    sql, params = union[:limit].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {donor_id for (donor_id,) in cursor.fetchall()}
    return found if len(found) < limit else None


def _ranked_rows(
    support_request,
    donors,
    needs,
    hours_needed,
    now,
    *,
    size,
    holders_only=True,
    donor_ids=None,
    among=None,
):
    """The best `size` of `donors` (only those in `donor_ids` when given) by the score computed
    in one SQL statement: their skills of this request summed per donor through the credit
    table, their match history grouped once per donor and joined (not counted per donor), then
    ordered and cut. Skills and history are read only for the donors in `donor_ids`, or else
    `among` (a query of ids, `_among`), when given. Returns plain rows."""
    only_donors, only_donors_params = "", []
    if donor_ids is not None:
        one_of, only_params = _one_of(donor_ids)
        only = f" AND donor_id {one_of}"
        # On the outer query, not `donors.filter(pk__in=…)`: one array, not a placeholder per id.
        only_donors, only_donors_params = f" AND d.id {one_of}", only_params
    elif among is not None:
        among_sql, among_params = among.query.sql_with_params()
        only, only_params = f" AND donor_id IN ({among_sql})", list(among_params)
    else:
        only, only_params = "", []
    ctes, params = [], []
    held_join, skill_points, required_met = "", "0", "0"
    if needs:
        points_case, met_case, credit_params = _credit_cases(needs)
        skill_ids = [n.skill_id for n in needs]
        ctes.append(
            f"held AS (SELECT ds.donor_id, SUM({points_case}) AS points, "  # noqa: S608
            f"SUM({met_case}) AS met FROM donors_donorskill ds "
            f"WHERE ds.skill_id IN ({_marks(skill_ids)}){only} GROUP BY ds.donor_id)"
        )
        params += [*credit_params, *skill_ids, *only_params]
        held_join = f"{'' if holders_only else 'LEFT '}JOIN held ON held.donor_id = d.id"
        skill_points, required_met = "COALESCE(held.points, 0)", "COALESCE(held.met, 0)"
    matched, committed = list(MATCHED_STATUSES), list(COMMITTED_STATUSES)
    ctes.append(
        "history AS (SELECT donor_id, "  # noqa: S608
        f"SUM(CASE WHEN status IN ({_marks(committed)}) THEN 1 ELSE 0 END) AS committed, "
        f"SUM(CASE WHEN answered_at >= %s THEN 1 ELSE 0 END) AS recent, "
        "COUNT(*) AS matched "
        f"FROM matching_match WHERE status IN ({_marks(matched)}){only} GROUP BY donor_id)"
    )
    recent_since = now - datetime.timedelta(days=settings.MATCHING_RECENT_DAYS)
    params += [*committed, recent_since, *matched, *only_params]
    base, base_params = (
        donors.order_by()
        .values("id", "weekly_hours", "region", "country", "capacity")
        .query.sql_with_params()
    )
    points, points_params = _modifier_points_sql(support_request, hours_needed)
    params += [sum(n.required for n in needs), *points_params, *base_params]
    params += [*only_donors_params, size]
    # Only placeholders, fixed names and Django's own SQL are put together; values are params.
    sql = (
        f"WITH {', '.join(ctes)} SELECT * FROM ("  # noqa: S608
        "SELECT d.id, d.weekly_hours, d.region, d.country, COALESCE(h.committed, 0), "
        "COALESCE(h.recent, 0), COALESCE(h.matched, 0), "
        f"CASE WHEN {required_met} >= %s THEN 1 ELSE 0 END AS covers, "
        f"{skill_points} + {points} AS score "
        f"FROM ({base}) d {held_join} LEFT JOIN history h ON h.donor_id = d.id "
        f"WHERE COALESCE(h.committed, 0) < d.capacity{only_donors}"
        ") ranked ORDER BY covers DESC, score DESC, id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [dict(zip(SHORTLIST_COLUMNS, row, strict=True)) for row in cursor.fetchall()]


SHORTLIST_COLUMNS = (
    "pk",
    "weekly_hours",
    "region",
    "country",
    "committed_count",
    "recent_count",
    "matched_count",
    "covers",
    "sql_score",
)


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values))


def _one_of(ids) -> tuple[str, list]:
    """SQL for "is one of these ids": on PostgreSQL one array parameter (thousands of
    placeholders cost more to pass than the query takes to run), elsewhere one each."""
    if connection.vendor == "postgresql":
        return "= ANY(%s)", [list(ids)]
    return f"IN ({_marks(ids)})", list(ids)


def _modifier_points_sql(support_request, hours_needed) -> tuple[str, list]:
    """Hours fit + proximity + fairness in SQL, the same formulas as `_hours_fit`,
    `_proximity` and `_fairness` below (which make the exact points of the short list)."""
    region, country = _where(support_request)
    hours = f"CASE WHEN d.weekly_hours >= {REAL} THEN {REAL} ELSE d.weekly_hours * {REAL} END"
    params = [hours_needed, HOURS_POINTS, HOURS_POINTS / hours_needed]
    proximity = f"CASE WHEN d.country = %s THEN {REAL} ELSE 0 END"
    place = [str(country), SAME_COUNTRY_POINTS]
    if region:
        proximity = f"CASE WHEN d.region = %s THEN {REAL} {proximity[5:]}"
        place = [region, PROXIMITY_POINTS, *place]
    lost = f"({REAL} - COALESCE(h.committed, 0) * {REAL} - COALESCE(h.recent, 0) * {REAL})"
    lost_params = [FAIRNESS_BASE, FAIRNESS_PER_COMMITTED, FAIRNESS_PER_RECENT]
    fairness = f"CASE WHEN h.matched IS NULL THEN {REAL} WHEN {lost} > 0 THEN {lost} ELSE 0 END"
    fairness_params = [FAIRNESS_POINTS, *lost_params, *lost_params]
    sql = f"({hours}) + ({proximity}) + ({fairness})"
    return sql, [*params, *place, *fairness_params]


def _where(support_request) -> tuple[str, str]:
    """The request's region and country, else its fight's."""
    fight = support_request.fight
    return support_request.region or fight.region, support_request.country or fight.country


def _rests(donor_ids) -> dict[int, dict]:
    """What the ask budget counts, for the short list only: open proposals, last decline."""
    rows = (
        Match.objects.filter(
            donor_id__in=donor_ids, status__in=[MatchStatus.PROPOSED, MatchStatus.DECLINED]
        )
        .values("donor")
        .annotate(
            proposed=Count("pk", filter=Q(status=MatchStatus.PROPOSED)),
            last_declined=Max("answered_at", filter=Q(status=MatchStatus.DECLINED)),
        )
        .order_by()
    )
    return {row["donor"]: row for row in rows}


def _with_rest(candidate, rest, now) -> Candidate:
    """Mark a candidate outside the ask budget (the same rule as `resting_donors`)."""
    if rest is None:
        return candidate
    cooldown = datetime.timedelta(days=settings.MATCHING_DECLINE_COOLDOWN_DAYS)
    declined = rest["last_declined"]
    until = declined + cooldown if declined and declined + cooldown >= now else None
    if rest["proposed"] >= settings.MATCHING_MAX_OPEN_PROPOSALS:
        reason = RESTING_OPEN_PROPOSALS
    else:
        reason = RESTING_DECLINED if until else ""
    return dataclasses.replace(candidate, resting_until=until, resting_reason=reason)


class _Held(NamedTuple):
    level: int
    trained_at: datetime.datetime | None
    trained_in: str


def _levels(donor_ids, needs) -> dict[int, dict[int, _Held]]:
    """The short list's skills of this request: {donor id: {skill id: level, training}}."""
    levels: dict[int, dict[int, _Held]] = {}
    rows = DonorSkill.objects.filter(
        donor_id__in=donor_ids, skill_id__in=[n.skill_id for n in needs]
    ).values_list("donor_id", "skill_id", "level", "trained_at", "trained_in")
    for donor_id, skill_id, *held in rows:
        levels.setdefault(donor_id, {})[skill_id] = _Held(*held)
    return levels


# --- Explanation -----------------------------------------------------------------------------


def _points(value: float) -> float:
    return round(value, 2)


def explain(support_request, needs, row, levels, hours_needed) -> Candidate:
    """One candidate's score, factor by factor; the points add up to the score."""
    skills = []
    for need in needs:
        held = levels.get(need.skill_id)
        level = held.level if held else None
        trained = held is not None and held.trained_at is not None
        credit = skill_credit(level, need.min_level, trained=trained)
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
                "near_miss": level is not None and level == need.min_level - 1,
                # Verified by attending a training, and which one (the trainings app sets them).
                "trained": trained,
                "trained_in": held.trained_in if trained else "",
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
