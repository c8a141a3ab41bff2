"""Form fields for the volunteer profile: each converts and validates one kind of input."""

import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django_countries import countries

from donors import queries
from donors.models import Level

SKILL_PREFIX = "skill-"


class CollapsedCharField(forms.CharField):
    """Text on one line with runs of whitespace collapsed, before length is checked."""

    def to_python(self, value):
        return " ".join(super().to_python(value).split())


class MultilineField(forms.CharField):
    """Text with browser line endings (CRLF) counted as one character, as people count them."""

    widget = forms.Textarea

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n").replace("\r", "\n")


class CurrentValueHiddenField(forms.CharField):
    """A hidden field that always renders its current (initial) value, even when the posted
    one was stale or tampered with, so the page can be saved again after the warning."""

    widget = forms.HiddenInput

    def bound_data(self, data, initial):
        return initial


class WebLinkField(forms.URLField):
    """An http(s) address; anything with another scheme (javascript:, data:, ftp:) is refused."""

    default_error_messages = {
        "invalid": "Enter a web address like https://example.org/my-work.",
        "scheme": "Only web addresses starting with http:// or https:// can be linked.",
    }
    default_validators = [URLValidator(schemes=["http", "https"])]
    # A scheme, unless what follows the colon is a port number ("example.org:8080").
    _scheme = re.compile(r"^([a-z][a-z0-9+.-]*):(?!\d)", re.IGNORECASE)

    def __init__(self, **kwargs):
        super().__init__(assume_scheme="https", **kwargs)

    def to_python(self, value):
        value = (value or "").strip()
        match = self._scheme.match(value)
        if match and match[1].lower() not in ("http", "https"):
            raise ValidationError(self.error_messages["scheme"], code="scheme")
        return super().to_python(value)


class SkillLevelsWidget(forms.Widget):
    """Collects one radio group per skill (skill-<id> = "" | 1 | 2 | 3).

    The page template draws the grid (ProfileForm.skill_groups), grouped by category.
    """

    def value_from_datadict(self, data, files, name):
        return {
            key.removeprefix(SKILL_PREFIX): data.get(key)
            for key in data
            if key.startswith(SKILL_PREFIX)
        }

    def value_omitted_from_data(self, data, files, name):
        return False


class SkillLevelsField(forms.Field):
    """{skill id: level} for skills offered in the picker; "" means "not this one"."""

    widget = SkillLevelsWidget
    default_error_messages = {
        "required": "Pick at least one skill and your level in it.",
        "unknown": "We have no skill with the id “%(key)s” to offer. Reload the page and pick "
        "from the list.",
        "level": "Choose a level from 1 to 3 for “%(skill)s”.",
    }

    def __init__(self, *, skills, kept_ids=(), **kwargs):
        self.skills = {str(skill.pk): skill for skill in skills}
        self.kept_ids = {str(pk) for pk in kept_ids}
        super().__init__(**kwargs)

    def to_python(self, value):
        levels, errors, unknown = {}, [], []
        for key, raw_level in (value or {}).items():
            if key in self.kept_ids:
                continue  # a retired skill on the profile: shown read-only, kept as it is
            skill = self.skills.get(key)
            if skill is None:
                unknown.append(key)
            elif raw_level not in ("", None):
                if raw_level not in {str(level) for level in Level.values}:
                    errors.append(self._error("level", skill=skill.name))
                else:
                    levels[skill.pk] = int(raw_level)
        if unknown:  # one message is enough, however many a hostile client sent
            errors.insert(0, self._error("unknown", key=unknown[0][:20]))
        if errors:
            raise ValidationError(errors)
        return levels

    def _error(self, code, **params):
        return ValidationError(self.error_messages[code], code=code, params=params)

    def validate(self, value):
        if not value and not self.kept_ids:
            raise ValidationError(self.error_messages["required"], code="required")


def number_field(low, high, message, **kwargs):
    return forms.IntegerField(
        min_value=low,
        max_value=high,
        error_messages=dict.fromkeys(("invalid", "min_value", "max_value", "required"), message),
        **kwargs,
    )


def date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def region_code(country: str, text: str) -> str:
    """The ISO 3166-2 code of the region of `country` that `text` names (its name or code), or
    a ValidationError that says what to type instead. Profiles, organizations, fights and
    requests all store regions this way."""
    country_name = dict(countries)[country]
    subdivisions = queries.subdivisions_of(country)
    matches = queries.matching_regions(country, text)
    if len(matches) == 1:
        return matches[0].code
    if not subdivisions:
        raise ValidationError(
            f"We know no regions for {country_name}: leave this blank.", code="no_regions"
        )
    if not matches:
        example = subdivisions[0]
        raise ValidationError(
            f"“{text}” is not a region of {country_name}. Type its name or code, for "
            f"example {example.name} or {example.code}.",
            code="unknown_region",
        )
    codes = ", ".join(sorted(match.code for match in matches))
    raise ValidationError(
        f"Several regions of {country_name} are called “{text}” ({codes}): type the code you mean.",
        code="ambiguous_region",
    )


def country_choices():
    return [("", "Choose a country"), *((country.code, country.name) for country in countries)]


@dataclass(frozen=True)
class SkillOption:
    value: str
    label: str
    id: str
    checked: bool


@dataclass(frozen=True)
class SkillRow:
    skill: object
    name: str
    options: list[SkillOption]

    @property
    def filter_text(self) -> str:
        return " ".join([self.skill.name, *self.skill.synonym_list]).casefold()
