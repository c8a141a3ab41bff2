import datetime
import math

import pytest
from django.utils import timezone

from donors.services import vet_donor
from matching import scoring
from matching.models import CandidateRejection, Match, MatchStatus
from tests.factories import (
    ConflictFactory,
    DonorFactory,
    DonorLanguageFactory,
    DonorSkillFactory,
    FightFactory,
    RequestLanguageFactory,
    RequestSkillFactory,
    SkillFactory,
    StaffFactory,
    SupportRequestFactory,
)

pytestmark = pytest.mark.django_db


def donor_with(*skill_levels, **fields):
    donor = DonorFactory(**fields)
    for skill, level in skill_levels:
        DonorSkillFactory(donor=donor, skill=skill, level=level)
    return donor


def ranked(request, **kwargs):
    return {c.donor_id: c for c in scoring.rank_candidates(request, **kwargs)}


@pytest.fixture
def skill():
    return SkillFactory(name="Poster screen printing")


@pytest.fixture
def request_for(skill):
    support_request = SupportRequestFactory()
    RequestSkillFactory(request=support_request, skill=skill, required=True, min_level=2)
    return support_request


def test_rank_candidates_returns_scored_candidates_best_first(request_for, skill):
    lead = donor_with((skill, 3), weekly_hours=10)
    near = donor_with((skill, 1), weekly_hours=10)

    candidates = scoring.rank_candidates(request_for)

    assert [c.donor_id for c in candidates] == [lead.pk, near.pk]
    assert candidates[0].covers_all_required is True
    assert candidates[1].covers_all_required is False
    assert candidates[1].explanation["missing_required"] == ["Poster screen printing"]
    assert candidates[1].explanation["skills"][0]["near_miss"] is True
    assert candidates[0].explanation["version"] == scoring.SCORING_VERSION
    assert 0 <= candidates[1].score < candidates[0].score <= 100


def test_rank_candidates_explanation_points_sum_to_score(request_for, skill):
    RequestSkillFactory(request=request_for, required=False)
    donor_with((skill, 2), weekly_hours=3, region="US-NY")

    (candidate,) = scoring.rank_candidates(request_for)

    parts = candidate.explanation["skills"] + candidate.explanation["modifiers"]
    assert round(sum(p["points"] for p in parts), 2) == candidate.score
    assert candidate.explanation["score"] == candidate.score
    assert {m["factor"] for m in candidate.explanation["modifiers"]} == {
        "hours_fit",
        "proximity",
        "fairness",
    }


def trained_donor_with(*skill_levels, training="Design for picket lines", **fields):
    donor = DonorFactory(**fields)
    for skill, level in skill_levels:
        DonorSkillFactory(
            donor=donor, skill=skill, level=level, trained_at=timezone.now(), trained_in=training
        )
    return donor


def test_rank_candidates_full_marks_reach_one_hundred_with_a_trained_skill(request_for, skill):
    trained = trained_donor_with((skill, 2), weekly_hours=40)
    declared = donor_with((skill, 2), weekly_hours=40)

    scores = ranked(request_for)

    assert (scores[trained.pk].score, scores[declared.pk].score) == (100, 92)


def test_rank_candidates_trained_donor_outranks_otherwise_equal_one(request_for, skill):
    declared = donor_with((skill, 3))
    trained = trained_donor_with((skill, 3), training="Screen printing night school")

    candidates = scoring.rank_candidates(request_for)

    assert [c.donor_id for c in candidates] == [trained.pk, declared.pk]
    (verified,) = candidates[0].explanation["skills"]
    (self_declared,) = candidates[1].explanation["skills"]
    assert (verified["trained"], verified["trained_in"], verified["points"]) == (
        True,
        "Screen printing night school",
        80.0,
    )
    assert (self_declared["trained"], self_declared["trained_in"], self_declared["points"]) == (
        False,
        "",
        72.0,
    )
    assert candidates[0].score - candidates[1].score == 8


