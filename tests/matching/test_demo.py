"""seed_demo's matching part (matching/demo.py): a match in every state, volunteer1 with a
proposal to answer, organizer1 with helpers on the dashboard, and idempotence."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from matching.models import Match, MatchStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_seed_demo_has_a_match_in_every_state(seeded):
    assert "Demo matches: 9 created, one in every state" in seeded
    assert set(Match.objects.values_list("status", flat=True)) == set(MatchStatus.values)
    assert Match.objects.filter(status="suggested", initiated_by_donor=True).count() == 1
    completed = Match.objects.get(status="completed")
    assert (completed.donor_rating, completed.organizer_rating) == (5, 5)
    assert all(m.explanation["skills"] for m in Match.objects.all())


def test_seed_demo_volunteer1_can_answer_a_confidential_proposal(seeded, client):
    match = Match.objects.get(donor__user__email="volunteer1@example.org")
    client.force_login(User.objects.get(email="volunteer1@example.org"))

    body = client.get(reverse("matching:accept", kwargs={"pk": match.pk})).content.decode()

    assert match.status == "proposed"
    assert match.request.fight.is_confidential
    assert "If you accept" in body
    assert match.request.fight.title not in body
    assert match.request.fight.organization.name not in body


def test_seed_demo_organizer1_sees_helpers_on_the_dashboard(seeded, client):
    client.force_login(User.objects.get(email="organizer1@example.org"))
    helper = Match.objects.get(status="accepted").donor.user

    body = client.get(reverse("fights:dashboard")).content.decode()

    assert helper.email in body


def test_seed_demo_second_run_creates_no_matches(seeded, settings):
    before = list(Match.objects.values_list("pk", "status"))
    out = io.StringIO()

    call_command("seed_demo", stdout=out, stderr=io.StringIO())

    assert "Demo matches: already there." in out.getvalue()
    assert list(Match.objects.values_list("pk", "status")) == before
