"""trainings.services, rule by rule: the seats, what registering stores, the waitlist's offers and
their deadlines, check-in, the staff's changes and the reminders' windows. Exact values, so
`make mutate` can tell a changed rule from the real one."""

import datetime

import pytest
from django.utils import timezone

from donors.models import DonorSkill
from notifications.models import OutgoingMessage
from tests.factories import (
    DonorFactory,
    MembershipFactory,
    OrganizationFactory,
    RegistrationFactory,
    SkillFactory,
    StaffFactory,
    TrainingFactory,
    TrainingSkillFactory,
    UserFactory,
)
from trainings import services
from trainings.models import Registration, Training
from trainings.services import RegistrationError

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
HOUR = datetime.timedelta(hours=1)
SECOND = datetime.timedelta(seconds=1)


def kinds(registration):
    """The mail kinds queued for this registration's person, oldest first."""
    rows = OutgoingMessage.objects.filter(to=registration.user.email).order_by("pk")
    return [m.kind for m in rows]


def offered_training(capacity=1):
    """`capacity` seats taken, one person waiting; the first seat is cancelled, so the waiting
    person holds an offer. Returns (training, the cancelled, the offered)."""
    training = TrainingFactory(capacity=capacity)
    seats = [services.register(training, UserFactory(), now=NOW) for _ in range(capacity)]
    waiting = services.register(training, UserFactory(), now=NOW + SECOND)
    services.cancel_registration(seats[0], by=seats[0].user, now=NOW)
    waiting.refresh_from_db()
    return training, seats[0], waiting


# --- seats and deadlines -------------------------------------------------------------------------


def test_seats_left_counts_every_seat_holding_status_and_never_goes_below_zero():
    training = TrainingFactory(capacity=5)
    for status in ("confirmed", "offered", "attended", "no_show", "waitlisted", "cancelled"):
        RegistrationFactory(training=training, status=status)

    assert services.seats_left(training) == 1
    RegistrationFactory.create_batch(3, training=training)
    assert services.seats_left(training) == 0


def test_offer_deadline_is_short_from_72_hours_before_the_start():
    start = NOW + datetime.timedelta(hours=72)
    training = TrainingFactory(starts_at=start, ends_at=start + HOUR)

    assert services.offer_deadline(training, NOW) == NOW + datetime.timedelta(hours=12)
    assert services.offer_deadline(training, NOW - SECOND) == NOW - SECOND + 48 * HOUR


# --- registering ---------------------------------------------------------------------------------


def test_register_stores_who_when_and_the_stripped_answers():
    training = TrainingFactory(price=50, scholarships_available=True)
    user = UserFactory()

    registration = services.register(
        training,
        user,
        organization=" Local 9 ",
        accessibility_needs="  Step-free access  ",
        dietary_needs=" Vegan ",
        scholarship_reason="  No budget  ",
        now=NOW,
    )

    registration.refresh_from_db()
    assert (registration.training, registration.user, registration.status) == (
        training,
        user,
        "confirmed",
    )
    assert (
        registration.organization,
        registration.accessibility_needs,
        registration.dietary_needs,
        registration.scholarship_reason,
    ) == ("Local 9", "Step-free access", "Vegan", "No budget")
    assert (registration.payment, registration.scholarship) == ("pay_at_door", "requested")
    assert (registration.queued_at, registration.confirmed_at, registration.status_changed_at) == (
        NOW,
        NOW,
        NOW,
    )
    assert (registration.registered_by, registration.status_changed_by) == (None, user)
    assert (registration.offered_at, registration.offer_expires_at, registration.cancelled_at) == (
        None,
        None,
        None,
    )
    assert kinds(registration) == ["trainings.registration_confirmed"]


def test_register_waitlisted_stores_no_confirmation_and_mails_the_waitlist_notice():
    training = TrainingFactory(capacity=1)
    services.register(training, UserFactory(), now=NOW)

    registration = services.register(training, UserFactory(), now=NOW + SECOND)

    registration.refresh_from_db()
    assert (registration.status, registration.confirmed_at) == ("waitlisted", None)
    assert (registration.queued_at, registration.payment) == (NOW + SECOND, "not_due")
    assert kinds(registration) == ["trainings.waitlisted"]


