import functools

from allauth.account import forms as allauth_forms
from django import forms
from django.contrib.auth.hashers import make_password
from django.urls import get_script_prefix, reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from accounts.adapter import LOCKED_OUT

EMAIL = "Email address"
STRENGTH_HELP = (
    "At least 8 characters. Not a common password, not only digits, and not too like your "
    "email address: a few unrelated words make a strong one."
)


class SiteVoice:
    """allauth's forms in the site's words: sentence-case labels with no colon after them, the
    site's own help text (or none), and no placeholder repeating the label. Subclasses name
    their labels and help texts; the fields, validation and rules stay allauth's."""

    labels: dict[str, str] = {}
    help_texts: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        for name, field in self.fields.items():
            field.label = self.labels.get(name, field.label)
            field.help_text = self.help_texts.get(name, "")
            field.widget.attrs.pop("placeholder", None)
            if field.widget.template_name in INPUT_TEMPLATES:
                field.widget.render = functools.partial(render_input, field.widget)


# Django's templates for a single <input>: each only includes input.html, which includes attrs.html.
INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "email", "password", "checkbox")
}


def render_input(widget, name, value, attrs=None, renderer=None):
    """The exact markup of Django's input.html and attrs.html, built without rendering two
    templates per field: on the account pages that was a sixth of the sign-in page's time."""
    context = widget.get_context(name, value, attrs)["widget"]
    html = ['<input type="', conditional_escape(context["type"]), '" name="']
    html.append(conditional_escape(context["name"]) + '"')
    if context["value"] is not None:
        html += [' value="', conditional_escape(context["value"]), '"']
    for attr, attr_value in context["attrs"].items():
        if attr_value is not False:
            html += [" ", conditional_escape(attr)]
            if attr_value is not True:
                html += ['="', conditional_escape(attr_value), '"']
    html.append(">")
    return mark_safe("".join(html))  # noqa: S308 - every piece above is escaped


def forgotten_password_help() -> str:
    return _forgotten_password_help(get_script_prefix())


@functools.cache
def _forgotten_password_help(script_prefix: str) -> str:
    # The same for every request under one script prefix: built once, not on each sign-in page.
    url = reverse("account_reset_password")
    return format_html('Forgotten it? <a href="{}">Reset your password</a>.', url)


class LoginForm(SiteVoice, allauth_forms.LoginForm):
    labels = {"login": EMAIL, "password": "Password", "remember": "Remember me"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = forgotten_password_help()

    @property
    def locked_out(self) -> str:
        """The wait message when too many failed sign-ins locked this address, else ""."""
        for error in self.non_field_errors().as_data():
            if error.code == LOCKED_OUT:
                return error.messages[0]
        return ""


class SignupForm(SiteVoice, allauth_forms.SignupForm):
    """Email and password twice, nothing else; both paths cost one password hash.

    With enumeration prevention allauth answers "check your inbox" for an address that is
    already registered too, but skips hashing the password on that path, which makes it
    measurably faster. Hashing a throwaway keeps both answers equally slow.
    """

    def try_save(self, request):
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1") or "")
        return super().try_save(request)

    labels = {"email": EMAIL, "password1": "Password", "password2": "Password (again)"}
    help_texts = {"password1": STRENGTH_HELP}


class ResetPasswordForm(SiteVoice, allauth_forms.ResetPasswordForm):
    labels = {"email": EMAIL}


class ResetPasswordKeyForm(SiteVoice, allauth_forms.ResetPasswordKeyForm):
    labels = {"password1": "New password", "password2": "New password (again)"}
    help_texts = {"password1": STRENGTH_HELP}


class ChangePasswordForm(SiteVoice, allauth_forms.ChangePasswordForm):
    labels = {
        "oldpassword": "Current password",
        "password1": "New password",
        "password2": "New password (again)",
    }
    help_texts = {"password1": STRENGTH_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["oldpassword"].help_text = forgotten_password_help()


class SetPasswordForm(SiteVoice, allauth_forms.SetPasswordForm):
    labels = {"password1": "Password", "password2": "Password (again)"}
    help_texts = {"password1": STRENGTH_HELP}


class ReauthenticateForm(SiteVoice, allauth_forms.ReauthenticateForm):
    labels = {"password": "Your password"}


class AddEmailForm(SiteVoice, allauth_forms.AddEmailForm):
    labels = {"email": "New email address"}


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
        self.label_suffix = ""

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your current password.", code="invalid")
        return password
