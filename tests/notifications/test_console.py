"""`make run` prints mail as recipient, subject and links; the whole message by a setting."""

import io
import os
import subprocess
import sys
from pathlib import Path

from django.core.mail import EmailMultiAlternatives

from notifications.console import SummaryConsoleBackend, summary

ROOT = Path(__file__).resolve().parents[2]


def message(body):
    mail = EmailMultiAlternatives(
        "Confirm your address", body, "kd@localhost", ["ana@example.org", "bo@example.org"]
    )
    mail.attach_alternative(
        "<p>html with <a href='https://html-only.example/'>a link</a></p>", "text/html"
    )
    return mail


def test_summary_names_recipients_subject_and_each_text_link_once():
    body = "Open https://kd.example/confirm/abc/ now.\nAgain: https://kd.example/confirm/abc/\n(http://x.example/p)"
    assert summary(message(body)) == (
        "To: ana@example.org, bo@example.org\n"
        "Subject: Confirm your address\n"
        "  https://kd.example/confirm/abc/\n"
        "  http://x.example/p"
    )


def test_summary_says_when_there_is_no_link_and_names_attachments():
    mail = message("No links here.")
    mail.attach("training.ics", "BEGIN:VCALENDAR", "text/calendar")
    assert summary(mail).splitlines()[2:] == ["  (no links)", "Attachment: training.ics"]


def test_backend_prints_the_summary_not_the_mime_text():
    stream = io.StringIO()
    SummaryConsoleBackend(stream=stream).send_messages([message("Go to https://kd.example/a")])
    printed = stream.getvalue()
    assert "Subject: Confirm your address\n  https://kd.example/a\n" in printed
    assert "Content-Type" not in printed
    assert "html-only.example" not in printed


def backend_for(**env):
    code = (
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.EMAIL_BACKEND)"
    )
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_console_mail_is_summarised_by_default_and_whole_on_request():
    assert backend_for() == "notifications.console.SummaryConsoleBackend"
    assert (
        backend_for(EMAIL_CONSOLE_FULL="true") == "django.core.mail.backends.console.EmailBackend"
    )
    assert backend_for(EMAIL_URL="smtp://mail.example.org:25") == (
        "django.core.mail.backends.smtp.EmailBackend"
    )


def test_no_broker_means_no_hostname_warning_from_kombu():
    code = (
        "import django; django.setup(); from django.conf import settings;"
        "from kombu import Connection; Connection(settings.CELERY_BROKER_URL).as_uri()"
    )
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "No hostname was supplied" not in done.stderr
