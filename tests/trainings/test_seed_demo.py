"""seed_demo's trainings part (trainings/demo.py): what `make run` shows, and idempotence."""

import io

import pytest
from django.core.management import call_command

from donors.models import DonorSkill
from trainings.models import Registration, Training

pytestmark = pytest.mark.django_db


def seed(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_seed_demo_creates_past_full_conference_and_webinar(settings):
    output = seed(settings)

    assert "Demo trainings: 4 created" in output
    full = Training.objects.get(slug="digital-skills-for-labor")
    assert full.registrations.filter(status="confirmed").count() == full.capacity == 12
    assert full.registrations.filter(status="waitlisted").count() == 4
    conference = Training.objects.get(slug="organizing-online-conference")
    assert (conference.kind, str(conference.price), conference.tracks.count()) == (
        "conference",
        "100.00",
        3,
    )
    assert conference.sessions.filter(track__name="Video").count() == 2
    assert Training.objects.listed().count() == 4  # and the cohort program (program_demo.py)
    trained = DonorSkill.objects.filter(trained_in="Digital Skills for Labor (autumn)")
    assert trained.values("donor").distinct().count() == 5


def test_seed_demo_twice_changes_nothing(settings):
    seed(settings)
    counts = (Training.objects.count(), Registration.objects.count())

    output = seed(settings)

    assert "Demo trainings: 0 created" in output
    assert (Training.objects.count(), Registration.objects.count()) == counts
