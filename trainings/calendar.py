"""iCalendar files: one per training, the public feed, and the entry attached to a confirmation.

Times are written in the training's own time zone (DTSTART;TZID=…) with its VTIMEZONE included,
so calendars show the right local time and convert correctly. The UID is the training's stable
`uid`, so re-downloading or a change notice updates the entry instead of adding another; SEQUENCE
grows with each edit. Public files carry no private detail: the meeting link appears only in the
entry attached to a confirmed registrant's own mail.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from trainings.models import Registration

PRODID = "-//Knowledge Donors//Trainings//EN"


def _domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def uid_for(training) -> str:
    return f"training-{training.uid}@{_domain()}"


def location_of(training) -> str:
    if training.venue_id is None:
        return "Online"
    venue = training.venue
    return ", ".join(part for part in (venue.name, venue.address, venue.city) if part)


def event_for(training, *, meeting_url: str = "") -> Event:
    url = settings.SITE_URL + reverse("trainings:detail", args=[training.slug])
    event = Event()
    event.add("uid", uid_for(training))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", training.starts_at.astimezone(training.tz))
    event.add("dtend", training.ends_at.astimezone(training.tz))
    event.add("summary", training.title)
    description = "\n\n".join(part for part in (training.summary, url) if part)
    if meeting_url:
        description = f"{description}\n\nJoin online: {meeting_url}"
    event.add("description", description)
    event.add("location", meeting_url or location_of(training))
    event.add("url", url)
    event.add("sequence", int(training.updated_at.timestamp()) % 2**31)
    event.add("status", "CANCELLED" if training.cancelled_at else "CONFIRMED")
    return event


def calendar_for(trainings, *, name: str, meeting_url: str = "") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for training in trainings:
        calendar.add_component(event_for(training, meeting_url=meeting_url))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def training_ics(training) -> bytes:
    """The public entry for one training: no meeting link."""
    return calendar_for([training], name=training.title)


def registrant_ics(registration) -> bytes:
    """The entry for a confirmed registrant: with the meeting link."""
    training = registration.training
    link = training.meeting_url if registration.sees_meeting_link else ""
    return calendar_for([training], name=training.title, meeting_url=link)


def registration_attachments(context: dict) -> list[tuple[str, bytes, str]]:
    """The notifications attachment hook: the registrant's calendar entry as it is now, or
    nothing if the registration no longer holds a confirmed seat."""
    registration = (
        Registration.objects.select_related("training__venue")
        .filter(pk=context.get("registration_id"))
        .first()
    )
    if registration is None or not registration.sees_meeting_link:
        return []
    filename = f"{registration.training.slug}.ics"
    return [(filename, registrant_ics(registration), "text/calendar")]
