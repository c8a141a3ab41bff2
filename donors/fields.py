"""Form fields and field rules for a donor profile: each converts and validates one kind of input.

The volunteer's profile form and the staff's donor admin form are built from these, so staff can
never store what the volunteer's own form would refuse (and the volunteer's pages then render).
"""

import re
from dataclasses import dataclass

import pycountry
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, URLValidator
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django_countries import countries

from accounts.text import visible_text
from donors import queries
from donors.models import Level, normalize_name

SKILL_PREFIX = "skill-"
MAX_LINKS = 5
LINK_MAX_LENGTH = 500
MAX_CONFLICTS = 20
CONFLICT_MAX_LENGTH = 200
BIO_MAX_LENGTH = 1000


class CollapsedCharField(forms.CharField):
    """Text on one line: invisible characters dropped (control, bidi, zero-width) and runs of
    whitespace collapsed, before length is checked."""

    def to_python(self, value):
        return visible_text(super().to_python(value))


class MultilineField(forms.CharField):
    """Text that keeps its line breaks, browser line endings (CRLF) counted as one character, as
    people count them; other invisible characters are dropped."""

    widget = forms.Textarea

    def to_python(self, value):
        return visible_text(super().to_python(value), multiline=True)


class CurrentValueHiddenField(forms.CharField):
    """A hidden field that always renders its current (initial) value, even when the posted
    one was stale or tampered with, so the page can be saved again after the warning."""

    widget = forms.HiddenInput

    def bound_data(self, data, initial):
        return initial


