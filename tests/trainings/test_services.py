"""trainings.services: seats, the waitlist and its offers, attendance and the skills it grants."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from donors.models import DonorSkill
from tests.conftest import require
from tests.factories import (
    DonorFactory,
    DonorSkillFactory,
    MembershipFactory,
    OrganizationFactory,
    RegistrationFactory,
    SkillFactory,
    StaffFactory,
    TrainingFactory,
    TrainingSkillFactory,
    UserFactory,
)
from trainings import services, tasks
from trainings.models import Registration
from trainings.queries import waitlist_position
from trainings.services import RegistrationError

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def statuses(training):
    rows = training.registrations.order_by("pk")
    return [(r.user.email, r.status) for r in rows.select_related("user")]


@pytest.fixture
def full_training():
    """Two seats, both taken; three people waiting, in order."""
    training = TrainingFactory(capacity=2)
    for n in (1, 2):
        services.register(training, UserFactory(email=f"seat{n}@example.org"), now=NOW)
    for n in (1, 2, 3):
        moment = NOW + datetime.timedelta(minutes=n)
        services.register(training, UserFactory(email=f"wait{n}@example.org"), now=moment)
    return training


def reg(training, email):
    return training.registrations.get(user__email=email)


# --- registering ---------------------------------------------------------------------------------


def test_register_confirms_while_seats_remain_then_waitlists():
    training = TrainingFactory(capacity=1)

    first = services.register(training, UserFactory())
    second = services.register(training, UserFactory())

    assert (first.status, second.status) == ("confirmed", "waitlisted")
    assert first.confirmed_at is not None
    assert second.confirmed_at is None


def test_register_twice_returns_the_existing_registration():
    training = TrainingFactory(capacity=1)
    user = UserFactory()
    first = services.register(training, user, organization="Local 9")

    again = services.register(training, user, organization="Changed")

    assert again.pk == first.pk
    assert again.organization == "Local 9"
    assert Registration.objects.count() == 1


def test_register_after_close_is_refused():
    training = TrainingFactory(registration_closes_at=NOW - datetime.timedelta(minutes=1))

    with pytest.raises(RegistrationError, match="Registration for this training is closed"):
        services.register(training, UserFactory(), now=NOW)
    assert not Registration.objects.exists()


def test_register_unpublished_or_cancelled_training_is_refused():
    for training in (TrainingFactory(published=False), TrainingFactory(cancelled_at=NOW)):
        with pytest.raises(RegistrationError):
            services.register(training, UserFactory())


def test_register_records_answers_payment_and_scholarship_request():
    training = TrainingFactory(price=100, scholarships_available=True)

    registration = services.register(
        training,
        UserFactory(),
        organization=" Local 9 ",
        accessibility_needs="Wheelchair user",
        dietary_needs="Vegan",
        scholarship_reason="Our local has no budget",
    )

    assert registration.organization == "Local 9"
    assert registration.dietary_needs == "Vegan"  # 09:30-17:00 is a full day
    assert (registration.payment, registration.scholarship) == ("pay_at_door", "requested")


def test_register_short_training_drops_dietary_needs():
    start = timezone.now() + datetime.timedelta(days=3)
    training = TrainingFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=1))

    registration = services.register(training, UserFactory(), dietary_needs="Vegan")

    assert (registration.dietary_needs, registration.payment) == ("", "not_due")


def test_register_scholarship_where_none_offered_is_refused():
    with pytest.raises(RegistrationError, match="no scholarships"):
        services.register(TrainingFactory(), UserFactory(), scholarship_reason="please")


def test_register_after_cancelling_joins_the_end_of_the_line(full_training):
    seat = reg(full_training, "seat1@example.org")
    services.cancel_registration(seat, by=seat.user, now=NOW)
    services.claim_offer(
        reg(full_training, "wait1@example.org"),
        by=reg(full_training, "wait1@example.org").user,
        now=NOW,
    )

    again = services.register(full_training, seat.user, now=NOW + datetime.timedelta(hours=1))

    assert again.pk == seat.pk
    assert again.status == "waitlisted"
    assert [r.user.email for r in full_training.registrations.waitlist()] == [
        "wait2@example.org",
        "wait3@example.org",
        "seat1@example.org",
    ]


# --- cancelling and the waitlist -----------------------------------------------------------------


def test_cancel_offers_the_seat_to_the_first_waitlisted(full_training):
    seat = reg(full_training, "seat1@example.org")

    services.cancel_registration(seat, by=seat.user, now=NOW)

    offered = reg(full_training, "wait1@example.org")
    assert offered.status == "offered"
    assert offered.offered_at == NOW
    # Two weeks away: the normal 48 hours to claim.
    assert offered.offer_expires_at == NOW + datetime.timedelta(hours=48)
    assert reg(full_training, "wait2@example.org").status == "waitlisted"


def test_cancellations_promote_in_order(full_training):
    for email in ("seat1@example.org", "seat2@example.org"):
        seat = reg(full_training, email)
        services.cancel_registration(seat, by=seat.user, now=NOW)

    assert statuses(full_training) == [
        ("seat1@example.org", "cancelled"),
        ("seat2@example.org", "cancelled"),
        ("wait1@example.org", "offered"),
        ("wait2@example.org", "offered"),
        ("wait3@example.org", "waitlisted"),
    ]


def test_cancel_waitlisted_frees_no_seat(full_training):
    waiting = reg(full_training, "wait1@example.org")

    services.cancel_registration(waiting, by=waiting.user, now=NOW)

    assert [s for _, s in statuses(full_training)].count("offered") == 0


def test_cancel_twice_is_refused(full_training):
    seat = reg(full_training, "seat1@example.org")
    services.cancel_registration(seat, by=seat.user, now=NOW)

    with pytest.raises(RegistrationError, match="cancelled; it cannot become cancelled"):
        services.cancel_registration(seat, by=seat.user, now=NOW)


def test_offer_close_to_the_date_is_shorter_and_ends_at_the_start():
    start = NOW + datetime.timedelta(hours=30)
    training = TrainingFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=3))
    assert services.offer_deadline(training, NOW) == NOW + datetime.timedelta(hours=12)
    assert services.offer_deadline(training, start - datetime.timedelta(hours=2)) == start


def test_claim_offer_confirms(full_training):
    seat = reg(full_training, "seat1@example.org")
    services.cancel_registration(seat, by=seat.user, now=NOW)
    offered = reg(full_training, "wait1@example.org")

    services.claim_offer(offered, by=offered.user, now=NOW + datetime.timedelta(hours=1))

    assert offered.status == "confirmed"
    assert offered.confirmed_at == NOW + datetime.timedelta(hours=1)


def test_claim_offer_after_expiry_is_refused(full_training):
    seat = reg(full_training, "seat1@example.org")
    services.cancel_registration(seat, by=seat.user, now=NOW)
    offered = reg(full_training, "wait1@example.org")

    with pytest.raises(RegistrationError, match="This offer has expired"):
        services.claim_offer(offered, by=offered.user, now=offered.offer_expires_at)


def test_claim_someone_elses_offer_is_refused(full_training):
    seat = reg(full_training, "seat1@example.org")
    services.cancel_registration(seat, by=seat.user, now=NOW)

    with pytest.raises(RegistrationError, match="someone else's"):
        services.claim_offer(reg(full_training, "wait1@example.org"), by=seat.user, now=NOW)


def test_decline_offer_passes_the_seat_on(full_training):
    seat = reg(full_training, "seat1@example.org")
    services.cancel_registration(seat, by=seat.user, now=NOW)
    offered = reg(full_training, "wait1@example.org")

    services.decline_offer(offered, by=offered.user, now=NOW)

    assert offered.status == "cancelled"
    assert reg(full_training, "wait2@example.org").status == "offered"


def test_expire_offers_moves_on_and_is_idempotent(full_training):
    seat = reg(full_training, "seat1@example.org")
    services.cancel_registration(seat, by=seat.user, now=NOW)
    deadline = reg(full_training, "wait1@example.org").offer_expires_at

    assert services.expire_offers(now=deadline - datetime.timedelta(seconds=1)) == 0
    assert services.expire_offers(now=deadline) == 1
    assert services.expire_offers(now=deadline) == 0

    assert reg(full_training, "wait1@example.org").status == "cancelled"
    next_offer = reg(full_training, "wait2@example.org")
    assert next_offer.status == "offered"
    assert next_offer.offered_at == deadline
    assert reg(full_training, "wait3@example.org").status == "waitlisted"


def test_expire_offers_task_runs_on_the_beat_schedule(settings, full_training):
    seat = reg(full_training, "seat1@example.org")
    services.cancel_registration(seat, by=seat.user)
    Registration.objects.filter(status="offered").update(offer_expires_at=timezone.now())

    tasks.expire_offers.delay()

    assert reg(full_training, "wait2@example.org").status == "offered"
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["trainings-expire-offers"]["task"] == "trainings.expire_offers"
    assert schedule["trainings-reminders"]["task"] == "trainings.send_reminders"


def test_capacity_raised_by_staff_offers_the_new_seats(full_training):
    full_training.capacity = 3
    full_training.save()

    services.training_saved(full_training, ["capacity"], now=NOW)

    assert reg(full_training, "wait1@example.org").status == "offered"
    assert reg(full_training, "wait2@example.org").status == "waitlisted"


# --- attendance and skills -----------------------------------------------------------------------


def test_mark_attended_grants_skills_at_the_level_taught():
    staff = StaffFactory()
    training = TrainingFactory(title="Video for strikes")
    video, design, writing = SkillFactory.create_batch(3)
    TrainingSkillFactory(training=training, skill=video, level=2)
    TrainingSkillFactory(training=training, skill=design, level=2)
    TrainingSkillFactory(training=training, skill=writing, level=1)
    donor = DonorFactory()
    DonorSkillFactory(donor=donor, skill=design, level=1)  # raised
    DonorSkillFactory(donor=donor, skill=writing, level=3)  # never lowered
    registration = services.register(training, donor.user)

    services.mark_attended(registration, by=staff, now=NOW)

    assert registration.status == "attended"
    assert registration.checked_in_at == NOW
    skills = {
        ds.skill_id: (ds.level, ds.trained_at, ds.trained_in)
        for ds in DonorSkill.objects.filter(donor=donor)
    }
    assert skills == {
        video.pk: (2, NOW, "Video for strikes"),
        design.pk: (2, NOW, "Video for strikes"),
        writing.pk: (3, NOW, "Video for strikes"),
    }


def test_mark_attended_without_volunteer_profile_grants_nothing():
    training = TrainingSkillFactory().training
    registration = services.register(training, UserFactory())

    services.mark_attended(registration, by=StaffFactory(), now=NOW)

    assert registration.status == "attended"
    assert not DonorSkill.objects.exists()


def test_mark_no_show_then_attended():
    registration = RegistrationFactory()
    staff = StaffFactory()

    services.mark_no_show(registration, by=staff, now=NOW)
    assert registration.status == "no_show"
    services.mark_attended(registration, by=staff, now=NOW)
    assert registration.status == "attended"


def test_mark_attended_cancelled_is_refused():
    registration = RegistrationFactory(status="cancelled")

    with pytest.raises(RegistrationError, match="cancelled; it cannot become attended"):
        services.mark_attended(registration, by=StaffFactory())


def test_walk_in_is_attended_beyond_capacity(full_training):
    walker = DonorFactory().user
    TrainingSkillFactory(training=full_training)

    registration = services.add_walk_in(full_training, walker, by=StaffFactory(), now=NOW)

    assert (registration.status, registration.walk_in) == ("attended", True)
    assert full_training.registrations.holding_seats().count() == 3
    assert DonorSkill.objects.filter(donor__user=walker, trained_at=NOW).count() == 1


# --- scholarships and groups ---------------------------------------------------------------------


def test_scholarship_approved_waives_declined_pays_at_door():
    training = TrainingFactory(price=100, scholarships_available=True)
    staff = StaffFactory()
    yes = services.register(training, UserFactory(), scholarship_reason="No budget")
    no = services.register(training, UserFactory(), scholarship_reason="Please")

    services.decide_scholarship(yes, approve=True, by=staff, now=NOW)
    services.decide_scholarship(no, approve=False, by=staff, now=NOW)

    assert (yes.scholarship, yes.payment, yes.scholarship_decided_by) == (
        "approved",
        "waived",
        staff,
    )
    assert (no.scholarship, no.payment) == ("declined", "pay_at_door")
    with pytest.raises(RegistrationError, match="no scholarship request waiting"):
        services.decide_scholarship(yes, approve=False, by=staff)


def test_register_group_registers_members_of_the_organizers_organization():
    organization = OrganizationFactory(name="Harbor Workers Local 9")
    organizer, ana, ben = UserFactory.create_batch(3)
    for user in (organizer, ana, ben):
        MembershipFactory(organization=organization, user=user)
    training = TrainingFactory(capacity=1)

    registrations = services.register_group(
        training, organizer=organizer, organization=organization, users=[ana, ben]
    )

    assert [(r.user, r.status, r.registered_by, r.organization) for r in registrations] == [
        (ana, "confirmed", organizer, "Harbor Workers Local 9"),
        (ben, "waitlisted", organizer, "Harbor Workers Local 9"),
    ]


def test_register_group_with_outsider_is_refused_and_registers_nobody():
    organization = OrganizationFactory()
    organizer, member, outsider = UserFactory.create_batch(3)
    MembershipFactory(organization=organization, user=organizer)
    MembershipFactory(organization=organization, user=member)

    with pytest.raises(RegistrationError, match="must be a member"):
        services.register_group(
            TrainingFactory(),
            organizer=organizer,
            organization=organization,
            users=[member, outsider],
        )
    assert not Registration.objects.exists()


def test_register_group_by_non_member_is_refused():
    organization = OrganizationFactory()
    member = UserFactory()
    MembershipFactory(organization=organization, user=member)

    with pytest.raises(RegistrationError, match="your own organization"):
        services.register_group(
            TrainingFactory(), organizer=UserFactory(), organization=organization, users=[member]
        )


# --- concurrency (PostgreSQL) --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_register_concurrent_for_the_last_seats_never_overbooks():
    require(connection.vendor == "postgresql", "row locks need PostgreSQL")
    training = TrainingFactory(capacity=10)
    for _ in range(7):
        services.register(training, UserFactory())
    people = UserFactory.create_batch(12)  # 12 people race for the last 3 seats
    barrier = threading.Barrier(len(people))
    outcomes, errors = [], []

    def attempt(user):
        try:
            barrier.wait()
            outcomes.append(services.register(training, user).status)
        except Exception as error:  # any error is a failure of the test
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(user,)) for user in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(outcomes) == ["confirmed"] * 3 + ["waitlisted"] * 9
    assert training.registrations.filter(status="confirmed").count() == 10
    assert training.registrations.filter(status="waitlisted").count() == 9


@pytest.mark.django_db(transaction=True)
def test_register_same_person_twice_at_once_keeps_one_registration():
    require(connection.vendor == "postgresql", "row locks need PostgreSQL")
    training = TrainingFactory(capacity=1)
    user = UserFactory()
    barrier = threading.Barrier(4)
    outcomes, errors = [], []

    def attempt():
        try:
            barrier.wait()
            outcomes.append(services.register(training, user).pk)
        except Exception as error:  # any error is a failure of the test
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(set(outcomes)) == 1
    assert list(training.registrations.values_list("status", flat=True)) == ["confirmed"]


def test_waitlist_position_counts_those_ahead(full_training):
    positions = [waitlist_position(reg(full_training, f"wait{n}@example.org")) for n in (1, 2, 3)]

    assert positions == [1, 2, 3]
