"""Forms for cohort applications, ideas for sessions and the directory (trainings/programs.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from donors.models import Skill
from fights.queries import region_name
from trainings.models import AgeRange, Application, DirectoryEntry, Gender, IdeaKind, YesNoPreferNot

OPTIONAL = _("Optional: skip it or choose “Prefer not to say”. It never decides on its own.")


def _optional_choice(label, choices):
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[("", _("No answer")), *list(choices)],
        widget=forms.RadioSelect,
        help_text=OPTIONAL,
    )


class ApplicationForm(forms.ModelForm):
    gender = _optional_choice(_("Gender (optional)"), Gender.choices)
    age_range = _optional_choice(_("Age (optional)"), AgeRange.choices)
    lgbtq = _optional_choice(_("Do you identify as LGBTQ+? (optional)"), YesNoPreferNot.choices)
    person_of_color = _optional_choice(
        _("Do you identify as a person of colour? (optional)"), YesNoPreferNot.choices
    )

    class Meta:
        model = Application
        fields = [
            "statement",
            "background",
            "organization",
            "commits_training_days",
            "commits_actions",
            "availability_notes",
            "gender",
            "age_range",
            "lgbtq",
            "person_of_color",
        ]
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 6}),
            "background": forms.Textarea(attrs={"rows": 5}),
            "availability_notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "statement": _("What you hope to do with what you learn, for which fights."),
            "background": _("Your work, your organizing, the online tools you already use."),
            "organization": _("Your union local, worker center or group, if any."),
            "availability_notes": _(
                "Anything that limits the days you can come or the actions you can join."
            ),
        }


class SessionIdeaForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is it?"), choices=IdeaKind.choices, widget=forms.RadioSelect
    )
    skill = forms.ModelChoiceField(
        label=_("Skill it is about"), queryset=Skill.objects.none(), empty_label=_("Pick a skill")
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Details"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Who it is for, how long, what people would leave able to do."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skill"].queryset = Skill.objects.active().order_by("name")


class DirectoryEntryForm(forms.ModelForm):
    consent = forms.BooleanField(
        label=_(
            "List me in the directory: staff and members of verified organizations may see my "
            "name, email address, region and trained skills."
        ),
        help_text=_("You can leave the directory at any time on this page."),
    )

    class Meta:
        model = DirectoryEntry
        fields = ["headline"]
        help_texts = {"headline": _("E.g. “Video for picket lines, Spanish and English”.")}


class DirectoryFilterForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"), required=False)
    skill = forms.ModelChoiceField(
        label=_("Skill"),
        queryset=Skill.objects.none(),
        required=False,
        empty_label=_("Any skill"),
        to_field_name="slug",
    )

    def __init__(self, *args, regions=(), skills=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [
            ("", _("Anywhere")),
            *sorted(((code, region_name(code)) for code in regions), key=lambda choice: choice[1]),
        ]
        self.fields["skill"].queryset = skills if skills is not None else Skill.objects.none()
