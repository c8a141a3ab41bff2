"""The match lifecycle through the pages: the proposal mail, Accept / Decline (GET never
changes anything), the introductions, step-by-step disclosure to organizers, "I can help",
completion, hours and feedback. Every refused move changes nothing stored."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from matching.models import Match, MatchStatus
from tests.factories import ConflictFactory, DonorFactory, MembershipFactory, UserFactory
from tests.matching.conftest import mail_text, make_donor, make_request

pytestmark = pytest.mark.django_db

CONFIDENTIAL = ("FIGHTTITLE", "REQUESTTITLE", "EMPLOYERNAME", "ORGNAME", "DESCRIPTIONTEXT")


def url(name, match):
    return reverse(f"matching:{name}", kwargs={"pk": match.pk})


def stored(match):
    return Match.objects.values().get(pk=match.pk)


@pytest.fixture
def vera(client, donor):
    client.force_login(donor.user)
    return client


@pytest.fixture
def ada(client, organizer):
    client.force_login(organizer)
    return client


# --- The proposal mail ----------------------------------------------------------------------


def test_proposal_mail_for_confidential_fight_names_no_employer_title_or_organization(
    propose, confidential_request, donor
):
    mail.outbox.clear()

    match = propose(confidential_request, donor)

    [message] = mail.outbox
    text = mail_text(message)
    assert message.to == ["vera@example.org"]
    for secret in CONFIDENTIAL:
        assert secret not in text, secret
    assert "Warehousing" in text
    assert "Picket flyer design" in text
    assert "California, United States" in text
    assert f"http://testserver{url('accept', match)}" in text or url("accept", match) in text
    assert url("decline", match) in text
    assert "ada@example.org" not in text


def test_proposal_mail_for_public_fight_has_titles_links_and_no_contact_details(
    propose, support_request, donor
):
    mail.outbox.clear()

    match = propose(support_request, donor)

    [message] = mail.outbox
    text = mail_text(message)
    assert "REQUESTTITLE public flyers" in message.subject
    assert "Harbor Workers ORGNAME Local" in text
    assert url("accept", match) in text
    assert "ada@example.org" not in text
    assert "EMPLOYERNAME" not in text  # not needed to decide; shared on acceptance


def test_proposal_mail_is_queued_once_per_proposal(propose, support_request, donor):
    from notifications.models import OutgoingMessage

    match = propose(support_request, donor)

    assert OutgoingMessage.objects.filter(kind="matching.proposal").count() == 1
    assert OutgoingMessage.objects.get(kind="matching.proposal").key == (
        f"match-{match.pk}-proposed-{match.proposed_at.timestamp():.6f}"
    )


# --- Accept ---------------------------------------------------------------------------------


def test_accept_page_get_shows_the_proposal_and_changes_nothing(vera, proposal):
    before = stored(proposal)

    response = vera.get(url("accept", proposal))

    assert response.status_code == 200
    assert b"REQUESTTITLE public flyers" in response.content
    assert f'action="{url("accept", proposal)}"'.encode() in response.content
    assert stored(proposal) == before


def test_accept_link_signed_out_asks_to_sign_in(client, proposal):
    response = client.get(url("accept", proposal))

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url('accept', proposal)}"


def test_accept_posted_accepts_and_introduces_both_sides(
    vera, proposal, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = vera.post(url("accept", proposal))

    assert response.status_code == 302
    assert response["Location"] == url("detail", proposal)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.answered_at is not None) == (MatchStatus.ACCEPTED, True)
    to_donor = next(m for m in mail.outbox if m.to == ["vera@example.org"])
    to_organizer = next(m for m in mail.outbox if m.to == ["ada@example.org"])
    donor_text, organizer_text = mail_text(to_donor), mail_text(to_organizer)
    assert "ada@example.org" in donor_text
    assert "Ada Organizer" in donor_text
    assert "Your Picket flyer design (experienced): what it needs most" in donor_text
    assert "vera@example.org" in organizer_text
    assert "Vera Surname" in organizer_text
    assert "https://vera.example.org/portfolio" in organizer_text
    assert "Picket flyer design: experienced (asked: at least can do it)" in organizer_text
    assert len(mail.outbox) == 2


def test_accept_confidential_then_the_donor_sees_the_fight(
    client, propose, confidential_request, donor, django_capture_on_commit_callbacks
):
    match = propose(confidential_request, donor)
    client.force_login(donor.user)

    before = client.get(url("detail", match)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("accept", match))
    after = client.get(url("detail", match)).content.decode()

    for secret in CONFIDENTIAL:
        assert secret not in before, secret
        assert secret in after, secret
    assert "ada@example.org" not in before
    assert "ada@example.org" in after


def test_accept_twice_is_refused_and_changes_nothing(vera, proposal):
    vera.post(url("accept", proposal))
    before = stored(proposal)

    response = vera.post(url("accept", proposal))

    assert response.status_code == 400
    assert "This match is accepted; it cannot become accepted." in response.content.decode()
    assert stored(proposal) == before


def test_accept_after_expiry_is_refused_with_a_clear_page(vera, proposal):
    Match.objects.filter(pk=proposal.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    before = stored(proposal)

    page = vera.get(url("accept", proposal))
    response = vera.post(url("accept", proposal))

    assert page.status_code == 200
    assert "This proposal has expired." in page.content.decode()
    assert b'action="' + url("accept", proposal).encode() not in page.content
    assert response.status_code == 400
    assert "This proposal has expired." in response.content.decode()
    assert stored(proposal) == before


def test_accept_after_the_beat_expired_it_shows_expired(vera, proposal):
    Match.objects.filter(pk=proposal.pk).update(status=MatchStatus.EXPIRED)

    response = vera.get(url("accept", proposal))

    assert "This proposal has expired." in response.content.decode()


@pytest.mark.parametrize("name", ["detail", "accept", "decline"])
def test_someone_elses_proposal_is_forbidden(client, proposal, name):
    client.force_login(DonorFactory().user)
    before = stored(proposal)

    assert client.get(url(name, proposal)).status_code == 403
    assert client.post(url(name, proposal)).status_code == (405 if name == "detail" else 403)
    assert stored(proposal) == before


def test_staff_suggestion_is_not_shown_to_the_donor(client, support_request, donor, staff_user):
    from matching import services

    suggestion = services.suggest_match(request=support_request, donor=donor, by=staff_user)
    client.force_login(donor.user)

    assert client.get(url("detail", suggestion)).status_code == 404
    assert "REQUESTTITLE" not in client.get(reverse("matching:my_matches")).content.decode()


def test_match_that_does_not_exist_is_404(vera):
    assert vera.get(reverse("matching:accept", kwargs={"pk": 999999})).status_code == 404


# --- Decline --------------------------------------------------------------------------------


def test_decline_page_get_changes_nothing(vera, proposal):
    before = stored(proposal)

    response = vera.get(url("decline", proposal))

    assert response.status_code == 200
    assert "Why not? (optional)" in response.content.decode()
    assert stored(proposal) == before


def test_decline_with_a_reason_then_accept_is_refused(vera, proposal):
    response = vera.post(url("decline", proposal), {"reason": "  Busy\r\nuntil May  "})

    assert response.status_code == 302
    assert response["Location"] == reverse("matching:my_matches")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decline_reason) == (MatchStatus.DECLINED, "Busy\nuntil May")
    before = stored(proposal)

    refused = vera.post(url("accept", proposal))

    assert refused.status_code == 400
    assert "This match is declined; it cannot become accepted." in refused.content.decode()
    assert stored(proposal) == before
    assert (
        "You already declined this proposal." in vera.get(url("accept", proposal)).content.decode()
    )


def test_decline_without_a_reason(vera, proposal):
    assert vera.post(url("decline", proposal), {}).status_code == 302

    proposal.refresh_from_db()
    assert (proposal.status, proposal.decline_reason) == (MatchStatus.DECLINED, "")


def test_decline_overlong_reason_is_refused_at_the_field_and_kept(vera, proposal):
    before = stored(proposal)
    reason = "x" * 1001

    response = vera.post(url("decline", proposal), {"reason": reason})

    body = response.content.decode()
    assert response.status_code == 400
    assert "Ensure this value has at most 1000 characters (it has 1001)." in body
    assert reason in body
    assert stored(proposal) == before


def test_decline_after_expiry_is_refused(vera, proposal):
    Match.objects.filter(pk=proposal.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    before = stored(proposal)

    response = vera.post(url("decline", proposal), {"reason": "late"})

    assert response.status_code == 400
    assert "This proposal has expired." in response.content.decode()
    assert stored(proposal) == before


def test_decline_nul_in_reason_is_dropped(vera, proposal):
    assert vera.post(url("decline", proposal), {"reason": "no\x00pe"}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.decline_reason == "nope"


# --- What organizers see, step by step ------------------------------------------------------


def test_organizer_sees_a_proposed_helper_by_first_name_skills_and_region_only(ada, proposal):
    response = ada.get(reverse("matching:request_matches", kwargs={"pk": proposal.request_id}))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Vera" in body
    assert "Picket flyer design: Experienced" in body
    assert "California" in body
    for hidden in ("Surname", "vera@example.org", "vera.example.org", "mailto:", "Oakland"):
        assert hidden not in body, hidden


def test_organizer_sees_full_name_and_contact_once_accepted(ada, client, proposal, donor):
    url_ = reverse("matching:request_matches", kwargs={"pk": proposal.request_id})
    Match.objects.filter(pk=proposal.pk).update(status=MatchStatus.ACCEPTED)

    body = ada.get(url_).content.decode()

    assert "Vera Surname" in body
    assert 'href="mailto:vera@example.org"' in body
    assert "https://vera.example.org/portfolio" in body


def test_dashboard_shows_accepted_helpers_only(ada, proposal):
    before = ada.get(reverse("fights:dashboard")).content.decode()
    Match.objects.filter(pk=proposal.pk).update(status=MatchStatus.ACCEPTED)
    after = ada.get(reverse("fights:dashboard")).content.decode()

    assert "vera@example.org" not in before
    assert "Helping: Vera Surname" in after
    assert "vera@example.org" in after
    assert reverse("matching:request_matches", kwargs={"pk": proposal.request_id}) in after


def test_helper_without_a_display_name_is_a_pseudonym(ada, propose, support_request):
    match = propose(support_request, make_donor(support_request, display_name=""))

    body = ada.get(reverse("matching:request_matches", kwargs={"pk": match.request_id})).content

    assert f"Volunteer {match.pk}".encode() in body
    assert b"vera@example.org" not in body


def test_helper_whose_display_name_is_an_address_is_a_pseudonym(ada, propose, support_request):
    donor = make_donor(support_request, display_name="vera@example.org")
    match = propose(support_request, donor)

    body = ada.get(reverse("matching:request_matches", kwargs={"pk": match.request_id})).content

    assert f"Volunteer {match.pk}".encode() in body
    assert b"vera@example.org" not in body


def test_another_organization_gets_404_for_the_request_page(client, proposal):
    client.force_login(MembershipFactory().user)

    response = client.get(reverse("matching:request_matches", kwargs={"pk": proposal.request_id}))

    assert response.status_code == 404


# --- Completed: done, hours, feedback -------------------------------------------------------


@pytest.fixture
def accepted(proposal):
    Match.objects.filter(pk=proposal.pk).update(status=MatchStatus.ACCEPTED)
    proposal.refresh_from_db()
    return proposal


def test_organizer_starts_and_completes(ada, accepted):
    assert ada.post(url("start", accepted)).status_code == 302
    response = ada.post(url("complete", accepted))

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "matching:request_matches", kwargs={"pk": accepted.request_id}
    )
    accepted.refresh_from_db()
    assert accepted.status == MatchStatus.COMPLETED
    assert accepted.status_changed_by.email == "ada@example.org"


def test_complete_twice_is_refused(ada, accepted):
    ada.post(url("complete", accepted))
    before = stored(accepted)

    response = ada.post(url("complete", accepted))

    assert response.status_code == 400
    assert "This match is completed; it cannot become completed." in response.content.decode()
    assert stored(accepted) == before


def test_complete_a_proposal_is_refused(ada, proposal):
    before = stored(proposal)

    assert ada.post(url("complete", proposal)).status_code == 400
    assert stored(proposal) == before


@pytest.mark.parametrize("name", ["start", "complete", "organizer_feedback"])
def test_organizer_moves_by_someone_else_are_404(client, accepted, name):
    before = stored(accepted)
    client.force_login(MembershipFactory().user)

    assert client.post(url(name, accepted)).status_code == 404
    client.force_login(accepted.donor.user)  # the donor is not the organization
    assert client.post(url(name, accepted)).status_code == 404
    assert stored(accepted) == before


def test_donor_logs_hours_once_work_started(vera, accepted):
    refused = vera.post(url("hours", accepted), {"hours": "6"})
    Match.objects.filter(pk=accepted.pk).update(status=MatchStatus.ACTIVE)
    saved = vera.post(url("hours", accepted), {"hours": "6"})
    corrected = vera.post(url("hours", accepted), {"hours": "7"})

    assert refused.status_code == 400
    assert "Hours can be logged once the work has started." in refused.content.decode()
    assert (saved.status_code, corrected.status_code) == (302, 302)
    accepted.refresh_from_db()
    assert accepted.hours_logged == 7


@pytest.mark.parametrize("hours", ["", "0", "-3", "2001", "abc", "1.5", "9" * 30, "\x00"])
def test_donor_hours_bad_input_is_refused_at_the_field(vera, accepted, hours):
    Match.objects.filter(pk=accepted.pk).update(status=MatchStatus.ACTIVE)

    response = vera.post(url("hours", accepted), {"hours": hours})

    assert response.status_code == 400
    assert "Give the hours as a whole number from 1 to 2000." in response.content.decode()
    accepted.refresh_from_db()
    assert accepted.hours_logged is None


def test_hours_of_someone_elses_match_are_forbidden(client, accepted):
    Match.objects.filter(pk=accepted.pk).update(status=MatchStatus.ACTIVE)
    client.force_login(DonorFactory().user)

    assert client.post(url("hours", accepted), {"hours": "5"}).status_code == 403
    accepted.refresh_from_db()
    assert accepted.hours_logged is None


def test_both_sides_leave_feedback_once(vera, client, organizer, accepted):
    Match.objects.filter(pk=accepted.pk).update(status=MatchStatus.COMPLETED)
    prefix = f"m{accepted.pk}"

    first = vera.post(url("donor_feedback", accepted), {"rating": "5", "comment": "Great local"})
    again = vera.post(url("donor_feedback", accepted), {"rating": "1"})
    client.force_login(organizer)
    organizer_side = client.post(
        url("organizer_feedback", accepted), {f"{prefix}-rating": "4", f"{prefix}-comment": "Fast"}
    )

    assert (first.status_code, again.status_code, organizer_side.status_code) == (302, 400, 302)
    assert "Feedback was already left for this match." in again.content.decode()
    accepted.refresh_from_db()
    assert (accepted.donor_rating, accepted.donor_comment) == (5, "Great local")
    assert (accepted.organizer_rating, accepted.organizer_comment) == (4, "Fast")
    assert accepted.organizer_feedback_by == organizer


@pytest.mark.parametrize("rating", ["", "0", "6", "five", "3.5"])
def test_feedback_bad_rating_is_refused_at_the_field(vera, accepted, rating):
    Match.objects.filter(pk=accepted.pk).update(status=MatchStatus.COMPLETED)

    response = vera.post(url("donor_feedback", accepted), {"rating": rating, "comment": "kept"})

    body = response.content.decode()
    assert response.status_code == 400
    assert "Choose a rating from 1 to 5." in body
    assert "kept" in body
    accepted.refresh_from_db()
    assert accepted.donor_feedback_at is None


def test_feedback_before_completion_is_refused(vera, accepted):
    response = vera.post(url("donor_feedback", accepted), {"rating": "3"})

    assert response.status_code == 400
    assert "Feedback can be left once the work is marked done." in response.content.decode()


def test_organizer_feedback_bad_rating_keeps_the_comment(ada, accepted):
    Match.objects.filter(pk=accepted.pk).update(status=MatchStatus.COMPLETED)
    prefix = f"m{accepted.pk}"

    response = ada.post(
        url("organizer_feedback", accepted), {f"{prefix}-rating": "9", f"{prefix}-comment": "kept"}
    )

    assert response.status_code == 400
    assert "Choose a rating from 1 to 5." in response.content.decode()
    assert "kept" in response.content.decode()


# --- I can help -----------------------------------------------------------------------------


def offer_url(support_request):
    return reverse("matching:offer_help", kwargs={"pk": support_request.pk})


def test_offer_help_signed_out_goes_to_sign_in_and_back(client, support_request):
    response = client.post(offer_url(support_request))

    public = reverse(
        "fights:request", kwargs={"slug": support_request.fight.slug, "pk": support_request.pk}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={public.replace('/', '%2F')}"
    assert not Match.objects.exists()


def test_offer_help_creates_a_suggestion_staff_review(vera, support_request, donor):
    response = vera.post(offer_url(support_request))

    assert response.status_code == 302
    assert response["Location"] == reverse("matching:my_matches")
    match = Match.objects.get()
    assert (match.status, match.initiated_by_donor, match.donor) == ("suggested", True, donor)
    assert "You offered to help" in vera.get(reverse("matching:my_matches")).content.decode()


def test_offer_help_twice_says_so(vera, support_request):
    vera.post(offer_url(support_request))
    response = vera.post(offer_url(support_request), follow=True)

    assert "You have already offered to help with this request." in response.content.decode()
    assert Match.objects.count() == 1


def test_offer_help_conflicted_donor_is_told_politely(vera, support_request, donor):
    ConflictFactory(donor=donor, normalized_name=support_request.fight.target_employer_normalized)

    response = vera.post(offer_url(support_request), follow=True)

    body = response.content.decode()
    assert "This request isn&#x27;t open to you, but others may be." in body
    assert "conflict" not in body.lower()
    assert not Match.objects.exists()


def test_offer_help_without_a_volunteer_profile_goes_to_the_profile(client, support_request):
    client.force_login(UserFactory())

    response = client.post(offer_url(support_request))

    assert response.status_code == 302
    assert response["Location"] == reverse("donors:profile_edit")
    assert not Match.objects.exists()


def test_offer_help_on_a_confidential_or_closed_request_is_404(
    vera, confidential_request, support_request
):
    support_request.status = "closed"
    support_request.save()

    assert vera.post(offer_url(confidential_request)).status_code == 404
    assert vera.post(offer_url(support_request)).status_code == 404
    assert not Match.objects.exists()


def test_public_request_page_has_the_i_can_help_form(client, support_request):
    public = reverse(
        "fights:request", kwargs={"slug": support_request.fight.slug, "pk": support_request.pk}
    )

    body = client.get(public).content.decode()

    assert f'action="{offer_url(support_request)}"' in body
    assert "I can help" in body


# --- My matches -----------------------------------------------------------------------------


def test_my_matches_sorts_waiting_current_and_past(
    vera, organization, organizer, propose, support_request, donor, skill
):
    waiting = Match.objects.get(pk=propose(support_request, donor).pk)
    other = make_request(organization, organizer, skill=skill)
    current = propose(other, donor)
    past_request = make_request(organization, organizer, skill=skill)
    past = propose(past_request, donor)
    Match.objects.filter(pk=past.pk).update(status=MatchStatus.DECLINED)
    Match.objects.filter(pk=current.pk).update(status=MatchStatus.ACCEPTED)

    body = vera.get(reverse("matching:my_matches")).content.decode()

    waiting_at = body.index("Waiting for your answer")
    current_at = body.index("Helping now")
    past_at = body.index("Past")
    assert waiting_at < body.index(url("detail", waiting)) < current_at
    assert current_at < body.index(url("detail", current)) < past_at
    assert past_at < body.index(url("detail", past))
    assert f'action="{url("accept", waiting)}"' in body
    assert f'action="{url("accept", past)}"' not in body
    assert "Please answer by" in body


def test_completed_match_page_offers_hours_and_feedback_then_shows_them(vera, accepted):
    Match.objects.filter(pk=accepted.pk).update(status=MatchStatus.COMPLETED)

    before = vera.get(url("detail", accepted)).content.decode()
    vera.post(url("hours", accepted), {"hours": "11"})
    vera.post(url("donor_feedback", accepted), {"rating": "4", "comment": "Good team"})
    after = vera.get(url("detail", accepted)).content.decode()

    assert f'action="{url("hours", accepted)}"' in before
    assert f'action="{url("donor_feedback", accepted)}"' in before
    assert "You logged 11 hours." in after
    assert "You rated it 4 out of 5. “Good team”" in after
    assert f'action="{url("donor_feedback", accepted)}"' not in after
