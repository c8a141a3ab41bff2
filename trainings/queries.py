"""Reads: what the public list, feed and pages show, and who may see which training.

An unpublished training answers 404 to everyone but staff who may view trainings, like an id
that does not exist. A registration's pages answer 404 to anyone but its own person.
"""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404

from config import onequery
from trainings.models import Registration, Session, Training, TrainingSkill

VIEW_TRAINING = "trainings.view_training"
User = get_user_model()


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


# The annotation the profile's donor query carries a person's history under (registered in
# TrainingsConfig.ready(): see donors.queries.PROFILE_EXTRAS).
HISTORY_ROWS = "_training_history_rows"


def history_rows():
    """A person's registrations, each with its training and the training's taught skills, as
    JSON inside a query of donors (`outer`: the donor's user)."""
    taught = onequery.related_rows(Training.taught, joins=("skill",), outer="training")
    return onequery.related_rows(
        User.registrations, joins=("training",), outer="user", nested={"_taught_rows": taught}
    )


def history_of(donor) -> list[Registration]:
    """The donor's trainings, newest first, from the donor's HISTORY_ROWS: each training's
    taught skills (by skill name) in its prefetch cache, no query (see config.onequery)."""
    rows = getattr(donor, HISTORY_ROWS) or ()
    registrations = onequery.related_instances(
        User.registrations, rows, joins=("training",), nested=("_taught_rows",)
    )
    for registration in registrations:
        onequery.install(
            registration.training,
            Training.taught,
            registration._taught_rows,
            joins=("skill",),
            order=lambda taught: (taught.skill.name, taught.pk),
        )
    registrations.sort(key=lambda r: (r.training.starts_at, r.pk), reverse=True)
    return registrations


def registrants_of(training):
    return training.registrations.select_related("user").order_by(
        "status", "user__display_name", "user__email", "pk"
    )
