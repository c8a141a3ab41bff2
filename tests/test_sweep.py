"""Every URL of the access table, every HTTP method, as anonymous, volunteer and staff: never a 5xx.

The URLs come from `tests/test_access.py`'s rows, so a new URL joins this sweep by joining the
access table (which it must). Also: HEAD is allowed wherever GET is, and a form POST in a
charset other than UTF-8 gets the site's own 400 page with its security headers, not the
server's bare 500 (Django's default error views read the unreadable body a second time).
"""

import pytest
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.urls import reverse

from tests import test_access
from tests.test_access import all_rows

world = test_access.world  # the access table's fixture: the same people and objects

SWEEP_ROLES = ("anonymous", "volunteer", "staff")
METHODS = ("get", "head", "post", "put", "patch", "delete", "options", "trace")
CHARSETS = ("utf-16", "latin-1", "ascii", "utf8")
FORM_BODY = {"email": "x@example.org", "password": "x", "action": "x", "e": "1"}


def sweep_client(role, world, *, enforce_csrf=False):
    """A fresh client per request: a POST may sign the person out (admin logout)."""
    client = Client(enforce_csrf_checks=enforce_csrf)
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def url_of(row, world):
    return reverse(row.name, kwargs=row.kwargs(world) if row.kwargs else None) + row.query


@pytest.mark.parametrize("row", all_rows(), ids=lambda row: row.name)
def test_url_never_answers_a_server_error(row, world):
    url = url_of(row, world)
    for role in SWEEP_ROLES:
        check_methods(url, role, world)
        check_other_charsets(url, role, world)


def check_methods(url, role, world):
    statuses = {}
    for method in METHODS:
        data = FORM_BODY if method == "post" else None
        response = getattr(sweep_client(role, world), method)(url, data)
        statuses[method] = response.status_code
        assert response.status_code < 500, f"{method.upper()} {url} as {role}"
    # HEAD is allowed wherever GET is. (Not always the same status: Django's admin login
    # redirects a signed-in GET only, and shows HEAD the form.)
    head_refused, get_refused = statuses["head"] == 405, statuses["get"] == 405
    assert head_refused == get_refused, f"HEAD {url} as {role}: {statuses}"


def check_other_charsets(url, role, world):
    """With the csrftoken cookie a browser holds, so the CSRF check reads the body."""
    for charset in CHARSETS:
        client = sweep_client(role, world, enforce_csrf=True)
        token = get_token(RequestFactory().get("/"))
        client.cookies["csrftoken"] = token
        response = client.post(
            url,
            f"csrfmiddlewaretoken={token}&email=x%40example.org",  # the client encodes it
            content_type=f"application/x-www-form-urlencoded; charset={charset}",
        )
        where = f"POST {url} as {role} in {charset}"
        assert response.status_code < 500, where
        if response.status_code == 400:
            assert "<h1>Bad request</h1>" in response.text, where
            assert response["X-Content-Type-Options"] == "nosniff", where
            assert "frame-ancestors 'none'" in response["Content-Security-Policy"], where
