"""Security settings as deployed: config/settings.py loaded with production env in a subprocess.

No override_settings here: each test starts a fresh Python with DJANGO_SETTINGS_MODULE=
config.settings and only the environment it names, so what is asserted is what production runs.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRICT_COOKIE = {"set": True, "secure": True, "httponly": True, "samesite": "Lax"}


def production_env(database: Path, **changes: str | None) -> dict[str, str]:
    """The environment of a correctly configured deployment; a None in changes unsets a name."""
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "kd.example.org",
        "SITE_URL": "https://kd.example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "EMAIL_URL": "smtp+tls://user:pass@mail.example.org:587",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    env.update(changes)
    return {name: value for name, value in env.items() if value is not None}


def run_python(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def print_setting(expression: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    return run_python("-c", code, env=env)


def csp_directives(header: str) -> dict[str, list[str]]:
    return {name: sources for name, *sources in (part.split() for part in header.split(";"))}


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("deployed") / "db.sqlite3"
    migrated = run_python("manage.py", "migrate", "--noinput", env=production_env(path))
    assert migrated.returncode == 0, migrated.stderr
    return path


def probe(database: Path, **changes: str | None) -> dict:
    env = production_env(database, **changes)
    finished = run_python("-m", "tests.config.security_probe", env=env)
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout)


@pytest.fixture(scope="module")
def deployed(database) -> dict:
    return probe(database)


# --- check --deploy -------------------------------------------------------------------------


def test_check_deploy_production_env_passes(tmp_path):
    env = production_env(tmp_path / "db.sqlite3")

    finished = run_python("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=env)

    assert finished.returncode == 0, finished.stderr
    assert "System check identified no issues" in finished.stdout


@pytest.mark.parametrize(
    ("changes", "check_id"),
    [
        ({"REDIS_URL": None}, "kd.W001"),
        ({"EMAIL_URL": None}, "kd.W002"),
        ({"EMAIL_URL": "console://"}, "kd.W002"),
        ({"SITE_URL": "http://kd.example.org"}, "kd.W003"),
        ({"ALLOWED_HOSTS": "localhost,127.0.0.1,[::1]"}, "kd.W004"),
    ],
)
def test_check_deploy_missing_production_piece_fails(tmp_path, changes, check_id):
    env = production_env(tmp_path / "db.sqlite3", **changes)

    finished = run_python("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=env)

    assert finished.returncode == 1
    assert set(re.findall(r"\((kd\.W\d+)\)", finished.stderr)) == {check_id}


def test_checks_debug_on_stay_quiet(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }

    finished = run_python("manage.py", "check", "--fail-level", "WARNING", env=env)

    assert finished.returncode == 0, finished.stderr
    assert "kd.W" not in finished.stdout + finished.stderr


# --- loading the settings -------------------------------------------------------------------


def test_server_debug_off_without_secret_key_refuses_to_start(tmp_path):
    env = production_env(tmp_path / "db.sqlite3", SECRET_KEY=None)

    finished = run_python("-c", "import config.wsgi", env=env)

    assert finished.returncode == 1
    assert "ImproperlyConfigured: The SECRET_KEY setting must not be empty." in finished.stderr


def test_signing_debug_off_without_secret_key_refuses(tmp_path):
    env = production_env(tmp_path / "db.sqlite3", SECRET_KEY=None)

    finished = print_setting("__import__('django.core.signing').core.signing.dumps(1)", env)

    assert finished.returncode == 1
    assert "ImproperlyConfigured: The SECRET_KEY setting must not be empty." in finished.stderr


def test_makemigrations_check_without_secret_key_runs(tmp_path):
    env = production_env(tmp_path / "db.sqlite3", SECRET_KEY=None)

    finished = run_python("manage.py", "makemigrations", "--check", "--dry-run", env=env)

    assert finished.returncode == 0, finished.stderr
    assert "No changes detected" in finished.stdout


def test_settings_debug_unset_defaults_off(tmp_path):
    env = production_env(tmp_path / "db.sqlite3", DEBUG=None)

    finished = print_setting("settings.DEBUG, settings.SESSION_COOKIE_SECURE", env)

    assert finished.returncode == 0, finished.stderr
    assert finished.stdout == "False True\n"


def test_settings_debug_off_keeps_connections_with_health_checks(tmp_path):
    env = production_env(tmp_path / "db.sqlite3")

    finished = print_setting(
        "settings.DATABASES['default']['CONN_MAX_AGE'], "
        "settings.DATABASES['default']['CONN_HEALTH_CHECKS']",
        env,
    )

    assert finished.stdout == "60 True\n", finished.stderr


@pytest.mark.parametrize(
    ("value", "expected"), [("true", "('HTTP_X_FORWARDED_PROTO', 'https')"), (None, "None")]
)
def test_settings_trust_x_forwarded_proto_sets_proxy_header(tmp_path, value, expected):
    env = production_env(tmp_path / "db.sqlite3", TRUST_X_FORWARDED_PROTO=value)

    finished = print_setting("settings.SECURE_PROXY_SSL_HEADER", env)

    assert finished.stdout == f"{expected}\n", finished.stderr


# --- headers and cookies, from config/settings.py through the whole middleware stack ---------


def test_headers_csp_is_strict(deployed):
    directives = csp_directives(deployed["home_https"]["headers"]["Content-Security-Policy"])

    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert not any("unsafe" in source for sources in directives.values() for source in sources)


def test_headers_csp_same_with_debug_on(database, deployed):
    debugging = probe(database, DEBUG="true", SECRET_KEY=None)

    assert debugging["debug"] is True
    # django-csp writes the directives in no fixed order; compare them as a mapping.
    assert csp_directives(debugging["home_https"]["headers"]["Content-Security-Policy"]) == (
        csp_directives(deployed["home_https"]["headers"]["Content-Security-Policy"])
    )


def test_headers_https_response_sets_hsts_and_nosniff(deployed):
    headers = deployed["home_https"]["headers"]

    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_headers_plain_http_redirects_to_https(deployed):
    assert deployed["home_http"]["status"] == 301
    assert deployed["home_http"]["headers"]["Location"] == "https://kd.example.org/"


def test_headers_forwarded_proto_ignored_unless_trusted(deployed):
    assert deployed["home_forwarded_https"]["status"] == 301


def test_headers_forwarded_proto_trusted_behind_proxy(database):
    behind_proxy = probe(database, TRUST_X_FORWARDED_PROTO="true")

    assert behind_proxy["home_forwarded_https"]["status"] == 200
    assert behind_proxy["home_http"]["status"] == 301


def test_cookies_sign_in_sets_secure_httponly_lax(deployed):
    assert deployed["login"]["status"] == 302
    cookies = deployed["login"]["cookies"]

    assert cookies["sessionid"] == STRICT_COOKIE
    assert cookies["csrftoken"] == STRICT_COOKIE


def test_cookies_every_cookie_set_is_secure_httponly_lax(deployed):
    set_cookies = [
        (page, name, cookie)
        for page, response in deployed.items()
        if isinstance(response, dict)
        for name, cookie in response["cookies"].items()
        if cookie["set"]
    ]

    assert set_cookies
    assert [(page, name) for page, name, cookie in set_cookies if cookie != STRICT_COOKIE] == []


def test_headers_signed_in_page_not_stored(deployed):
    assert deployed["dashboard"]["status"] == 200
    assert "no-store" in deployed["dashboard"]["headers"]["Cache-Control"]
