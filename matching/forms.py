"""Forms for answering a proposal and closing a match. They validate and convert; the match,
who acts and the state come from the URL and matching.services, so extra POST keys are ignored.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from donors.fields import MultilineField, number_field

MAX_HOURS = 2000
RATINGS = [(n, str(n)) for n in range(1, 6)]


class DeclineForm(forms.Form):
    reason = MultilineField(
        label=_("Why not? (optional)"),
        required=False,
        max_length=1000,
        help_text=_("Only staff read this. It helps them ask better next time."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HoursForm(forms.Form):
    hours = number_field(
        1,
        MAX_HOURS,
        _("Give the hours as a whole number from 1 to %(max)s.") % {"max": MAX_HOURS},
        label=_("Hours you gave"),
    )


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How did it go? (1 poor, 5 very well)"),
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a rating from 1 to 5."),
            "invalid_choice": _("Choose a rating from 1 to 5."),
        },
    )
    comment = MultilineField(
        label=_("A short comment (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
