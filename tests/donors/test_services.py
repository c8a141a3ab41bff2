"""The profile services: one transaction that replaces a profile, and pausing."""

import datetime
import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from donors import services
from donors.models import PAUSED_INDEFINITELY, Donor
from donors.services import (
    ProfileData,
    pause_donor,
    pause_donor_indefinitely,
    resume_donor,
    save_donor_profile,
)
from tests.conftest import require
from tests.factories import (
    ConflictFactory,
    DonorFactory,
    DonorLanguageFactory,
    DonorSkillFactory,
    SkillFactory,
)

pytestmark = pytest.mark.django_db


def profile_data(**overrides):
    values = {
        "display_name": "Jo Print",
        "time_zone": "America/Chicago",
        "country": "US",
        "region": "US-IL",
        "city": "Chicago",
        "weekly_hours": 4,
        "languages": ["en"],
        "skill_levels": {},
        "conflicts": [],
    }
    return ProfileData(**(values | overrides))


def test_save_donor_profile_creates_user_fields_donor_and_rows(user):
    skill = SkillFactory()

    donor = save_donor_profile(
        user=user,
        data=profile_data(
            skill_levels={skill.pk: 2},
            languages=["en", "es", "en"],
            conflicts=["Acme  Logistics", "ACME LOGISTICS", "Café Nervosa", "  "],
            links=["https://jo.example.org/"],
            contact_consent=True,
        ),
    )

    user.refresh_from_db()
    assert (user.display_name, user.time_zone) == ("Jo Print", "America/Chicago")
    assert Donor.objects.get(user=user) == donor
    assert (donor.region, donor.city, donor.weekly_hours) == ("US-IL", "Chicago", 4)
    assert donor.links == ["https://jo.example.org/"]
    assert list(donor.donor_skills.values_list("skill_id", "level")) == [(skill.pk, 2)]
    assert list(donor.languages.values_list("code", flat=True)) == ["en", "es"]
    assert list(donor.conflicts.values_list("name", "normalized_name")) == [
        ("Acme Logistics", "acme logistics"),
        ("Café Nervosa", "cafe nervosa"),
    ]


def test_save_donor_profile_replaces_rows_but_keeps_retired_skills():
    donor = DonorFactory()
    retired, dropped, kept_level, new = SkillFactory(retired=True), *SkillFactory.create_batch(3)
    DonorSkillFactory(donor=donor, skill=retired, level=3)
    DonorSkillFactory(donor=donor, skill=dropped, level=1)
    DonorSkillFactory(donor=donor, skill=kept_level, level=1)
    DonorLanguageFactory(donor=donor, code="fr")
    ConflictFactory(donor=donor)

    save_donor_profile(
        user=donor.user,
        # A retired skill passed in (say it was retired after the form was checked) is ignored.
        data=profile_data(skill_levels={kept_level.pk: 2, new.pk: 3, retired.pk: 1}),
    )

    assert sorted(donor.donor_skills.values_list("skill_id", "level")) == sorted(
        [(retired.pk, 3), (kept_level.pk, 2), (new.pk, 3)]
    )
    assert list(donor.languages.values_list("code", flat=True)) == ["en"]
    assert donor.conflicts.count() == 0
    assert Donor.objects.count() == 1


def test_save_donor_profile_keeps_the_training_record_of_a_kept_skill():
    donor = DonorFactory()
    trained_at = datetime.datetime(2026, 3, 2, 18, 0, tzinfo=datetime.UTC)
    kept, relevelled, dropped = SkillFactory.create_batch(3)
    kept_row = DonorSkillFactory(
        donor=donor, skill=kept, level=2, trained_at=trained_at, trained_in="Flyer workshop"
    )
    relevelled_row = DonorSkillFactory(
        donor=donor, skill=relevelled, level=1, trained_at=trained_at, trained_in="Video camp"
    )
    DonorSkillFactory(donor=donor, skill=dropped, level=3, trained_in="Old course")

    save_donor_profile(
        user=donor.user, data=profile_data(skill_levels={kept.pk: 2, relevelled.pk: 3})
    )

    rows = donor.donor_skills.order_by("skill_id").values_list(
        "pk", "skill_id", "level", "trained_at", "trained_in"
    )
    assert sorted(rows) == sorted(
        [
            (kept_row.pk, kept.pk, 2, trained_at, "Flyer workshop"),
            (relevelled_row.pk, relevelled.pk, 3, trained_at, "Video camp"),
        ]
    )


