import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from matching import scoring, services, tasks
from matching.models import CandidateRejection, Match, MatchStatus
from matching.services import MatchError
from tests.conftest import require
from tests.factories import (
    ConflictFactory,
    DonorFactory,
    DonorSkillFactory,
    RequestSkillFactory,
    SkillFactory,
    StaffFactory,
    SupportRequestFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def skill():
    return SkillFactory()


@pytest.fixture
def support_request(skill):
    support_request = SupportRequestFactory()
    RequestSkillFactory(request=support_request, skill=skill)
    return support_request


@pytest.fixture
def staff_user():
    return StaffFactory()


def make_donor(skill, **fields):
    donor = DonorFactory(**fields)
    DonorSkillFactory(donor=donor, skill=skill, level=2)
    return donor


@pytest.fixture
def donor(skill):
    return make_donor(skill)


@pytest.fixture
def proposal(support_request, donor, staff_user):
    return services.propose_match(request=support_request, donor=donor, by=staff_user)


def assert_refused(move, match, message):
    before = Match.objects.values().get(pk=match.pk)
    with pytest.raises(MatchError, match=message):
        move()
    assert Match.objects.values().get(pk=match.pk) == before


def test_propose_match_stores_score_deadline_and_who(support_request, donor, staff_user):
    now = timezone.now()

    match = services.propose_match(request=support_request, donor=donor, by=staff_user, now=now)

    assert match.status == MatchStatus.PROPOSED
    assert (match.proposed_by, match.proposed_at) == (staff_user, now)
    assert match.expires_at == now + datetime.timedelta(hours=48)
    assert match.score > 0
    assert (
        match.explanation["skills"][0]["skill_id"] == support_request.request_skills.get().skill_id
    )
    assert match.scoring_version == 2


def test_propose_match_critical_request_answers_within_twelve_hours(donor, skill, staff_user):
    critical = SupportRequestFactory(needed_by=timezone.localdate() + datetime.timedelta(days=1))
    RequestSkillFactory(request=critical, skill=skill)
    now = timezone.now()

    match = services.propose_match(request=critical, donor=donor, by=staff_user, now=now)

    assert match.expires_at == now + datetime.timedelta(hours=12)


def test_propose_match_filtered_out_donor_is_refused(support_request, donor, staff_user):
    ConflictFactory(donor=donor, normalized_name=support_request.fight.target_employer_normalized)

    with pytest.raises(MatchError, match="cannot be asked"):
        services.propose_match(request=support_request, donor=donor, by=staff_user)

    assert not Match.objects.exists()


def test_propose_match_twice_is_refused(proposal, support_request, donor, staff_user):
    with pytest.raises(MatchError, match="cannot be asked"):
        services.propose_match(request=support_request, donor=donor, by=staff_user)

    assert Match.objects.count() == 1


def test_propose_match_closed_request_is_refused(support_request, donor, staff_user):
    support_request.status = "closed"
    support_request.save()

    with pytest.raises(MatchError, match="not open"):
        services.propose_match(request=support_request, donor=donor, by=staff_user)


def test_offer_help_creates_donor_initiated_suggestion_then_staff_propose_it(
    support_request, donor, staff_user
):
    suggestion = services.offer_help(request=support_request, donor=donor)

    assert (suggestion.status, suggestion.initiated_by_donor) == (MatchStatus.SUGGESTED, True)
    assert suggestion.status_changed_by == donor.user

    proposal = services.propose_match(request=support_request, donor=donor, by=staff_user)

    assert proposal.pk == suggestion.pk
    assert proposal.status == MatchStatus.PROPOSED
    assert proposal.initiated_by_donor is True


def test_offer_help_conflicted_donor_is_told_politely(support_request, donor):
    ConflictFactory(donor=donor, normalized_name=support_request.fight.target_employer_normalized)

    with pytest.raises(MatchError, match="isn't open to you"):
        services.offer_help(request=support_request, donor=donor)

    assert not Match.objects.exists()


def test_suggest_match_records_the_suggestion(support_request, donor, staff_user):
    match = services.suggest_match(request=support_request, donor=donor, by=staff_user)

    assert (match.status, match.initiated_by_donor) == (MatchStatus.SUGGESTED, False)


def test_accept_match_records_answer(proposal, donor):
    match = services.accept_match(proposal, by=donor.user)

    assert match.status == MatchStatus.ACCEPTED
    assert match.answered_at is not None
    assert match.status_changed_by == donor.user


def test_accept_match_twice_is_refused(proposal, donor):
    services.accept_match(proposal, by=donor.user)

    assert_refused(lambda: services.accept_match(proposal, by=donor.user), proposal, "accepted")


def test_accept_match_after_expiry_is_refused(proposal, donor):
    later = proposal.expires_at + datetime.timedelta(seconds=1)

    assert_refused(
        lambda: services.accept_match(proposal, by=donor.user, now=later), proposal, "expired"
    )


def test_accept_match_someone_elses_proposal_is_refused(proposal, skill):
    other = make_donor(skill)

    assert_refused(lambda: services.accept_match(proposal, by=other.user), proposal, "someone else")


def test_accept_match_after_decline_is_refused(proposal, donor):
    services.decline_match(proposal, by=donor.user, reason="  On holiday ")
    assert proposal.decline_reason == "On holiday"

    assert_refused(lambda: services.accept_match(proposal, by=donor.user), proposal, "declined")


def test_accept_match_when_request_is_full_is_refused(support_request, skill, staff_user):
    first, second = make_donor(skill), make_donor(skill)
    one = services.propose_match(request=support_request, donor=first, by=staff_user)
    two = services.propose_match(request=support_request, donor=second, by=staff_user)
    services.accept_match(one, by=first.user)

    assert_refused(lambda: services.accept_match(two, by=second.user), two, "all the helpers")


def test_decline_match_by_someone_else_is_refused(proposal, skill):
    other = make_donor(skill)

    assert_refused(lambda: services.decline_match(proposal, by=other.user), proposal, "someone")


def test_decline_match_puts_donor_to_rest(proposal, donor, skill, staff_user):
    services.decline_match(proposal, by=donor.user)
    another = SupportRequestFactory()
    RequestSkillFactory(request=another, skill=skill)

    with pytest.raises(MatchError, match="cannot be asked"):
        services.propose_match(request=another, donor=donor, by=staff_user)


def test_expire_matches_expires_only_overdue_proposals(
    proposal, support_request, skill, staff_user
):
    fresh = services.propose_match(
        request=support_request,
        donor=make_donor(skill),
        by=staff_user,
        now=proposal.proposed_at + datetime.timedelta(hours=24),
    )

    assert services.expire_matches(now=proposal.expires_at) == 1

    proposal.refresh_from_db()
    fresh.refresh_from_db()
    assert (proposal.status, fresh.status) == (MatchStatus.EXPIRED, MatchStatus.PROPOSED)


def test_start_and_complete_match(proposal, donor, staff_user):
    services.accept_match(proposal, by=donor.user)
    services.start_match(proposal, by=staff_user)
    assert proposal.status == MatchStatus.ACTIVE and proposal.started_at is not None

    services.complete_match(proposal, by=staff_user)

    assert proposal.status == MatchStatus.COMPLETED and proposal.completed_at is not None


def test_start_match_before_acceptance_is_refused(proposal, staff_user):
    assert_refused(lambda: services.start_match(proposal, by=staff_user), proposal, "proposed")


def test_complete_match_before_acceptance_is_refused(proposal, staff_user):
    assert_refused(lambda: services.complete_match(proposal, by=staff_user), proposal, "proposed")


def test_withdraw_match_from_open_state(proposal, staff_user):
    services.withdraw_match(proposal, by=staff_user)

    assert proposal.status == MatchStatus.WITHDRAWN
    assert proposal.status_changed_by == staff_user


def test_withdraw_match_completed_is_refused(proposal, donor, staff_user):
    services.accept_match(proposal, by=donor.user)
    services.complete_match(proposal, by=staff_user)

    assert_refused(lambda: services.withdraw_match(proposal, by=staff_user), proposal, "completed")


def test_reject_candidate_excludes_and_withdraws_suggestion(support_request, donor, staff_user):
    suggestion = services.offer_help(request=support_request, donor=donor)

    rejection = services.reject_candidate(
        request=support_request, donor=donor, by=staff_user, reason=" Not a fit "
    )

    assert (rejection.rejected_by, rejection.reason) == (staff_user, "Not a fit")
    suggestion.refresh_from_db()
    assert suggestion.status == MatchStatus.WITHDRAWN
    with pytest.raises(MatchError):
        services.propose_match(request=support_request, donor=donor, by=staff_user)
    services.reject_candidate(request=support_request, donor=donor, by=staff_user)
    assert CandidateRejection.objects.count() == 1


# serialized_rollback like every transactional test (tests/conftest.py says why).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_accept_match_concurrent_accepts_never_exceed_helpers_needed(skill):
    require(connection.vendor == "postgresql", "row locks need PostgreSQL")
    support_request = SupportRequestFactory(helpers_needed=2)
    RequestSkillFactory(request=support_request, skill=skill)
    staff_user = StaffFactory()
    donors = [make_donor(skill) for _ in range(6)]
    proposals = [
        services.propose_match(request=support_request, donor=d, by=staff_user) for d in donors
    ]
    barrier = threading.Barrier(len(proposals))
    outcomes = []

    def accept(match, user):
        try:
            barrier.wait()
            services.accept_match(match, by=user)
            outcomes.append("accepted")
        except MatchError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=accept, args=(m, d.user))
        for m, d in zip(proposals, donors, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["accepted"] * 2 + ["refused"] * 4
    assert support_request.matches.filter(status=MatchStatus.ACCEPTED).count() == 2


def test_expire_matches_task_expires_overdue_proposals(proposal):
    Match.objects.filter(pk=proposal.pk).update(expires_at=timezone.now())

    tasks.expire_matches.delay()

    proposal.refresh_from_db()
    assert proposal.status == MatchStatus.EXPIRED


def test_expire_matches_runs_on_the_beat_schedule(settings):
    assert settings.CELERY_BEAT_SCHEDULE["matching-expire"]["task"] == "matching.expire_matches"


def test_propose_match_resting_after_decline_is_refused_with_end_of_rest(
    support_request, donor, staff_user
):
    now = datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC)
    Match.objects.create(
        request=SupportRequestFactory(), donor=donor, status="declined", answered_at=now
    )

    with pytest.raises(MatchError) as refused:
        services.propose_match(request=support_request, donor=donor, by=staff_user, now=now)

    assert str(refused.value) == (
        "This volunteer cannot be asked now: they declined a proposal lately and rest until "
        "March 16, 2026."
    )
    assert not Match.objects.filter(request=support_request).exists()