def test_register_without_now_stamps_the_current_time():
    before = timezone.now()

    registration = services.register(TrainingFactory(), UserFactory())

    assert before <= registration.queued_at <= timezone.now()
    assert registration.confirmed_at == registration.queued_at


def test_register_a_blank_scholarship_reason_is_no_request():
    training = TrainingFactory(price=50, scholarships_available=True)

    registration = services.register(training, UserFactory(), scholarship_reason="   ")

    registration.refresh_from_db()
    assert (registration.scholarship, registration.scholarship_reason) == ("", "")


@pytest.mark.parametrize(
    ("price", "available"), [(0, True), (50, False), (0, False)], ids=["free", "none", "neither"]
)
def test_register_scholarship_only_where_a_paid_training_offers_them(price, available):
    training = TrainingFactory(price=price, scholarships_available=available)

    with pytest.raises(RegistrationError, match=r"^This training offers no scholarships\.$"):
        services.register(training, UserFactory(), scholarship_reason="No budget")
    assert not Registration.objects.exists()


def test_register_after_close_says_so_exactly():
    training = TrainingFactory(registration_closes_at=NOW)

    with pytest.raises(RegistrationError, match=r"^Registration for this training is closed\.$"):
        services.register(training, UserFactory(), now=NOW)
    assert services.register(training, UserFactory(), now=NOW - SECOND).status == "confirmed"


def test_register_on_behalf_records_the_organizer():
    organizer = UserFactory()

    registration = services.register(
        TrainingFactory(), UserFactory(), registered_by=organizer, now=NOW
    )

    registration.refresh_from_db()
    assert (registration.registered_by, registration.status_changed_by) == (organizer, organizer)


def test_register_again_after_cancelling_starts_afresh():
    training, cancelled, _offered = offered_training()
    later = NOW + 2 * HOUR

    again = services.register(training, cancelled.user, now=later)

    again.refresh_from_db()
    assert again.pk == cancelled.pk
    assert (again.status, again.queued_at, again.cancelled_at, again.confirmed_at) == (
        "waitlisted",
        later,
        None,
        None,
    )
    assert (again.offered_at, again.offer_expires_at) == (None, None)


def test_register_finds_a_registration_made_while_it_waited_for_the_lock(monkeypatch):
    """The first look finds nothing; by the time the lock is granted the same person's other
    request has registered them: that registration is returned, not a second one."""
    training = TrainingFactory(capacity=1)
    user = UserFactory()
    real_locked = services._locked

    def locked_after_the_other_request(training):
        RegistrationFactory(training=training, user=user, status="waitlisted", queued_at=NOW)
        return real_locked(training)

    monkeypatch.setattr(services, "_locked", locked_after_the_other_request)

    registration = services.register(training, user, now=NOW)

    assert registration.status == "waitlisted"
    assert Registration.objects.get().pk == registration.pk
    assert OutgoingMessage.objects.count() == 0


def test_register_group_passes_the_moment_on():
    organization = OrganizationFactory()
    organizer, member = UserFactory.create_batch(2)
    for user in (organizer, member):
        MembershipFactory(organization=organization, user=user)

    [registration] = services.register_group(
        TrainingFactory(), organizer=organizer, organization=organization, users=[member], now=NOW
    )

    registration.refresh_from_db()
    assert (registration.queued_at, registration.status_changed_by) == (NOW, organizer)


# --- cancelling and offers -----------------------------------------------------------------------


def test_cancel_records_who_and_when_and_offers_the_seat():
    _training, cancelled, offered = offered_training()

    cancelled.refresh_from_db()
    assert (cancelled.status, cancelled.cancelled_at) == ("cancelled", NOW)
    assert (cancelled.status_changed_at, cancelled.status_changed_by) == (NOW, cancelled.user)
    assert (offered.status, offered.offered_at, offered.status_changed_by) == ("offered", NOW, None)
    assert offered.offer_expires_at == NOW + 48 * HOUR
    assert kinds(offered) == ["trainings.waitlisted", "trainings.seat_offered"]


