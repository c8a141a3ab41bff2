"""The services after acceptance, and the refusals around it: accepting on a request that
stopped looking, declining late, hours and both sides' feedback."""

import datetime

import pytest
from django.utils import timezone

from matching import services
from matching.models import Match, MatchStatus
from matching.services import MatchError
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def assert_refused(move, match, message):
    before = Match.objects.values().get(pk=match.pk)
    with pytest.raises(MatchError, match=message):
        move()
    assert Match.objects.values().get(pk=match.pk) == before


def set_status(match, status):
    Match.objects.filter(pk=match.pk).update(status=status)
    match.refresh_from_db()
    return match


@pytest.mark.parametrize("status", ["filled", "closed", "cancelled"])
def test_accept_on_a_request_no_longer_open_is_refused(proposal, status):
    proposal.request.status = status
    proposal.request.save()

    assert_refused(
        lambda: services.accept_match(proposal, by=proposal.donor.user),
        proposal,
        "no longer looking for help",
    )


def test_decline_after_the_deadline_is_refused(proposal):
    late = proposal.expires_at + datetime.timedelta(seconds=1)

    assert_refused(
        lambda: services.decline_match(proposal, by=proposal.donor.user, now=late),
        proposal,
        "expired",
    )


def test_decline_by_someone_else_is_refused(proposal):
    assert_refused(
        lambda: services.decline_match(proposal, by=UserFactory()), proposal, "someone else"
    )


def test_log_hours_records_when(proposal):
    set_status(proposal, MatchStatus.ACTIVE)
    now = timezone.now()

    match = services.log_hours(proposal, by=proposal.donor.user, hours=9, now=now)

    assert (match.hours_logged, match.hours_logged_at) == (9, now)


@pytest.mark.parametrize("status", ["proposed", "accepted", "declined", "expired", "withdrawn"])
def test_log_hours_before_work_started_is_refused(proposal, status):
    set_status(proposal, status)

    assert_refused(
        lambda: services.log_hours(proposal, by=proposal.donor.user, hours=3),
        proposal,
        "once the work has started",
    )


def test_log_hours_by_someone_else_is_refused(proposal):
    set_status(proposal, MatchStatus.ACTIVE)

    assert_refused(
        lambda: services.log_hours(proposal, by=UserFactory(), hours=3), proposal, "someone else"
    )


def test_donor_feedback_is_stored_once(proposal):
    set_status(proposal, MatchStatus.COMPLETED)
    now = timezone.now()

    match = services.leave_donor_feedback(
        proposal, by=proposal.donor.user, rating=4, comment="  Good  ", now=now
    )

    assert (match.donor_rating, match.donor_comment, match.donor_feedback_at) == (4, "Good", now)
    assert_refused(
        lambda: services.leave_donor_feedback(proposal, by=proposal.donor.user, rating=1),
        proposal,
        "already left",
    )


@pytest.mark.parametrize("rating", [0, 6, None, "5"])
def test_feedback_rating_outside_one_to_five_is_refused(proposal, rating):
    set_status(proposal, MatchStatus.COMPLETED)

    assert_refused(
        lambda: services.leave_donor_feedback(proposal, by=proposal.donor.user, rating=rating),
        proposal,
        "from 1 to 5",
    )


def test_organizer_feedback_by_a_member_records_who(proposal, organizer):
    set_status(proposal, MatchStatus.COMPLETED)

    match = services.leave_organizer_feedback(proposal, by=organizer, rating=5, comment="Thanks")

    assert (match.organizer_rating, match.organizer_feedback_by) == (5, organizer)
    assert match.donor_feedback_at is None


def test_organizer_feedback_by_an_outsider_is_refused(proposal):
    set_status(proposal, MatchStatus.COMPLETED)

    assert_refused(
        lambda: services.leave_organizer_feedback(proposal, by=MembershipFactory().user, rating=5),
        proposal,
        "Only the organization's members",
    )


def test_organizer_feedback_before_completion_is_refused(proposal, organizer):
    set_status(proposal, MatchStatus.ACTIVE)

    assert_refused(
        lambda: services.leave_organizer_feedback(proposal, by=organizer, rating=5),
        proposal,
        "once the work is marked done",
    )