def test_rank_candidates_trained_near_miss_earns_half_and_stays_flagged(request_for, skill):
    trained = trained_donor_with((skill, 1))
    declared = donor_with((skill, 1))

    scores = ranked(request_for)

    (verified,) = scores[trained.pk].explanation["skills"]
    (self_declared,) = scores[declared.pk].explanation["skills"]
    assert (verified["points"], verified["near_miss"]) == (40.0, True)
    assert (self_declared["points"], self_declared["near_miss"]) == (36.0, True)
    assert scores[trained.pk].covers_all_required is False


def test_rank_candidates_many_equal_skills_never_score_above_one_hundred():
    skills = [SkillFactory() for _ in range(3)]
    support_request = SupportRequestFactory()
    for each in skills:
        RequestSkillFactory(request=support_request, skill=each, required=True, min_level=1)
    donor = trained_donor_with(*[(each, 3) for each in skills], weekly_hours=40)

    (candidate,) = scoring.rank_candidates(support_request)

    points = [s["points"] for s in candidate.explanation["skills"]]
    assert points == [26.67, 26.67, 26.66]
    assert (candidate.donor_id, candidate.score) == (donor.pk, 100)


@pytest.mark.parametrize(
    "level,min_level,trained,credit",
    [
        (None, 1, False, 0.0),
        (None, 1, True, 0.0),
        (1, 3, True, 0.0),
        (1, 2, False, 0.45),
        (1, 2, True, 0.5),
        (2, 2, False, 0.9),
        (3, 2, True, 1.0),
        (3, 1, False, 0.9),
    ],
)
def test_skill_credit_values(level, min_level, trained, credit):
    assert scoring.skill_credit(level, min_level, trained=trained) == pytest.approx(credit)


def test_rank_candidates_extra_unrelated_skill_never_lowers_score(request_for, skill):
    plain = donor_with((skill, 2))
    broad = donor_with((skill, 2), (SkillFactory(), 3), (SkillFactory(), 1))

    scores = ranked(request_for)

    assert scores[broad.pk].score == scores[plain.pk].score


@pytest.mark.parametrize("lower,higher", [(1, 2), (2, 3), (1, 3)])
def test_rank_candidates_higher_level_never_lowers_score(request_for, skill, lower, higher):
    low = donor_with((skill, lower))
    high = donor_with((skill, higher))

    scores = ranked(request_for)

    assert scores[high.pk].score >= scores[low.pk].score


def test_rank_candidates_rare_skill_outweighs_common_one():
    rare, common = SkillFactory(), SkillFactory()
    support_request = SupportRequestFactory()
    RequestSkillFactory(request=support_request, skill=rare, required=False)
    RequestSkillFactory(request=support_request, skill=common, required=False)
    rare_donor = donor_with((rare, 2))
    common_donor = donor_with((common, 2))
    for _ in range(4):
        donor_with((common, 1))

    scores = ranked(support_request)

    assert scores[rare_donor.pk].score > scores[common_donor.pk].score


def test_rank_candidates_required_outweighs_nice_to_have():
    needed, nice = SkillFactory(), SkillFactory()
    support_request = SupportRequestFactory()
    RequestSkillFactory(request=support_request, skill=needed, required=True)
    RequestSkillFactory(request=support_request, skill=nice, required=False)
    has_required = donor_with((needed, 2))
    has_nice = donor_with((nice, 2))

    candidates = scoring.rank_candidates(support_request)

    assert [c.donor_id for c in candidates] == [has_required.pk, has_nice.pk]
    skills = {s["skill_id"]: s for s in candidates[0].explanation["skills"]}
    assert skills[needed.pk]["max_points"] > skills[nice.pk]["max_points"]


