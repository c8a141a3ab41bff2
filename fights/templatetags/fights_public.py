"""Display helpers for the public fight pages: names for codes, labels for derived facts."""

from django import template

from fights import queries
from fights.models import Urgency

register = template.Library()


@register.filter
def urgency_label(support_request) -> str:
    return Urgency(support_request.urgency).label


@register.filter
def language_name(code: str) -> str:
    return queries.language_names().get(code, code)


@register.filter
def region_name(code: str) -> str:
    return queries.region_name(code) if code else ""


@register.filter
def place(item) -> str:
    """ "Oakland, California (US)": a request's own place, else its fight's; or a fight's."""
    fight = getattr(item, "fight", None)
    city = item.city or (fight.city if fight else "")
    region = item.region or (fight.region if fight else "")
    country = item.country or (fight.country if fight else "")
    where = region_name(region) if region else getattr(country, "name", "")
    return ", ".join(part for part in (city, where) if part)
