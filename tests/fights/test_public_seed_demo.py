"""seed_demo's fights part (fights/demo.py): a lively public list, organizer logins, and the
same idempotence as the volunteers' part."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from fights.models import (
    Fight,
    Membership,
    Organization,
    RequestLanguage,
    RequestSkill,
    SupportRequest,
    Urgency,
)

pytestmark = pytest.mark.django_db
MODELS = (Organization, Membership, Fight, SupportRequest, RequestSkill, RequestLanguage)


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def row_counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_creates_organizations_in_every_verification_state(seeded):
    assert Organization.objects.verified().count() == 4
    assert Organization.objects.unverified().count() == 1
    assert Organization.objects.filter(rejected_at__isnull=False).count() == 1
    staff = User.objects.get(email="staff@example.org")
    assert set(Organization.objects.verified().values_list("verified_by", flat=True)) == {staff.pk}
    assert "Demo fights: 6 organizations, 7 fights and 16 requests created" in seeded
    assert "organizer1@example.org … organizer6@example.org" in seeded


def test_seed_demo_public_list_is_lively_and_hides_the_rest(seeded, client):
    listed = list(SupportRequest.objects.listed())
    today = timezone.localdate()

    assert len(listed) == 11
    assert {r.urgency_on(today) for r in listed} == set(Urgency.values)
    assert {r.work_mode for r in listed} == {"remote", "in_person", "either"}
    assert len({r.fight.kind for r in listed}) == 4
    assert all(r.request_skills.filter(required=True).exists() for r in listed)
    response = client.get(reverse("fights:list"))
    body = response.content.decode()
    assert response.context["page"].paginator.count == 11
    assert "Social media for our strike" in body
    for hidden in ("Initech", "Globex", "Online ads aimed", "Infographic on heat rules"):
        assert hidden not in body


def test_seed_demo_has_a_confidential_fight_its_members_can_open(seeded, client):
    fight = Fight.objects.get(visibility="confidential")
    url = reverse("fights:fight", kwargs={"slug": fight.slug})
    assert client.get(url).status_code == 404

    client.post(
        reverse("account_login"),
        {"login": "organizer2@example.org", "password": "demo-password-1"},
    )
    response = client.get(url)

    assert response.status_code == 200
    assert "Confidential fight." in response.content.decode()


@pytest.mark.parametrize("email", [f"organizer{n}@example.org" for n in range(1, 7)])
def test_seed_demo_organizer_can_log_in_and_belongs_to_an_organization(seeded, client, email):
    response = client.post(
        reverse("account_login"), {"login": email, "password": "demo-password-1"}
    )

    assert response.status_code == 302
    user = User.objects.get(email=email)
    assert int(client.session["_auth_user_id"]) == user.pk
    assert Membership.objects.filter(user=user).exists()
    assert not hasattr(user, "donor")  # organizers are not pushed through a volunteer profile


def test_seed_demo_second_run_creates_no_fights_data(seeded, settings):
    before = row_counts()

    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO())

    assert row_counts() == before
    assert "0 organizations, 0 fights and 0 requests created" in out.getvalue()


def test_seed_demo_keeps_an_organizers_own_edits_and_recreates_a_deleted_request(seeded):
    fight = Fight.objects.get(slug="acme-logistics-strike")
    Fight.objects.filter(pk=fight.pk).update(summary="Edited by organizer1")
    fight.requests.get(title="Strike fund donation page").delete()

    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())

    fight.refresh_from_db()
    assert fight.summary == "Edited by organizer1"
    assert fight.requests.filter(title="Strike fund donation page").count() == 1
