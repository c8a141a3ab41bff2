"""The staff review pages' forms: the queue's tab, the candidate filters (GET), and the moves
(POST). They validate and convert; the moves themselves are in matching.review/services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from donors.fields import CollapsedCharField
from donors.models import Donor, Level
from matching.review import CANDIDATE_LIMIT, QueueView

REASON_MAX_LENGTH = 1000
MAX_ID = 2**63 - 1  # a bigger number is no row's id (and SQLite cannot even compare it)


def _is_id(value) -> bool:
    text = str(value)
    return text.isascii() and text.isdigit() and int(text) <= MAX_ID


class RowField(forms.ModelChoiceField):
    """One row by id; anything that is not an id is an unknown row, never a database error."""

    def to_python(self, value):
        if value not in self.empty_values and not _is_id(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class RowsField(forms.ModelMultipleChoiceField):
    """Several rows by id, checked like RowField."""

    def _check_values(self, value):
        if not all(_is_id(pk) for pk in value):
            raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid")
        return super()._check_values(value)


class QueueForm(forms.Form):
    view = forms.ChoiceField(
        choices=QueueView.CHOICES,
        required=False,
        error_messages={"invalid_choice": _("Choose one of the tabs above.")},
    )

    def clean_view(self):
        return self.cleaned_data["view"] or QueueView.ALL


class CandidateFilterForm(forms.Form):
    on_call = forms.BooleanField(label=_("On call only"), required=False)
    remote = forms.BooleanField(
        label=_("Remote only"),
        required=False,
        help_text=_("Volunteers who work remotely or either way."),
    )
    min_level = forms.TypedChoiceField(
        label=_("Minimum level on every required skill"),
        choices=[("", _("Any level")), *Level.choices],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": _("Choose a level from the list.")},
    )


def _donor_errors():
    return {
        "required": _("Tick at least one volunteer to propose."),
        "invalid_choice": _("One of the ticked volunteers does not exist."),
        "invalid_pk_value": _("One of the ticked volunteers does not exist."),
        "invalid_list": _("Tick the volunteers to propose from the list."),
    }


class ProposeForm(forms.Form):
    donor = RowsField(queryset=Donor.objects.select_related("user"), error_messages=_donor_errors())

    def clean_donor(self):
        donors = self.cleaned_data["donor"]
        if len(donors) > CANDIDATE_LIMIT:
            raise forms.ValidationError(
                _("Propose at most %(limit)d volunteers at a time."),
                params={"limit": CANDIDATE_LIMIT},
            )
        return donors


class RejectForm(forms.Form):
    donor = RowField(
        queryset=Donor.objects.select_related("user"),
        error_messages={
            "required": _("Choose the volunteer to reject."),
            "invalid_choice": _("This volunteer does not exist."),
        },
    )
    reason = CollapsedCharField(
        label=_("Reason (optional)"), max_length=REASON_MAX_LENGTH, required=False
    )


class MatchMoveForm(forms.Form):
    """Promote or withdraw one of this request's matches (the queryset is the request's)."""

    match = RowField(
        queryset=None,
        error_messages={
            "required": _("Choose the match."),
            "invalid_choice": _("This match is not one of this request's."),
        },
    )

    def __init__(self, *args, support_request, **kwargs):
        super().__init__(*args, **kwargs)
        matches = support_request.matches.select_related("donor__user")
        self.fields["match"].queryset = matches
