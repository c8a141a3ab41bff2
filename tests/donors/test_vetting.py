import pytest

from donors.models import Donor
from donors.services import vet_donor
from tests.factories import DonorFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_vet_donor_records_who_and_when():
    donor, staff = DonorFactory(), StaffFactory()

    assert vet_donor(donor, by=staff) is True

    assert donor.is_vetted
    assert donor.vetted_by == staff
    assert list(Donor.objects.vetted()) == [donor]


def test_vet_donor_twice_keeps_the_first_record():
    donor, first, second = DonorFactory(), StaffFactory(), StaffFactory()
    vet_donor(donor, by=first)
    vetted_at = donor.vetted_at

    assert vet_donor(donor, by=second) is False

    assert (donor.vetted_by, donor.vetted_at) == (first, vetted_at)
