import pytest

from accounts.privacy import erase_user, export_user_data
from matching.models import CandidateRejection, Match
from tests.factories import DonorFactory, StaffFactory, SupportRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def match():
    return Match.objects.create(
        request=SupportRequestFactory(),
        donor=DonorFactory(),
        status="proposed",
        proposed_by=StaffFactory(),
        decline_reason="",
    )


def test_export_contains_the_volunteers_matches(match):
    records = export_user_data(match.donor.user)["records"]

    [row] = records["Matches"]
    assert (row["request"], row["donor"], row["status"]) == (match.request.title, "you", "Proposed")


def test_export_contains_the_staff_members_proposals_and_rejections(match):
    CandidateRejection.objects.create(
        request=match.request, donor=DonorFactory(), rejected_by=match.proposed_by
    )

    records = export_user_data(match.proposed_by)["records"]

    [row] = records["Matches"]
    assert (row["proposed_by"], row["donor"]) == ("you", match.donor.user.display_name)
    assert len(records["Candidates set aside for a request"]) == 1


def test_erase_volunteer_removes_their_matches_and_rejections(match):
    CandidateRejection.objects.create(request=match.request, donor=match.donor)

    erase_user(match.donor.user)

    assert not Match.objects.exists()
    assert not CandidateRejection.objects.exists()


def test_erase_staff_member_keeps_the_match_without_them(match):
    rejection = CandidateRejection.objects.create(
        request=match.request, donor=DonorFactory(), rejected_by=match.proposed_by
    )

    erase_user(match.proposed_by)

    match.refresh_from_db()
    rejection.refresh_from_db()
    assert (match.proposed_by, rejection.rejected_by) == (None, None)
    assert match.status == "proposed"


@pytest.fixture
def completed(match):
    organizer = StaffFactory(is_staff=False)
    Match.objects.filter(pk=match.pk).update(
        status="completed",
        hours_logged=12,
        donor_rating=5,
        donor_comment="VOLUNTEER-COMMENT",
        organizer_rating=4,
        organizer_comment="ORGANIZER-COMMENT",
        organizer_feedback_by=organizer,
    )
    match.refresh_from_db()
    return match


def test_export_of_the_volunteer_holds_their_hours_and_both_feedbacks(completed):
    [row] = export_user_data(completed.donor.user)["records"]["Matches"]

    assert (row["hours_logged"], row["donor_rating"], row["donor_comment"]) == (
        12,
        5,
        "VOLUNTEER-COMMENT",
    )
    assert (row["organizer_rating"], row["organizer_comment"]) == (4, "ORGANIZER-COMMENT")


def test_export_of_the_organizer_holds_the_feedback_they_left(completed):
    [row] = export_user_data(completed.organizer_feedback_by)["records"]["Matches"]

    assert (row["organizer_comment"], row["organizer_feedback_by"]) == ("ORGANIZER-COMMENT", "you")


def test_erase_organizer_keeps_the_organizations_feedback_without_them(completed):
    erase_user(completed.organizer_feedback_by)

    completed.refresh_from_db()
    assert completed.organizer_feedback_by is None
    assert (completed.organizer_rating, completed.organizer_comment) == (4, "ORGANIZER-COMMENT")
    assert completed.status == "completed"
