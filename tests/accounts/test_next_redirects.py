"""`next=` on the HTTPS sign-in, sign-out and re-authenticate pages never drops to http
(issue 10, item 9); same-host https and relative targets are still followed."""

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

DOWNGRADE = "http://testserver/profile/"


def sign_in(client, user, next_url):
    return client.post(
        "/accounts/login/",
        {"login": user.email, "password": PASSWORD, "next": next_url},
        secure=True,
    )


@pytest.mark.parametrize(
    ("next_url", "location"),
    [
        (DOWNGRADE, "/me/"),
        ("https://testserver/profile/", "https://testserver/profile/"),
        ("/profile/", "/profile/"),
    ],
)
def test_sign_in_follows_next_only_on_https(client, user, next_url, location):
    response = sign_in(client, user, next_url)

    assert response.status_code == 302
    assert response["Location"] == location


def test_plain_http_sign_in_may_still_go_to_http(client, user):
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": PASSWORD, "next": DOWNGRADE}
    )

    assert response["Location"] == DOWNGRADE


def test_sign_out_does_not_downgrade_next(client, user):
    client.force_login(user)

    response = client.post("/accounts/logout/", {"next": DOWNGRADE}, secure=True)

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_reauthenticate_does_not_downgrade_next(client, user):
    client.force_login(user)

    response = client.post(
        "/accounts/reauthenticate/", {"password": PASSWORD, "next": DOWNGRADE}, secure=True
    )

    assert response.status_code == 302
    assert not response["Location"].startswith("http:")
