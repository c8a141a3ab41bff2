"""Cohort programs, ideas for sessions and the directory of trained digital strategists.

Applications: open until the training's `application_deadline`; one per person per program.
Staff review them (one review per reviewer), draft a decision (accept / waitlist / decline), and
only `send_decisions` moves the status and queues the mail, so staff read every decision before
it goes out. Accepted applicants confirm their place under a row lock on the training: never
more confirmed members than `cohort_size`. A refused change raises ProgramError with a message
fit to show, and changes nothing.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from donors.models import Donor, DonorSkill, Skill
from fights.models import Membership, Organization
from notifications.services import notify
from trainings.models import (
    Application,
    ApplicationReview,
    ApplicationStatus,
    CommitmentKind,
    Decision,
    DirectoryEntry,
    Kind,
    SessionIdea,
    Training,
)

Status = ApplicationStatus

# The commitments: one full training day a month for five months, about a dozen actions a year.
TRAINING_DAYS = 5
ACTIONS = 12
DECISION_KIND = "trainings.application_decision"


class ProgramError(Exception):
    """A change that is not allowed now; the message says why."""


# --- Applying ------------------------------------------------------------------------------------


def program_for_applicant(slug) -> Training | None:
    """The published cohort program with this slug, or None (the view answers 404)."""
    return Training.objects.filter(
        slug=slug, kind=Kind.COHORT_PROGRAM, published=True, cancelled_at__isnull=True
    ).first()


def application_deadline(training) -> datetime.datetime:
    """The program's deadline; without one, applications close when registration would."""
    return training.application_deadline or training.closes_at


def accepts_applications(training, now=None) -> bool:
    return (
        training.kind == Kind.COHORT_PROGRAM
        and training.published
        and training.cancelled_at is None
        and (now or timezone.now()) < application_deadline(training)
    )


def application_of(user, training) -> Application | None:
    if not user.is_authenticated:
        return None
    return Application.objects.filter(training=training, user=user).first()


def apply(training, user, *, now=None, **answers) -> Application:
    """Store the application; refused after the deadline, for anything but an open cohort
    program, and when the person already applied."""
    with transaction.atomic():
        if not accepts_applications(training, now):
            if training.kind != Kind.COHORT_PROGRAM:
                raise ProgramError(_("Only cohort programs take applications."))
            raise ProgramError(_("Applications for this program are closed."))
        if Application.objects.filter(training=training, user=user).exists():
            raise ProgramError(_("You have already applied to this program."))
        application = Application(training=training, user=user, **answers)
        application.full_clean(exclude=["training", "user"], validate_constraints=False)
        try:
            # A savepoint: the same person's second request racing this one hits the unique
            # constraint, which is the same refusal as above, not a broken transaction.
            with transaction.atomic():
                application.save()
        except IntegrityError:
            raise ProgramError(_("You have already applied to this program.")) from None
        return application


# --- Reviewing and deciding ----------------------------------------------------------------------


def review(application, *, reviewer, score, notes="") -> ApplicationReview:
    """The reviewer's one review of the application: a second call replaces their own."""
    if not 1 <= int(score) <= 5:
        raise ProgramError(_("A score is from 1 to 5."))
    found, _created = ApplicationReview.objects.update_or_create(
        application=application,
        reviewer=reviewer,
        defaults={"score": int(score), "notes": notes.strip()},
    )
    return found


# A decision may be drafted while the applicant has not confirmed; a waitlisted applicant may
# later be accepted, an accepted one moved to the waitlist before they confirm.
DECIDABLE = (Status.SUBMITTED, Status.WAITLISTED, Status.ACCEPTED)


def draft_decision(applications, *, decision, by, message=None, now=None) -> int:
    """Record the decision staff intend for each application; nothing is sent. Returns how many
    were drafted (confirmed members are left as they are)."""
    if decision not in Decision.values:
        raise ProgramError(_("Unknown decision."))
    fields = {
        "decision": decision,
        "decision_drafted_at": now or timezone.now(),
        "decision_drafted_by": by,
    }
    if message is not None:
        fields["decision_message"] = message.strip()
    return (
        Application.objects.filter(pk__in=[a.pk for a in applications], status__in=DECIDABLE)
        .exclude(decision=decision, status=decision)
        .update(**fields)
    )


def decision_context(application) -> dict:
    training = application.training
    context = {
        "application_id": application.pk,
        "title": training.title,
        "decision": application.decision,
        "message": application.decision_message,
        "program_url": settings.SITE_URL + reverse("trainings:detail", args=[training.slug]),
        "applications_url": settings.SITE_URL + reverse("trainings:my_applications"),
    }
    if training.stipend:
        context["stipend"] = training.stipend
    return context


