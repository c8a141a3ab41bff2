"""Forms validate and convert; the services in trainings/services.py act."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from fights.models import Membership, Organization
from trainings.models import Training


class RegistrationForm(forms.Form):
    organization = forms.CharField(
        label=_("Organization"),
        max_length=200,
        required=False,
        help_text=_("Your union local, worker center or group, if any."),
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Anything that would help you take part fully. Only staff see it."),
    )
    dietary_needs = forms.CharField(
        label=_("Dietary needs"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Food is served on full days."),
    )
    scholarship_reason = forms.CharField(
        label=_("Scholarship or fee waiver"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("If the fee is a barrier, say so here and staff will waive it where they can."),
    )

    def __init__(self, *args, training: Training, **kwargs):
        super().__init__(*args, **kwargs)
        if not training.is_full_day:
            del self.fields["dietary_needs"]
        if training.is_free or not training.scholarships_available:
            del self.fields["scholarship_reason"]


class GroupRegistrationForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none(), empty_label=None
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Members to register"),
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each gets their own confirmation (or waitlist) email."),
    )

    def __init__(self, *args, organizer, **kwargs):
        super().__init__(*args, **kwargs)
        organizations = Organization.objects.filter(memberships__user=organizer).order_by("name")
        self.fields["organization"].queryset = organizations
        self.fields["members"].queryset = (
            get_user_model()
            .objects.filter(memberships__organization__in=organizations, is_active=True)
            .distinct()
            .order_by("display_name", "email")
        )

    def clean(self):
        cleaned = super().clean()
        organization, members = cleaned.get("organization"), cleaned.get("members")
        if organization and members:
            ids = set(
                Membership.objects.filter(organization=organization).values_list(
                    "user_id", flat=True
                )
            )
            if any(member.pk not in ids for member in members):
                self.add_error(
                    "members", _("Pick only members of the organization you register for.")
                )
        return cleaned


class WalkInForm(forms.Form):
    email = forms.EmailField(
        label=_("Their email address"),
        help_text=_("They need an account; ask them to sign up on their phone if they have none."),
    )

    def clean_email(self):
        email = self.cleaned_data["email"]
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise forms.ValidationError(_("No account uses this address."))
        self.user = user
        return email