def test_rank_candidates_covers_all_required_before_higher_score():
    first, second = SkillFactory(), SkillFactory()
    extras = [SkillFactory() for _ in range(3)]
    support_request = SupportRequestFactory()
    RequestSkillFactory(request=support_request, skill=first, required=True)
    for extra in extras:
        RequestSkillFactory(request=support_request, skill=extra, required=False)
    partial = donor_with(*[(s, 3) for s in extras], weekly_hours=40)
    complete = donor_with((first, 1), weekly_hours=1, region="US-NY")
    RequestSkillFactory(request=support_request, skill=second, required=False)

    candidates = scoring.rank_candidates(support_request)

    assert [c.donor_id for c in candidates] == [complete.pk, partial.pk]
    assert candidates[0].score < candidates[1].score


def test_rank_candidates_ties_break_by_donor_id(request_for, skill):
    donors = [donor_with((skill, 2)) for _ in range(3)]

    assert [c.donor_id for c in scoring.rank_candidates(request_for)] == [d.pk for d in donors]


def test_rank_candidates_limit_cuts_the_list(request_for, skill):
    best = donor_with((skill, 3), weekly_hours=40)
    for _ in range(3):
        donor_with((skill, 1))

    assert [c.donor_id for c in scoring.rank_candidates(request_for, limit=1)] == [best.pk]


def test_rank_candidates_fairness_moves_just_matched_donor_below_equal_one(request_for, skill):
    just_matched = donor_with((skill, 2), capacity=3)
    fresh = donor_with((skill, 2))
    Match.objects.create(
        request=SupportRequestFactory(),
        donor=just_matched,
        status=MatchStatus.ACTIVE,
        answered_at=timezone.now(),
    )

    candidates = scoring.rank_candidates(request_for)

    assert [c.donor_id for c in candidates] == [fresh.pk, just_matched.pk]
    fairness = {m["factor"]: m for m in candidates[1].explanation["modifiers"]}["fairness"]
    assert fairness["points"] < scoring.FAIRNESS_POINTS


def test_rank_candidates_hours_fit_scales_with_weekly_hours(request_for, skill):
    request_for.hours_estimate = 30
    request_for.save()
    busy = donor_with((skill, 2), weekly_hours=1)
    roomy = donor_with((skill, 2), weekly_hours=20)

    scores = ranked(request_for)

    assert scores[roomy.pk].score > scores[busy.pk].score


# --- Hard filters: each one alone keeps an otherwise perfect donor out -----------------------


def hard_filter_cases():
    def conflict(request, donor):
        ConflictFactory(donor=donor, normalized_name=request.fight.target_employer_normalized)

    def full(request, donor):
        Match.objects.create(request=SupportRequestFactory(), donor=donor, status="accepted")

    def paused(request, donor):
        donor.paused_until = timezone.localdate() + datetime.timedelta(days=3)
        donor.save()

    def no_consent(request, donor):
        donor.contact_consent = False
        donor.save()

    def inactive_user(request, donor):
        donor.user.is_active = False
        donor.user.save()

    def no_shared_language(request, donor):
        RequestLanguageFactory(request=request, code="es")
        DonorLanguageFactory(donor=donor, code="en")

    def in_person_elsewhere(request, donor):
        request.work_mode = "in_person"
        request.save()
        donor.region = "US-NY"
        donor.save()

    def remote_only_for_in_person(request, donor):
        request.work_mode = "in_person"
        request.save()
        donor.work_mode = "remote"
        donor.save()

    def unvetted_for_confidential(request, donor):
        request.fight.visibility = "confidential"
        request.fight.save()

    def unavailable(request, donor):
        donor.available_from = request.needed_by + datetime.timedelta(days=1)
        donor.save()

    def availability_over(request, donor):
        donor.available_until = timezone.localdate() - datetime.timedelta(days=1)
        donor.save()

    def rejected(request, donor):
        CandidateRejection.objects.create(request=request, donor=donor)

    def already_matched(request, donor):
        Match.objects.create(request=request, donor=donor, status="declined")

    def too_many_open_proposals(request, donor):
        donor.capacity = 5
        donor.save()
        for _ in range(3):
            Match.objects.create(request=SupportRequestFactory(), donor=donor, status="proposed")

    def resting_after_decline(request, donor):
        Match.objects.create(
            request=SupportRequestFactory(),
            donor=donor,
            status="declined",
            answered_at=timezone.now() - datetime.timedelta(days=2),
        )

    return [
        conflict,
        full,
        paused,
        no_consent,
        inactive_user,
        no_shared_language,
        in_person_elsewhere,
        remote_only_for_in_person,
        unvetted_for_confidential,
        unavailable,
        availability_over,
        rejected,
        already_matched,
        too_many_open_proposals,
        resting_after_decline,
    ]


