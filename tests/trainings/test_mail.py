"""The reminders, feedback requests and change notices, and what each recipient may see."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import (
    RegistrationFactory,
    StaffFactory,
    TrainingFactory,
    UserFactory,
    VenueFactory,
)
from trainings import services
from trainings.models import Registration

pytestmark = pytest.mark.django_db

SECRET_LINK = "https://meet.example.org/SECRET-ROOM-42"
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


@pytest.fixture
def tomorrow_morning():
    """A webinar at 9:30 Chicago time tomorrow (relative to `now` passed in tests)."""
    start = datetime.datetime(2030, 6, 12, 9, 30, tzinfo=CHICAGO)
    return TrainingFactory(
        title="Texting your members",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        time_zone="America/Chicago",
        venue=None,
        meeting_url=SECRET_LINK,
        feedback_url="https://forms.example.org/feedback",
    )


def sent_to():
    return sorted((m.to[0], m.subject) for m in mail.outbox)


def test_reminders_day_before_then_morning_of_only_to_the_confirmed(
    tomorrow_morning, django_capture_on_commit_callbacks
):
    confirmed = RegistrationFactory(training=tomorrow_morning, user__email="c@example.org")
    RegistrationFactory(training=tomorrow_morning, status="waitlisted")
    RegistrationFactory(training=tomorrow_morning, status="cancelled")
    day_before = datetime.datetime(2030, 6, 11, 12, 0, tzinfo=CHICAGO)
    morning = datetime.datetime(2030, 6, 12, 7, 5, tzinfo=CHICAGO)

    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminders(now=day_before - datetime.timedelta(days=1))  # too early
        services.send_reminders(now=day_before)
        services.send_reminders(now=day_before + datetime.timedelta(hours=1))  # no repeat
        services.send_reminders(now=morning)
        services.send_reminders(now=morning + datetime.timedelta(minutes=5))  # no repeat

    assert sent_to() == [
        ("c@example.org", "Today: Texting your members"),
        ("c@example.org", "Tomorrow: Texting your members"),
    ]
    assert all(SECRET_LINK in m.body for m in mail.outbox)
    assert "Wed 12 Jun 2030, 09:30 to 11:30 (America/Chicago)" in mail.outbox[0].body
    assert confirmed.user.email == "c@example.org"


def test_reminder_respects_the_persons_opt_out(
    tomorrow_morning, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(training=tomorrow_morning)
    registration.user.notification_preferences.create(kind="trainings.reminder", enabled=False)

    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminders(now=datetime.datetime(2030, 6, 11, 12, 0, tzinfo=CHICAGO))

    assert mail.outbox == []


def test_feedback_request_after_it_ends_to_those_who_attended(
    tomorrow_morning, django_capture_on_commit_callbacks
):
    RegistrationFactory(training=tomorrow_morning, status="attended", user__email="a@example.org")
    RegistrationFactory(training=tomorrow_morning, status="no_show")
    after = tomorrow_morning.ends_at + datetime.timedelta(hours=1)

    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminders(now=after)
        services.send_reminders(now=after + datetime.timedelta(hours=2))

    assert sent_to() == [("a@example.org", "How was Texting your members?")]
    assert "https://forms.example.org/feedback" in mail.outbox[0].body


def test_change_of_time_tells_everyone_registered_the_link_only_to_the_confirmed(
    client, django_capture_on_commit_callbacks
):
    training = TrainingFactory(title="Flyers that work", meeting_url=SECRET_LINK, capacity=1)
    RegistrationFactory(training=training, user__email="seat@example.org")
    RegistrationFactory(training=training, status="waitlisted", user__email="wait@example.org")
    RegistrationFactory(training=training, status="cancelled", user__email="gone@example.org")
    staff = StaffFactory(is_superuser=True)
    client.force_login(staff)
    new_start = training.starts_at + datetime.timedelta(days=1)
    data = {
        "title": training.title,
        "slug": training.slug,
        "kind": "workshop",
        "starts_at_0": new_start.date().isoformat(),
        "starts_at_1": "09:30",
        "ends_at_0": new_start.date().isoformat(),
        "ends_at_1": "17:00",
        "time_zone": "UTC",
        "venue": training.venue_id,
        "meeting_url": SECRET_LINK,
        "capacity": 1,
        "price": "0",
        "currency": "USD",
        "published": "on",
        **_empty_inlines(training),
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/trainings/training/{training.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert sent_to() == [
        ("seat@example.org", "Changed: Flyers that work"),
        ("wait@example.org", "Changed: Flyers that work"),
    ]
    by_address = {m.to[0]: m for m in mail.outbox}
    assert SECRET_LINK in by_address["seat@example.org"].body
    assert [a[0] for a in by_address["seat@example.org"].attachments] == [f"{training.slug}.ics"]
    assert SECRET_LINK not in by_address["wait@example.org"].body
    assert by_address["wait@example.org"].attachments == []
    assert "starts_at" in by_address["wait@example.org"].body


def _empty_inlines(training):
    data = {}
    for prefix in ("taught", "tracks", "sessions", "registrations"):
        count = getattr(training, prefix).count()
        data |= {
            f"{prefix}-TOTAL_FORMS": str(count),
            f"{prefix}-INITIAL_FORMS": str(count),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    for number, registration in enumerate(training.registrations.order_by("status", "created_at")):
        data[f"registrations-{number}-id"] = str(registration.pk)
        data[f"registrations-{number}-training"] = str(training.pk)
    return data


def test_admin_end_before_start_is_an_error_at_the_field(client):
    training = TrainingFactory()
    client.force_login(StaffFactory(is_superuser=True))
    day = training.starts_at.date().isoformat()
    data = {
        "title": "X",
        "slug": training.slug,
        "kind": "workshop",
        "starts_at_0": day,
        "starts_at_1": "12:00",
        "ends_at_0": day,
        "ends_at_1": "11:00",
        "time_zone": "Mars/Olympus",
        "capacity": 0,
        "price": "-5",
        "currency": "USD",
        **_empty_inlines(training),
    }

    response = client.post(f"/admin/trainings/training/{training.pk}/change/", data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["ends_at"] == ["The end must be after the start."]
    assert errors["capacity"] == ["Ensure this value is greater than or equal to 1."]
    assert errors["price"] == ["Ensure this value is greater than or equal to 0."]
    assert errors["time_zone"] == ["Pick a time zone such as Europe/Paris or America/Chicago."]
    training.refresh_from_db()
    assert training.title != "X"


def test_cancel_training_tells_everyone_once(django_capture_on_commit_callbacks):
    training = TrainingFactory(title="Flyers that work")
    RegistrationFactory(training=training, user__email="seat@example.org")
    RegistrationFactory(training=training, status="waitlisted", user__email="wait@example.org")
    staff = StaffFactory()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.cancel_training(training, by=staff) == 2
        assert services.cancel_training(training, by=staff) == 0

    assert sent_to() == [
        ("seat@example.org", "Cancelled: Flyers that work"),
        ("wait@example.org", "Cancelled: Flyers that work"),
    ]
    training.refresh_from_db()
    assert training.cancelled_at is not None
    with pytest.raises(services.RegistrationError):
        services.register(training, UserFactory())


def test_scholarship_decision_is_mailed(django_capture_on_commit_callbacks):
    training = TrainingFactory(title="Conference", price=100, scholarships_available=True)
    registration = services.register(training, UserFactory(), scholarship_reason="No budget")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.decide_scholarship(registration, approve=True, by=StaffFactory())

    [sent] = mail.outbox
    assert sent.subject == "Your scholarship request: Conference"
    assert "Your scholarship request was approved: the fee is waived." in sent.body


def test_in_person_mail_names_the_venue_and_its_access(django_capture_on_commit_callbacks):
    venue = VenueFactory(name="Teamsters Hall", accessibility_notes="Ramp at the side door.")
    training = TrainingFactory(venue=venue)

    with django_capture_on_commit_callbacks(execute=True):
        services.register(training, UserFactory())

    body = mail.outbox[0].body
    assert "Where: Teamsters Hall, 100 Labor Way, Oakland" in body
    assert "Accessibility: Ramp at the side door." in body
    assert "Join online" not in body
    assert Registration.objects.get().status == "confirmed"
    assert timezone.now() < training.starts_at
