"""The staff admin's forms for organizers' data: the same field rules as the organizers' own
forms (fights/fields.py, donors/fields.py), so bad input gets a message at the field."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from donors.fields import LanguageCodeField, WebLinkField, clean_region
from fights import fields, services
from fights.models import (
    Fight,
    Membership,
    Organization,
    RequestLanguage,
    RequestSkill,
    RequestTemplate,
    RequestTemplateSkill,
    SupportRequest,
)


class RegionMixin:
    """Region typed as a name or code, stored as its ISO 3166-2 code, like donors' profiles."""

    country_required_message = "Choose the country the region is in."

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("region")
        if not text or "country" in self.errors:
            return cleaned
        country = cleaned.get("country")
        if not country:
            self.add_error("country", self.country_required_message)
            return cleaned
        try:
            cleaned["region"] = clean_region(str(country), text)
        except ValidationError as error:
            self.add_error("region", error)
        return cleaned


class OrganizationAdminForm(RegionMixin, forms.ModelForm):
    website = WebLinkField(required=False, max_length=300)

    class Meta:
        model = Organization
        fields = (
            "name",
            "kind",
            "affiliation",
            "description",
            "country",
            "region",
            "city",
            "website",
        )


class FightAdminForm(RegionMixin, forms.ModelForm):
    class Meta:
        model = Fight
        fields = (
            "title",
            "kind",
            "summary",
            "target_employer",
            "sector",
            "country",
            "region",
            "city",
            "key_date",
        )

    def clean_target_employer(self):
        name, normalized = fields.clean_employer(self.cleaned_data["target_employer"])
        # Not a form field: matching screens donors' conflicts against it, so keep it in step.
        self.instance.target_employer_normalized = normalized
        return name


class SupportRequestAdminForm(RegionMixin, forms.ModelForm):
    hours_estimate = fields.hours_field(label="Hours of work, roughly")
    helpers_needed = fields.helpers_field(label="Helpers needed")

    class Meta:
        model = SupportRequest
        fields = (
            "fight",
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
        )

    def clean(self):
        cleaned = super().clean()
        errors = fields.request_date_errors(
            needed_by=cleaned.get("needed_by"),
            starts_on=cleaned.get("starts_on"),
            stored_needed_by=self.initial.get("needed_by") if self.instance.pk else None,
            stored_starts_on=self.initial.get("starts_on") if self.instance.pk else None,
        )
        for field, message in errors.items():
            self.add_error(field, message)
        return cleaned


class RequestTemplateAdminForm(forms.ModelForm):
    hours_estimate = fields.hours_field(label="Hours of work, roughly")
    helpers_needed = fields.helpers_field(label="Helpers needed", initial=1)

    class Meta:
        model = RequestTemplate
        fields = (
            "need",
            "slug",
            "request_title",
            "description",
            "hours_estimate",
            "helpers_needed",
            "work_mode",
            "position",
            "active",
        )


class SkillRowForm(forms.ModelForm):
    """A skill needed at a minimum level: current skills only (a retired one may stay on a row
    that had it), levels 1 to 3."""

    min_level = fields.level_field(label="Minimum level", initial=1)

    def clean_skill(self):
        skill = self.cleaned_data["skill"]
        stored = self.instance.skill_id if self.instance.pk else None
        error = fields.current_skill_error(skill, stored_skill_id=stored)
        if error:
            raise error
        return skill


class RequestSkillForm(SkillRowForm):
    class Meta:
        model = RequestSkill
        fields = ("skill", "required", "min_level")


class TemplateSkillForm(SkillRowForm):
    class Meta:
        model = RequestTemplateSkill
        fields = ("skill", "required", "min_level")


class RequestSkillFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if self.instance.status == "draft" or any(self.errors):
            return
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]
        if not any(row.get("required") for row in kept):
            raise ValidationError(
                "A request that has been opened needs at least one required skill.",
                code="no_required_skill",
            )


class RequestLanguageForm(forms.ModelForm):
    code = LanguageCodeField(label="Language (ISO 639-1 code)", max_length=3)

    class Meta:
        model = RequestLanguage
        fields = ("code",)


class NewMembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ("user", "role")

    def clean_user(self):
        user = self.cleaned_data["user"]
        # The organization is the inline's parent, excluded from model validation, so the
        # unique constraint would only be met by the database, as an error page.
        members = Membership.objects.filter(organization_id=self.instance.organization_id)
        if members.filter(user=user).exists():
            raise ValidationError("This person is already a member; change their role above.")
        return user


class VerifyForm(forms.Form):
    """The checklist staff go through before verifying (fights.services.verify_organization)."""

    affiliation_checked = forms.BooleanField(
        label="Affiliation checked",
        required=False,
        help_text="The national union or network confirms the organization, or lists it.",
    )
    contact_confirmed = forms.BooleanField(
        label="A contact confirmed outside the site",
        required=False,
        help_text="You reached a known person of the organization by phone or a known address.",
    )
    web_presence_checked = forms.BooleanField(
        label="Web presence checked",
        required=False,
        help_text="Its website or social accounts exist and match what it told us.",
    )
    verification_notes = fields.ParagraphsField(
        label="Notes",
        required=False,
        max_length=2000,
        help_text="How you checked; required when a check could not be made.",
    )

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for field, message in services.checklist_errors(**self.checklist()).items():
                self.add_error(field, message)
        return cleaned

    def checklist(self) -> dict:
        data = self.cleaned_data
        return {
            "affiliation_checked": data["affiliation_checked"],
            "contact_confirmed": data["contact_confirmed"],
            "web_presence_checked": data["web_presence_checked"],
            "notes": data["verification_notes"],
        }


class RejectForm(forms.Form):
    reason = fields.ParagraphsField(
        label="Reason",
        max_length=2000,
        error_messages={
            "required": "Say why: the organization's admins read this reason in the email."
        },
        help_text="Sent to the organization's admins. Be kind and concrete: say what is missing "
        "and what would help; they can reply to the email.",
    )
