"""What each move of a match records: who, when (the `now` given), and its own fields."""

import datetime

import pytest
from django.utils import timezone

from matching import services
from matching.models import Match, MatchStatus
from tests.factories import (
    DonorFactory,
    DonorSkillFactory,
    RequestSkillFactory,
    SkillFactory,
    StaffFactory,
    SupportRequestFactory,
)

pytestmark = pytest.mark.django_db

LATER = datetime.timedelta(hours=2)


@pytest.fixture
def staff_user():
    return StaffFactory()


@pytest.fixture
def proposal(staff_user):
    skill = SkillFactory()
    support_request = SupportRequestFactory()
    RequestSkillFactory(request=support_request, skill=skill)
    donor = DonorFactory()
    DonorSkillFactory(donor=donor, skill=skill, level=2)
    return services.propose_match(request=support_request, donor=donor, by=staff_user)


def recorded(match) -> tuple:
    match.refresh_from_db()
    return match.status, match.status_changed_at, match.status_changed_by, match.updated_at


def test_decline_match_records_the_donor_and_the_given_time(proposal):
    now = timezone.now() + LATER
    donor_user = proposal.donor.user

    services.decline_match(proposal, by=donor_user, now=now)

    assert recorded(proposal) == (MatchStatus.DECLINED, now, donor_user, now)
    assert (proposal.answered_at, proposal.decline_reason) == (now, "")


def test_decline_match_keeps_the_reason_stripped(proposal):
    services.decline_match(proposal, by=proposal.donor.user, reason="  Too busy this month \n")

    proposal.refresh_from_db()
    assert proposal.decline_reason == "Too busy this month"


def test_withdraw_match_records_staff_and_the_given_time(proposal, staff_user):
    now = timezone.now() + LATER

    services.withdraw_match(proposal, by=staff_user, now=now)

    assert recorded(proposal) == (MatchStatus.WITHDRAWN, now, staff_user, now)


def test_start_match_records_who_and_when(proposal, staff_user):
    services.accept_match(proposal, by=proposal.donor.user)
    now = timezone.now() + LATER

    services.start_match(proposal, by=staff_user, now=now)

    assert recorded(proposal) == (MatchStatus.ACTIVE, now, staff_user, now)
    assert proposal.started_at == now


def test_complete_match_records_who_and_when(proposal, staff_user):
    services.accept_match(proposal, by=proposal.donor.user)
    now = timezone.now() + LATER

    services.complete_match(proposal, by=staff_user, now=now)

    assert recorded(proposal) == (MatchStatus.COMPLETED, now, staff_user, now)
    assert proposal.completed_at == now


def test_expire_matches_records_the_given_time_and_nobody(proposal):
    now = proposal.expires_at + LATER

    assert services.expire_matches(now=now) == 1

    assert recorded(proposal) == (MatchStatus.EXPIRED, now, None, now)


def test_expire_matches_leaves_proposals_not_yet_due(proposal):
    assert services.expire_matches(now=proposal.expires_at - datetime.timedelta(seconds=1)) == 0

    assert recorded(proposal)[0] == MatchStatus.PROPOSED
    assert Match.objects.filter(status=MatchStatus.EXPIRED).count() == 0


@pytest.fixture
def open_request_and_donor():
    skill = SkillFactory()
    support_request = SupportRequestFactory()
    RequestSkillFactory(request=support_request, skill=skill)
    donor = DonorFactory()
    DonorSkillFactory(donor=donor, skill=skill, level=2)
    return support_request, donor


def test_offer_help_records_the_donor_and_the_given_time(open_request_and_donor):
    support_request, donor = open_request_and_donor
    now = timezone.now() + LATER

    match = services.offer_help(request=support_request, donor=donor, now=now)

    assert recorded(match) == (MatchStatus.SUGGESTED, now, donor.user, match.updated_at)
    assert match.initiated_by_donor is True


@pytest.mark.parametrize(
    "fight_status,request_status", [("won", "open"), ("active", "filled"), ("ended", "closed")]
)
def test_offer_help_when_fight_over_or_request_not_open_is_refused(
    open_request_and_donor, fight_status, request_status
):
    support_request, donor = open_request_and_donor
    support_request.fight.status = fight_status
    support_request.fight.save()
    support_request.status = request_status
    support_request.save()

    with pytest.raises(services.MatchError) as refused:
        services.offer_help(request=support_request, donor=donor)

    assert str(refused.value) == "This request is no longer looking for help."
    assert not Match.objects.exists()


def test_offer_help_from_a_ruled_out_donor_is_thanked_without_the_reason(open_request_and_donor):
    support_request, donor = open_request_and_donor
    donor.conflicts.create(
        name="Acme", normalized_name=support_request.fight.target_employer_normalized
    )

    with pytest.raises(services.MatchError) as refused:
        services.offer_help(request=support_request, donor=donor)

    assert str(refused.value) == (
        "Thank you for offering. This request isn't open to you, but others may be."
    )
    assert not Match.objects.exists()


def refusal(move) -> str:
    with pytest.raises(services.MatchError) as refused:
        move()
    return str(refused.value)


def test_accept_after_decline_is_refused_in_words(proposal):
    services.decline_match(proposal, by=proposal.donor.user)

    message = refusal(lambda: services.accept_match(proposal, by=proposal.donor.user))

    assert message == "This match is declined; it cannot become accepted."


def test_accept_by_someone_else_is_refused_in_words(proposal, staff_user):
    message = refusal(lambda: services.accept_match(proposal, by=staff_user))

    assert message == "This proposal is addressed to someone else."


def test_propose_on_a_request_not_open_is_refused_in_words(open_request_and_donor, staff_user):
    support_request, donor = open_request_and_donor
    support_request.status = "filled"
    support_request.save()

    message = refusal(
        lambda: services.propose_match(request=support_request, donor=donor, by=staff_user)
    )

    assert message == "This request is not open."


def test_propose_a_ruled_out_donor_is_refused_in_words(open_request_and_donor, staff_user):
    support_request, donor = open_request_and_donor
    donor.contact_consent = False
    donor.save()

    message = refusal(
        lambda: services.propose_match(request=support_request, donor=donor, by=staff_user)
    )

    assert message == "This volunteer cannot be asked for this request."


def test_answer_deadline_follows_urgency_on_the_day_of_the_proposal(
    open_request_and_donor, staff_user
):
    support_request, donor = open_request_and_donor
    day_before = datetime.datetime.combine(
        support_request.needed_by - datetime.timedelta(days=1),
        datetime.time(12),
        tzinfo=datetime.UTC,
    )

    match = services.propose_match(
        request=support_request, donor=donor, by=staff_user, now=day_before
    )

    assert match.expires_at == day_before + datetime.timedelta(hours=12)


def test_expire_matches_leaves_answered_matches_past_their_deadline(proposal):
    services.accept_match(proposal, by=proposal.donor.user)

    assert services.expire_matches(now=proposal.expires_at + LATER) == 0

    assert recorded(proposal)[0] == MatchStatus.ACCEPTED
