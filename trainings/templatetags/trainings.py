"""Times in a training's own time zone, its place, and a person's training history (the last
shown on the volunteer profile: donors' templates load this library, donors' Python does not)."""

from django import template
from django.utils import formats

from trainings import mail, queries

register = template.Library()


@register.filter
def local_when(training) -> str:
    return mail.local_when(training)


@register.filter
def where(training) -> str:
    return mail.where(training)


@register.filter
def in_zone(moment, training) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(training.tz)
    return f"{formats.date_format(local, 'D j M Y, H:i')} ({training.time_zone})"


@register.filter
def in_zone_time(moment, training) -> str:
    return formats.date_format(moment.astimezone(training.tz), "H:i")


@register.inclusion_tag("trainings/history.html")
def training_history(donor):
    """The donor's history, come inside the profile's query (trainings.queries.history_rows)."""
    return {"registrations": queries.history_of(donor)}
