"""The score's modifiers, factor by factor, the SQL short list agreeing with the exact points,
and the hard filters as a queryset (eligible_donors, resting_donors)."""

import datetime

import pytest
from django.utils import timezone

from matching import scoring
from matching.models import Match
from tests.factories import (
    DonorFactory,
    DonorSkillFactory,
    RequestSkillFactory,
    SkillFactory,
    SupportRequestFactory,
)

pytestmark = pytest.mark.django_db


def donor_with(skill, level=2, **fields):
    donor = DonorFactory(**fields)
    DonorSkillFactory(donor=donor, skill=skill, level=level)
    return donor


def modifiers(candidate) -> dict:
    return {m["factor"]: (m["detail"], m["points"]) for m in candidate.explanation["modifiers"]}


def match(donor, status, days_ago=1, request=None):
    return Match.objects.create(
        request=request or SupportRequestFactory(),
        donor=donor,
        status=status,
        answered_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


@pytest.fixture
def skill():
    return SkillFactory(name="Banner painting")


@pytest.fixture
def request_for(skill):
    support_request = SupportRequestFactory(hours_estimate=8)  # 3 weeks: 2.7 h/week
    RequestSkillFactory(request=support_request, skill=skill, required=True, min_level=2)
    return support_request


def by_donor(support_request, **kwargs):
    return {c.donor_id: c for c in scoring.rank_candidates(support_request, **kwargs)}


def test_explain_proximity_same_region_then_country_then_elsewhere(request_for, skill):
    request_for.region = "US-NY"
    request_for.save()
    abroad = donor_with(skill, country="CA", region="CA-ON")
    country = donor_with(skill, region="US-CA")
    near = donor_with(skill, region="US-NY")

    candidates = scoring.rank_candidates(request_for)

    assert [c.donor_id for c in candidates] == [near.pk, country.pk, abroad.pk]
    assert [modifiers(c)["proximity"] for c in candidates] == [
        ("Same region", 4.0),
        ("Same country", 2.0),
        ("Elsewhere", 0.0),
    ]


def test_explain_proximity_uses_the_fights_place_when_the_request_names_none(request_for, skill):
    near = donor_with(skill, region=request_for.fight.region)

    assert modifiers(by_donor(request_for)[near.pk])["proximity"] == ("Same region", 4.0)


def test_explain_hours_fit_scales_below_the_weekly_need(request_for, skill):
    short = donor_with(skill, weekly_hours=1)
    enough = donor_with(skill, weekly_hours=3)

    scores = by_donor(request_for)

    assert modifiers(scores[short.pk])["hours_fit"] == (
        "1 h/week offered, about 2.7 h/week needed",
        3.0,
    )
    assert modifiers(scores[enough.pk])["hours_fit"] == (
        "3 h/week offered, about 2.7 h/week needed",
        8.0,
    )


def test_explain_hours_needed_counts_from_the_start_date(request_for, skill):
    today = timezone.localdate()
    request_for.starts_on = today + datetime.timedelta(days=14)
    request_for.needed_by = today + datetime.timedelta(days=28)
    request_for.save()
    donor = donor_with(skill, weekly_hours=2)

    assert modifiers(by_donor(request_for)[donor.pk])["hours_fit"] == (
        "2 h/week offered, about 4.0 h/week needed",
        4.0,
    )


def test_explain_hours_needed_is_at_least_one_week(request_for, skill):
    request_for.needed_by = timezone.localdate() + datetime.timedelta(days=2)
    request_for.save()
    donor = donor_with(skill, weekly_hours=4)

    assert modifiers(by_donor(request_for)[donor.pk])["hours_fit"] == (
        "4 h/week offered, about 8.0 h/week needed",
        4.0,
    )


def test_explain_fairness_by_current_and_recent_matches(request_for, skill):
    never = donor_with(skill, capacity=3)
    long_ago = donor_with(skill, capacity=3)
    match(long_ago, "completed", days_ago=100)
    busy = donor_with(skill, capacity=3)
    match(busy, "active", days_ago=2)
    overloaded = donor_with(skill, capacity=3)
    match(overloaded, "active", days_ago=2)
    match(overloaded, "accepted", days_ago=3)

    candidates = scoring.rank_candidates(request_for)

    assert [c.donor_id for c in candidates] == [never.pk, long_ago.pk, busy.pk, overloaded.pk]
    assert [modifiers(c)["fairness"] for c in candidates] == [
        ("Never matched yet", 8.0),
        ("0 current, 0 recent matches", 6.0),
        ("1 current, 1 recent matches", 1.5),
        ("2 current, 2 recent matches", 0.0),
    ]


def test_explain_fairness_ignores_declined_and_withdrawn_matches(request_for, skill):
    donor = donor_with(skill)
    match(donor, "declined", days_ago=40)
    match(donor, "withdrawn", days_ago=1)
    match(donor, "expired", days_ago=1)

    assert modifiers(by_donor(request_for)[donor.pk])["fairness"] == ("Never matched yet", 8.0)


def test_explain_recent_window_is_the_setting(request_for, skill, settings):
    settings.MATCHING_RECENT_DAYS = 10
    recent = donor_with(skill)
    match(recent, "completed", days_ago=9)
    older = donor_with(skill)
    match(older, "completed", days_ago=11)

    scores = by_donor(request_for)

    assert modifiers(scores[recent.pk])["fairness"] == ("0 current, 1 recent matches", 4.5)
    assert modifiers(scores[older.pk])["fairness"] == ("0 current, 0 recent matches", 6.0)


# --- The SQL short list finds the best even when the limit is small ---------------------------


@pytest.mark.parametrize(
    "best_fields,other_fields",
    [
        ({"weekly_hours": 40}, {"weekly_hours": 1}),
        ({"region": "US-CA"}, {"region": "US-NY"}),
        ({"region": "US-NY"}, {"country": "CA", "region": "CA-ON"}),
    ],
    ids=["hours", "region", "country"],
)
def test_rank_candidates_limit_one_finds_best_created_last(
    request_for, skill, best_fields, other_fields
):
    for _ in range(4):
        donor_with(skill, **other_fields)
    best = donor_with(skill, **best_fields)

    assert [c.donor_id for c in scoring.rank_candidates(request_for, limit=1)] == [best.pk]


def test_rank_candidates_limit_one_finds_never_matched_created_last(request_for, skill):
    for _ in range(4):
        match(donor_with(skill, capacity=2), "completed", days_ago=100)
    best = donor_with(skill)

    assert [c.donor_id for c in scoring.rank_candidates(request_for, limit=1)] == [best.pk]


def test_rank_candidates_limit_one_finds_higher_skill_points_created_last(request_for, skill):
    nice = SkillFactory()
    RequestSkillFactory(request=request_for, skill=nice, required=False, min_level=1)
    for _ in range(4):
        donor_with(skill, weekly_hours=40)
    best = donor_with(skill, weekly_hours=40)
    DonorSkillFactory(donor=best, skill=nice, level=1)

    assert [c.donor_id for c in scoring.rank_candidates(request_for, limit=1)] == [best.pk]


def test_rank_candidates_limit_one_puts_covering_donor_first_created_last(request_for, skill):
    nice = SkillFactory()
    RequestSkillFactory(request=request_for, skill=nice, required=False, min_level=1)
    for _ in range(4):
        donor = donor_with(skill, level=1, weekly_hours=40)
        DonorSkillFactory(donor=donor, skill=nice, level=3)
    best = donor_with(skill, level=2, weekly_hours=1)

    assert [c.donor_id for c in scoring.rank_candidates(request_for, limit=1)] == [best.pk]


def test_rank_candidates_limit_one_prefers_trained_created_last(request_for, skill):
    for _ in range(4):
        donor_with(skill)
    best = DonorFactory()
    DonorSkillFactory(donor=best, skill=skill, level=2, trained_at=timezone.now())

    assert [c.donor_id for c in scoring.rank_candidates(request_for, limit=1)] == [best.pk]


def test_rank_candidates_committed_matches_fill_capacity(request_for, skill):
    full = donor_with(skill, capacity=2)
    match(full, "accepted")
    match(full, "active")
    room = donor_with(skill, capacity=2)
    match(room, "active")
    match(room, "completed")

    assert list(by_donor(request_for)) == [room.pk]


def test_score_donor_without_any_requested_skill_scores_the_modifiers(request_for):
    donor = DonorFactory(weekly_hours=40, region=request_for.fight.region)

    candidate = scoring.score_donor(request_for, donor)

    assert (candidate.score, candidate.covers_all_required) == (20.0, False)
    assert candidate.explanation["missing_required"] == ["Banner painting"]


def test_rank_candidates_request_without_skills_ranks_by_modifiers():
    support_request = SupportRequestFactory()
    low = DonorFactory(weekly_hours=1)
    high = DonorFactory(weekly_hours=40)

    candidates = scoring.rank_candidates(support_request)

    assert [c.donor_id for c in candidates] == [high.pk, low.pk]
    assert all(c.covers_all_required for c in candidates)
    assert candidates[0].explanation["skills"] == []


# --- The hard filters as querysets --------------------------------------------------------------


def test_eligible_donors_leave_out_full_donors(request_for, skill):
    full = donor_with(skill, capacity=1)
    match(full, "accepted")
    room = donor_with(skill, capacity=2)
    match(room, "active")
    match(room, "completed")
    more_room = donor_with(skill, capacity=2)  # counted per donor, not per capacity
    match(more_room, "accepted")
    free = donor_with(skill)

    eligible = set(scoring.eligible_donors(request_for).values_list("pk", flat=True))

    assert eligible == {room.pk, more_room.pk, free.pk}


def test_eligible_donors_leave_out_resting_unless_asked(request_for, skill):
    resting = donor_with(skill)
    match(resting, "declined", days_ago=1)
    other = donor_with(skill)

    assert set(scoring.eligible_donors(request_for).values_list("pk", flat=True)) == {other.pk}
    assert set(
        scoring.eligible_donors(request_for, include_resting=True).values_list("pk", flat=True)
    ) == {other.pk, resting.pk}


def test_eligible_donors_keep_match_does_not_rule_out_its_own_donor(request_for, skill):
    donor = donor_with(skill)
    suggestion = Match.objects.create(request=request_for, donor=donor, status="suggested")

    assert not scoring.eligible_donors(request_for).filter(pk=donor.pk).exists()
    assert scoring.eligible_donors(request_for, keep_match=suggestion).filter(pk=donor.pk).exists()


def test_resting_donors_counts_open_proposals_and_recent_declines(skill, settings):
    now = timezone.now()
    busy = donor_with(skill, capacity=5)
    for _ in range(3):
        Match.objects.create(request=SupportRequestFactory(), donor=busy, status="proposed")
    two_asks = donor_with(skill, capacity=5)
    for _ in range(2):
        Match.objects.create(request=SupportRequestFactory(), donor=two_asks, status="proposed")
    declined = donor_with(skill)
    match(declined, "declined", days_ago=13)
    rested = donor_with(skill)
    match(rested, "declined", days_ago=15)

    resting = set(scoring.resting_donors().values_list("pk", flat=True))

    assert resting == {busy.pk, declined.pk}
    later = now + datetime.timedelta(days=2)
    assert set(scoring.resting_donors(later).values_list("pk", flat=True)) == {busy.pk}
    settings.MATCHING_MAX_OPEN_PROPOSALS = 2
    assert two_asks.pk in set(scoring.resting_donors().values_list("pk", flat=True))


def test_in_person_request_without_region_keeps_donors_of_the_fights_country(request_for, skill):
    request_for.fight.region = ""
    request_for.fight.save()
    request_for.work_mode = "in_person"
    request_for.region = ""
    request_for.country = ""
    request_for.save()
    here = donor_with(skill, region="US-NY")
    donor_with(skill, country="CA", region="CA-ON")

    assert list(by_donor(request_for)) == [here.pk]


def test_rank_candidates_returns_twenty_by_default(request_for, skill):
    for _ in range(21):
        donor_with(skill)

    assert len(scoring.rank_candidates(request_for)) == 20


def test_include_resting_counts_only_open_proposals_against_the_budget(request_for, skill):
    donor = donor_with(skill, capacity=5)
    for _ in range(2):
        Match.objects.create(request=SupportRequestFactory(), donor=donor, status="proposed")
    match(donor, "declined", days_ago=20)

    (candidate,) = scoring.rank_candidates(request_for, include_resting=True)

    assert (candidate.donor_id, candidate.is_resting, candidate.resting_until) == (
        donor.pk,
        False,
        None,
    )


def test_explain_near_miss_only_one_level_short(request_for, skill):
    nice = SkillFactory()
    RequestSkillFactory(request=request_for, skill=nice, required=False, min_level=3)
    full = donor_with(skill, level=2)
    short = donor_with(skill, level=1)
    far = DonorFactory()
    DonorSkillFactory(donor=far, skill=nice, level=1)

    scores = by_donor(request_for)

    def near_misses(donor):
        return [s["near_miss"] for s in scores[donor.pk].explanation["skills"]]

    assert near_misses(full) == [False, False]
    assert near_misses(short) == [True, False]
    assert near_misses(far) == [False, False]


def test_explain_modifiers_in_full(request_for, skill):
    donor = donor_with(skill, weekly_hours=1, region="US-NY")

    (candidate,) = scoring.rank_candidates(request_for)

    assert candidate.donor_id == donor.pk
    assert candidate.explanation["modifiers"] == [
        {
            "factor": "hours_fit",
            "label": "Hours fit",
            "detail": "1 h/week offered, about 2.7 h/week needed",
            "points": 3.0,
            "max_points": 8.0,
        },
        {
            "factor": "proximity",
            "label": "Proximity",
            "detail": "Same country",
            "points": 2.0,
            "max_points": 4.0,
        },
        {
            "factor": "fairness",
            "label": "Fairness",
            "detail": "Never matched yet",
            "points": 8.0,
            "max_points": 8.0,
        },
    ]
    (held,) = candidate.explanation["skills"]
    assert held == {
        "skill_id": skill.pk,
        "skill": "Banner painting",
        "required": True,
        "min_level": 2,
        "level": 2,
        "weight": 2.0,
        "max_points": 80.0,
        "points": 72.0,
        "near_miss": False,
        "trained": False,
        "trained_in": "",
    }
    assert (candidate.explanation["missing_required"], candidate.explanation["score"]) == (
        [],
        85.0,
    )