def send_decisions(applications, *, by, now=None) -> int:
    """Send each drafted decision that has not gone out: the status becomes the decision and
    the mail is queued in the same transaction. Returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    for application in applications:
        with transaction.atomic():
            # Conditional update: a decision sent twice at once moves the row (and mails) once.
            moved = (
                Application.objects.filter(
                    pk=application.pk, status__in=DECIDABLE, decision__in=Decision.values
                )
                .exclude(status=F("decision"))
                .update(status=F("decision"), decision_sent_at=now, decision_sent_by=by)
            )
            if not moved:
                continue
            application = Application.objects.select_related("training", "user").get(
                pk=application.pk
            )
            notify(
                to=application.user.email,
                kind=DECISION_KIND,
                context=decision_context(application),
                key=f"application-decision:{application.pk}:{application.status}:"
                f"{int(now.timestamp())}",
                user=application.user,
            )
            sent += 1
    return sent


# --- Confirming a place --------------------------------------------------------------------------


def confirmed_count(training) -> int:
    return Application.objects.filter(training=training, status=Status.CONFIRMED).count()


def cohort_size(training) -> int:
    """The cap on confirmed members; a program without one is capped by its seats."""
    return training.cohort_size or training.capacity


def places_left(training) -> int:
    return max(cohort_size(training) - confirmed_count(training), 0)


def accepted_waiting(training) -> int:
    """Accepted applicants who have not confirmed yet."""
    return Application.objects.filter(training=training, status=Status.ACCEPTED).count()


def confirm_place(application, *, now=None) -> Application:
    """The accepted applicant takes their place. The training row is locked first, so on
    PostgreSQL concurrent confirmations count the confirmed members one at a time."""
    with transaction.atomic():
        Training.objects.select_for_update(of=("self",)).get(pk=application.training_id)
        application = Application.objects.select_related("training").get(pk=application.pk)
        if application.status == Status.CONFIRMED:
            raise ProgramError(_("You have already confirmed your place."))
        if application.status != Status.ACCEPTED:
            raise ProgramError(_("Only an accepted application can be confirmed."))
        if places_left(application.training) < 1:
            raise ProgramError(
                _("The cohort is full: every place has been confirmed. Staff will be in touch.")
            )
        application.status = Status.CONFIRMED
        application.decision = Decision.ACCEPT
        application.confirmed_at = now or timezone.now()
        application.save(update_fields=["status", "decision", "confirmed_at", "updated_at"])
        return application


# --- Commitments ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    training_days: int
    actions: int
    expected_days: int
    expected_actions: int

    @property
    def on_track(self) -> bool:
        return self.training_days >= self.expected_days and self.actions >= self.expected_actions


def completed_months(start: datetime.date, today: datetime.date) -> int:
    """Whole months from the program's start to today (0 before the first month is over)."""
    months = (today.year - start.year) * 12 + today.month - start.month
    if today.day < start.day:
        months -= 1
    return max(months, 0)


def progress(training_days, actions, *, starts_on, today) -> Progress:
    """The rule: on track while, for each whole month since the program began, the member has
    attended one training day (up to five) and joined one action (up to twelve)."""
    months = completed_months(starts_on, today)
    return Progress(
        training_days=training_days,
        actions=actions,
        expected_days=min(months, TRAINING_DAYS),
        expected_actions=min(months, ACTIONS),
    )


def with_commitment_counts(applications):
    return applications.annotate(
        training_days=Count("commitments", filter=Q(commitments__kind=CommitmentKind.TRAINING_DAY)),
        actions=Count("commitments", filter=Q(commitments__kind=CommitmentKind.ACTION)),
    )


def progress_of(member, today=None) -> Progress:
    """For a member annotated by with_commitment_counts()."""
    today = today or timezone.localdate()
    starts_on = member.training.starts_at.astimezone(member.training.tz).date()
    return progress(member.training_days, member.actions, starts_on=starts_on, today=today)


def set_on_call(applications, *, on_call: bool) -> tuple[int, int]:
    """Flag cohort members on call for rapid response, on their volunteer profile (the one
    `Donor.on_call`). Returns (changed, without a profile)."""
    user_ids = [a.user_id for a in applications]
    changed = Donor.objects.filter(user_id__in=user_ids).update(on_call=on_call)
    return changed, len(set(user_ids)) - changed


# --- Ideas for sessions --------------------------------------------------------------------------


def propose_idea(*, user, kind, skill, title, description="") -> SessionIdea:
    return SessionIdea.objects.create(
        user=user, kind=kind, skill=skill, title=title.strip(), description=description.strip()
    )


# --- The directory -------------------------------------------------------------------------------


def can_see_directory(user) -> bool:
    """Staff, and members of verified organizations; never the public or other volunteers."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_staff:
        return True
    return Membership.objects.filter(
        user=user, organization__in=Organization.objects.verified()
    ).exists()


def trained_skills():
    return DonorSkill.objects.filter(trained_at__isnull=False).select_related("skill")


def directory(*, region="", skill=None):
    """Opted-in people with at least one trained skill, with those skills, in fixed queries."""
    entries = DirectoryEntry.objects.filter(
        user__donor__donor_skills__trained_at__isnull=False
    ).select_related("user__donor")
    if region:
        entries = entries.filter(user__donor__region=region)
    if skill is not None:
        entries = entries.filter(
            user__donor__donor_skills__skill=skill,
            user__donor__donor_skills__trained_at__isnull=False,
        )
    return (
        DirectoryEntry.objects.filter(pk__in=entries.values("pk"))
        .select_related("user__donor")
        .prefetch_related(
            Prefetch("user__donor__donor_skills", queryset=trained_skills(), to_attr="trained")
        )
        .order_by("user__display_name", "pk")
    )


def opt_in(user, *, headline="") -> DirectoryEntry:
    entry, _created = DirectoryEntry.objects.update_or_create(
        user=user, defaults={"headline": headline.strip()}
    )
    return entry


def opt_out(user) -> None:
    DirectoryEntry.objects.filter(user=user).delete()


def directory_entry_of(user) -> DirectoryEntry | None:
    return DirectoryEntry.objects.filter(user=user).first()


def trained_skills_of(user) -> list[DonorSkill]:
    return list(trained_skills().filter(donor__user=user).order_by("skill__name"))


def _listed_skills():
    return trained_skills().filter(donor__user__directory_entry__isnull=False)


def directory_regions() -> list[str]:
    """Regions of the people listed, for the filter."""
    return list(
        _listed_skills()
        .exclude(donor__region="")
        .values_list("donor__region", flat=True)
        .distinct()
        .order_by("donor__region")
    )


def directory_skills():
    """Skills someone listed was trained in, for the filter."""
    return Skill.objects.filter(pk__in=_listed_skills().values("skill_id")).order_by("name")
