"""Forms for organizers. They validate and convert; fights/services.py stores.

None of them has a field for the organization, the fight, the status or verification: those
come from the URL (checked by the views) and from the services, so extra POST keys are ignored.
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from donors import fields as donor_fields
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
    clean_region,
    country_choices,
    date_widget,
    number_field,
)
from donors.models import Level, WorkMode
from fights.fields import request_date_errors
from fights.models import (
    MAX_HELPERS,
    MAX_REQUEST_HOURS,
    FightKind,
    FightStatus,
    MemberRole,
    OrganizationKind,
    RequestTemplate,
    Visibility,
)
from fights.services import FIGHT_FIELDS, ORGANIZATION_FIELDS, GuidedData, RequestData, version_of

NICE_PREFIX = "nice-"


class RegionMixin:
    """Country + region typed as a name or a code, stored as the ISO 3166-2 code."""

    def clean_region_of(self, cleaned):
        if cleaned.get("region") and not cleaned.get("country") and "country" not in self.errors:
            self.add_error("region", _("Choose the country first, or leave the region blank."))
        elif cleaned.get("country") and cleaned.get("region"):
            try:
                cleaned["region"] = clean_region(cleaned["country"], cleaned["region"])
            except ValidationError as error:
                self.add_error("region", error)


def country_field(*, required=True, label=None):
    return forms.ChoiceField(
        label=label or _("Country"),
        choices=country_choices,
        required=required,
        error_messages={
            "required": _("Choose the country."),
            "invalid_choice": _("Choose a country from the list."),
        },
    )


def region_field():
    return donor_fields.region_field(
        label=_("Region or state (optional)"),
        help_text=_("Its name or ISO code, for example California or US-CA."),
    )


def city_field():
    return donor_fields.city_field(label=_("City or town (optional)"))


def choice_field(choices, *, label, message, widget=None, **kwargs):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=widget or forms.RadioSelect(attrs={"class": "choice-list"}),
        error_messages={"required": message, "invalid_choice": message},
        **kwargs,
    )


def future_date_field(*, label, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        widget=date_widget(),
        help_text=help_text,
        error_messages={
            "invalid": _("Enter a date like 2026-05-01."),
            "required": _("Enter the date."),
        },
    )


def add_date_errors(form, cleaned, **stored):
    """fights.fields.request_date_errors at the fields, for what the form has typed."""
    errors = request_date_errors(
        needed_by=cleaned.get("needed_by"), starts_on=cleaned.get("starts_on"), **stored
    )
    for name, message in errors.items():
        form.add_error(name, message)


def languages_field():
    return forms.MultipleChoiceField(
        label=_("Languages the work must be done in (optional)"),
        choices=queries.language_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choice-list"}),
        help_text=_("Leave all unticked if any language will do."),
        error_messages={
            "invalid_choice": _("Choose languages from the list (“%(value)s” is not one of them)."),
        },
    )


# --- Organizations ---------------------------------------------------------------------------


class OrganizationForm(RegionMixin, forms.Form):
    name = CollapsedCharField(
        label=_("Name of your organization"),
        max_length=200,
        error_messages={"required": _("Enter the name of your organization.")},
        help_text=_("For example: Teamsters Local 2785, or Eastside Worker Center."),
    )
    kind = choice_field(
        OrganizationKind.choices,
        label=_("What kind of organization is it?"),
        message=_("Choose what kind of organization it is."),
    )
    affiliation = CollapsedCharField(
        label=_("Affiliation (optional)"),
        max_length=200,
        required=False,
        help_text=_("The national union or network you belong to, if any."),
    )
    country = country_field()
    region = region_field()
    city = city_field()
    website = WebLinkField(
        label=_("Website or social media page (optional)"),
        required=False,
        max_length=300,
        help_text=_("Staff look at it when they verify your organization."),
    )
    description = MultilineField(
        label=_("What does your organization do? (optional)"),
        required=False,
        max_length=2000,
    )
    attest = forms.BooleanField(
        label=_(
            "I confirm that this is a workers' organization, and that neither it nor I act "
            "for an employer: we are not an employer, a labor-relations consultant, a law "
            "firm or a vendor working for one."
        ),
        error_messages={
            "required": _(
                "Confirm that this is a workers' organization with no interest on the "
                "employer's side. Only workers' organizations can ask for help here."
            )
        },
    )

    def clean(self):
        cleaned = super().clean()
        self.clean_region_of(cleaned)
        return cleaned

    def organization_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in ORGANIZATION_FIELDS}


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Their email address"),
        max_length=254,
        error_messages={
            "required": _("Enter the email address to send the invitation to."),
            "invalid": _("Enter an email address like name@example.org."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = choice_field(
        MemberRole.choices,
        label=_("Their role"),
        message=_("Choose admin or organizer."),
        initial=MemberRole.ORGANIZER,
        help_text=_("Organizers post fights and requests. Admins can also invite other members."),
    )


# --- Fights ----------------------------------------------------------------------------------


def fight_fields():
    """The fight's own fields, shared by the fight form and the guided path's "new fight"."""
    return {
        "title": CollapsedCharField(
            label=_("Name of the fight"),
            max_length=200,
            help_text=_("For example: Harbor warehouse strike 2026."),
            error_messages={"required": _("Give the fight a name.")},
        ),
        "kind": choice_field(
            FightKind.choices,
            label=_("What kind of fight is it?"),
            message=_("Choose what kind of fight it is."),
            initial=FightKind.STRIKE,
        ),
        "target_employer": CollapsedCharField(
            label=_("Employer or target (optional)"),
            max_length=200,
            required=False,
            help_text=_(
                "We never ask volunteers who work for this employer or said they must not be "
                "matched against it."
            ),
        ),
        "visibility": choice_field(
            Visibility.choices,
            label=_("Who may see this fight?"),
            message=_("Choose public or confidential."),
            initial=Visibility.PUBLIC,
            help_text=_(
                "Public: anyone can see it and its open requests. Confidential: only your "
                "organization's members and our staff (for plans the employer must not see)."
            ),
        ),
    }


class FightForm(RegionMixin, forms.Form):
    version = CurrentValueHiddenField(required=False)
    sector = CollapsedCharField(
        label=_("Sector (optional)"),
        max_length=100,
        required=False,
        help_text=_("For example: warehousing, health care, schools."),
    )
    country = country_field()
    region = region_field()
    city = city_field()
    key_date = forms.DateField(
        label=_("Key date (optional)"),
        required=False,
        widget=date_widget(),
        help_text=_("For example the strike date or the vote."),
        error_messages={"invalid": _("Enter a date like 2026-05-01.")},
    )
    summary = MultilineField(
        label=_("What is the fight about? (optional)"),
        required=False,
        max_length=4000,
    )

    def __init__(self, data=None, *, fight=None, organization=None):
        self.fight = fight
        initial = {"version": version_of(fight)}
        if fight is not None:
            initial |= {name: getattr(fight, name) for name in FIGHT_FIELDS}
            initial["country"] = fight.country.code
        elif organization is not None:
            initial |= {
                "country": organization.country.code,
                "region": organization.region,
                "city": organization.city,
            }
        super().__init__(data, initial=initial)
        self.fields.update(fight_fields())
        self.order_fields(["version", "title", "kind", "target_employer", "visibility"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("version", "") != version_of(self.fight):
            raise ValidationError(_(STALE_MESSAGE), code="stale")
        self.clean_region_of(cleaned)
        return cleaned

    def fight_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in FIGHT_FIELDS}


STALE_MESSAGE = (
    "This changed after you opened the page (perhaps in another tab or by another member), so "
    "nothing was saved. Check the form below and save again."
)


class FightStatusForm(forms.Form):
    status = choice_field(
        FightStatus.choices, label=_("Status"), message=_("Choose a status from the list.")
    )
    outcome = MultilineField(
        label=_("Outcome (optional)"),
        required=False,
        max_length=4000,
        help_text=_("What happened: the contract won, the settlement, what you learned."),
    )

    def __init__(self, data=None, *, fight):
        super().__init__(data, initial={"status": fight.status, "outcome": fight.outcome})


# --- Support requests ------------------------------------------------------------------------


class RequestSkillsWidget(forms.Widget):
    """skill-<id> = "" | 1 | 2 | 3 (the level needed) and nice-<id> = "on" (not required)."""

    def value_from_datadict(self, data, files, name):
        levels = {
            key.removeprefix(SKILL_PREFIX): data.get(key)
            for key in data
            if key.startswith(SKILL_PREFIX)
        }
        nice = {key.removeprefix(NICE_PREFIX) for key in data if key.startswith(NICE_PREFIX)}
        return {"levels": levels, "nice": nice}

    def value_omitted_from_data(self, data, files, name):
        return False


class RequestSkillsField(SkillLevelsField):
    """{skill id: (required, min level)}: the donors' skill picker, plus "nice to have"."""

    widget = RequestSkillsWidget

    def to_python(self, value):
        value = value or {}
        if "levels" not in value:  # an initial value: already {id: (required, level)}
            return value
        levels = super().to_python(value["levels"])
        return {pk: (str(pk) not in value["nice"], level) for pk, level in levels.items()}

    def validate(self, value):
        """A draft may have no skill yet: `open_request` insists on a required one."""


