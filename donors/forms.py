"""Forms for the volunteer's own profile. They validate and convert; services store."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from donors import queries
from donors.fields import (
    SKILL_PREFIX,
    CollapsedCharField,
    CurrentValueHiddenField,
    MultilineField,
    SkillLevelsField,
    SkillOption,
    SkillRow,
    WebLinkField,
    country_choices,
    date_widget,
    number_field,
    region_code,
)
from donors.models import Donor, Level, WorkMode, normalize_name
from donors.services import DONOR_FIELDS, ProfileData

MAX_LINKS = 5
MAX_CONFLICTS = 20
CONFLICT_MAX_LENGTH = 200
BIO_MAX_LENGTH = 1000

# Donor columns the form shows as they are stored; country (a Country object on the model) and
# links (five inputs) are converted.
DONOR_FORM_FIELDS = tuple(name for name in DONOR_FIELDS if name not in ("country", "links"))
PROFILE_FIELDS = (
    "display_name",
    "time_zone",
    "country",
    "languages",
    "conflicts",
    *DONOR_FORM_FIELDS,
)
# The order of the page, which is also the order of the error summary.
FIELD_ORDER = (
    "version",
    "display_name",
    "pronouns",
    "bio",
    "country",
    "region",
    "city",
    "time_zone",
    "work_mode",
    "languages",
    "skills",
    "weekly_hours",
    "capacity",
    "available_from",
    "available_until",
    "on_call",
    "conflicts",
    *(f"link_{number}" for number in range(1, MAX_LINKS + 1)),
    "contact_consent",
)

STALE = (
    "Your profile changed after this page was opened (perhaps in another tab), so nothing was "
    "saved. Check the form below and save again."
)


class ProfileForm(forms.Form):
    """The whole volunteer profile on one page; `profile_data()` is what the service stores."""

    # Changes whenever the profile is saved: a stale or tampered page is refused, not merged.
    version = CurrentValueHiddenField(required=False)

    display_name = CollapsedCharField(
        label="Your name",
        max_length=80,
        error_messages={"required": "Enter your name."},
        help_text="How organizers and staff will address you.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    pronouns = CollapsedCharField(
        label="Pronouns (optional)",
        max_length=40,
        required=False,
        help_text="For example: she/her.",
    )
    bio = MultilineField(
        label="Short bio (optional)",
        required=False,
        help_text=f"What you do and what you would like to help with. Up to {BIO_MAX_LENGTH} "
        "characters.",
        validators=[
            MaxLengthValidator(
                BIO_MAX_LENGTH,
                message=f"Keep your bio to {BIO_MAX_LENGTH} characters or fewer "
                "(it has %(show_value)d).",
            )
        ],
    )
    country = forms.ChoiceField(
        choices=country_choices,
        error_messages={
            "required": "Choose your country.",
            "invalid_choice": "Choose a country from the list.",
        },
        widget=forms.Select(attrs={"autocomplete": "country"}),
    )
    region = CollapsedCharField(
        label="Region or state (optional)",
        max_length=100,
        required=False,
        help_text="Its name or ISO code, for example California or US-CA.",
    )
    city = CollapsedCharField(
        label="City or town (optional)",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    time_zone = forms.ChoiceField(
        choices=queries.time_zone_choices,
        help_text="We use it for deadlines and meeting times.",
        error_messages={"invalid_choice": "Choose a time zone from the list."},
    )
    work_mode = forms.ChoiceField(
        label="How can you help?",
        choices=WorkMode.choices,
        initial=WorkMode.EITHER,
        widget=forms.RadioSelect(attrs={"class": "choice-list"}),
        error_messages={
            "required": "Choose remote, in person or either.",
            "invalid_choice": "Choose remote, in person or either.",
        },
    )
    languages = forms.MultipleChoiceField(
        label="Languages you can work in",
        choices=queries.language_choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choice-list"}),
        help_text="Tick at least one.",
        error_messages={
            "required": "Tick at least one language you can work in.",
            "invalid_choice": "Choose languages from the list (“%(value)s” is not one of them).",
        },
    )
    weekly_hours = number_field(
        1, 40, "Enter a number of hours from 1 to 40.", label="Hours per week you can give"
    )
    capacity = number_field(
        1,
        5,
        "Enter a number of fights from 1 to 5.",
        label="Fights at once",
        initial=1,
        help_text="How many campaigns you can support at the same time (1 to 5).",
    )
    available_from = forms.DateField(
        label="Available from (optional)",
        required=False,
        widget=date_widget(),
        error_messages={"invalid": "Enter a date like 2026-05-01."},
    )
    available_until = forms.DateField(
        label="Available until (optional)",
        required=False,
        widget=date_widget(),
        error_messages={"invalid": "Enter a date like 2026-08-31."},
    )
    on_call = forms.BooleanField(
        label="I can be on call for rapid response",
        required=False,
        help_text="Tick this if you can take urgent requests at a few days' notice.",
    )
    conflicts = MultilineField(
        label="Employers or organizations you must never be matched against (optional)",
        required=False,
        help_text=f"One per line, up to {MAX_CONFLICTS}: for example your employer, or a company "
        "you have worked for.",
    )
    contact_consent = forms.BooleanField(
        label="You may contact me about matches",
        required=False,
        help_text="Not needed to save your profile, but we can only propose you for fights once "
        "you agree.",
    )

    def __init__(self, data=None, *, user, donor: Donor | None):
        self.donor = donor
        self.picker_skills = queries.picker_skills()
        owned = list(donor.donor_skills.all()) if donor else []
        self.kept_skills = [ds for ds in owned if ds.skill.retired]
        super().__init__(data, initial=self._initial(user, donor, owned))
        if user.time_zone not in queries.time_zone_names():  # e.g. a legacy alias: keep it valid
            self.fields["time_zone"].choices += [(user.time_zone, user.time_zone)]
        self.fields["skills"] = SkillLevelsField(
            label="Your skills",
            skills=self.picker_skills,
            kept_ids=[ds.skill_id for ds in self.kept_skills],
            required=False,  # checked in validate(), which knows about kept retired skills
            help_text="For each skill you have, choose your level: 1 you can do it, 2 you are "
            "experienced, 3 you can lead it or teach it.",
        )
        for number in range(1, MAX_LINKS + 1):
            self.fields[f"link_{number}"] = WebLinkField(
                label=f"Link {number}", required=False, max_length=500
            )
        self.order_fields(FIELD_ORDER)

    @staticmethod
    def version_of(donor: Donor | None) -> str:
        return donor.updated_at.isoformat() if donor else ""

    def _initial(self, user, donor, owned):
        initial = {
            "version": self.version_of(donor),
            "display_name": user.display_name,
            "time_zone": user.time_zone,
        }
        if donor is None:
            return initial
        initial |= {name: getattr(donor, name) for name in DONOR_FORM_FIELDS}
        initial |= {f"link_{n}": link for n, link in enumerate(donor.links, start=1)}
        return initial | {
            "country": donor.country.code,
            "languages": [language.code for language in donor.languages.all()],
            "conflicts": "\n".join(conflict.name for conflict in donor.conflicts.all()),
            "skills": {ds.skill_id: ds.level for ds in owned if not ds.skill.retired},
        }

    # --- Field cleaning ---------------------------------------------------------------------

    def clean_conflicts(self):
        names = {}
        for number, line in enumerate(self.cleaned_data["conflicts"].split("\n"), start=1):
            name = " ".join(line.split())
            # Normalizing can lengthen a name (ligatures), and both are stored.
            length = max(len(name), len(normalize_name(name)))
            if length > CONFLICT_MAX_LENGTH:
                raise ValidationError(
                    f"Line {number} has {length} characters; keep each name to "
                    f"{CONFLICT_MAX_LENGTH} or fewer.",
                    code="max_length",
                )
            if normalize_name(name):
                names.setdefault(normalize_name(name), name)
        if len(names) > MAX_CONFLICTS:
            raise ValidationError(
                f"List at most {MAX_CONFLICTS} employers or organizations (you listed "
                f"{len(names)}).",
                code="max_entries",
            )
        return list(names.values())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("version", "") != self.version_of(self.donor):
            raise ValidationError(STALE, code="stale")
        self._clean_region(cleaned)
        start, end = cleaned.get("available_from"), cleaned.get("available_until")
        if start and end and end < start:
            self.add_error(
                "available_until", "The end of your availability cannot be before its start."
            )
        return cleaned

    def _clean_region(self, cleaned):
        if cleaned.get("country") and cleaned.get("region"):
            try:
                cleaned["region"] = region_code(cleaned["country"], cleaned["region"])
            except ValidationError as error:
                self.add_error("region", error)

    # --- What the page and the service need -------------------------------------------------

    def link_fields(self):
        return [self[f"link_{number}"] for number in range(1, MAX_LINKS + 1)]

    def skill_groups(self):
        """[(category, [SkillRow, ...]), ...]: the picker grid, with what was chosen or typed."""
        value = self["skills"].value() or {}
        chosen = {str(key): str(level) for key, level in value.items() if level is not None}
        choices = [("", "No"), *((str(value), label) for value, label in Level.choices)]
        rows = [
            SkillRow(
                skill=skill,
                name=f"{SKILL_PREFIX}{skill.pk}",
                options=[
                    SkillOption(
                        value=choice,
                        label=label,
                        id=f"id_{SKILL_PREFIX}{skill.pk}_{choice or 0}",
                        checked=chosen.get(str(skill.pk), "") == choice,
                    )
                    for choice, label in choices
                ],
            )
            for skill in self.picker_skills
        ]
        return queries.group_by_category(rows, skill=lambda row: row.skill)

    def profile_data(self) -> ProfileData:
        data = self.cleaned_data
        links = [data[f"link_{n}"] for n in range(1, MAX_LINKS + 1) if data[f"link_{n}"]]
        return ProfileData(
            **{name: data[name] for name in PROFILE_FIELDS},
            links=list(dict.fromkeys(links)),
            skill_levels=data["skills"],
        )


class PauseForm(forms.Form):
    """Pause until a date, until further notice, or resume."""

    UNTIL, INDEFINITELY, RESUME = "until", "indefinitely", "resume"

    action = forms.ChoiceField(
        label="What would you like to do?",
        widget=forms.RadioSelect(attrs={"class": "choice-list"}),
        error_messages={
            "required": "Choose what you would like to do.",
            "invalid_choice": "Choose one of the options shown.",
        },
    )
    until = forms.DateField(
        label="Pause until",
        required=False,
        widget=date_widget(),
        help_text="Only for a pause until a date. You are not proposed for anything through "
        "this date.",
        error_messages={"invalid": "Enter a date like 2026-05-01."},
    )

    def __init__(self, data=None, *, donor: Donor):
        super().__init__(data)
        choices = [(self.UNTIL, "Pause until a date"), (self.INDEFINITELY, "Pause until I resume")]
        if donor.is_paused:
            choices.append((self.RESUME, "Resume now"))
        self.fields["action"].choices = choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") != self.UNTIL or "until" in self.errors:
            return cleaned
        until = cleaned.get("until")
        if until is None:
            self.add_error("until", "Choose the date you want to pause until.")
        elif until < timezone.localdate():
            self.add_error("until", "Choose today or a later date.")
        return cleaned