def test_cancel_an_offer_clears_its_deadline_and_passes_the_seat_on():
    training, _cancelled, offered = offered_training()
    next_person = services.register(training, UserFactory(), now=NOW + 2 * SECOND)

    services.cancel_registration(offered, by=offered.user, now=NOW + HOUR)

    assert (offered.status, offered.offer_expires_at) == ("cancelled", None)
    next_person.refresh_from_db()
    assert (next_person.status, next_person.offered_at) == ("offered", NOW + HOUR)


def test_cancel_without_now_stamps_the_current_time():
    registration = services.register(TrainingFactory(), UserFactory())
    before = timezone.now()

    services.cancel_registration(registration, by=registration.user)

    assert before <= registration.cancelled_at <= timezone.now()


def test_offer_free_seats_offers_each_free_seat_in_order_until_the_start():
    training = TrainingFactory(capacity=2)
    first = RegistrationFactory(training=training, status="waitlisted", queued_at=NOW)
    second = RegistrationFactory(training=training, status="waitlisted", queued_at=NOW + SECOND)
    third = RegistrationFactory(training=training, status="waitlisted", queued_at=NOW + 2 * SECOND)
    training = Training.objects.get(pk=training.pk)

    assert services.offer_free_seats(training, now=training.starts_at) == []
    offered = services.offer_free_seats(training, now=training.starts_at - SECOND)

    assert [r.pk for r in offered] == [first.pk, second.pk]
    third.refresh_from_db()
    assert third.status == "waitlisted"


def test_offer_free_seats_of_a_cancelled_training_offers_nothing():
    training = TrainingFactory(capacity=2, cancelled_at=NOW)
    waiting = RegistrationFactory(training=training, status="waitlisted", queued_at=NOW)

    assert services.offer_free_seats(training, now=NOW) == []
    waiting.refresh_from_db()
    assert waiting.status == "waitlisted"


def test_claim_offer_until_the_last_second_confirms_and_mails():
    _training, _cancelled, offered = offered_training()
    moment = offered.offer_expires_at - SECOND

    services.claim_offer(offered, by=offered.user, now=moment)

    offered.refresh_from_db()
    assert (offered.status, offered.confirmed_at, offered.offer_expires_at) == (
        "confirmed",
        moment,
        None,
    )
    assert (offered.status_changed_at, offered.status_changed_by) == (moment, offered.user)
    assert kinds(offered)[-1] == "trainings.registration_confirmed"


def test_claim_offer_expired_or_never_made_says_why():
    _training, _cancelled, offered = offered_training()
    waiting = RegistrationFactory(status="waitlisted")

    with pytest.raises(
        RegistrationError, match=r"^This offer has expired; the seat went to the next person\.$"
    ):
        services.claim_offer(offered, by=offered.user, now=offered.offer_expires_at)
    with pytest.raises(
        RegistrationError, match=r"^This registration is waitlisted; it cannot become confirmed\.$"
    ):
        services.claim_offer(waiting, by=waiting.user, now=NOW)


def test_claim_offer_without_now_uses_the_clock():
    _training, _cancelled, offered = offered_training()

    services.claim_offer(offered, by=offered.user)

    assert offered.status == "confirmed"


def test_decline_offer_records_it_and_offers_the_next():
    training, _cancelled, offered = offered_training()
    next_person = services.register(training, UserFactory(), now=NOW + 2 * SECOND)

    services.decline_offer(offered, by=offered.user, now=NOW + HOUR)

    offered.refresh_from_db()
    assert (offered.status, offered.cancelled_at, offered.offer_expires_at) == (
        "cancelled",
        NOW + HOUR,
        None,
    )
    assert (offered.status_changed_at, offered.status_changed_by) == (NOW + HOUR, offered.user)
    next_person.refresh_from_db()
    assert next_person.status == "offered"


def test_decline_someone_elses_or_no_offer_is_refused():
    _training, cancelled, offered = offered_training()

    with pytest.raises(RegistrationError, match=r"^This registration is someone else's\.$"):
        services.decline_offer(offered, by=cancelled.user, now=NOW)
    with pytest.raises(
        RegistrationError, match=r"^This registration is cancelled; it cannot become cancelled\.$"
    ):
        services.decline_offer(cancelled, by=cancelled.user, now=NOW)
    offered.refresh_from_db()
    assert offered.status == "offered"


