from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth.hashers import make_password


class SignupForm(AllauthSignupForm):
    """Email and password twice, nothing else; both paths cost one password hash.

    With enumeration prevention allauth answers "check your inbox" for an address that is
    already registered too, but skips hashing the password on that path, which makes it
    measurably faster. Hashing a throwaway keeps both answers equally slow.
    """

    def try_save(self, request):
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1") or "")
        return super().try_save(request)


class ConfirmPasswordForm(forms.Form):
    """Re-enter the password before a sensitive action (download or delete my data)."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your current password.", code="invalid")
        return password
