"""Fixtures for the outbox: test-only kinds with their own templates, a frozen clock, fake SMTP."""

import smtplib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from notifications import kinds

TEST_TEMPLATES = Path(__file__).parent / "templates"
NOW = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)  # in the past: inline wake-ups find rows due
DIGEST = "test.digest"


@pytest.fixture
def test_templates(settings):
    """Templates for the test kinds live beside these tests, not in the product's templates."""
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], TEST_TEMPLATES]}]


@pytest.fixture
def digest(test_templates):
    """An optional kind, on by default."""
    with kinds.temporary_kind(DIGEST, essential=False, default_on=True, label="Weekly digest"):
        yield DIGEST


class FailingBackend(LocmemBackend):
    """Raises `FailingBackend.error` on send (set by the `smtp_error` fixture)."""

    error: Exception | None = None

    def send_messages(self, messages):
        if FailingBackend.error is not None:
            raise FailingBackend.error
        return super().send_messages(messages)


@pytest.fixture
def smtp_error(settings):
    """Call with an exception to make every send raise it; call with None to recover."""
    settings.EMAIL_BACKEND = "tests.notifications.conftest.FailingBackend"

    def fail_with(error):
        FailingBackend.error = error

    yield fail_with
    FailingBackend.error = None


def temporary_failure():
    return smtplib.SMTPResponseException(451, b"4.3.0 Try again later")


def permanent_failure():
    return smtplib.SMTPResponseException(550, b"5.1.1 No such user")
