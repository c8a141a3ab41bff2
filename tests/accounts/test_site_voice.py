"""allauth's pages speak the site's voice, and every "contact us" leads to a real contact page."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from accounts.forms import STRENGTH_HELP
from tests.accounts.test_account_pages import ANONYMOUS_PAGES, SIGNED_IN_PAGES, reset_key_path

LABEL = re.compile(r"<label\b[^>]*>(.*?)</label>", re.S)
H1 = re.compile(r"<h1>\s*(.*?)\s*</h1>", re.S)
# allauth's own Title Case wording, none of which may reach a page.
ALLAUTH_WORDING = [
    "Password Reset",
    "Reset My Password",
    "Remember Me",
    "Change Password",
    "Set Password",
    "Sign Out",
    "Confirm Access",
    "Account Inactive",
    "Bad Token",
    "Verify Your Email Address",
    "Sign Up Closed",
    "Forgot your password?",
    "Please contact us",
    "Otherwise contact us",
]
UNLINKED_CONTACT = re.compile(r"contact us(?!</a>)", re.I)


def all_pages(client, user):
    """(path, html) of every account page, anonymous and signed in."""
    pages = [(path, client.get(path).text) for path in ANONYMOUS_PAGES]
    pages.append(("reset from key", client.get(reset_key_path(user), follow=True).text))
    client.force_login(user)
    pages += [(path, client.get(path).text) for path in SIGNED_IN_PAGES]
    return pages


@pytest.mark.django_db
def test_account_pages_use_none_of_allauths_title_case_wording(client, user):
    for path, html in all_pages(client, user):
        found = [words for words in ALLAUTH_WORDING if words in html]
        assert found == [], path


@pytest.mark.django_db
def test_account_page_labels_have_no_colon(client, user):
    for path, html in all_pages(client, user):
        labels = [label.strip() for label in LABEL.findall(html)]
        assert [label for label in labels if label.endswith(":")] == [], path


@pytest.mark.django_db
def test_account_page_headings_are_sentence_case(client, user):
    for path, html in all_pages(client, user):
        [heading] = H1.findall(html)
        later_words = heading.split()[1:]
        assert [w for w in later_words if w[0].isupper() and w != "I"] == [], (path, heading)


@pytest.mark.django_db
def test_password_reset_page_in_the_sites_words(client):
    html = client.get("/accounts/password/reset/").text

    assert "<title>Reset your password · Knowledge Donors</title>" in html
    assert "<h1>Reset your password</h1>" in html
    assert '<label for="id_email">Email address</label>' in html
    assert '<button type="submit">Send me a reset link</button>' in html
    assert 'Trouble resetting your password? <a href="/contact/">Contact us</a>.' in html


@pytest.mark.django_db
def test_login_page_labels_and_help_in_the_sites_words(client):
    html = client.get("/accounts/login/").text

    assert [label.strip() for label in LABEL.findall(html)] == [
        "Email address",
        "Password",
        "Remember me",
    ]
    assert (
        '<div class="helptext" id="id_password_helptext">Forgotten it? '
        '<a href="/accounts/password/reset/">Reset your password</a>.</div>'
    ) in html
    assert 'aria-describedby="id_password_helptext"' in html
    assert "placeholder=" not in html


@pytest.mark.django_db
def test_signup_password_help_is_the_sites_own(client):
    html = client.get("/accounts/signup/").text

    assert f'<div class="helptext" id="id_password1_helptext">{STRENGTH_HELP}</div>' in html
    assert "too similar to your other personal information" not in html
    assert [label.strip() for label in LABEL.findall(html)] == [
        "Email address",
        "Password",
        "Password (again)",
    ]


@pytest.mark.django_db
def test_every_contact_us_on_account_pages_links_to_the_contact_page(client, user):
    for path, html in all_pages(client, user):
        assert UNLINKED_CONTACT.findall(html) == [], path
        assert '<a href="/contact/">Contact us</a>' in html, path  # the footer, at least


@pytest.mark.django_db
@pytest.mark.parametrize(
    "template", ["account/verified_email_required.html", "account/account_inactive.html"]
)
def test_account_templates_that_mention_contact_link_to_it(user, template):
    request = RequestFactory().get("/")
    request.user = user

    html = render_to_string(template, request=request)

    assert UNLINKED_CONTACT.findall(html) == []
    assert html.count('href="/contact/"') == 2  # in the text and in the footer


@pytest.mark.django_db
def test_contact_page_shows_the_support_address_from_settings(client, settings):
    settings.SUPPORT_EMAIL = "help@union-skills.example.org"

    response = client.get("/contact/")

    assert response.status_code == 200
    assert "<h1>Contact us</h1>" in response.text
    assert (
        'Write to us at <a href="mailto:help@union-skills.example.org">'
        "help@union-skills.example.org</a>."
    ) in response.text


@pytest.mark.django_db
def test_contact_page_says_what_to_write_about_a_safety_concern(client):
    response = client.get("/contact/")

    assert '<h2 id="safety">Safety concerns</h2>' in response.text
    assert "Put “Safety” at the start of the subject and write:" in response.text
    assert "which fight, request, organization or person it is about" in response.text
    assert "how and when we can reach you safely" in response.text
    assert "If anyone is in immediate danger, call your local emergency number first." in (
        response.text
    )


def test_support_email_default_is_documented_in_env_example():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / ".env.example").read_text()

    assert "\n# SUPPORT_EMAIL=support@localhost\n" in text