def test_decline_offer_without_now_uses_the_clock():
    _training, _cancelled, offered = offered_training()
    before = timezone.now()

    services.decline_offer(offered, by=offered.user)

    assert before <= offered.cancelled_at <= timezone.now()


def test_expire_offers_lapses_overdue_offers_of_every_training():
    _first, _c1, offer1 = offered_training()
    _second, _c2, offer2 = offered_training()
    deadline = offer1.offer_expires_at

    assert services.expire_offers(now=deadline) == 2

    for offer in (offer1, offer2):
        offer.refresh_from_db()
        assert (offer.status, offer.cancelled_at) == ("cancelled", deadline)
        assert (offer.status_changed_at, offer.status_changed_by) == (deadline, None)


def test_expire_offers_without_now_uses_the_clock():
    _training, _cancelled, offered = offered_training()
    Registration.objects.filter(pk=offered.pk).update(offer_expires_at=timezone.now() - SECOND)

    assert services.expire_offers() == 1


# --- staff ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["confirmed", "offered", "no_show", "waitlisted"])
def test_mark_attended_from_any_status_but_cancelled(status):
    registration = RegistrationFactory(status=status)
    staff = StaffFactory()

    services.mark_attended(registration, by=staff, now=NOW)

    registration.refresh_from_db()
    assert (registration.status, registration.checked_in_at) == ("attended", NOW)
    assert (registration.status_changed_at, registration.status_changed_by) == (NOW, staff)


def test_mark_attended_without_now_uses_the_clock():
    registration = RegistrationFactory()
    before = timezone.now()

    services.mark_attended(registration, by=StaffFactory())

    assert before <= registration.checked_in_at <= timezone.now()


@pytest.mark.parametrize("status", ["confirmed", "attended"])
def test_mark_no_show_clears_the_check_in(status):
    registration = RegistrationFactory(status=status, checked_in_at=NOW)
    staff = StaffFactory()

    services.mark_no_show(registration, by=staff, now=NOW + HOUR)

    registration.refresh_from_db()
    assert (registration.status, registration.checked_in_at) == ("no_show", None)
    assert (registration.status_changed_at, registration.status_changed_by) == (NOW + HOUR, staff)


def test_mark_no_show_of_the_waitlisted_is_refused():
    registration = RegistrationFactory(status="waitlisted")

    with pytest.raises(
        RegistrationError, match=r"^This registration is waitlisted; it cannot become no-show\.$"
    ):
        services.mark_no_show(registration, by=StaffFactory())


def test_walk_in_of_someone_already_registered_keeps_their_registration():
    training = TrainingFactory()
    waiting = RegistrationFactory(training=training, status="waitlisted", queued_at=NOW)
    staff = StaffFactory()

    registration = services.add_walk_in(training, waiting.user, by=staff, now=NOW + HOUR)

    registration.refresh_from_db()
    assert registration.pk == waiting.pk
    assert (registration.status, registration.walk_in, registration.queued_at) == (
        "attended",
        False,
        NOW,
    )
    assert (registration.checked_in_at, registration.status_changed_by) == (NOW + HOUR, staff)


def test_walk_in_new_is_queued_now_and_already_attended_is_left_alone():
    training = TrainingFactory()
    user = UserFactory()

    first = services.add_walk_in(training, user, by=StaffFactory(), now=NOW)
    again = services.add_walk_in(training, user, by=StaffFactory(), now=NOW + HOUR)

    again.refresh_from_db()
    assert (again.pk, again.status, again.walk_in) == (first.pk, "attended", True)
    assert (again.queued_at, again.checked_in_at) == (NOW, NOW)


def test_walk_in_without_now_uses_the_clock():
    before = timezone.now()

    registration = services.add_walk_in(TrainingFactory(), UserFactory(), by=StaffFactory())

    assert before <= registration.queued_at <= timezone.now()


def test_grant_skills_returns_what_it_credited():
    training = TrainingFactory(title="Flyers")
    video, design = SkillFactory.create_batch(2)
    TrainingSkillFactory(training=training, skill=video, level=3)
    TrainingSkillFactory(training=training, skill=design, level=1)
    registration = RegistrationFactory(training=training, user=DonorFactory().user)

    granted = services.grant_skills(registration, now=NOW)

    assert sorted(
        (ds.skill_id, ds.level, ds.trained_at, ds.trained_in) for ds in granted
    ) == sorted([(video.pk, 3, NOW, "Flyers"), (design.pk, 1, NOW, "Flyers")])
    assert DonorSkill.objects.count() == 2
    assert services.grant_skills(RegistrationFactory(training=training), now=NOW) == []