@pytest.mark.parametrize("rule_out", hard_filter_cases(), ids=lambda f: f.__name__)
def test_rank_candidates_hard_filter_excludes_donor(request_for, skill, rule_out):
    donor = donor_with((skill, 3), weekly_hours=40)
    control = donor_with((skill, 1))
    DonorLanguageFactory(donor=control, code="es")
    vet_donor(control, by=StaffFactory())

    rule_out(request_for, donor)

    assert list(ranked(request_for)) == [control.pk]
    assert scoring.score_donor(request_for, donor) is None


def test_rank_candidates_in_person_same_region_and_shared_language_pass(request_for, skill):
    request_for.work_mode = "in_person"
    request_for.save()
    RequestLanguageFactory(request=request_for, code="es")
    donor = donor_with((skill, 2), region=request_for.fight.region, work_mode="in_person")
    DonorLanguageFactory(donor=donor, code="es")

    assert list(ranked(request_for)) == [donor.pk]


def test_rank_candidates_vetted_donor_is_candidate_for_confidential_fight(skill):
    support_request = SupportRequestFactory(fight=FightFactory(visibility="confidential"))
    RequestSkillFactory(request=support_request, skill=skill)
    vetted, unvetted = donor_with((skill, 2)), donor_with((skill, 2))
    vet_donor(vetted, by=StaffFactory())

    assert list(ranked(support_request)) == [vetted.pk]
    assert unvetted.pk not in ranked(support_request)


def test_rank_candidates_conflict_matches_normalized_employer(request_for, skill):
    request_for.fight.target_employer_normalized = "acme logistics"
    request_for.fight.save()
    donor = donor_with((skill, 2))
    ConflictFactory(donor=donor, name="ACME  Logistics", normalized_name="acme logistics")

    assert ranked(request_for) == {}


def test_rank_candidates_donor_without_any_requested_skill_is_not_candidate(request_for):
    donor_with((SkillFactory(), 3))

    assert ranked(request_for) == {}


def test_rank_candidates_query_count_does_not_grow_with_pool(
    request_for, skill, django_assert_num_queries
):
    donor_with((skill, 2))
    scoring.rank_candidates(request_for)  # counts the skills' rarity into the cache
    with django_assert_num_queries(6) as captured:
        scoring.rank_candidates(request_for)
    for _ in range(3):
        donor_with((skill, 1), (SkillFactory(), 2))
    with django_assert_num_queries(len(captured.captured_queries)):
        scoring.rank_candidates(request_for)


def weights(support_request):
    (candidate, *_) = scoring.rank_candidates(support_request)
    return [s["weight"] for s in candidate.explanation["skills"]]


def test_rank_candidates_rarity_is_kept_for_the_cache_time(request_for, skill):
    donor_with((skill, 2))
    donor_with((SkillFactory(), 2))
    before = weights(request_for)

    donor_with((SkillFactory(), 2))

    assert weights(request_for) == before


def test_rank_candidates_rarity_is_counted_again_without_cache(request_for, skill, settings):
    settings.MATCHING_RARITY_SECONDS = 0
    donor_with((skill, 2))
    donor_with((SkillFactory(), 2))
    before = weights(request_for)

    donor_with((SkillFactory(), 2))

    assert weights(request_for) > before


# --- The ask budget: resting donors are left out, or ranked and marked on request --------------


def decline_at(donor, when):
    Match.objects.create(
        request=SupportRequestFactory(), donor=donor, status="declined", answered_at=when
    )


