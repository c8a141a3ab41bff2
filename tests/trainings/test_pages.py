"""The public pages, the registrant's actions, and the private meeting link."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import (
    DonorFactory,
    MembershipFactory,
    OrganizationFactory,
    RegistrationFactory,
    SkillFactory,
    TrainingFactory,
    TrainingSkillFactory,
    UserFactory,
    VenueFactory,
)
from trainings import services
from trainings.models import Registration

pytestmark = pytest.mark.django_db

SECRET_LINK = "https://meet.example.org/SECRET-ROOM-42"


@pytest.fixture
def webinar():
    return TrainingFactory(
        title="Livestreaming a picket",
        slug="livestreaming",
        kind="webinar",
        venue=None,
        meeting_url=SECRET_LINK,
        capacity=1,
    )


def signed_in(client, user=None):
    user = user or UserFactory()
    client.force_login(user)
    return client, user


# --- the list ------------------------------------------------------------------------------------


def test_list_shows_upcoming_published_trainings_only(client):
    TrainingFactory(title="Upcoming workshop")
    TrainingFactory(title="Draft workshop", published=False)
    past = timezone.now() - datetime.timedelta(days=3)
    TrainingFactory(
        title="Past workshop", starts_at=past, ends_at=past + datetime.timedelta(hours=2)
    )
    TrainingFactory(title="Cancelled workshop", cancelled_at=timezone.now())

    response = client.get("/trainings/")

    assert response.status_code == 200
    assert "Upcoming workshop" in response.text
    for hidden in ("Draft workshop", "Past workshop", "Cancelled workshop"):
        assert hidden not in response.text
    assert '<a href="/trainings/calendar.ics">iCal feed</a>' in response.text


def test_list_filters_by_kind_skill_mode_region_and_date(client, webinar):
    skill = SkillFactory(name="Picket streaming", slug="picket-streaming")
    TrainingSkillFactory(training=webinar, skill=skill)
    TrainingFactory(title="Oakland workshop", venue=VenueFactory(region="US-CA"))
    TrainingFactory(title="Chicago workshop", venue=VenueFactory(region="US-IL"))
    far = timezone.now() + datetime.timedelta(days=90)
    TrainingFactory(
        title="Later workshop", starts_at=far, ends_at=far + datetime.timedelta(hours=3)
    )

    def titles(**params):
        response = client.get("/trainings/", params)
        assert response.status_code == 200
        return sorted(t.title for t in response.context["page"].object_list)

    assert titles(kind="webinar") == ["Livestreaming a picket"]
    assert titles(skill="picket-streaming") == ["Livestreaming a picket"]
    assert titles(mode="online") == ["Livestreaming a picket"]
    assert titles(region="US-IL") == ["Chicago workshop"]
    soon = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    assert titles(starts_after=soon) == ["Later workshop"]
    assert "Later workshop" not in titles(starts_before=soon)


def test_list_bad_filter_is_a_400_naming_the_field(client):
    response = client.get("/trainings/", {"kind": "rave", "starts_after": "not-a-date"})

    assert response.status_code == 400
    assert "Select a valid choice. rave is not one of the available choices." in response.text
    assert "Enter a valid date." in response.text


# --- the training page ---------------------------------------------------------------------------


def test_detail_shows_venue_accessibility_schedule_and_trainers(client):
    training = TrainingFactory(kind="conference", price=100, scholarships_available=True)
    track = training.tracks.create(name="Video")
    training.sessions.create(
        title="Phone video basics",
        track=track,
        starts_at=training.starts_at,
        ends_at=training.starts_at + datetime.timedelta(hours=1),
    )
    training.trainers.create(name="Rosa Trainer", bio="Films strikes.")

    response = client.get(f"/trainings/{training.slug}/")

    assert response.status_code == 200
    for text in (
        "Step-free entrance on 2nd Street",
        "Wheelchair accessible.",
        "Phone video basics",
        "Video",
        "Rosa Trainer",
        "100.00 USD",
        "scholarships available",
        "09:30\u201310:30",
    ):
        assert text in response.text


def test_detail_of_unpublished_training_is_404(client):
    training = TrainingFactory(published=False)

    assert client.get(f"/trainings/{training.slug}/").status_code == 404
    assert client.get(f"/trainings/{training.slug}/calendar.ics").status_code == 404


def test_meeting_link_only_for_confirmed_registrants(client, webinar):
    confirmed = RegistrationFactory(training=webinar, status="confirmed")
    waitlisted = RegistrationFactory(training=webinar, status="waitlisted")
    url = f"/trainings/{webinar.slug}/"

    assert SECRET_LINK not in client.get(url).text
    assert SECRET_LINK not in client.get("/trainings/").text
    assert SECRET_LINK not in client.get("/trainings/calendar.ics").text
    assert SECRET_LINK not in client.get(f"{url}calendar.ics").text
    client.force_login(waitlisted.user)
    assert SECRET_LINK not in client.get(url).text
    client.force_login(confirmed.user)
    assert f'<a href="{SECRET_LINK}">{SECRET_LINK}</a>' in client.get(url).text


# --- registering ---------------------------------------------------------------------------------


def test_register_post_confirms_and_mails_the_link_with_ics(
    client, webinar, django_capture_on_commit_callbacks
):
    client, user = signed_in(client)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/trainings/{webinar.slug}/register/", {"organization": "Local 9"})

    assert response.status_code == 302
    assert response["Location"] == f"/trainings/{webinar.slug}/"
    registration = Registration.objects.get(user=user)
    assert (registration.status, registration.organization) == ("confirmed", "Local 9")
    [sent] = mail.outbox
    assert sent.subject == "Your seat is confirmed: Livestreaming a picket"
    assert SECRET_LINK in sent.body
    assert SECRET_LINK in sent.alternatives[0][0]
    [(filename, content, mimetype)] = sent.attachments
    assert (filename, mimetype) == ("livestreaming.ics", "text/calendar")
    assert SECRET_LINK in content


def test_register_when_full_waitlists_and_the_mail_has_no_link(
    client, webinar, django_capture_on_commit_callbacks
):
    RegistrationFactory(training=webinar)
    client, user = signed_in(client)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/trainings/{webinar.slug}/register/", {})

    assert Registration.objects.get(user=user).status == "waitlisted"
    page = client.get(f"/trainings/{webinar.slug}/")
    assert "You are number 1 on the waitlist." in page.text
    [sent] = mail.outbox
    assert sent.subject == "You are on the waitlist: Livestreaming a picket"
    assert SECRET_LINK not in sent.body
    assert SECRET_LINK not in sent.alternatives[0][0]
    assert sent.attachments == []


def test_offer_mail_has_claim_and_decline_links_but_no_meeting_link(
    webinar, django_capture_on_commit_callbacks
):
    seat = RegistrationFactory(training=webinar)
    waiting = RegistrationFactory(training=webinar, status="waitlisted")

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(seat, by=seat.user)

    [sent] = mail.outbox
    assert sent.to == [waiting.user.email]
    assert f"/trainings/registrations/{waiting.pk}/claim/" in sent.body
    assert f"/trainings/registrations/{waiting.pk}/decline/" in sent.body
    assert SECRET_LINK not in sent.body


def test_register_get_changes_nothing(client, webinar):
    client, _ = signed_in(client)

    response = client.get(f"/trainings/{webinar.slug}/register/")

    assert response.status_code == 200
    assert not Registration.objects.exists()


def test_register_after_close_says_so_and_keeps_answers(client):
    training = TrainingFactory(registration_closes_at=timezone.now() - datetime.timedelta(hours=1))
    client, _ = signed_in(client)

    response = client.post(
        f"/trainings/{training.slug}/register/", {"accessibility_needs": "Step-free please"}
    )

    assert response.status_code == 400
    assert "Registration is closed." in response.text
    assert not Registration.objects.exists()


def test_register_too_long_answer_is_an_error_at_the_field(client, webinar):
    client, _ = signed_in(client)

    response = client.post(
        f"/trainings/{webinar.slug}/register/",
        {"organization": "x" * 201, "accessibility_needs": "Captions please"},
    )

    assert response.status_code == 400
    assert "Ensure this value has at most 200 characters (it has 201)." in response.text
    assert "Captions please" in response.text
    assert not Registration.objects.exists()


def test_register_twice_keeps_one_registration(client, webinar):
    client, user = signed_in(client)

    client.post(f"/trainings/{webinar.slug}/register/", {})
    response = client.post(f"/trainings/{webinar.slug}/register/", {})

    assert response.status_code == 302
    assert Registration.objects.filter(user=user).count() == 1


def test_register_forged_slug_is_404(client):
    client, _ = signed_in(client)

    assert client.post("/trainings/no-such-training/register/", {}).status_code == 404


def test_cancel_get_asks_post_cancels(client, webinar):
    registration = RegistrationFactory(training=webinar)
    client, _ = signed_in(client, registration.user)
    url = f"/trainings/registrations/{registration.pk}/cancel/"

    assert "Cancel my registration" in client.get(url).text
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    response = client.post(url)

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "cancelled"


def test_cancel_someone_elses_registration_is_404(client, webinar):
    registration = RegistrationFactory(training=webinar)
    client, _ = signed_in(client)

    response = client.post(f"/trainings/registrations/{registration.pk}/cancel/")

    assert response.status_code == 404
    registration.refresh_from_db()
    assert registration.status == "confirmed"


def test_claim_and_decline_pages(client, webinar):
    seat = RegistrationFactory(training=webinar)
    first = RegistrationFactory(training=webinar, status="waitlisted")
    second = RegistrationFactory(training=webinar, status="waitlisted")
    services.cancel_registration(seat, by=seat.user)

    client, _ = signed_in(client, first.user)
    assert client.post(f"/trainings/registrations/{first.pk}/decline/").status_code == 302
    client.force_login(second.user)
    response = client.post(f"/trainings/registrations/{second.pk}/claim/")

    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == "confirmed"
    again = client.post(f"/trainings/registrations/{second.pk}/claim/")
    assert again.status_code == 409
    assert "cannot become confirmed" in again.text


def test_group_registration_page(client):
    organization = OrganizationFactory(name="Harbor Workers Local 9")
    organizer, member = UserFactory.create_batch(2)
    MembershipFactory(organization=organization, user=organizer, role="admin")
    MembershipFactory(organization=organization, user=member)
    training = TrainingFactory()
    client, _ = signed_in(client, organizer)

    assert member.display_name in client.get(f"/trainings/{training.slug}/group/").text
    response = client.post(
        f"/trainings/{training.slug}/group/",
        {"organization": organization.pk, "members": [member.pk]},
    )

    assert response.status_code == 200
    registration = Registration.objects.get(user=member)
    assert (registration.registered_by, registration.status) == (organizer, "confirmed")


def test_group_registration_with_forged_member_is_refused(client):
    organization = OrganizationFactory()
    organizer = UserFactory()
    MembershipFactory(organization=organization, user=organizer)
    outsider = UserFactory()
    training = TrainingFactory()
    client, _ = signed_in(client, organizer)

    response = client.post(
        f"/trainings/{training.slug}/group/",
        {"organization": organization.pk, "members": [outsider.pk, 999999]},
    )

    assert response.status_code == 400
    assert "Select a valid choice." in response.text
    assert not Registration.objects.exists()


# --- the profile ---------------------------------------------------------------------------------


def test_profile_shows_training_history_and_trained_skills(client):
    donor = DonorFactory(contact_consent=True)
    training = TrainingFactory(title="Video for strikes")
    TrainingSkillFactory(training=training, skill=SkillFactory(name="Online video"))
    registration = services.register(training, donor.user)
    services.mark_attended(registration, by=UserFactory(is_staff=True))
    client.force_login(donor.user)

    response = client.get("/profile/")

    assert response.status_code == 200
    assert "Video for strikes</a>" in response.text
    assert "Attended · trained in Online video" in response.text
    assert "trained in Video for strikes" in response.text


def test_claim_page_offers_no_button_without_an_offer(client, webinar):
    registration = RegistrationFactory(training=webinar, status="waitlisted")
    client, _ = signed_in(client, registration.user)

    response = client.get(f"/trainings/registrations/{registration.pk}/claim/")

    assert response.status_code == 200
    assert "Your registration: <strong>Waitlisted</strong>." in response.text
    assert "Claim the seat</button>" not in response.text
