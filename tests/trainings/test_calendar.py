"""The .ics files, read back with an independent parser (vobject; icalendar writes them)."""

import datetime
import zoneinfo

import pytest
import vobject

from tests.factories import RegistrationFactory, TrainingFactory, VenueFactory
from trainings import calendar

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
SECRET_LINK = "https://meet.example.org/SECRET-ROOM-42"


@pytest.fixture
def chicago_workshop():
    # 9:30-17:00 in Chicago on 14 March 2030 (CDT, UTC-5: daylight saving began on 10 March;
    # a reader that missed the change would say 15:30 UTC).
    return TrainingFactory(
        title="Digital Skills for Labor",
        slug="digital-skills-chicago",
        starts_at=datetime.datetime(2030, 3, 14, 9, 30, tzinfo=CHICAGO),
        ends_at=datetime.datetime(2030, 3, 14, 17, 0, tzinfo=CHICAGO),
        time_zone="America/Chicago",
        venue=VenueFactory(name="Teamsters Hall", address="300 S Ashland Ave", city="Chicago"),
        meeting_url=SECRET_LINK,
    )


def parse(body: bytes):
    return vobject.readOne(body.decode())


def test_training_ics_has_right_times_in_utc_and_local(client, chicago_workshop):
    response = client.get("/trainings/digital-skills-chicago/calendar.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="digital-skills-chicago.ics"'
    event = parse(response.content).vevent
    start, end = event.dtstart.value, event.dtend.value
    assert start.astimezone(datetime.UTC) == datetime.datetime(
        2030, 3, 14, 14, 30, tzinfo=datetime.UTC
    )
    assert end.astimezone(datetime.UTC) == datetime.datetime(
        2030, 3, 14, 22, 0, tzinfo=datetime.UTC
    )
    local = start.astimezone(CHICAGO)
    assert (local.hour, local.minute) == (9, 30)
    assert "DTSTART;TZID=America/Chicago:20300314T093000" in response.text
    assert "DTEND;TZID=America/Chicago:20300314T170000" in response.text
    assert "BEGIN:VTIMEZONE" in response.text
    assert "TZID:America/Chicago" in response.text
    assert event.summary.value == "Digital Skills for Labor"
    assert event.location.value == "Teamsters Hall, 300 S Ashland Ave, Chicago"
    assert SECRET_LINK not in response.text


def test_uid_is_stable_across_edits_and_downloads(client, chicago_workshop):
    first = parse(client.get("/trainings/digital-skills-chicago/calendar.ics").content)
    chicago_workshop.title = "Digital Skills for Labor (moved)"
    chicago_workshop.save()
    second = parse(client.get("/trainings/digital-skills-chicago/calendar.ics").content)

    assert first.vevent.uid.value == second.vevent.uid.value
    assert first.vevent.uid.value == f"training-{chicago_workshop.uid}@localhost"
    assert int(second.vevent.sequence.value) >= int(first.vevent.sequence.value)


def test_feed_lists_upcoming_public_trainings_without_private_details(client, chicago_workshop):
    TrainingFactory(title="Draft", published=False, meeting_url=SECRET_LINK)
    online = TrainingFactory(title="Webinar", venue=None, meeting_url=SECRET_LINK)
    RegistrationFactory(training=online, accessibility_needs="PRIVATE-NEEDS")

    response = client.get("/trainings/calendar.ics")

    assert response.status_code == 200
    parsed = parse(response.content)
    events = {e.summary.value: e for e in parsed.vevent_list}
    assert set(events) == {"Digital Skills for Labor", "Webinar"}
    assert events["Webinar"].location.value == "Online"
    for private in (SECRET_LINK, "PRIVATE-NEEDS", "@example.org"):
        assert private not in response.text


def test_confirmed_registrants_attachment_carries_the_link(chicago_workshop):
    confirmed = RegistrationFactory(training=chicago_workshop, status="confirmed")
    waiting = RegistrationFactory(training=chicago_workshop, status="waitlisted")

    [(filename, body, mimetype)] = calendar.registration_attachments(
        {"registration_id": confirmed.pk}
    )

    assert (filename, mimetype) == ("digital-skills-chicago.ics", "text/calendar")
    event = parse(body).vevent
    assert event.location.value == SECRET_LINK
    assert SECRET_LINK in event.description.value
    assert calendar.registration_attachments({"registration_id": waiting.pk}) == []
    assert calendar.registration_attachments({"registration_id": 0}) == []


def test_cancelled_training_is_marked_cancelled(client, chicago_workshop):
    chicago_workshop.cancelled_at = chicago_workshop.starts_at - datetime.timedelta(days=1)
    chicago_workshop.save()

    event = parse(client.get("/trainings/digital-skills-chicago/calendar.ics").content).vevent

    assert event.status.value == "CANCELLED"