def propose_elsewhere(donor, times):
    for _ in range(times):
        Match.objects.create(request=SupportRequestFactory(), donor=donor, status="proposed")


def test_rank_candidates_include_resting_ranks_declined_donor_in_place_and_marks_rest(
    request_for, skill
):
    now = timezone.now()
    best = donor_with((skill, 3), weekly_hours=40)
    resting = donor_with((skill, 3), weekly_hours=20)
    fresh = donor_with((skill, 2), weekly_hours=1)
    declined = now - datetime.timedelta(days=2)
    decline_at(resting, declined)
    decline_at(resting, declined - datetime.timedelta(days=3))

    candidates = scoring.rank_candidates(request_for, now=now, include_resting=True)

    assert [c.donor_id for c in candidates] == [best.pk, resting.pk, fresh.pk]
    assert [(c.resting_reason, c.resting_until, c.is_resting) for c in candidates] == [
        ("", None, False),
        ("declined", declined + datetime.timedelta(days=14), True),
        ("", None, False),
    ]
    without = scoring.rank_candidates(request_for, now=now)
    assert [c.donor_id for c in without] == [best.pk, fresh.pk]
    assert without[1] == candidates[2]


def test_rank_candidates_include_resting_marks_too_many_open_proposals(request_for, skill):
    busy = donor_with((skill, 2), capacity=5)
    propose_elsewhere(busy, 3)

    (candidate,) = scoring.rank_candidates(request_for, include_resting=True)

    assert (candidate.donor_id, candidate.resting_reason) == (busy.pk, "open_proposals")
    assert candidate.resting_until is None
    assert scoring.rank_candidates(request_for) == []


def test_rank_candidates_include_resting_too_many_proposals_and_cooldown_gives_both(
    request_for, skill
):
    now = timezone.now()
    busy = donor_with((skill, 2), capacity=5)
    propose_elsewhere(busy, 3)
    decline_at(busy, now - datetime.timedelta(days=1))

    (candidate,) = scoring.rank_candidates(request_for, now=now, include_resting=True)

    assert candidate.resting_reason == "open_proposals"
    assert candidate.resting_until == now + datetime.timedelta(days=13)


@pytest.mark.parametrize("days_ago,resting", [(14, True), (15, False)])
def test_rank_candidates_decline_cooldown_ends_after_setting_days(
    request_for, skill, days_ago, resting
):
    now = timezone.now()
    donor = donor_with((skill, 2))
    decline_at(donor, now - datetime.timedelta(days=days_ago))

    (candidate,) = scoring.rank_candidates(request_for, now=now, include_resting=True)

    assert candidate.is_resting is resting
    assert [c.donor_id for c in scoring.rank_candidates(request_for, now=now)] == (
        [] if resting else [donor.pk]
    )


def test_rank_candidates_two_open_proposals_are_within_budget(request_for, skill):
    donor = donor_with((skill, 2), capacity=5)
    propose_elsewhere(donor, 2)

    (candidate,) = scoring.rank_candidates(request_for)

    assert (candidate.donor_id, candidate.resting_reason) == (donor.pk, "")


def test_rank_candidates_include_resting_keeps_the_other_hard_filters(request_for, skill):
    donor = donor_with((skill, 2))
    decline_at(donor, timezone.now())
    ConflictFactory(donor=donor, normalized_name=request_for.fight.target_employer_normalized)

    assert scoring.rank_candidates(request_for, include_resting=True) == []


def test_score_donor_include_resting_returns_marked_candidate(request_for, skill):
    donor = donor_with((skill, 2))
    decline_at(donor, timezone.now())

    assert scoring.score_donor(request_for, donor) is None
    assert scoring.score_donor(request_for, donor, include_resting=True).is_resting is True


def test_rank_candidates_gives_twenty_by_default(request_for, skill):
    for _ in range(21):
        donor_with((skill, 2))

    assert len(scoring.rank_candidates(request_for)) == 20


def modifier(candidate, factor):
    return {m["factor"]: m for m in candidate.explanation["modifiers"]}[factor]