class SupportRequestForm(RegionMixin, forms.Form):
    version = CurrentValueHiddenField(required=False)
    title = CollapsedCharField(
        label=_("What do you need, in a few words?"),
        max_length=200,
        help_text=_("For example: Flyers for the picket line."),
        error_messages={"required": _("Say in a few words what you need.")},
    )
    description = MultilineField(
        label=_("Details for the volunteer"),
        required=False,
        max_length=6000,
        help_text=_("What the work is, what you already have, who they will work with."),
    )
    needed_by = future_date_field(
        label=_("Needed by"), help_text=_("The last day the work is still useful.")
    )
    starts_on = future_date_field(label=_("Work can start on (optional)"), required=False)
    hours_estimate = number_field(
        1,
        MAX_REQUEST_HOURS,
        _("Enter a number of hours from 1 to %(max)d.") % {"max": MAX_REQUEST_HOURS},
        label=_("Hours of work, roughly"),
        help_text=_("A guess is fine: a flyer is a few hours, a website a few dozen."),
    )
    helpers_needed = number_field(
        1,
        MAX_HELPERS,
        _("Enter a number of helpers from 1 to %(max)d.") % {"max": MAX_HELPERS},
        label=_("Helpers needed"),
        initial=1,
    )
    work_mode = choice_field(
        WorkMode.choices,
        label=_("Remote or in person?"),
        message=_("Choose remote, in person or either."),
        initial=WorkMode.REMOTE,
    )
    country = country_field(required=False, label=_("Country (for in-person work)"))
    region = region_field()
    city = city_field()
    languages = languages_field()

    def __init__(self, data=None, *, support_request=None, fight=None):
        self.support_request = support_request
        self.picker_skills = queries.picker_skills()
        owned = list(support_request.request_skills.all()) if support_request else []
        self.kept_skills = [rs for rs in owned if rs.skill.retired]
        super().__init__(data, initial=self._initial(support_request, fight, owned))
        self.fields["skills"] = RequestSkillsField(
            label=_("Skills needed"),
            skills=self.picker_skills,
            kept_ids=[rs.skill_id for rs in self.kept_skills],
            required=False,  # a draft may have none yet; opening needs a required one
            help_text=_(
                "For each skill the work needs, choose the lowest level that will do: 1 can "
                "do it, 2 experienced, 3 can lead it or teach it. Tick “nice to have” for a "
                "skill that helps but is not essential."
            ),
        )

    @staticmethod
    def _initial(support_request, fight, owned):
        if support_request is None:
            if fight is None:
                return {"version": ""}
            return {"version": "", "country": fight.country.code, "region": fight.region}
        return {
            "version": version_of(support_request),
            **{
                name: getattr(support_request, name)
                for name in ("title", "description", "needed_by", "starts_on")
            },
            "hours_estimate": support_request.hours_estimate,
            "helpers_needed": support_request.helpers_needed,
            "work_mode": support_request.work_mode,
            "country": support_request.country.code if support_request.country else "",
            "region": support_request.region,
            "city": support_request.city,
            "languages": support_request.language_codes,
            "skills": {
                rs.skill_id: (rs.required, rs.min_level) for rs in owned if not rs.skill.retired
            },
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("version", "") != version_of(self.support_request):
            raise ValidationError(_(STALE_MESSAGE), code="stale")
        # An edit may keep a start date that has since passed; a new one may not be in the past.
        stored_starts_on = self.support_request.starts_on if self.support_request else None
        add_date_errors(self, cleaned, stored_starts_on=stored_starts_on)
        self.clean_region_of(cleaned)
        return cleaned

    def skill_groups(self):
        """[(category, [SkillRow, ...]), ...] with what was chosen or typed, plus nice-to-have."""
        value = self["skills"].value() or {}
        chosen, nice = _chosen_skills(value)
        choices = [("", _("Not needed")), *((str(v), label) for v, label in Level.choices)]
        rows = [
            RequestSkillRow(
                skill=skill,
                name=f"{SKILL_PREFIX}{skill.pk}",
                nice_name=f"{NICE_PREFIX}{skill.pk}",
                nice=str(skill.pk) in nice,
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

    def request_data(self) -> RequestData:
        data = self.cleaned_data
        return RequestData(
            **{
                name: data[name]
                for name in (
                    "title",
                    "description",
                    "needed_by",
                    "starts_on",
                    "hours_estimate",
                    "helpers_needed",
                    "work_mode",
                    "country",
                    "region",
                    "city",
                    "languages",
                )
            },
            skills=data["skills"],
        )


def _chosen_skills(value):
    """(chosen {id: level}, nice {id}) from posted data or from the initial value."""
    if "levels" in value:
        chosen = {k: str(v) for k, v in value["levels"].items() if v not in (None, "")}
        return chosen, set(value["nice"])
    chosen = {str(pk): str(level) for pk, (required, level) in value.items()}
    nice = {str(pk) for pk, (required, level) in value.items() if not required}
    return chosen, nice


@dataclass(frozen=True)
class RequestSkillRow(SkillRow):
    nice_name: str = ""
    nice: bool = False


# --- The guided path -------------------------------------------------------------------------


class NeedsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple(attrs={"class": "choice-list needs-list"})

    def label_from_instance(self, obj):
        return obj.need


class GuidedForm(RegionMixin, forms.Form):
    """Pick plain-language needs, say which fight, when, where and in which languages."""

    NEW = "new"

    needs = NeedsField(
        label=_("What do you need help with?"),
        queryset=RequestTemplate.objects.none(),
        help_text=_("Tick one or several. You can change everything afterwards."),
        error_messages={
            "required": _("Tick at least one thing you need help with."),
            "invalid_choice": _("Choose from the list shown."),
            "invalid_pk_value": _("Choose from the list shown."),
        },
    )
    fight = forms.ChoiceField(
        label=_("Which fight is it for?"),
        widget=forms.RadioSelect(attrs={"class": "choice-list"}),
        error_messages={
            "required": _("Choose the fight, or start a new one."),
            "invalid_choice": _("Choose one of your organization's fights, or a new one."),
        },
    )
    needed_by = future_date_field(
        label=_("When do you need it by?"),
        help_text=_("For example the day before the strike. The date is on every draft."),
    )
    work_mode = choice_field(
        WorkMode.choices,
        label=_("Can volunteers help from home, or must they be there?"),
        message=_("Choose remote, in person or either."),
        initial=WorkMode.REMOTE,
    )
    country = country_field(required=False, label=_("Country (for in-person help)"))
    region = region_field()
    city = city_field()
    languages = languages_field()

    def __init__(self, data=None, *, organization, fights, initial_fight=None):
        self.organization = organization
        self.fights = {str(fight.pk): fight for fight in fights}
        initial = {
            "fight": str(initial_fight.pk) if initial_fight else (next(iter(self.fights), "new")),
            "country": organization.country.code,
            "region": organization.region,
            "city": organization.city,
        }
        super().__init__(data, initial=initial)
        self.fields["needs"].queryset = RequestTemplate.objects.active()
        self.fields["fight"].choices = [
            *((pk, fight.title) for pk, fight in self.fights.items()),
            (self.NEW, _("A new fight")),
        ]
        new_fight = fight_fields()
        for name, field in new_fight.items():
            field.required = False
            self.fields[f"new_{name}"] = field
        self.fields["new_title"].label = _("Name of the new fight")
        self.order_fields(["needs", "fight", *(f"new_{name}" for name in new_fight)])

    def clean(self):
        cleaned = super().clean()
        add_date_errors(self, cleaned)
        if cleaned.get("fight") == self.NEW:
            if not cleaned.get("new_title"):
                self.add_error("new_title", _("Give the new fight a name."))
            for name in ("new_kind", "new_visibility"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, self.fields[name].error_messages["required"])
        self.clean_region_of(cleaned)
        return cleaned

    def chosen_fight(self):
        return self.fights.get(self.cleaned_data["fight"])

    def new_fight_data(self) -> dict | None:
        if self.chosen_fight() is not None:
            return None
        data = self.cleaned_data
        return {
            **{name: data[f"new_{name}"] for name in fight_fields()},
            "country": self.organization.country.code,
            "region": self.organization.region,
            "city": self.organization.city,
        }

    def guided_data(self) -> GuidedData:
        data = self.cleaned_data
        return GuidedData(
            templates=list(
                data["needs"]
                .prefetch_related("template_skills__skill")
                .order_by("position", "need")
            ),
            needed_by=data["needed_by"],
            work_mode=data["work_mode"],
            country=data["country"],
            region=data["region"],
            city=data["city"],
            languages=data["languages"],
        )
