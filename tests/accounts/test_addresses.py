"""One normalisation for every address (issue 10, items 1 and 5): what the forms accept is stored,
looked up and mailed in one form, and a look-alike never reaches someone else's account.

The look-alike cases matter on PostgreSQL, whose case-insensitive lookups fold ``ſ`` to ``S``
and the Kelvin sign ``K`` to ``K``; CI runs these tests there.
"""

import json

import pytest
from allauth.account.models import EmailAddress
from django.core.validators import validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts import privacy
from accounts.adapter import UNUSABLE_ADDRESS, recipient_user
from accounts.models import User
from notifications.models import OutgoingMessage
from notifications.services import normalize_address, notify
from tests.factories import PASSWORD, UserFactory

DOTTED_I = "\u0130"  # İ: lower-cases to i + U+0307
LONG_S = "\u017f"  # ſ: PostgreSQL upper-cases it to S
KELVIN = "\u212a"  # K: lower-cases to a plain k
NEW_PASSWORD = "a long and unusual passphrase 42"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (" Ada@Example.ORG ", "ada@example.org"),
        (f"{KELVIN}im@example.org", "kim@example.org"),
        (f"ada@example{LONG_S}.org", "ada@examples.org"),  # IDNA maps it, as mail servers do
        ("ada@xn--bcher-kva.de", "ada@bücher.de"),
    ],
)
def test_normalize_address_gives_one_form(typed, stored):
    assert normalize_address(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [f"{DOTTED_I}nfo@example.org", f"{LONG_S}taff@example.org", "a\x00@example.org", "a@", ""],
)
def test_normalize_address_refuses_what_it_cannot_make_valid(typed):
    with pytest.raises(ValueError):
        normalize_address(typed)


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(f"aZ09._+-@ {DOTTED_I}{LONG_S}{KELVIN}ßü\u0307\u200b\x00İıe"),
        max_size=30,
    )
)
def test_normalize_address_is_valid_and_idempotent(text):
    try:
        address = normalize_address(text)
    except ValueError:
        return
    validate_email(address)
    assert address.partition("@")[0].isascii()
    assert normalize_address(address) == address


def sign_up(client, email, capture):
    with capture(execute=True):
        return client.post(
            "/accounts/signup/",
            {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )


@pytest.mark.django_db
@pytest.mark.parametrize("email", [f"{DOTTED_I}nfo@example.org", f"{LONG_S}taff@example.org"])
def test_signup_refuses_lookalike_address_at_the_field_and_creates_nothing(
    client, email, django_capture_on_commit_callbacks
):
    response = sign_up(client, email, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [UNUSABLE_ADDRESS]
    assert 'aria-invalid="true"' in response.text
    assert email in response.text  # what was typed is still there
    assert not User.objects.exists()
    assert not OutgoingMessage.objects.exists()


@pytest.mark.django_db
def test_signup_with_kelvin_sign_stores_and_mails_the_normal_address(
    client, django_capture_on_commit_callbacks
):
    response = sign_up(client, f"{KELVIN}im@example.org", django_capture_on_commit_callbacks)

    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "kim@example.org"
    assert EmailAddress.objects.get().email == "kim@example.org"
    assert list(OutgoingMessage.objects.values_list("to", "user")) == [("kim@example.org", user.pk)]


@pytest.mark.django_db
def test_signup_leaves_no_account_when_queuing_its_mail_fails(client, monkeypatch):
    def broken_notify(**kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr("accounts.adapter.notify", broken_notify)

    with pytest.raises(RuntimeError):
        client.post(
            "/accounts/signup/",
            {"email": "ada@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )

    assert not User.objects.exists()
    assert not EmailAddress.objects.exists()


@pytest.mark.django_db
def test_adding_an_address_leaves_none_when_queuing_its_mail_fails(client, user, monkeypatch):
    client.force_login(user)
    monkeypatch.setattr("accounts.adapter.notify", lambda **kwargs: 1 / 0)

    with pytest.raises(ZeroDivisionError):
        client.post("/accounts/email/", {"action_add": "", "email": "second@example.org"})

    assert list(EmailAddress.objects.values_list("email", flat=True)) == [user.email]


@pytest.mark.django_db
@pytest.mark.parametrize("email", [f"{DOTTED_I}nfo@example.org", f"{LONG_S}taff@example.org"])
def test_password_reset_refuses_lookalike_address_at_the_field(client, email):
    UserFactory(email="staff@example.org", is_staff=True)
    UserFactory(email="info@example.org")

    response = client.post("/accounts/password/reset/", {"email": email})

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [UNUSABLE_ADDRESS]
    assert not OutgoingMessage.objects.exists()


@pytest.mark.django_db
def test_adding_a_lookalike_address_is_refused_at_the_field(client, user):
    client.force_login(user)

    response = client.post(
        "/accounts/email/", {"action_add": "", "email": f"{DOTTED_I}nfo@example.org"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [UNUSABLE_ADDRESS]
    assert EmailAddress.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("login", [f"{DOTTED_I}nfo@example.org", f"{LONG_S}taff@example.org"])
def test_login_with_lookalike_address_is_a_plain_failed_login(client, login):
    UserFactory(email="staff@example.org", is_staff=True)

    response = client.post("/accounts/login/", {"login": login, "password": PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_anonymous_reset_for_kelvin_address_goes_to_the_same_normalised_address(client):
    kim = UserFactory(email="kim@example.org")

    client.post("/accounts/password/reset/", {"email": f"{KELVIN}im@example.org"})

    assert list(OutgoingMessage.objects.values_list("to", "user")) == [("kim@example.org", kim.pk)]


@pytest.mark.django_db
@pytest.mark.parametrize("lookalike", [f"{LONG_S}taff@example.org", f"{DOTTED_I}nfo@example.org"])
def test_lookalike_address_is_never_linked_to_an_account(lookalike):
    UserFactory(email="staff@example.org", is_staff=True)
    UserFactory(email="info@example.org")

    with pytest.raises(ValueError):
        recipient_user(None, lookalike)
    with pytest.raises(ValueError):
        notify(to=lookalike, kind="account.unknown_account", context={}, key="k")


@pytest.mark.django_db
def test_unknown_account_mail_is_linked_only_by_the_exact_normalised_address(client):
    staff = UserFactory(email="staff@example.org", is_staff=True)
    # On PostgreSQL, UPPER('ſtaff') = UPPER('staff'): the old case-insensitive lookup tied this
    # address to staff. Stored rows like it (from before) must not join staff's data either.
    OutgoingMessage.objects.create(to=f"{LONG_S}taff@example.org", kind="k", key="old")

    assert recipient_user(None, "Staff@Example.org") == staff
    assert recipient_user(None, "other.staff@example.org") is None
    exported = json.loads(privacy.export_json(staff))
    assert "Emails we sent you" not in exported["records"]


@pytest.mark.django_db
def test_migration_removes_only_never_used_accounts_with_an_unusable_address():
    from importlib import import_module

    from django.apps import apps
    from django.utils import timezone

    migration = import_module("accounts.migrations.0004_remove_unreachable_signups")
    stranded = UserFactory(email="i\u0307nfo@example.org", verified=False)
    used = UserFactory(email="i\u0307nge@example.org", verified=False, last_login=timezone.now())
    verified = UserFactory(email=f"{LONG_S}am@example.org")
    fine = UserFactory(email="ada@example.org", verified=False)

    migration.remove_unreachable(apps, None)

    assert set(User.objects.values_list("pk", flat=True)) == {used.pk, verified.pk, fine.pk}
    assert not EmailAddress.objects.filter(user_id=stranded.pk).exists()
