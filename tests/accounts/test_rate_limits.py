"""allauth's default rate limits are on; a tripped limit answers 429 with a friendly page."""

import time

import pytest

from tests.factories import PASSWORD, UserFactory

FRIENDLY_429 = "Please wait a few minutes and try again."


def assert_friendly_429(response):
    assert response.status_code == 429
    assert "<h1>Too many attempts</h1>" in response.text
    assert FRIENDLY_429 in response.text
    assert 'class="site-header"' in response.text


@pytest.mark.django_db
def test_login_hammered_with_wrong_passwords_trips_429(client, user):
    statuses = [
        client.post("/accounts/login/", {"login": user.email, "password": f"guess {n}"}).status_code
        for n in range(30)
    ]

    response = client.post("/accounts/login/", {"login": user.email, "password": "guess 30"})

    assert statuses == [200] * 30
    assert_friendly_429(response)


@pytest.mark.django_db
def test_login_after_five_failures_refuses_even_the_right_password(client, user):
    for n in range(5):
        client.post("/accounts/login/", {"login": user.email, "password": f"guess {n}"})

    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert response.status_code == 200
    assert LOCKED_FOR_5_MINUTES in response.text
    assert "_auth_user_id" not in client.session


LOCKED_FOR_5_MINUTES = (
    "Too many failed sign-ins. Wait 5 minutes and try again, or reset your password."
)


def fail_five_times(client, user):
    for n in range(5):
        client.post("/accounts/login/", {"login": user.email, "password": f"guess {n}"})


def move_clock(monkeypatch, seconds):
    """allauth's rate limits read time.time(); the database cache keeps its own clock."""
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + seconds)


@pytest.mark.django_db
def test_login_lockout_says_how_long_to_wait_and_offers_the_reset(client, user):
    fail_five_times(client, user)

    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert response.status_code == 200
    assert "<h2>Signing in is paused for a few minutes</h2>" in response.text
    assert f"<p>{LOCKED_FOR_5_MINUTES}</p>" in response.text
    assert '<p><a href="/accounts/password/reset/">Reset your password</a></p>' in response.text
    assert "Please correct the error" not in response.text
    assert f'value="{user.email}"' in response.text  # nothing typed is lost


@pytest.mark.django_db
def test_login_lockout_counts_down_as_the_clock_moves(client, user, monkeypatch):
    fail_five_times(client, user)
    move_clock(monkeypatch, 4 * 60)

    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert "Wait 1 minute and try again, or reset your password." in response.text
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_after_the_wait_with_the_right_password_signs_in(client, user, monkeypatch):
    fail_five_times(client, user)
    move_clock(monkeypatch, 5 * 60 + 1)

    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_login_lockout_of_one_address_leaves_another_alone(client, user):
    other = UserFactory()
    fail_five_times(client, user)

    response = client.post("/accounts/login/", {"login": other.email, "password": PASSWORD})

    assert response.status_code == 302


@pytest.mark.django_db
def test_signup_hammered_trips_429(client):
    for n in range(20):
        client.post("/accounts/signup/", {"email": f"bot{n}@example.org", "password1": "x"})

    response = client.post("/accounts/signup/", {"email": "bot@example.org", "password1": "x"})

    assert_friendly_429(response)


@pytest.mark.django_db
def test_password_reset_for_one_address_trips_429(client, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            client.post("/accounts/password/reset/", {"email": user.email})

    response = client.post("/accounts/password/reset/", {"email": user.email})

    assert_friendly_429(response)


@pytest.mark.django_db
def test_rate_limit_page_is_only_for_posts(client, user):
    for n in range(31):
        client.post("/accounts/login/", {"login": user.email, "password": f"guess {n}"})

    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert 'name="login"' in response.text
