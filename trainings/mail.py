"""The mail a registration receives, each one `notify()` call with a JSON-safe context.

The private meeting link goes into a context only for a registration that holds a confirmed seat
(`Registration.sees_meeting_link`): the waitlisted, the offered and the cancelled never get it.
Keys carry the moment of the event (confirmed at, offered at, the start time reminded of), so the
same event never mails twice while a new one (a second offer, a moved date) does.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import formats

from notifications.services import notify


def _stamp(moment) -> str:
    return str(int(moment.timestamp()))


def local_when(training) -> str:
    """ "Sat 14 Mar 2026, 09:30 to 17:00 (America/New_York)", in the training's own time zone."""
    starts = training.starts_at.astimezone(training.tz)
    ends = training.ends_at.astimezone(training.tz)
    start_text = formats.date_format(starts, "D j M Y, H:i")
    same_day = starts.date() == ends.date()
    end_text = formats.date_format(ends, "H:i" if same_day else "D j M Y, H:i")
    return f"{start_text} to {end_text} ({training.time_zone})"


def where(training) -> str:
    if training.venue_id is None:
        return "Online"
    venue = training.venue
    return ", ".join(part for part in (venue.name, venue.address, venue.city) if part)


def context_for(registration) -> dict:
    training = registration.training
    context = {
        "registration_id": registration.pk,
        "training_id": training.pk,
        "title": training.title,
        "when": local_when(training),
        "where": where(training),
        "online": training.venue_id is None,
        "training_url": settings.SITE_URL + reverse("trainings:detail", args=[training.slug]),
        "status": registration.get_status_display(),
    }
    if training.venue_id and training.venue.accessibility_notes:
        context["accessibility_notes"] = training.venue.accessibility_notes
    if registration.sees_meeting_link and training.meeting_url:
        context["meeting_url"] = training.meeting_url
    return context


def _send(registration, kind: str, key: str, **extra) -> None:
    notify(
        to=registration.user.email,
        kind=kind,
        context={**context_for(registration), **extra},
        key=key,
        user=registration.user,
    )


def send_confirmation(registration) -> None:
    _send(
        registration,
        "trainings.registration_confirmed",
        f"training-confirmed-{registration.pk}-{_stamp(registration.confirmed_at)}",
        payment=registration.get_payment_display(),
    )


def send_waitlisted(registration) -> None:
    _send(
        registration,
        "trainings.waitlisted",
        f"training-waitlisted-{registration.pk}-{_stamp(registration.queued_at)}",
    )


def send_offer(registration) -> None:
    training = registration.training
    expires = registration.offer_expires_at.astimezone(training.tz)
    _send(
        registration,
        "trainings.seat_offered",
        f"training-offer-{registration.pk}-{_stamp(registration.offered_at)}",
        expires=f"{formats.date_format(expires, 'D j M Y, H:i')} ({training.time_zone})",
        claim_url=settings.SITE_URL + reverse("trainings:claim", args=[registration.pk]),
        decline_url=settings.SITE_URL + reverse("trainings:decline", args=[registration.pk]),
    )


def send_reminder(registration, which: str) -> None:
    _send(
        registration,
        "trainings.reminder",
        f"training-reminder-{which}-{registration.pk}-{_stamp(registration.training.starts_at)}",
        which=which,
    )


def send_feedback_request(registration) -> None:
    _send(
        registration,
        "trainings.feedback_request",
        f"training-feedback-{registration.pk}",
        feedback_url=registration.training.feedback_url,
    )


def send_change_notice(registration, changed: list[str]) -> None:
    training = registration.training
    _send(
        registration,
        "trainings.training_changed",
        f"training-changed-{registration.pk}-{_stamp(training.updated_at)}",
        changed=changed,
    )


def send_cancellation_notice(registration) -> None:
    _send(registration, "trainings.training_cancelled", f"training-cancelled-{registration.pk}")


def send_scholarship_decision(registration) -> None:
    _send(
        registration,
        "trainings.scholarship_decided",
        f"training-scholarship-{registration.pk}-{registration.scholarship}",
        approved=registration.scholarship == "approved",
        payment=registration.get_payment_display(),
    )
