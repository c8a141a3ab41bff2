"""Enumeration prevention in time: signing up with a taken address costs one password hash too.

The cost itself is measured by tests/benchmarks/signup_timing.py; here we test the mechanism.
"""

from unittest import mock

import pytest
from django.contrib.auth.hashers import get_hasher
from django.test import override_settings

from accounts.forms import SignupForm
from accounts.models import User
from tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "a long and unusual passphrase 42"


def signup_data(email):
    return {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}


def count_hashes(client, email, django_capture_on_commit_callbacks) -> int:
    hasher_class = type(get_hasher("default"))
    with (
        mock.patch.object(
            hasher_class, "encode", autospec=True, side_effect=hasher_class.encode
        ) as encode,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post("/accounts/signup/", signup_data(email))
    assert response["Location"] == "/accounts/confirm-email/"
    return encode.call_count


@pytest.mark.django_db
def test_signup_with_new_address_hashes_password_once(client, django_capture_on_commit_callbacks):
    assert count_hashes(client, "fresh@example.org", django_capture_on_commit_callbacks) == 1
    assert User.objects.filter(email="fresh@example.org").exists()


@pytest.mark.django_db
def test_signup_with_existing_address_hashes_password_once(
    client, django_capture_on_commit_callbacks
):
    taken = UserFactory(email="taken@example.org")

    assert count_hashes(client, "taken@example.org", django_capture_on_commit_callbacks) == 1
    taken.refresh_from_db()
    assert taken.check_password(PASSWORD)
    assert User.objects.count() == 1


@pytest.mark.django_db
@override_settings(
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
)
def test_signup_hashes_with_the_real_default_hasher_on_both_paths(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="taken@example.org", password="!")  # unusable: no slow hash in setup

    counts = [
        count_hashes(client, email, django_capture_on_commit_callbacks)
        for email in ("taken@example.org", "fresh@example.org")
    ]

    assert type(get_hasher("default")).__name__ == "PBKDF2PasswordHasher"
    assert counts == [1, 1]
    assert User.objects.get(email="fresh@example.org").password.startswith("pbkdf2_sha256$")


@pytest.mark.django_db
@override_settings(ACCOUNT_FORMS={})
def test_allauth_form_alone_skips_the_hash_for_existing_address(
    client, django_capture_on_commit_callbacks
):
    """Why accounts.forms.SignupForm exists: without it the taken-address path never hashes."""
    UserFactory(email="taken@example.org")

    assert count_hashes(client, "taken@example.org", django_capture_on_commit_callbacks) == 0


@pytest.mark.django_db
def test_signup_view_uses_the_project_form(client):
    response = client.get("/accounts/signup/")

    assert type(response.context["form"]) is SignupForm
