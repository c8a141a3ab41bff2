import pytest

from accounts.privacy import erase_user, export_user_data
from tests.factories import RegistrationFactory, StaffFactory, UserFactory
from trainings.models import Registration

pytestmark = pytest.mark.django_db


def test_export_contains_the_persons_registrations_and_answers():
    registration = RegistrationFactory(accessibility_needs="Captions, please")
    RegistrationFactory()  # someone else's

    records = export_user_data(registration.user)["records"]

    [row] = records["trainings.Registration"]
    assert (row["id"], row["accessibility_needs"]) == (registration.pk, "Captions, please")


def test_export_contains_registrations_the_person_made_or_decided():
    organizer, staff = UserFactory(), StaffFactory()
    made = RegistrationFactory(registered_by=organizer)
    decided = RegistrationFactory(scholarship="approved", scholarship_decided_by=staff)

    assert [r["id"] for r in export_user_data(organizer)["records"]["trainings.Registration"]] == [
        made.pk
    ]
    assert [r["id"] for r in export_user_data(staff)["records"]["trainings.Registration"]] == [
        decided.pk
    ]


def test_erase_deletes_own_registrations_and_clears_pointers_on_others():
    person = UserFactory()
    own = RegistrationFactory(user=person)
    made = RegistrationFactory(registered_by=person, status_changed_by=person)

    erase_user(person)

    assert not Registration.objects.filter(pk=own.pk).exists()
    made.refresh_from_db()
    assert (made.registered_by, made.status_changed_by, made.status) == (None, None, "confirmed")