def test_decide_scholarship_records_the_decision_and_mails_it():
    training = TrainingFactory(price=50, scholarships_available=True)
    registration = services.register(training, UserFactory(), scholarship_reason="No budget")
    staff = StaffFactory()

    services.decide_scholarship(registration, approve=True, by=staff, now=NOW)

    registration.refresh_from_db()
    assert (registration.scholarship, registration.payment) == ("approved", "waived")
    assert (registration.scholarship_decided_at, registration.scholarship_decided_by) == (
        NOW,
        staff,
    )
    assert kinds(registration)[-1] == "trainings.scholarship_decided"


def test_decide_scholarship_without_now_uses_the_clock():
    training = TrainingFactory(price=50, scholarships_available=True)
    registration = services.register(training, UserFactory(), scholarship_reason="No budget")
    before = timezone.now()

    services.decide_scholarship(registration, approve=False, by=StaffFactory())

    assert before <= registration.scholarship_decided_at <= timezone.now()
    assert (registration.scholarship, registration.payment) == ("declined", "pay_at_door")


def test_decide_scholarship_without_a_request_is_refused_and_mails_nothing():
    registration = RegistrationFactory()

    with pytest.raises(
        RegistrationError, match=r"^There is no scholarship request waiting for a decision\.$"
    ):
        services.decide_scholarship(registration, approve=True, by=StaffFactory(), now=NOW)
    registration.refresh_from_db()
    assert (registration.scholarship, registration.scholarship_decided_at) == ("", None)
    assert OutgoingMessage.objects.count() == 0


def test_record_payment_records_who_and_when():
    registration = RegistrationFactory(payment="pay_at_door")
    other = RegistrationFactory(payment="pay_at_door")
    staff = StaffFactory()

    returned = services.record_payment(registration, payment="paid", by=staff, now=NOW)

    assert returned is registration
    assert (registration.payment, registration.status_changed_at) == ("paid", NOW)
    assert registration.status_changed_by == staff
    other.refresh_from_db()
    assert other.payment == "pay_at_door"
    before = timezone.now()
    services.record_payment(other, payment="paid", by=staff)
    assert before <= other.status_changed_at <= timezone.now()


def test_announce_change_tells_the_registered_of_a_new_time_or_place_only():
    training = TrainingFactory(capacity=1)
    seat = RegistrationFactory(training=training)
    waiting = RegistrationFactory(training=training, status="waitlisted", queued_at=NOW)
    gone = RegistrationFactory(training=training, status="cancelled")

    assert services.announce_change(training, ["title", "capacity"], now=NOW) == 0
    assert OutgoingMessage.objects.count() == 0
    assert services.announce_change(training, ["venue", "title"], now=NOW) == 2

    assert (kinds(seat), kinds(waiting), kinds(gone)) == (
        ["trainings.training_changed"],
        ["trainings.training_changed"],
        [],
    )
    message = OutgoingMessage.objects.get(to=seat.user.email)
    assert message.context["changed"] == ["venue"]


def test_announce_change_of_the_start_offers_free_seats():
    training = TrainingFactory(capacity=1)
    waiting = RegistrationFactory(training=training, status="waitlisted", queued_at=NOW)

    assert services.announce_change(training, ["meeting_url"], now=NOW) == 1
    waiting.refresh_from_db()
    assert waiting.status == "waitlisted"
    assert services.announce_change(training, ["starts_at"], now=NOW) == 1
    waiting.refresh_from_db()
    assert (waiting.status, waiting.offered_at) == ("offered", NOW)


def test_announce_change_of_the_start_without_now_uses_the_clock():
    training = TrainingFactory(capacity=1)
    waiting = RegistrationFactory(training=training, status="waitlisted", queued_at=NOW)
    before = timezone.now()

    services.announce_change(training, ["starts_at"])

    waiting.refresh_from_db()
    assert before <= waiting.offered_at <= timezone.now()