class LongSelect(forms.Select):
    """A select with hundreds of options (countries, time zones), written out in Python: the
    stock widget renders one template per option, which made the profile form slow to serve.
    The markup is the stock widget's."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            parts.extend(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    option["value"],
                    flatatt(option["attrs"]),
                    option["label"],
                )
                for option in options
            )
            if group_name:
                parts.append(mark_safe("</optgroup>"))
        parts.append(mark_safe("</select>"))
        return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


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
        kwargs.setdefault("max_length", LINK_MAX_LENGTH)
        super().__init__(assume_scheme="https", **kwargs)

    def to_python(self, value):
        value = (value or "").strip()
        match = self._scheme.match(value)
        if match and match[1].lower() not in ("http", "https"):
            raise ValidationError(self.error_messages["scheme"], code="scheme")
        if value and not match:
            # No scheme: the address starts with its host. Said explicitly, because urlsplit
            # would read "example.org:8080/x" as the scheme "example.org".
            value = f"https://{value.removeprefix('//')}"
        return super().to_python(value)


class WebLinkListField(forms.CharField):
    """Up to MAX_LINKS web links, one per line, each checked as WebLinkField checks it; the
    value is the list of links without repeats. For staff, who see all links in one box."""

    widget = forms.Textarea(attrs={"rows": MAX_LINKS})

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", f"One web address per line, at most {MAX_LINKS}.")
        super().__init__(strip=False, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(str(link) for link in value)
        return value

    def to_python(self, value):
        link = WebLinkField(required=False)
        lines = [line for line in (super().to_python(value) or "").splitlines() if line.strip()]
        links, errors = [], []
        for number, line in enumerate(lines, start=1):
            try:
                links.append(link.clean(line))
            except ValidationError as error:
                errors += [f"Line {number}: {message}" for message in error.messages]
        if errors:
            raise ValidationError(errors)
        links = list(dict.fromkeys(links))
        if len(links) > MAX_LINKS:
            raise ValidationError(
                f"List at most {MAX_LINKS} links (there are {len(links)}).", code="max_entries"
            )
        return links


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


class ChosenSkillsWidget(forms.Widget):
    """Collects the ticked skills (skills=<id>, once per skill) and each one's level
    (skill-<id> = 1 | 2 | 3). A level sent for a skill not ticked is ignored: the page hides it.

    The page template draws the picker (ProfileForm.skill_picker), grouped by category.
    """

    def value_from_datadict(self, data, files, name):
        chosen = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
        return {key: data.get(f"{SKILL_PREFIX}{key}", "") for key in chosen}

    def value_omitted_from_data(self, data, files, name):
        return False


class ChosenSkillsField(SkillLevelsField):
    """The volunteer's picker: {skill id: level} for the ticked skills; a ticked skill must
    have a level (SkillLevelsField reads "" as "not this one")."""

    widget = ChosenSkillsWidget

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.error_messages["no_level"] = "Choose your level in “%(skill)s”, or untick it."

    def to_python(self, value):
        value = value or {}
        missing = [
            self._error("no_level", skill=self.skills[key].name)
            for key, level in value.items()
            if level in ("", None) and key in self.skills and key not in self.kept_ids
        ]
        try:
            levels = super().to_python(value)
        except ValidationError as error:
            raise ValidationError([*error.error_list, *missing]) from None
        if missing:
            raise ValidationError(missing)
        return levels


def pronouns_field(**kwargs):
    return CollapsedCharField(max_length=40, required=False, **kwargs)


def region_field(**kwargs):
    """Typed as a name or a code; `clean_region` turns it into the ISO 3166-2 code stored."""
    return CollapsedCharField(max_length=100, required=False, **kwargs)


def city_field(**kwargs):
    return CollapsedCharField(max_length=100, required=False, **kwargs)


def bio_field(*, message: str, **kwargs):
    """`message` says the bio is too long; it may use %(show_value)d, its length."""
    return MultilineField(
        required=False, validators=[MaxLengthValidator(BIO_MAX_LENGTH, message=message)], **kwargs
    )


def clean_region(country: str, text: str) -> str:
    """The ISO 3166-2 code of the region of `country` that `text` names, or ValidationError."""
    if not country or not text:
        return text
    country_name = dict(countries).get(country, country)
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


def clean_conflict_name(name: str, *, line: int | None = None) -> str:
    """One employer name as stored: visible characters only, within CONFLICT_MAX_LENGTH."""
    name = visible_text(name)
    # Normalizing can lengthen a name (ligatures), and both are stored.
    length = max(len(name), len(normalize_name(name)))
    if length > CONFLICT_MAX_LENGTH:
        where = f"Line {line} has" if line else "This name has"
        raise ValidationError(
            f"{where} {length} characters; keep each name to {CONFLICT_MAX_LENGTH} or fewer.",
            code="max_length",
        )
    return name


def clean_conflict_lines(text: str) -> list[str]:
    """Employer names, one per line, without repeats (compared normalized), at most 20."""
    names = {}
    for number, line in enumerate(text.split("\n"), start=1):
        name = clean_conflict_name(line, line=number)
        if normalize_name(name):
            names.setdefault(normalize_name(name), name)
    if len(names) > MAX_CONFLICTS:
        raise ValidationError(
            f"List at most {MAX_CONFLICTS} employers or organizations (you listed {len(names)}).",
            code="max_entries",
        )
    return list(names.values())


def ends_before_start(start, end) -> bool:
    """The available window is refused when its end comes before its start."""
    return bool(start and end and end < start)


def number_field(low, high, message, **kwargs):
    return forms.IntegerField(
        min_value=low,
        max_value=high,
        error_messages=dict.fromkeys(("invalid", "min_value", "max_value", "required"), message),
        **kwargs,
    )


def date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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


@dataclass(frozen=True)
class Choice:
    """One option drawn by hand on the profile page: a level, a language."""

    value: str
    label: str
    id: str
    checked: bool


@dataclass(frozen=True)
class SkillChoice:
    """A skill in the picker: its tick box, and the levels shown once it is ticked."""

    skill: object
    chosen: bool
    levels: list[Choice]
    error: str = ""

    @property
    def id(self) -> str:
        return f"id_skills_{self.skill.pk}"

    @property
    def level_name(self) -> str:
        return f"{SKILL_PREFIX}{self.skill.pk}"

    @property
    def level_label(self) -> str:
        return next((level.label for level in self.levels if level.checked), "")

    @property
    def filter_text(self) -> str:
        return " ".join([self.skill.name, *self.skill.synonym_list]).casefold()


class LanguageCodeField(forms.CharField):
    """A two-letter ISO 639-1 code, typed in any case and with stray spaces."""

    default_error_messages = {
        "invalid": "Enter a two-letter ISO 639-1 language code, e.g. “es”.",
    }

    def to_python(self, value):
        return super().to_python(value).lower()

    def validate(self, value):
        super().validate(value)
        if value and (len(value) != 2 or pycountry.languages.get(alpha_2=value) is None):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
