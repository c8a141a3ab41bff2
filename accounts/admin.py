from allauth.account.admin import EmailAddressAdmin as BaseEmailAddressAdmin
from allauth.account.models import EmailAddress
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html

from accounts.adapter import UNUSABLE_ADDRESS
from accounts.models import User
from accounts.text import visible_text
from config.admin import CheckedLookupsMixin


class UserCreationForm(BaseUserCreationForm):
    """Email and the password twice; everything else is edited after creation."""

    class Meta:
        model = User
        fields = ("email",)
        # Staff type someone else's address here; the browser must not offer their own.
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "off"})}

    def clean_email(self):
        try:
            email = User.objects.normalize_email(self.cleaned_data["email"])
        except ValueError:
            raise ValidationError(UNUSABLE_ADDRESS) from None
        # The database constraint is case-insensitive; say so in words, at the field.
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError("A user with this email address already exists.")
        return email


class UserChangeForm(forms.ModelForm):
    """No password field at all: not even a masked hash is shown."""

    class Meta:
        model = User
        fields = (
            "email",
            "display_name",
            "time_zone",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        )

    def clean_email(self):
        """The one normalised form (notifications.services.normalize_address), unique."""
        try:
            email = User.objects.normalize_email(self.cleaned_data["email"])
        except ValueError:
            raise ValidationError(UNUSABLE_ADDRESS) from None
        others = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError("A user with this email address already exists.")
        return email

    def clean_display_name(self):
        """As the profile form stores it: no control, bidi or zero-width characters."""
        return visible_text(self.cleaned_data["display_name"])


@admin.register(User)
class UserAdmin(CheckedLookupsMixin, BaseUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ("email", "display_name", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "display_name")
    ordering = ("email",)
    readonly_fields = ("password_status", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password_status")}),
        ("Profile", {"fields": ("display_name", "time_zone")}),
        (
            "Permissions",
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        # Those who may change the user also get the link to set a new password.
        (name, options), *rest = fieldsets
        fields = tuple("password_link" if f == "password_status" else f for f in options["fields"])
        return ((name, {**options, "fields": fields}), *rest)

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "password_link")

    @admin.display(description="password")
    def password_status(self, user):
        if user.has_usable_password():
            return "Set (never shown: only a one-way hash is stored)"
        return "Not set: this person cannot log in with a password"

    @admin.display(description="password")
    def password_link(self, user):
        url = reverse("admin:auth_user_password_change", args=[user.pk])
        return format_html(
            '{} <a href="{}">Set a new password</a>', self.password_status(user), url
        )


# Django's and allauth's own admins, with the same checked list pages as ours.
admin.site.unregister(Group)
admin.site.unregister(EmailAddress)


@admin.register(Group)
class GroupAdmin(CheckedLookupsMixin, BaseGroupAdmin):
    pass


@admin.register(EmailAddress)
class EmailAddressAdmin(CheckedLookupsMixin, BaseEmailAddressAdmin):
    pass