def test_propose_match_with_too_many_open_proposals_is_refused(support_request, skill, staff_user):
    busy = make_donor(skill, capacity=5)
    for _ in range(3):
        Match.objects.create(request=SupportRequestFactory(), donor=busy, status="proposed")

    with pytest.raises(MatchError) as refused:
        services.propose_match(request=support_request, donor=busy, by=staff_user)

    assert str(refused.value) == (
        "This volunteer cannot be asked now: 3 proposals are already waiting for their answer."
    )
    assert not Match.objects.filter(request=support_request).exists()


def test_refresh_rarity_task_counts_the_pool_again_before_the_cache_expires(settings):
    skill = SkillFactory()
    DonorSkillFactory(skill=skill, level=2)
    today = timezone.localdate()
    pool, levels = scoring._rarity(today)
    DonorSkillFactory(skill=skill, level=2, trained_at=timezone.now())

    assert scoring._rarity(today) == (pool, levels)  # kept
    tasks.refresh_rarity.delay()

    assert scoring._rarity(today) == (pool + 1, {skill.pk: {(2, False): 1, (2, True): 1}})
    schedule = settings.CELERY_BEAT_SCHEDULE["matching-rarity"]
    assert schedule["task"] == "matching.refresh_rarity"
    assert schedule["schedule"] == settings.MATCHING_RARITY_SECONDS / 2
