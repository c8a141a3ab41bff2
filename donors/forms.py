"""Forms for the volunteer's own profile. They validate and convert; services store."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from donors import queries
from donors.fields import (
    BIO_MAX_LENGTH,
    MAX_CONFLICTS,
    MAX_LINKS,
    SKILL_PREFIX,
    Choice,
    ChosenSkillsField,
    CollapsedCharField,
    CurrentValueHiddenField,
    LongSelect,
    MultilineField,
    SkillChoice,
    WebLinkField,
    WebLinkListField,
    bio_field,
    city_field,
    clean_conflict_lines,
    clean_region,
    country_choices,
    date_widget,
    ends_before_start,
    number_field,
    pronouns_field,
    region_field,
)
from donors.models import Donor, Level, WorkMode
from donors.services import DONOR_FIELDS, ProfileData

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
# The order of the page, which is also the order of the error summary: what matching needs
# first, the optional rest (folded away until opened) after it.
FIELD_ORDER = (
    "version",
    "display_name",
    "pronouns",
    "country",
    "region",
    "city",
    "time_zone",
    "work_mode",
    "skills",
    "languages",
    "weekly_hours",
    "capacity",
    "on_call",
    "available_from",
    "available_until",
    "conflicts",
    "bio",
    *(f"link_{number}" for number in range(1, MAX_LINKS + 1)),
    "contact_consent",
)
OPTIONAL_GROUPS = {
    "availability": ("available_from", "available_until"),
    "more": ("bio", *(f"link_{number}" for number in range(1, MAX_LINKS + 1))),
}

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
    pronouns = pronouns_field(label="Pronouns (optional)", help_text="For example: she/her.")
    bio = bio_field(
        label="Short bio (optional)",
        help_text=f"What you do and what you would like to help with. Up to {BIO_MAX_LENGTH} "
        "characters.",
        message=f"Keep your bio to {BIO_MAX_LENGTH} characters or fewer (it has %(show_value)d).",
    )
    country = forms.ChoiceField(
        choices=country_choices,
        error_messages={
            "required": "Choose your country.",
            "invalid_choice": "Choose a country from the list.",
        },
        widget=LongSelect(attrs={"autocomplete": "country"}),
    )
    region = region_field(
        label="Region or state (optional)",
        help_text="Its name or code, for example California or US-CA.",
    )
    city = city_field(
        label="City or town (optional)",
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    time_zone = forms.ChoiceField(
        required=False,  # "" is "my country's", refused in clean() when the country has several
        help_text="For deadlines and meeting times.",
        widget=LongSelect,
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
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"One per line, up to {MAX_CONFLICTS}: your employer, say, or one you worked "
        "for.",
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
        super().__init__(data, initial=self._initial(user, donor, owned), label_suffix="")
        self.country_code = str(self["country"].value() or "")
        choices = queries.time_zone_choices(self.country_code)
        if user.time_zone not in queries.time_zone_names():  # e.g. a legacy alias: keep it valid
            choices.append((user.time_zone, user.time_zone.replace("_", " ")))
        self.fields["time_zone"].choices = choices
        self.fields["time_zone"].widget.attrs["data-browser-time-zone"] = ""
        if self.region_names():
            self.fields["region"].widget.attrs["list"] = "id_region_names"
        self.fields["skills"] = ChosenSkillsField(
            label="Your skills",
            skills=self.picker_skills,
            kept_ids=[ds.skill_id for ds in self.kept_skills],
            required=False,  # checked in validate(), which knows about kept retired skills
            help_text="Tick each skill you have, then choose your level in it.",
        )
        for number in range(1, MAX_LINKS + 1):
            self.fields[f"link_{number}"] = WebLinkField(label=f"Link {number}", required=False)
        self.order_fields(FIELD_ORDER)

    @staticmethod
    def version_of(donor: Donor | None) -> str:
        return donor.updated_at.isoformat() if donor else ""

    def _initial(self, user, donor, owned):
        initial = {
            "version": self.version_of(donor),
            "display_name": user.display_name,
            # A new profile starts on "my country's" rather than the account's default UTC.
            "time_zone": "" if donor is None and user.time_zone == "UTC" else user.time_zone,
        }
        if donor is None:
            return initial
        initial |= {name: getattr(donor, name) for name in DONOR_FORM_FIELDS}
        initial |= {f"link_{n}": link for n, link in enumerate(donor.web_links, start=1)}
        return initial | {
            "region": queries.region_text(donor.country.code, donor.region),
            "country": donor.country.code,
            "languages": [language.code for language in donor.languages.all()],
            "conflicts": "\n".join(conflict.name for conflict in donor.conflicts.all()),
            "skills": {ds.skill_id: ds.level for ds in owned if not ds.skill.retired},
        }

    # --- Field cleaning ---------------------------------------------------------------------

    def clean_conflicts(self):
        return clean_conflict_lines(self.cleaned_data["conflicts"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("version", "") != self.version_of(self.donor):
            raise ValidationError(STALE, code="stale")
        if cleaned.get("country") and cleaned.get("region"):
            try:
                cleaned["region"] = clean_region(cleaned["country"], cleaned["region"])
            except ValidationError as error:
                self.add_error("region", error)
        if cleaned.get("country") and cleaned.get("time_zone") == "":
            cleaned["time_zone"] = queries.country_time_zone(cleaned["country"]) or ""
            if not cleaned["time_zone"]:
                self.add_error("time_zone", self._several_zones(cleaned["country"]))
        if ends_before_start(cleaned.get("available_from"), cleaned.get("available_until")):
            self.add_error(
                "available_until", "The end of your availability cannot be before its start."
            )
        return cleaned

    def _several_zones(self, country: str) -> str:
        name = dict(country_choices()).get(country, country)
        if queries.country_time_zones(country):
            return f"{name} has several time zones: choose the place nearest you."
        return f"We know no time zone for {name}: choose the place nearest you."

    # --- What the page and the service need -------------------------------------------------

    def link_fields(self):
        return [self[f"link_{number}"] for number in range(1, MAX_LINKS + 1)]

    def open_groups(self) -> dict[str, bool]:
        """Which folded optional parts start open: those holding a value or an error."""
        return {
            group: any(self[name].value() or name in self.errors for name in names)
            for group, names in OPTIONAL_GROUPS.items()
        }

    def _skill_levels(self) -> dict[str, str]:
        value = self["skills"].value() or {}
        return {str(key): "" if level is None else str(level) for key, level in value.items()}

    def skill_picker(self) -> dict:
        """The picker: the ticked skills first (with their levels), then every other skill by
        category, folded until opened; each skill takes one line until it is ticked."""
        levels = self._skill_levels()
        choices = [self._skill_choice(skill, levels) for skill in self.picker_skills]
        chosen = [choice for choice in choices if choice.chosen]
        rest = [choice for choice in choices if not choice.chosen]
        return {
            "chosen": chosen,
            "summary": ", ".join(choice.skill.name for choice in chosen),
            "categories": queries.group_by_category(rest, skill=lambda choice: choice.skill),
        }

    def _skill_choice(self, skill, levels: dict[str, str]) -> SkillChoice:
        key = str(skill.pk)
        level = levels.get(key, "")
        missing = key in levels and self.is_bound and level == ""
        return SkillChoice(
            skill=skill,
            chosen=key in levels,
            levels=[
                Choice(str(value), label, f"id_{SKILL_PREFIX}{key}_{value}", level == str(value))
                for value, label in Level.choices
            ],
            error=f"Choose your level in “{skill.name}”, or untick it." if missing else "",
        )

    def language_picker(self) -> dict:
        """Ticked languages first, then the common ones and the country's own; the other
        ISO 639-1 languages after them, folded until opened."""
        value = self["languages"].value() or []
        ticked = [code for code in value if isinstance(code, str)]
        names = queries.language_names()
        first = dict.fromkeys((*ticked, *queries.first_languages(self.country_code)))
        first = [code for code in first if code in names]

        def option(code):
            return Choice(code, names[code], f"id_languages_{code}", code in ticked)

        shown = set(first)
        return {
            "summary": ", ".join(names[code] for code in ticked if code in names),
            "first": [option(code) for code in first],
            "others": [option(code) for code, _ in queries.language_choices() if code not in shown],
        }

    def region_names(self) -> list[str]:
        """Suggestions for the region box: the regions of the country, when it is known."""
        return [s.name for s in queries.subdivisions_of(self.country_code)]

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
        help_text="You are not proposed for anything through this date.",
        error_messages={"invalid": "Enter a date like 2026-05-01."},
    )

    def __init__(self, data=None, *, donor: Donor):
        super().__init__(data, label_suffix="")
        choices = [(self.UNTIL, "Pause until a date"), (self.INDEFINITELY, "Pause until I resume")]
        if donor.is_paused:
            choices.append((self.RESUME, "Resume now"))
        self.fields["action"].choices = choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") != self.UNTIL:
            # The date belongs to "pause until a date" alone: whatever else came in it (a page
            # without JavaScript sends the box as it was left) is ignored, never an error.
            self._errors.pop("until", None)
            cleaned["until"] = None
            return cleaned
        if "until" in self.errors:
            return cleaned
        until = cleaned.get("until")
        if until is None:
            self.add_error("until", "Choose the date you want to pause until.")
        elif until < timezone.localdate():
            self.add_error("until", "Choose today or a later date.")
        return cleaned


class DonorAdminForm(forms.ModelForm):
    """Staff correcting a profile: the volunteer form's field rules (donors/fields.py), so the
    admin stores nothing the volunteer's own form would refuse."""

    pronouns = pronouns_field()
    region = region_field(help_text="Its name or ISO 3166-2 code, for example US-CA.")
    city = city_field()
    bio = bio_field(
        message=f"Keep the bio to {BIO_MAX_LENGTH} characters or fewer (it has %(show_value)d)."
    )
    links = WebLinkListField(required=False)

    class Meta:
        model = Donor
        fields = (
            "pronouns",
            "country",
            "region",
            "city",
            "work_mode",
            "weekly_hours",
            "capacity",
            "available_from",
            "available_until",
            "on_call",
            "paused_until",
            "bio",
            "links",
        )

    def clean(self):
        cleaned = super().clean()
        country = cleaned.get("country")
        if country and cleaned.get("region"):
            try:
                cleaned["region"] = clean_region(str(country), cleaned["region"])
            except ValidationError as error:
                self.add_error("region", error)
        if ends_before_start(cleaned.get("available_from"), cleaned.get("available_until")):
            self.add_error("available_until", "The end cannot be before the start.")
        return cleaned
