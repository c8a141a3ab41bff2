from django import forms

from notifications import kinds, preferences


class PreferencesForm(forms.Form):
    """One checkbox per optional kind, ticked when the person receives it."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        current = preferences.preferences_for(user=user)
        for kind in kinds.optional_kinds():
            self.fields[kind.name] = forms.BooleanField(
                label=kind.label, required=False, initial=current[kind.name]
            )

    def choices(self) -> dict[str, bool]:
        return {name: self.cleaned_data[name] for name in self.fields}
