"""Every registered kind renders a subject, a text part and an HTML part in the one layout."""

import re

import pytest

from accounts.models import User
from notifications import kinds, services
from notifications.models import OutgoingMessage

SAMPLE_CONTEXT = {
    "user_display": "Ada Lovelace",
    "activate_url": "http://localhost:8000/accounts/confirm-email/KEY-1/",
    "password_reset_url": "http://localhost:8000/accounts/password/reset/key/1-abc/",
    "signup_url": "http://localhost:8000/accounts/signup/",
    "from_email": "old@example.org",
    "to_email": "new@example.org",
    "deleted_email": "gone@example.org",
    "ip": "192.0.2.1",
    "user_agent": "Firefox",
    "timestamp": "1 May 2030, 12:00 UTC",
}
# What each account mail is for: its one link or code must be in both parts.
ESSENTIAL_CONTENT = {
    "account.email_confirmation_signup": "/accounts/confirm-email/KEY-1/",
    "account.email_confirmation": "/accounts/confirm-email/KEY-1/",
    "account.password_reset_key": "/accounts/password/reset/key/1-abc/",
    "account.unknown_account": "/accounts/signup/",
    "account.account_already_exists": "/accounts/password/reset/key/1-abc/",
    "account.password_changed": "192.0.2.1",
    "account.password_set": "192.0.2.1",
    "account.password_reset": "192.0.2.1",
    "account.email_changed": "new@example.org",
    "account.email_deleted": "gone@example.org",
}
LEFTOVER_TEMPLATE_SYNTAX = re.compile(r"{{|}}|{%|%}")


def render(kind, context):
    # An unsaved user is enough: optional kinds only need its id for the unsubscribe link.
    person = User(pk=5, email="ada@example.org")
    message = OutgoingMessage(pk=7, to="ada@example.org", kind=kind, context=context, user=person)
    entry = kinds.get_kind(kind)
    return services.render_parts(kind, {**context, **services.site_context(message, entry)})


@pytest.mark.parametrize("kind", [k.name for k in kinds.all_kinds()])
def test_every_registered_kind_renders_subject_text_and_html(kind):
    subject, text, html = render(kind, SAMPLE_CONTEXT)

    assert subject and "\n" not in subject
    assert text.startswith("Hello Ada Lovelace,") or text.startswith("Hello,")
    assert "Knowledge Donors" in text
    assert html.startswith("<!doctype html>")
    assert f"<title>{subject}</title>" in html
    assert "Knowledge Donors" in html
    for part in (subject, text, html):
        assert LEFTOVER_TEMPLATE_SYNTAX.search(part) is None


@pytest.mark.parametrize("kind", [k.name for k in kinds.all_kinds()])
def test_every_registered_kind_renders_with_empty_context(kind):
    subject, text, html = render(kind, {})

    assert subject
    assert "ada@example.org" in text
    assert "ada@example.org" in html


@pytest.mark.parametrize(("kind", "content"), ESSENTIAL_CONTENT.items())
def test_account_mail_carries_its_link_or_detail_in_both_parts(kind, content):
    _, text, html = render(kind, SAMPLE_CONTEXT)

    assert content in text
    assert content in html


@pytest.mark.parametrize("kind", ["account.login_code", "account.password_reset_code"])
def test_code_mail_shows_the_code_in_both_parts(kind):
    _, text, html = render(kind, {"code": "ABC-123"})

    assert "\nABC-123\n" in text
    assert '<p class="code">ABC-123</p>' in html


def test_confirmation_by_code_shows_code_instead_of_link():
    _, text, html = render("account.email_confirmation_signup", {"code": "XYZ-987"})

    assert "XYZ-987" in text
    assert "XYZ-987" in html
    assert "confirm-email" not in text


def test_essential_mail_footer_says_it_is_always_sent():
    _, text, html = render("account.password_changed", {})

    assert "Account and security emails are always sent." in text
    assert "Account and security emails are always sent." in html
    assert "unsubscribe" not in text.lower()


def test_html_part_escapes_context():
    _, _, html = render("account.password_changed", {"user_agent": "<script>alert(1)</script>"})

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_email_html_has_no_inline_style_or_script_attributes():
    for kind in kinds.all_kinds():
        _, _, html = render(kind.name, SAMPLE_CONTEXT)
        assert " style=" not in html
        assert "<script" not in html