def test_training_saved_announces_and_offers_added_seats():
    training = TrainingFactory(capacity=1)
    RegistrationFactory(training=training)
    waiting = RegistrationFactory(training=training, status="waitlisted", queued_at=NOW)

    assert services.training_saved(training, ["ends_at"], now=NOW) == 2
    waiting.refresh_from_db()
    assert waiting.status == "waitlisted"
    Training.objects.filter(pk=training.pk).update(capacity=2)
    before = timezone.now()
    assert services.training_saved(training, ["capacity"]) == 0
    waiting.refresh_from_db()
    assert waiting.status == "offered"
    assert before <= waiting.offered_at <= timezone.now()


def test_cancel_training_stamps_it_and_tells_the_registered():
    training = TrainingFactory()
    seat = RegistrationFactory(training=training)
    RegistrationFactory(training=training, status="waitlisted")
    gone = RegistrationFactory(training=training, status="cancelled")

    assert services.cancel_training(training, by=StaffFactory(), now=NOW) == 2

    training.refresh_from_db()
    assert (training.cancelled_at, training.updated_at) == (NOW, NOW)
    assert kinds(seat) == ["trainings.training_cancelled"]
    assert kinds(gone) == []


def test_cancel_training_without_now_uses_the_clock():
    training = TrainingFactory()
    before = timezone.now()

    assert services.cancel_training(training, by=StaffFactory()) == 0

    training.refresh_from_db()
    assert before <= training.cancelled_at <= timezone.now()


# --- reminders -----------------------------------------------------------------------------------


def reminder_training(**fields):
    start = datetime.datetime(2030, 6, 12, 9, 30, tzinfo=datetime.UTC)
    return TrainingFactory(starts_at=start, ends_at=start + 2 * HOUR, **fields)


def test_reminders_start_a_day_ahead_and_stop_at_the_start():
    training = reminder_training()
    RegistrationFactory(training=training)
    start = training.starts_at

    assert services.send_reminders(now=start - datetime.timedelta(days=1) - SECOND) == 0
    assert services.send_reminders(now=start - datetime.timedelta(days=1)) == 1
    assert services.send_reminders(now=start) == 0
    [message] = OutgoingMessage.objects.all()
    assert message.context["which"] == "day_before"


def test_reminders_the_morning_of_from_seven_local_time():
    training = reminder_training()
    RegistrationFactory(training=training)
    day = training.starts_at.date()

    services.send_reminders(now=datetime.datetime.combine(day, datetime.time(6, 59), datetime.UTC))
    services.send_reminders(now=datetime.datetime.combine(day, datetime.time(7, 0), datetime.UTC))

    assert [m.context["which"] for m in OutgoingMessage.objects.order_by("pk")] == [
        "day_before",
        "morning_of",
    ]


def test_reminders_skip_cancelled_trainings():
    training = reminder_training(cancelled_at=NOW)
    RegistrationFactory(training=training)

    assert services.send_reminders(now=training.starts_at - HOUR) == 0


def test_feedback_requests_for_three_days_after_the_end():
    training = reminder_training(feedback_url="https://forms.example.org/f")
    RegistrationFactory(training=training, status="attended")
    RegistrationFactory(training=training, status="confirmed")
    ends = training.ends_at

    assert services.send_reminders(now=ends - SECOND) == 0
    assert services.send_reminders(now=ends) == 1
    assert services.send_reminders(now=ends + datetime.timedelta(days=3) - SECOND) == 1
    assert services.send_reminders(now=ends + datetime.timedelta(days=3)) == 0
    assert [m.kind for m in OutgoingMessage.objects.all()] == ["trainings.feedback_request"]


def test_feedback_requests_need_a_form_and_a_training_that_took_place():
    without_form = reminder_training()
    cancelled = reminder_training(feedback_url="https://forms.example.org/f", cancelled_at=NOW)
    for training in (without_form, cancelled):
        RegistrationFactory(training=training, status="attended")

    assert services.send_reminders(now=without_form.ends_at + HOUR) == 0


def test_send_reminders_without_now_uses_the_clock():
    start = timezone.now() + HOUR
    training = TrainingFactory(starts_at=start, ends_at=start + HOUR)
    RegistrationFactory(training=training)

    assert services.send_reminders() == 1
