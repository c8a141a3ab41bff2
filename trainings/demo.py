"""The trainings part of `seed_demo`: a past workshop whose attendees gained its skills, an
upcoming one-day workshop that is full with a waitlist, a two-day conference with tracks, a price
and scholarships, and an online webinar.

Idempotent like the rest of seed_demo: trainings are found by slug, registrations by training and
person, and only missing rows are created (no mail is sent: the rows are written directly).
Dates are relative to the day of the first run.
"""

import datetime
import zoneinfo
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from donors.models import Skill
from trainings import program_demo, services
from trainings.models import Registration, Trainer, Training, TrainingSkill, Venue

CHICAGO = "America/Chicago"


def _at(days: int, hour: int, minute: int = 0, tz: str = CHICAGO) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), zoneinfo.ZoneInfo(tz))


def _venue(name, **fields) -> Venue:
    venue, _ = Venue.objects.get_or_create(name=name, defaults=fields)
    return venue


def _trainer(name, bio) -> Trainer:
    trainer, _ = Trainer.objects.get_or_create(name=name, defaults={"bio": bio})
    return trainer


def _training(slug, *, skills, trainers=(), **fields) -> tuple[Training, bool]:
    training, created = Training.objects.get_or_create(slug=slug, defaults=fields)
    if created:
        known = Skill.objects.in_bulk(list(skills), field_name="slug")
        for skill_slug, level in skills.items():
            if skill_slug in known:
                TrainingSkill.objects.create(
                    training=training, skill=known[skill_slug], level=level
                )
        training.trainers.add(*trainers)
    return training, created


def _register(training, users, status, **fields) -> int:
    created = 0
    now = timezone.now()
    for user in users:
        registration, made = Registration.objects.get_or_create(
            training=training,
            user=user,
            defaults={
                "status": status,
                "queued_at": now,
                "confirmed_at": now if status != "waitlisted" else None,
                **fields,
            },
        )
        created += made
        if made and status == "attended":
            services.grant_skills(registration, now=training.ends_at)
    return created


def _volunteers(numbers) -> list[User]:
    emails = [f"volunteer{n}@example.org" for n in numbers]
    found = User.objects.in_bulk(emails, field_name="email")
    return [found[email] for email in emails if email in found]


def _conference_programme(conference) -> None:
    tracks = {
        name: conference.tracks.create(name=name, position=position)
        for position, name in enumerate(["Video", "Organizing online", "Design"])
    }
    day_one, day_two = conference.starts_at, conference.starts_at + datetime.timedelta(days=1)
    programme = [
        (day_one, 0, 60, None, "Welcome: why the bench matters", "Main hall"),
        (day_one, 75, 90, "Video", "Shooting a picket line on a phone", "Room A"),
        (day_one, 75, 90, "Organizing online", "From group chat to campaign list", "Room B"),
        (day_one, 75, 90, "Design", "Flyers people keep", "Room C"),
        (day_two, 0, 90, "Video", "Editing short videos in an afternoon", "Room A"),
        (day_two, 0, 90, "Organizing online", "Mass texting for strike votes", "Room B"),
        (day_two, 120, 60, None, "Closing: your next fight", "Main hall"),
    ]
    for day, offset, minutes, track, title, room in programme:
        starts = day + datetime.timedelta(minutes=offset)
        conference.sessions.create(
            title=title,
            track=tracks.get(track),
            room=room,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(minutes=minutes),
        )


def seed(*, password: str) -> str:
    """Create what is missing; return the line seed_demo prints."""
    hall = _venue(
        "Teamsters Local 705 Hall",
        address="1645 W Jackson Blvd",
        city="Chicago",
        country="US",
        region="US-IL",
        wheelchair_accessible=True,
        accessibility_notes="Step-free entrance on Jackson; lift to the 2nd floor; "
        "accessible toilets on each floor; quiet room on request.",
    )
    rosa = _trainer("Rosa Alvarado", "Organizer and trainer; ran digital for three strikes.")
    lee = _trainer("Lee Park", "Video maker; teaches phone video to rank-and-file members.")
    made = 0
    past, created = _training(
        "digital-skills-autumn",
        title="Digital Skills for Labor (autumn)",
        kind="workshop",
        summary="Social media, flyers and email for your campaign, in one day.",
        starts_at=_at(-45, 9, 30),
        ends_at=_at(-45, 17),
        time_zone=CHICAGO,
        venue=hall,
        capacity=12,
        published=True,
        skills={"social-media-content": 2, "flyers-print": 1},
        trainers=[rosa],
    )
    made += created
    _register(past, _volunteers(range(1, 6)), "attended", checked_in_at=past.starts_at)
    full, created = _training(
        "digital-skills-for-labor",
        title="Digital Skills for Labor",
        kind="workshop",
        summary="A one-day workshop: social media, flyers, email and texting for your fight.",
        description="Bring a phone or laptop. Lunch is provided; tell us your dietary needs.",
        starts_at=_at(10, 9, 30),
        ends_at=_at(10, 17),
        time_zone=CHICAGO,
        venue=hall,
        capacity=12,
        published=True,
        skills={"social-media-content": 2, "flyers-print": 1, "email-blasts": 1},
        trainers=[rosa],
    )
    made += created
    _register(full, _volunteers(range(6, 18)), "confirmed")
    _register(full, _volunteers(range(18, 22)), "waitlisted")
    conference, created = _training(
        "organizing-online-conference",
        title="Organizing Online: the conference",
        kind="conference",
        summary="Two days, three tracks: video, organizing online and design.",
        starts_at=_at(40, 9),
        ends_at=_at(41, 16),
        time_zone=CHICAGO,
        venue=hall,
        capacity=150,
        price=Decimal("100.00"),
        scholarships_available=True,
        published=True,
        skills={"short-form-video": 1, "mass-texting": 1, "graphic-design": 1},
        trainers=[rosa, lee],
    )
    made += created
    if created:
        _conference_programme(conference)
    _register(conference, _volunteers(range(22, 25)), "confirmed", payment="pay_at_door")
    _register(
        conference,
        _volunteers([25]),
        "confirmed",
        payment="pay_at_door",
        scholarship="requested",
        scholarship_reason="Our worker center has no training budget this year.",
    )
    _webinar, created = _training(
        "mass-texting-webinar",
        title="Mass texting for strike votes",
        kind="webinar",
        summary="One hour online: peer-to-peer texting that gets members to the vote.",
        starts_at=_at(5, 18),
        ends_at=_at(5, 19),
        time_zone=CHICAGO,
        meeting_url="https://meet.example.org/kd-mass-texting",
        capacity=100,
        published=True,
        skills={"mass-texting": 1},
        trainers=[lee],
    )
    made += created
    program_demo.seed()  # the cohort program taking applications (trainings/program_demo.py)
    return (
        f"Demo trainings: {made} created (a past workshop whose attendees gained its skills, "
        f"'{full.title}' full with a waitlist, a two-day conference with tracks and a price, "
        f"and an online webinar)."
    )