def test_save_donor_profile_new_skill_has_no_training_record():
    donor = DonorFactory()
    skill = SkillFactory()

    save_donor_profile(user=donor.user, data=profile_data(skill_levels={skill.pk: 1}))

    assert list(
        donor.donor_skills.values_list("skill_id", "level", "trained_at", "trained_in")
    ) == [(skill.pk, 1, None, "")]


def test_save_donor_profile_leaves_other_donors_skills_alone(other_volunteer):
    donor = DonorFactory()
    skill = other_volunteer.donor.donor_skills.first().skill
    before = sorted(other_volunteer.donor.donor_skills.values_list("pk", "skill_id", "level"))

    save_donor_profile(user=donor.user, data=profile_data(skill_levels={skill.pk: 3}))

    after = sorted(other_volunteer.donor.donor_skills.values_list("pk", "skill_id", "level"))
    assert after == before
    assert list(donor.donor_skills.values_list("skill_id", "level")) == [(skill.pk, 3)]


def test_save_donor_profile_is_one_transaction(user, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_replace_conflicts", fail)

    with pytest.raises(RuntimeError):
        save_donor_profile(user=user, data=profile_data(conflicts=["Acme"]))

    user.refresh_from_db()
    assert user.display_name != "Jo Print"
    assert not Donor.objects.filter(user=user).exists()


def test_pause_donor_until_date_and_resume():
    donor = DonorFactory()
    until = datetime.date(2099, 1, 31)

    pause_donor(donor=donor, until=until)
    assert Donor.objects.get(pk=donor.pk).paused_until == until
    assert Donor.objects.paused().filter(pk=donor.pk).exists()

    resume_donor(donor=donor)
    assert Donor.objects.get(pk=donor.pk).paused_until is None
    assert Donor.objects.active().filter(pk=donor.pk).exists()


def test_pause_donor_indefinitely_stores_the_marker():
    donor = DonorFactory()

    pause_donor_indefinitely(donor=donor)

    donor.refresh_from_db()
    assert (donor.paused_until, donor.is_paused, donor.is_paused_indefinitely) == (
        PAUSED_INDEFINITELY,
        True,
        True,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_save_donor_profile_twice_at_once_makes_one_profile(user, monkeypatch):
    """A double-clicked Save on a new profile: the second save waits for the first, then
    updates the profile it made (SQLite serializes all writes, so this is a PostgreSQL test)."""
    require(connection.vendor == "postgresql", "row locks: run with a PostgreSQL DATABASE_URL")
    first_inside, release_first, errors = threading.Event(), threading.Event(), []
    replace_skills = services._replace_skills

    def hold_first(donor, levels):
        if threading.current_thread().name == "first":
            first_inside.set()
            release_first.wait(10)
        replace_skills(donor, levels)

    def save(hours):
        try:
            person = get_user_model().objects.get(pk=user.pk)
            save_donor_profile(user=person, data=profile_data(weekly_hours=hours))
        except Exception as error:  # reported by the assert below
            errors.append(error)
        finally:
            connection.close()

    monkeypatch.setattr(services, "_replace_skills", hold_first)
    first = threading.Thread(target=save, args=(4,), name="first")
    second = threading.Thread(target=save, args=(9,), name="second")
    first.start()
    assert first_inside.wait(10)
    second.start()
    time.sleep(0.5)  # the second is now waiting for the first's lock on the user row
    release_first.set()
    first.join(10)
    second.join(10)

    assert errors == []
    assert list(Donor.objects.filter(user=user).values_list("weekly_hours", flat=True)) == [9]


def test_resume_donor_saves_only_the_pause(user):
    donor = DonorFactory(paused_until=datetime.date(2030, 1, 1), city="Oakland")
    stale = Donor.objects.get(pk=donor.pk)
    Donor.objects.filter(pk=donor.pk).update(city="Fresno")  # saved meanwhile, another tab

    resume_donor(donor=stale)

    donor.refresh_from_db()
    assert (donor.paused_until, donor.city) == (None, "Fresno")
