"""Every change to a registration, each one function.

Seats: every function that can take or free a seat first locks the training row
(`SELECT … FOR UPDATE`), so on PostgreSQL concurrent registrations for the last seats queue up on
that lock and count the seats one at a time: never more rows holding a seat than `capacity`.
A refused change raises RegistrationError with a message fit to show, and changes nothing.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from donors.models import Donor, DonorSkill
from fights.models import Membership
from trainings import mail
from trainings.models import (
    ACTIVE_STATUSES,
    Payment,
    Registration,
    RegistrationStatus,
    Scholarship,
    Training,
)

Status = RegistrationStatus


class RegistrationError(Exception):
    """A change that is not allowed now; the message says why."""


def _locked(training) -> Training:
    return (
        Training.objects.select_for_update(of=("self",)).select_related("venue").get(pk=training.pk)
    )


def seats_left(training) -> int:
    return max(training.capacity - training.registrations.holding_seats().count(), 0)


def offer_deadline(training, now) -> datetime.datetime:
    """When an offered seat must be claimed by: shorter close to the date, never after the start."""
    close = training.starts_at - now <= datetime.timedelta(
        hours=settings.TRAININGS_SHORT_OFFER_WITHIN_HOURS
    )
    hours = settings.TRAININGS_SHORT_OFFER_HOURS if close else settings.TRAININGS_OFFER_HOURS
    return min(now + datetime.timedelta(hours=hours), training.starts_at)


# --- Registering ---------------------------------------------------------------------------------


def register(
    training,
    user,
    *,
    organization="",
    accessibility_needs="",
    dietary_needs="",
    scholarship_reason="",
    registered_by=None,
    now=None,
) -> Registration:
    """Confirmed while seats remain, else waitlisted; registering twice returns the existing
    registration unchanged. A cancelled registration registers again at the end of the line."""
    with transaction.atomic():
        now = now or timezone.now()
        # Someone registered already needs no lock (a double click, a second tab).
        existing = Registration.objects.filter(training=training, user=user).first()
        if existing is not None and existing.status != Status.CANCELLED:
            return existing
        training = _locked(training)
        existing = Registration.objects.filter(training=training, user=user).first()
        if existing is not None and existing.status != Status.CANCELLED:
            return existing
        if not training.is_open_for_registration(now):
            raise RegistrationError(_("Registration for this training is closed."))
        if scholarship_reason and not (training.scholarships_available and not training.is_free):
            raise RegistrationError(_("This training offers no scholarships."))
        confirmed = seats_left(training) > 0
        registration = existing or Registration(training=training, user=user)
        registration.training = training
        fields = {
            "status": Status.CONFIRMED if confirmed else Status.WAITLISTED,
            "organization": organization.strip(),
            "accessibility_needs": accessibility_needs.strip(),
            "dietary_needs": dietary_needs.strip() if training.is_full_day else "",
            "payment": Payment.NOT_DUE if training.is_free else Payment.PAY_AT_DOOR,
            "scholarship": Scholarship.REQUESTED
            if scholarship_reason.strip()
            else Scholarship.NONE,
            "scholarship_reason": scholarship_reason.strip(),
            "queued_at": now,
            "confirmed_at": now if confirmed else None,
            "offered_at": None,
            "offer_expires_at": None,
            "cancelled_at": None,
            "registered_by": registered_by,
            "status_changed_at": now,
            "status_changed_by": registered_by or user,
        }
        for name, value in fields.items():
            setattr(registration, name, value)
        registration.save()
        (mail.send_confirmation if confirmed else mail.send_waitlisted)(registration)
        return registration


def register_group(training, *, organizer, organization, users, now=None) -> list[Registration]:
    """An organizer registers members of their organization, each as if they registered."""
    members = set(
        Membership.objects.filter(organization=organization).values_list("user_id", flat=True)
    )
    if organizer.pk not in members:
        raise RegistrationError(_("You can only register people of your own organization."))
    if any(user.pk not in members for user in users):
        raise RegistrationError(_("Everyone you register must be a member of the organization."))
    with transaction.atomic():
        return [
            register(
                training,
                user,
                organization=organization.name,
                registered_by=organizer,
                now=now,
            )
            for user in users
        ]


def _move(registration, *, expected, to, by, now, **fields) -> Registration:
    """Move the row from one of `expected` to `to`, or refuse. Refreshes `registration`."""
    moved = Registration.objects.filter(pk=registration.pk, status__in=expected).update(
        status=to, status_changed_at=now, status_changed_by=by, **fields
    )
    registration.refresh_from_db()
    if not moved:
        raise RegistrationError(
            _("This registration is %(status)s; it cannot become %(to)s.")
            % {
                "status": registration.get_status_display().lower(),
                "to": RegistrationStatus(to).label.lower(),
            }
        )
    return registration


def _own(registration, by) -> None:
    if registration.user_id != by.pk:
        raise RegistrationError(_("This registration is someone else's."))


def cancel_registration(registration, *, by, now=None) -> Registration:
    """The person (or staff) cancels; a seat it held is offered to the next on the waitlist."""
    with transaction.atomic():
        now = now or timezone.now()
        training = _locked(registration.training)
        _move(
            registration,
            expected=ACTIVE_STATUSES,
            to=Status.CANCELLED,
            by=by,
            now=now,
            cancelled_at=now,
            offer_expires_at=None,
        )
        offer_free_seats(training, now=now)
        return registration


# --- The waitlist --------------------------------------------------------------------------------


def offer_free_seats(training, *, now) -> list[Registration]:
    """Offer each free seat to the next waitlisted person, in order. Call with the training
    locked. Nothing is offered once the training has started or was cancelled."""
    if training.cancelled_at is not None or now >= training.starts_at:
        return []
    offered = []
    free = seats_left(training)
    for registration in training.registrations.waitlist().select_related("user")[:free]:
        _move(
            registration,
            expected=[Status.WAITLISTED],
            to=Status.OFFERED,
            by=None,
            now=now,
            offered_at=now,
            offer_expires_at=offer_deadline(training, now),
        )
        registration.training = training
        mail.send_offer(registration)
        offered.append(registration)
    return offered


def claim_offer(registration, *, by, now=None) -> Registration:
    with transaction.atomic():
        now = now or timezone.now()
        _own(registration, by)
        _locked(registration.training)
        registration.refresh_from_db()
        if registration.status == Status.OFFERED and registration.offer_expires_at <= now:
            raise RegistrationError(_("This offer has expired; the seat went to the next person."))
        _move(
            registration,
            expected=[Status.OFFERED],
            to=Status.CONFIRMED,
            by=by,
            now=now,
            confirmed_at=now,
            offer_expires_at=None,
        )
        mail.send_confirmation(registration)
        return registration


def decline_offer(registration, *, by, now=None) -> Registration:
    with transaction.atomic():
        now = now or timezone.now()
        _own(registration, by)
        training = _locked(registration.training)
        _move(
            registration,
            expected=[Status.OFFERED],
            to=Status.CANCELLED,
            by=by,
            now=now,
            cancelled_at=now,
            offer_expires_at=None,
        )
        offer_free_seats(training, now=now)
        return registration


def expire_offers(*, now=None) -> int:
    """Unclaimed offers past their deadline lapse and their seats go to the next in line.
    Idempotent: a second run finds nothing overdue."""
    now = now or timezone.now()
    training_ids = set(
        Registration.objects.filter(status=Status.OFFERED, offer_expires_at__lte=now).values_list(
            "training_id", flat=True
        )
    )
    expired = 0
    for training_id in sorted(training_ids):
        with transaction.atomic():
            training = _locked(Training(pk=training_id))
            expired += Registration.objects.filter(
                training=training, status=Status.OFFERED, offer_expires_at__lte=now
            ).update(
                status=Status.CANCELLED,
                cancelled_at=now,
                status_changed_at=now,
                status_changed_by=None,
            )
            offer_free_seats(training, now=now)
    return expired


# --- Staff ---------------------------------------------------------------------------------------


def mark_attended(registration, *, by, now=None) -> Registration:
    """Checked in: the training's skills are credited to the person's volunteer profile."""
    with transaction.atomic():
        now = now or timezone.now()
        _locked(registration.training)
        _move(
            registration,
            expected=[Status.CONFIRMED, Status.OFFERED, Status.NO_SHOW, Status.WAITLISTED],
            to=Status.ATTENDED,
            by=by,
            now=now,
            checked_in_at=now,
        )
        grant_skills(registration, now=now)
        return registration


def mark_no_show(registration, *, by, now=None) -> Registration:
    now = now or timezone.now()
    return _move(
        registration,
        expected=[Status.CONFIRMED, Status.ATTENDED],
        to=Status.NO_SHOW,
        by=by,
        now=now,
        checked_in_at=None,
    )


def add_walk_in(training, user, *, by, now=None) -> Registration:
    """Someone who turned up without a seat: attended, whatever the capacity."""
    with transaction.atomic():
        now = now or timezone.now()
        training = _locked(training)
        registration, _created = Registration.objects.get_or_create(
            training=training,
            user=user,
            defaults={"status": Status.CONFIRMED, "walk_in": True, "queued_at": now},
        )
        if registration.status == Status.ATTENDED:
            return registration
        registration.status = Status.CONFIRMED
        registration.save(update_fields=["status"])
        return mark_attended(registration, by=by, now=now)


def grant_skills(registration, *, now) -> list[DonorSkill]:
    """The training's skills at the level it teaches, on the attendee's volunteer profile:
    added, or raised — never lowered — and marked as trained in this training."""
    donor = Donor.objects.filter(user_id=registration.user_id).first()
    if donor is None:
        return []
    training = registration.training
    granted = []
    for taught in training.taught.all():
        donor_skill, _created = DonorSkill.objects.select_for_update().get_or_create(
            donor=donor, skill_id=taught.skill_id, defaults={"level": taught.level}
        )
        donor_skill.level = max(donor_skill.level, taught.level)
        donor_skill.trained_at = now
        donor_skill.trained_in = training.title[:200]
        donor_skill.save(update_fields=["level", "trained_at", "trained_in"])
        granted.append(donor_skill)
    return granted


def decide_scholarship(registration, *, approve: bool, by, now=None) -> Registration:
    """Staff approve (the fee is waived) or decline (pay at the door) a requested scholarship."""
    now = now or timezone.now()
    decision = Scholarship.APPROVED if approve else Scholarship.DECLINED
    moved = Registration.objects.filter(
        pk=registration.pk, scholarship=Scholarship.REQUESTED
    ).update(
        scholarship=decision,
        payment=Payment.WAIVED if approve else Payment.PAY_AT_DOOR,
        scholarship_decided_at=now,
        scholarship_decided_by=by,
    )
    registration.refresh_from_db()
    if not moved:
        raise RegistrationError(_("There is no scholarship request waiting for a decision."))
    mail.send_scholarship_decision(registration)
    return registration


def record_payment(registration, *, payment, by, now=None) -> Registration:
    Registration.objects.filter(pk=registration.pk).update(
        payment=payment, status_changed_at=now or timezone.now(), status_changed_by=by
    )
    registration.refresh_from_db()
    return registration


# Fields whose change everyone registered is told about.
NOTICE_FIELDS = ("starts_at", "ends_at", "time_zone", "venue", "meeting_url")


def announce_change(training, changed: list[str], *, now=None) -> int:
    """Staff changed the time or place: everyone still registered is told (the confirmed with
    the link and a fresh calendar entry). Returns how many were told."""
    with transaction.atomic():
        changed = [name for name in changed if name in NOTICE_FIELDS]
        if not changed:
            return 0
        training = _locked(training)
        registrations = list(training.registrations.active().select_related("user"))
        for registration in registrations:
            registration.training = training
            mail.send_change_notice(registration, changed)
        if "starts_at" in changed:
            offer_free_seats(training, now=now or timezone.now())
        return len(registrations)


def training_saved(training, changed: list[str], *, now=None) -> int:
    """After staff saved a training: a new time or place is announced, and seats added to the
    capacity go to the waitlist. Returns how many registrants were told."""
    now = now or timezone.now()
    told = announce_change(training, changed, now=now)
    if "capacity" in changed:
        with transaction.atomic():
            offer_free_seats(_locked(training), now=now)
    return told


def cancel_training(training, *, by, now=None) -> int:
    with transaction.atomic():
        now = now or timezone.now()
        training = _locked(training)
        if training.cancelled_at is not None:
            return 0
        Training.objects.filter(pk=training.pk).update(cancelled_at=now, updated_at=now)
        registrations = list(training.registrations.active().select_related("user"))
        for registration in registrations:
            registration.training = training
            mail.send_cancellation_notice(registration)
        return len(registrations)


# --- Beat ----------------------------------------------------------------------------------------


def send_reminders(*, now=None) -> int:
    """The day before (within 24 h of the start) and the morning of (from 07:00 local time on
    the day), to the confirmed; the feedback request once it ended, to those who attended.
    Each mail's key makes a rerun a no-op."""
    now = now or timezone.now()
    sent = 0
    soon = Training.objects.filter(
        cancelled_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + datetime.timedelta(days=1),
    ).select_related("venue")
    for training in soon:
        local_now = now.astimezone(training.tz)
        morning = (
            local_now.date() == training.starts_at.astimezone(training.tz).date()
            and local_now.hour >= 7
        )
        for registration in training.registrations.filter(status=Status.CONFIRMED).select_related(
            "user"
        ):
            registration.training = training
            with transaction.atomic():
                mail.send_reminder(registration, "morning_of" if morning else "day_before")
            sent += 1
    ended = Training.objects.filter(
        cancelled_at__isnull=True,
        ends_at__lte=now,
        ends_at__gt=now - datetime.timedelta(days=3),
    ).exclude(feedback_url="")
    for training in ended.select_related("venue"):
        for registration in training.registrations.filter(status=Status.ATTENDED).select_related(
            "user"
        ):
            registration.training = training
            with transaction.atomic():
                mail.send_feedback_request(registration)
            sent += 1
    return sent
