import io
import random

import pycountry
import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from donors.management.commands.seed_demo import demo_volunteer
from donors.models import Conflict, Donor, DonorLanguage, DonorSkill, Skill


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def row_counts():
    return {
        model.__name__: model.objects.count()
        for model in (User, EmailAddress, Donor, DonorSkill, DonorLanguage, Conflict)
    }


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


@pytest.mark.django_db
def test_seed_demo_with_debug_creates_fifty_volunteers_and_staff(debug_on):
    output = seed()

    volunteers = User.objects.filter(email__startswith="volunteer")
    assert volunteers.count() == 50
    assert Donor.objects.filter(user__in=volunteers).count() == 50
    assert set(volunteers.values_list("email", flat=True)) == {
        f"volunteer{n}@example.org" for n in range(1, 51)
    }
    staff = User.objects.get(email="staff@example.org")
    assert (staff.is_staff, staff.is_superuser) == (True, True)
    assert list(staff.groups.values_list("name", flat=True)) == ["Staff"]
    assert "50 volunteer accounts and 50 profiles created" in output
    assert "demo-password-1" in output


@pytest.mark.django_db
def test_seed_demo_every_account_has_verified_primary_address(debug_on):
    seed()

    # 50 volunteers, the staff login and fights/demo.py's 6 organizers
    assert EmailAddress.objects.count() == 57
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == 57


@pytest.mark.django_db
def test_seed_demo_hashes_password_once_for_everyone(debug_on):
    seed()

    assert User.objects.values("password").distinct().count() == 1


@pytest.mark.django_db
def test_seed_demo_profiles_are_varied_and_valid(debug_on):
    seed()

    donors = list(Donor.objects.prefetch_related("donor_skills__skill", "languages"))
    for donor in donors:
        skills = list(donor.donor_skills.all())
        # Between 2 and 5 declared; a past demo training (trainings/demo.py) may add its own.
        assert 2 <= len([ds for ds in skills if not ds.trained_in]) <= 5 or (
            2 <= len(skills) <= 7 and any(ds.trained_in for ds in skills)
        )
        assert all(1 <= ds.level <= 3 and not ds.skill.retired for ds in skills)
        assert len(donor.languages.all()) >= 1
        subdivision = pycountry.subdivisions.get(code=donor.region)
        assert subdivision.country_code == donor.country.code
        assert 1 <= donor.weekly_hours <= 40 and 1 <= donor.capacity <= 5
    assert {d.country.code for d in donors} == {"US", "CA", "MX", "GB"}
    assert {ds.level for d in donors for ds in d.donor_skills.all()} == {1, 2, 3}
    assert len({ds.skill_id for d in donors for ds in d.donor_skills.all()}) >= 30
    assert {"en", "es", "fr"} <= set(DonorLanguage.objects.values_list("code", flat=True))
    assert len({d.user.time_zone for d in Donor.objects.select_related("user")}) >= 5
    assert 0 < sum(d.on_call for d in donors) < 50
    assert Donor.objects.paused(timezone.localdate()).count() == 5
    assert 40 <= Donor.objects.filter(contact_consent=True).count() < 50


@pytest.mark.django_db
def test_seed_demo_second_run_creates_nothing(debug_on):
    seed()
    before = row_counts()

    output = seed()

    assert row_counts() == before
    assert "0 volunteer accounts and 0 profiles created" in output
    assert "already there" in output


@pytest.mark.django_db
def test_seed_demo_keeps_a_demo_users_own_edits(debug_on):
    seed()
    Donor.objects.filter(user__email="volunteer1@example.org").update(city="Edited City")

    seed()

    assert Donor.objects.get(user__email="volunteer1@example.org").city == "Edited City"


@pytest.mark.django_db
def test_seed_demo_recreates_a_deleted_profile_only(debug_on):
    seed()
    Donor.objects.filter(user__email="volunteer7@example.org").delete()
    users_before = User.objects.count()

    seed()

    assert User.objects.count() == users_before
    assert Donor.objects.filter(user__email="volunteer7@example.org").exists()


@pytest.mark.django_db
def test_seed_demo_same_seed_same_people():
    skills = list(Skill.objects.active().select_related("category").order_by("slug"))
    today = timezone.localdate()

    def people(seed_value):
        rng = random.Random(seed_value)
        return [demo_volunteer(rng, n, skills, today) for n in range(1, 51)]

    assert people(7) == people(7)
    assert people(7) != people(8)


@pytest.mark.django_db
def test_seed_demo_without_debug_refuses(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        seed()

    assert User.objects.count() == 0


@pytest.mark.django_db
def test_seed_demo_without_debug_runs_with_force(settings):
    settings.DEBUG = False

    seed("--force")

    assert Donor.objects.count() == 50


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["volunteer1@example.org", "staff@example.org"])
def test_seed_demo_user_can_log_in(client, debug_on, email):
    seed()

    response = client.post(
        reverse("account_login"), {"login": email, "password": "demo-password-1"}
    )

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == User.objects.get(email=email).pk


@pytest.mark.django_db
def test_seed_demo_staff_can_open_admin_donor_list(client, debug_on):
    seed()
    client.force_login(User.objects.get(email="staff@example.org"))

    response = client.get("/admin/donors/donor/")

    assert response.status_code == 200
    assert response.context["cl"].result_count == 50


@pytest.mark.django_db
def test_seed_demo_without_staff_group_still_seeds_and_says_so(debug_on):
    Group.objects.filter(name="Staff").delete()
    err = io.StringIO()

    call_command("seed_demo", stdout=io.StringIO(), stderr=err)

    assert "The Staff group is missing" in err.getvalue()
    assert Donor.objects.count() == 50
