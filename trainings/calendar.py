"""iCalendar files: one per training, the public feed, and the entry attached to a confirmation.

Times are written in the training's own time zone (DTSTART;TZID=…) with its VTIMEZONE included,
so calendars show the right local time and convert correctly. The VTIMEZONE lists every offset
change as its own STANDARD/DAYLIGHT part with a DTSTART, over the years the file's events span:
icalendar writes later changes as RDATE lists, which some readers (dateutil, hence vobject and
the programs built on it) ignore, putting a summer training an hour off.

The UID is the training's stable `uid`, so re-downloading or a change notice updates the entry
instead of adding another; SEQUENCE grows with each edit. Public files carry no private detail:
the meeting link appears only in the entry attached to a confirmed registrant's own mail.
"""

import datetime
import zoneinfo
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, Timezone

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
    spans: dict[str, list[datetime.datetime]] = {}
    for training in trainings:
        calendar.add_component(event_for(training, meeting_url=meeting_url))
        if training.time_zone not in ("UTC", "Etc/UTC"):
            spans.setdefault(training.time_zone, []).extend([training.starts_at, training.ends_at])
    for tzid, moments in sorted(spans.items()):
        calendar.add_component(vtimezone(tzid, min(moments), max(moments)))
    return calendar.to_ical()


def vtimezone(tzid: str, first: datetime.datetime, last: datetime.datetime) -> Timezone:
    """The zone's offset changes from the year before `first` to the year after `last`, each
    change its own part with its own DTSTART (no RDATE lists)."""
    source = Timezone.from_tzinfo(
        zoneinfo.ZoneInfo(tzid),
        first_date=datetime.date(first.year - 1, 1, 1),
        last_date=datetime.date(last.year + 2, 1, 1),
    )
    result = Timezone()
    result.add("tzid", tzid)
    for part in source.subcomponents:
        rdates = part.get("rdate", [])
        rdates = rdates if isinstance(rdates, list) else [rdates]
        onsets = [part.decoded("dtstart")] + [d.dt for rdate in rdates for d in rdate.dts]
        for onset in onsets:
            change = type(part)()
            change.add("dtstart", onset)
            for key in ("tzname", "tzoffsetfrom", "tzoffsetto"):
                change[key] = part[key]
            result.add_component(change)
    return result


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
