"""Public pages are rendered once for signed-out visitors, and fresh whenever that could differ."""

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import RequestFactory

from accounts import page_cache

PUBLIC_PAGES = ["/", "/organizers/", "/contact/"]


@pytest.fixture(autouse=True)
def empty_cache():
    page_cache.clear()
    yield
    page_cache.clear()


def templates(response) -> list[str]:
    return [t.name for t in response.templates]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_for_a_visitor_is_rendered_once_and_served_the_same(client, path):
    first = client.get(path)
    second = client.get(path)

    assert first.status_code == second.status_code == 200
    assert "base.html" in templates(first)
    assert templates(second) == []
    assert second.content == first.content
    assert second["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_for_a_signed_in_person_is_always_rendered(client, user, path):
    client.get(path)
    client.force_login(user)

    responses = [client.get(path), client.get(path)]

    assert ["base.html" in templates(r) for r in responses] == [True, True]
    assert b"Sign out" in responses[1].content


@pytest.mark.django_db
def test_public_page_with_a_message_waiting_is_rendered_with_it(client):
    client.get("/")
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(constants.SUCCESS, "Your account and personal data have been deleted.")
    carrier = HttpResponse()
    storage.update(carrier)
    client.cookies["messages"] = carrier.cookies["messages"].value

    response = client.get("/")

    assert "base.html" in templates(response)
    assert "Your account and personal data have been deleted." in response.text
    assert "deleted" not in client.get("/").text


@pytest.mark.django_db
def test_public_page_follows_a_change_of_settings(client, settings):
    client.get("/contact/")
    settings.SUPPORT_EMAIL = "safety@example.org"

    response = client.get("/contact/")

    assert 'href="mailto:safety@example.org"' in response.text


@pytest.mark.django_db
def test_public_page_is_not_kept_with_debug_on(client, settings):
    settings.DEBUG = True
    client.get("/")

    response = client.get("/")

    assert "base.html" in templates(response)
