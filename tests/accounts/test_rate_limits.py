"""allauth's default rate limits are on; a tripped limit answers 429 with a friendly page."""

import pytest

from tests.factories import PASSWORD

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
    assert "Too many failed login attempts. Try again later." in response.text
    assert "_auth_user_id" not in client.session


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
