"""Field rules for organizations, fights and support requests.

Shared by the organizers' forms and the staff admin, so that both refuse the same input with the
same words at the same field. Place and language rules come from donors/fields.py (volunteer
profiles use them too); what is particular to organizers' data is here.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from donors.fields import CollapsedCharField, MultilineField, number_field
from donors.models import Level, normalize_name
from fights.models import MAX_HELPERS, MAX_REQUEST_HOURS

# How far ahead a request may be needed: further is a typo (2062 for 2026), not a plan.
MAX_NEEDED_BY_DAYS = 2 * 365
EMPLOYER_MAX_LENGTH = 200


class OneLineField(CollapsedCharField):
    """A name or title: invisible characters dropped and whitespace collapsed, as everywhere."""


class ParagraphsField(MultilineField):
    """A description: line breaks kept, other invisible characters dropped."""


# The form field each plain text column gets in the admin (exact model field types only).
TEXT_FORM_FIELDS = {models.CharField: OneLineField, models.TextField: ParagraphsField}


def hours_field(**kwargs):
    return number_field(
        1,
        MAX_REQUEST_HOURS,
        f"Enter a number of hours from 1 to {MAX_REQUEST_HOURS}.",
        **kwargs,
    )


def helpers_field(**kwargs):
    return number_field(
        1, MAX_HELPERS, f"Enter a number of helpers from 1 to {MAX_HELPERS}.", **kwargs
    )


def level_field(**kwargs):
    """The minimum level a skill is needed at: 1, 2 or 3 (the donors' Level)."""
    message = "Choose a level from 1 to 3."
    return forms.TypedChoiceField(
        choices=[(level.value, f"{level.value}: {level.label}") for level in Level],
        coerce=int,
        error_messages={"invalid_choice": message, "required": message},
        **kwargs,
    )


def _date_error(value, today) -> str | None:
    """Not in the past (the work cannot be done yesterday), not absurdly far ahead."""
    if value < today:
        return _("This date has passed: choose today or a later date.")
    if value > today + datetime.timedelta(days=MAX_NEEDED_BY_DAYS):
        return _("Choose a date within the next two years.")
    return None


def request_date_errors(
    *, needed_by, starts_on=None, stored_needed_by=None, stored_starts_on=None, today=None
) -> dict[str, str]:
    """{field: message} for a request's dates, the one rule organizers' forms and the admin use.

    A date already stored may stay even once it has passed (staff correcting an old, closed
    request keep it; an edit keeps a start date that has come); a date newly typed may not.
    Organizers pass no stored needed-by: an open request must name a date still to come.
    """
    today = today or timezone.localdate()
    errors = {}
    for name, value, stored in (
        ("needed_by", needed_by, stored_needed_by),
        ("starts_on", starts_on, stored_starts_on),
    ):
        if value and value != stored and (message := _date_error(value, today)):
            errors[name] = message
    if needed_by and starts_on and starts_on > needed_by and "starts_on" not in errors:
        errors["starts_on"] = _(
            "The work cannot start after the date it is needed by (%(date)s)."
        ) % {"date": f"{needed_by:%Y-%m-%d}"}
    return errors


def current_skill_error(skill, *, stored_skill_id=None) -> ValidationError | None:
    """A retired skill may stay on a row that already had it, never be chosen anew."""
    if skill is not None and skill.retired and skill.pk != stored_skill_id:
        return ValidationError(
            "“%(skill)s” is retired: choose a current skill.",
            code="retired",
            params={"skill": skill.name},
        )
    return None


def clean_employer(name: str) -> tuple[str, str]:
    """(name as typed, single-spaced; its normalized form), the pair a Fight stores.

    Normalizing can lengthen a name (ligatures) and both are stored, so both must fit.
    """
    name = " ".join(name.split())
    normalized = normalize_name(name)
    length = max(len(name), len(normalized))
    if length > EMPLOYER_MAX_LENGTH:
        raise ValidationError(
            f"Keep the name to {EMPLOYER_MAX_LENGTH} characters or fewer (it has {length}).",
            code="max_length",
        )
    return name, normalized
