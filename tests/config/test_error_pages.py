"""The site's own error pages (issue 10, item 2) and how client errors are logged (item 9)."""

import logging

import pytest
from django.test import Client, RequestFactory
from django.urls import get_resolver

from config import views


def test_error_handlers_are_the_sites_own():
    resolver = get_resolver()
    handlers = {code: resolver.resolve_error_handler(code) for code in (400, 403, 404, 500)}

    assert handlers == {
        400: views.bad_request,
        403: views.permission_denied,
        404: views.page_not_found,
        500: views.server_error,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("charset", ["utf-16", "latin-1", "ascii", "utf8"])
def test_form_post_in_another_charset_gets_the_sites_400_page(charset, user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/profile/edit/")  # the page sets the csrftoken cookie, as for a browser
    token = client.cookies["csrftoken"].value

    response = client.post(
        "/profile/edit/",
        f"csrfmiddlewaretoken={token}&display_name=Ada",
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )

    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.text
    assert "Sign out" in response.text  # the site's layout, for the signed-in person
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["Cache-Control"].startswith("max-age=0, no-cache, no-store")


@pytest.mark.django_db
def test_post_in_another_charset_to_an_unknown_url_is_a_404():
    response = Client(enforce_csrf_checks=True).post(
        "/no-such-page/", "a=1", content_type="application/x-www-form-urlencoded; charset=utf-16"
    )

    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.text


@pytest.mark.django_db
def test_a_failing_view_gets_the_sites_500_page(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("accounts.views.render_public", broken)

    response = Client(raise_request_exception=False).get("/")

    assert response.status_code == 500
    assert "<h1>Something went wrong on our side</h1>" in response.text
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_500_page_renders_without_request_data_or_database():
    """No context processor, session or query: SimpleTestCase forbids the database here."""
    response = views.server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_500_page_falls_back_to_plain_html_when_its_template_fails(monkeypatch, caplog):
    def broken(name):
        raise OSError("template directory unreadable")

    monkeypatch.setattr("config.views.loader.get_template", broken)

    response = views.server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert response.content.decode() == views.FALLBACK_500
    assert "could not be rendered" in caplog.text


def security_records(caplog, name):
    return [r for r in caplog.records if r.name == f"django.security.{name}"]


@pytest.mark.django_db
def test_disallowed_host_is_a_400_logged_as_a_warning(client, caplog):
    response = client.get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.text
    [record] = security_records(caplog, "DisallowedHost")
    assert record.levelno == logging.WARNING
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.django_db
def test_too_many_fields_is_a_400_logged_as_a_warning(client, caplog):
    body = "&".join(f"f{n}=x" for n in range(1001))

    response = client.post(
        "/accounts/login/", body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    [record] = security_records(caplog, "TooManyFieldsSent")
    assert record.levelno == logging.WARNING
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.django_db
def test_oversized_body_is_a_400_logged_as_a_warning(client, caplog):
    body = "login=" + "x" * (2_621_440 + 1)

    response = client.post(
        "/accounts/login/", body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    [record] = security_records(caplog, "RequestDataTooBig")
    assert record.levelno == logging.WARNING
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
