"""Reads: what the public list, feed and pages show, and who may see which training.

An unpublished training answers 404 to everyone but staff who may view trainings, like an id
that does not exist. A registration's pages answer 404 to anyone but its own person.
"""

from functools import cache

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404

from config import onequery
from trainings.models import Registration, Session, Training, TrainingSkill

VIEW_TRAINING = "trainings.view_training"


def with_details(trainings):
    """What a list card shows, in a fixed number of queries."""
    return trainings.select_related("venue").prefetch_related(
        Prefetch("taught", queryset=TrainingSkill.objects.select_related("skill")),
        "trainers",
    )


def listed_trainings():
    return with_details(Training.objects.listed())


def can_preview(user) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm(VIEW_TRAINING)


def training_for_viewer(user, slug, *, details=True) -> Training:
    trainings = Training.objects.all() if can_preview(user) else Training.objects.published()
    trainings = with_details(trainings) if details else trainings.select_related("venue")
    return get_object_or_404(trainings, slug=slug)


def programme_of(training) -> list[Session]:
    return list(
        training.sessions.select_related("track")
        .prefetch_related("trainers")
        .order_by("starts_at", "track__position", "pk")
    )


def registration_of(user, training) -> Registration | None:
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(training=training, user=user).first()


def waitlist_position(registration) -> int:
    """1 for the first in line."""
    ahead = registration.training.registrations.waitlist().filter(
        Q(queued_at__lt=registration.queued_at)
        | Q(queued_at=registration.queued_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def own_registration(request, pk) -> Registration:
    return get_object_or_404(
        Registration.objects.select_related("training__venue"), pk=pk, user=request.user
    )


@cache
def _history():
    """Registrations with their trainings' taught skills as JSON, built once per process (a
    queryset only ever cloned here): resolving the subquery costs more than filtering a copy."""
    return (
        Registration.objects.select_related("training")
        .annotate(
            _taught_rows=onequery.related_rows(Training.taught, joins=("skill",), outer="training")
        )
        .order_by("-training__starts_at", "-pk")
    )


def history_of(user) -> list[Registration]:
    """A person's trainings, newest first, for their profile: one query, each training's taught
    skills (by skill name) coming inside it (see config.onequery)."""
    registrations = list(_history().filter(user=user))
    for registration in registrations:
        onequery.install(
            registration.training,
            Training.taught,
            registration._taught_rows,
            joins=("skill",),
            order=lambda taught: (taught.skill.name, taught.pk),
        )
    return registrations


def registrants_of(training):
    return training.registrations.select_related("user").order_by(
        "status", "user__display_name", "user__email", "pk"
    )
