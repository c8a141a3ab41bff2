"""Deployment pieces outside Django's pages (issue 10, item 8): gunicorn's line, static headers."""

import re
import shlex
from pathlib import Path

import pytest
from django.test import Client, override_settings
from gunicorn.config import Config

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_gunicorn_config(monkeypatch) -> Config:
    """The README's gunicorn command as gunicorn itself parses it."""
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")  # what a shell might hold
    [command] = re.findall(r"`(gunicorn config\.wsgi[^`]*)`", README.read_text())
    config = Config()
    # The shell's work: $PORT, and ${WEB_CONCURRENCY:-N} unset so its default N applies.
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    command = re.sub(r"\$\{WEB_CONCURRENCY:-(\d+)\}", r"\1", command.replace("$PORT", "8000"))
    args = config.parser().parse_args(shlex.split(command)[1:])
    for name, value in vars(args).items():
        if value is not None and name in config.settings:
            config.set(name, value)
    return config


def test_readme_gunicorn_line_trusts_no_forwarded_headers(monkeypatch):
    config = readme_gunicorn_config(monkeypatch)

    assert config.forwarded_allow_ips == []
    assert config.forwarded_allow_networks() == []


def test_readme_gunicorn_line_starts_several_workers_sized_by_web_concurrency(monkeypatch):
    config = readme_gunicorn_config(monkeypatch)

    assert config.workers == 3
    assert "--workers ${WEB_CONCURRENCY:-3}" in README.read_text()


def test_readme_says_when_to_change_forwarded_allow_ips():
    text = " ".join(README.read_text().split())

    assert "Change it only to hand that decision to gunicorn" in text
    assert "never `*`" in text


@pytest.mark.parametrize("path", ["/static/css/site.css", "/static/favicon.svg"])
@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_static_files_carry_security_headers(path):
    response = Client().get(path)

    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src" not in policy  # default-src 'none' forbids every script