def test_rank_candidates_counts_recent_matches_apart_from_current_ones(request_for, skill):
    donor = donor_with((skill, 2))
    Match.objects.create(
        request=SupportRequestFactory(),
        donor=donor,
        status=MatchStatus.COMPLETED,
        answered_at=timezone.now() - datetime.timedelta(days=5),
    )
    Match.objects.create(
        request=SupportRequestFactory(),
        donor=donor,
        status=MatchStatus.COMPLETED,
        answered_at=timezone.now() - datetime.timedelta(days=90),
    )

    (candidate,) = scoring.rank_candidates(request_for)

    fairness = modifier(candidate, "fairness")
    assert fairness["detail"] == "0 current, 1 recent matches"
    assert fairness["points"] == scoring.FAIRNESS_BASE - scoring.FAIRNESS_PER_RECENT


def test_rank_candidates_weighs_a_skill_by_its_rarity_in_the_pool(request_for, skill):
    donor_with((skill, 2))
    donor_with((skill, 1))
    donor_with((SkillFactory(), 2))
    # 3 matchable donors, 2 holding the skill: IDF log(4 / 3) + 1, doubled for a required skill.
    expected = round((math.log(4 / 3) + 1) * scoring.REQUIRED_WEIGHT, 3)

    assert weights(request_for) == [expected]


def test_rank_candidates_on_another_day_counts_that_days_pool_and_weeks(request_for, skill):
    """Ranking as of a later day: a donor paused until then counts in the skill's rarity, and
    the hours needed a week are spread over the weeks left from that day."""
    request_for.hours_estimate = 30
    request_for.needed_by = timezone.localdate() + datetime.timedelta(days=42)
    request_for.save()
    donor_with((skill, 2), weekly_hours=40)
    donor_with((SkillFactory(), 2))
    donor_with((skill, 2), paused_until=timezone.localdate() + datetime.timedelta(days=10))
    later = timezone.now() + datetime.timedelta(days=14)

    (first, *_) = scoring.rank_candidates(request_for, now=later)

    # That day: 3 matchable donors, 2 holding the skill; 4 weeks left, 7.5 h a week.
    assert [s["weight"] for s in first.explanation["skills"]] == [
        round((math.log(4 / 3) + 1) * scoring.REQUIRED_WEIGHT, 3)
    ]
    assert modifier(first, "hours_fit")["detail"] == "40 h/week offered, about 7.5 h/week needed"


def test_score_donor_scores_a_donor_holding_none_of_the_skills_by_modifiers(request_for, skill):
    donor = donor_with((SkillFactory(), 3), weekly_hours=40)

    candidate = scoring.score_donor(request_for, donor)

    assert candidate is not None and not candidate.covers_all_required
    assert [s["points"] for s in candidate.explanation["skills"]] == [0.0]
    assert candidate.score == sum(m["points"] for m in candidate.explanation["modifiers"])


def test_a_request_without_skills_ranks_eligible_donors_by_modifiers_alone():
    support_request = SupportRequestFactory(hours_estimate=2)
    near = DonorFactory(weekly_hours=40, region=support_request.region)
    far = DonorFactory(weekly_hours=1, country="CA", region="")

    candidates = scoring.rank_candidates(support_request)

    assert [c.donor_id for c in candidates] == [near.pk, far.pk]
    assert all(c.covers_all_required and not c.explanation["skills"] for c in candidates)
    assert candidates[0].score == sum(m["points"] for m in candidates[0].explanation["modifiers"])


def test_score_donor_reads_one_donor_in_a_fixed_number_of_queries(
    request_for, skill, django_assert_num_queries
):
    donor = donor_with((skill, 2))
    for _ in range(3):
        donor_with((skill, 3))
    scoring.score_donor(request_for, donor)  # counts the skills' rarity into the cache

    # The request's languages, its skills, the ranking, the donor's skills (rarity: cached).
    with django_assert_num_queries(4):
        assert scoring.score_donor(request_for, donor).donor_id == donor.pk
