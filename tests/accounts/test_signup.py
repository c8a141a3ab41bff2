"""Sign-up through allauth: email and password twice, verification by a link that needs a button."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

SIGNUP_URL = "/accounts/signup/"
NEW_PASSWORD = "a long and unusual passphrase 42"
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)")
INPUT_NAMES = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"")


def sign_up(client, email, *, capture, query=""):
    with capture(execute=True):
        return client.post(
            SIGNUP_URL + query,
            {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )


def confirm_path(message) -> str:
    return CONFIRM_LINK.search(message.body).group(1)


def form_inputs(html: str) -> list[str]:
    form = re.search(r'<form[^>]*action="/accounts/signup/[^"]*".*?</form>', html, re.S).group(0)
    return INPUT_NAMES.findall(form)


@pytest.mark.django_db
def test_signup_form_asks_for_email_and_password_twice_only(client):
    response = client.get(SIGNUP_URL)

    assert response.status_code == 200
    assert form_inputs(response.text) == ["csrfmiddlewaretoken", "email", "password1", "password2"]


@pytest.mark.django_db
def test_signup_form_carries_next_as_hidden_field(client):
    response = client.get(SIGNUP_URL + "?next=/profile/edit/")

    assert form_inputs(response.text) == [
        "csrfmiddlewaretoken",
        "email",
        "password1",
        "password2",
        "next",
    ]
    assert '<input type="hidden" name="next" value="/profile/edit/">' in response.text


@pytest.mark.django_db
def test_signup_creates_unverified_user_and_mails_confirmation_link(
    client, django_capture_on_commit_callbacks
):
    response = sign_up(client, "New.Person@Example.org", capture=django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get()
    assert user.email == "new.person@example.org"
    assert user.check_password(NEW_PASSWORD)
    assert list(EmailAddress.objects.values_list("email", "verified", "primary")) == [
        ("new.person@example.org", False, True)
    ]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.org"]
    assert confirm_path(mail.outbox[0]).startswith("/accounts/confirm-email/")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_signup_with_mismatched_passwords_shows_error_at_field_and_keeps_email(client):
    response = client.post(
        SIGNUP_URL,
        {"email": "typo@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"},
    )

    assert response.status_code == 200
    assert User.objects.count() == 0
    assert '<ul class="errorlist" id="id_password2_error">' in response.text
    assert 'aria-describedby="id_password2_error"' in response.text
    assert 'value="typo@example.org"' in response.text


@pytest.mark.django_db
def test_signup_with_weak_password_shows_validator_message_at_field(client):
    response = client.post(
        SIGNUP_URL, {"email": "weak@example.org", "password1": "123", "password2": "123"}
    )

    assert response.status_code == 200
    assert User.objects.count() == 0
    assert 'aria-describedby="id_password1_helptext id_password1_error"' in response.text
    assert "This password is too short." in response.text


@pytest.mark.django_db
def test_signup_with_hostile_input_answers_with_field_errors(client):
    response = client.post(
        SIGNUP_URL,
        {"email": "<script>alert(1)</script>", "password1": "x" * 5000, "password2": ""},
    )

    assert response.status_code == 200
    assert User.objects.count() == 0
    assert "<script>alert(1)</script>" not in response.text
    assert 'id="id_email_error"' in response.text
    assert 'id="id_password2_error"' in response.text


@pytest.mark.django_db
def test_confirm_link_get_shows_button_and_does_not_verify(
    client, django_capture_on_commit_callbacks
):
    sign_up(client, "new@example.org", capture=django_capture_on_commit_callbacks)
    path = confirm_path(mail.outbox[0])

    response = client.get(path)

    assert response.status_code == 200
    assert f'<form method="post" action="{path}"' in response.text
    assert '<button type="submit"' in response.text
    assert EmailAddress.objects.get().verified is False
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_confirm_link_post_verifies_and_signs_in(client, django_capture_on_commit_callbacks):
    sign_up(client, "new@example.org", capture=django_capture_on_commit_callbacks)

    response = client.post(confirm_path(mail.outbox[0]))

    assert response.status_code == 302
    assert response["Location"] == "/me/"
    assert EmailAddress.objects.get().verified is True
    assert client.session["_auth_user_id"] == str(User.objects.get().pk)


@pytest.mark.django_db
def test_confirm_link_from_another_browser_verifies_without_signing_in(
    client, django_capture_on_commit_callbacks
):
    from django.test import Client

    sign_up(client, "new@example.org", capture=django_capture_on_commit_callbacks)
    other_browser = Client()

    response = other_browser.post(confirm_path(mail.outbox[0]))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert EmailAddress.objects.get().verified is True
    assert "_auth_user_id" not in other_browser.session


@pytest.mark.django_db
def test_confirm_link_with_bad_key_explains_and_verifies_nothing(client, unverified_user):
    response = client.get("/accounts/confirm-email/not-a-real-key/")

    assert response.status_code == 200
    assert "This confirmation link does not work: it may have been cut short." in response.text
    assert EmailAddress.objects.get().verified is False


@pytest.mark.django_db
def test_next_from_offer_your_skills_survives_verification(
    client, django_capture_on_commit_callbacks
):
    home = client.get("/")
    offer_link = re.search(r'href="(/accounts/signup/\?next=[^"]+)"', home.text).group(1)
    assert offer_link == "/accounts/signup/?next=/profile/edit/"

    sign_up(
        client,
        "helper@example.org",
        capture=django_capture_on_commit_callbacks,
        query="?next=/profile/edit/",
    )
    response = client.post(confirm_path(mail.outbox[0]))

    assert response.status_code == 302
    assert response["Location"] == "/profile/edit/"


@pytest.mark.django_db
def test_signup_with_foreign_next_falls_back_to_dashboard(
    client, django_capture_on_commit_callbacks
):
    sign_up(
        client,
        "helper@example.org",
        capture=django_capture_on_commit_callbacks,
        query="?next=https://evil.example.com/",
    )
    response = client.post(confirm_path(mail.outbox[0]))

    assert response["Location"] == "/me/"


@pytest.mark.django_db
def test_signup_with_existing_address_answers_like_a_new_one(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="taken@example.org")

    existing = sign_up(client, "taken@example.org", capture=django_capture_on_commit_callbacks)
    existing_page = client.get(existing["Location"])
    new = sign_up(client, "fresh@example.org", capture=django_capture_on_commit_callbacks)
    new_page = client.get(new["Location"])

    assert (existing.status_code, existing["Location"]) == (new.status_code, new["Location"])
    assert existing_page.status_code == new_page.status_code == 200
    assert _without_tokens(existing_page.text).replace("taken@", "fresh@") == _without_tokens(
        new_page.text
    )
    assert "Confirmation email sent to taken@example.org." in existing_page.text
    assert User.objects.filter(email="taken@example.org").count() == 1
    assert [m.to for m in mail.outbox] == [["taken@example.org"], ["fresh@example.org"]]


@pytest.mark.django_db
def test_signup_with_existing_address_in_other_case_creates_no_second_account(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="taken@example.org")

    response = sign_up(client, "TAKEN@example.org", capture=django_capture_on_commit_callbacks)

    assert response["Location"] == "/accounts/confirm-email/"
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_login_before_verification_is_refused_with_verify_page(
    client, unverified_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/login/", {"login": unverified_user.email, "password": PASSWORD}
        )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert "<h1>Check your inbox</h1>" in page.text
    assert [m.to for m in mail.outbox] == [[unverified_user.email]]


@pytest.mark.django_db
def test_login_after_verification_lands_on_dashboard(client, user):
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/me/"
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_login_with_wrong_password_shows_error_and_keeps_email(client, user):
    response = client.post("/accounts/login/", {"login": user.email, "password": "wrong"})

    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.text
    assert f'value="{user.email}"' in response.text
    assert "_auth_user_id" not in client.session


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
