"""Every allauth page renders in the site layout, CSP-clean, with labelled autocompleting fields."""

import re
from html.parser import HTMLParser

import pytest
from allauth.account.models import EmailAddress
from django.template.loader import render_to_string
from django.test import RequestFactory

from tests.factories import UserFactory


class PageParser(HTMLParser):
    """Collects what the checks below need: fields, labels, inline code, the layout's landmarks."""

    def __init__(self):
        super().__init__()
        self.fields, self.label_for, self.inline_scripts, self.styled = [], set(), 0, []
        self.classes = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.classes.update((attrs.get("class") or "").split())
        if "style" in attrs:
            self.styled.append(tag)
        if tag == "script" and not attrs.get("src"):
            self.inline_scripts += 1
        if tag == "label" and attrs.get("for"):
            self.label_for.add(attrs["for"])
        if tag in {"input", "select", "textarea"} and attrs.get("type") != "hidden":
            self.fields.append(attrs)


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser


def assert_site_page(html: str):
    page = parse(html)
    assert {"skip-link", "site-header", "site-footer"} <= page.classes
    assert page.inline_scripts == 0
    assert page.styled == []
    for field in page.fields:
        assert field.get("id") in page.label_for, f"unlabelled field {field}"
        if field.get("type") in {"email", "password"}:
            assert field.get("autocomplete"), f"no autocomplete on {field}"
    return page


def reset_key_path(user):
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    token = default_token_generator.make_token(user)
    return f"/accounts/password/reset/key/{user_pk_to_url_str(user)}-{token}/"


@pytest.mark.parametrize(
    "html",
    [
        '<form style="display: none"></form>',
        "<script>alert(1)</script>",
        '<input type="email" name="email" id="id_email">',
        '<label for="id_email">Email</label><input type="email" name="email" id="id_email">',
    ],
)
def test_site_page_check_rejects_what_it_must(html):
    layout = '<a class="skip-link"></a><header class="site-header"></header>'
    with pytest.raises(AssertionError):
        assert_site_page(layout + html + '<footer class="site-footer"></footer>')


ANONYMOUS_PAGES = [
    "/accounts/signup/",
    "/accounts/login/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/password/reset/key/done/",
    "/accounts/password/reset/key/1-not-a-token/",
    "/accounts/confirm-email/",
    "/accounts/confirm-email/not-a-key/",
    "/accounts/inactive/",
]
SIGNED_IN_PAGES = [
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_account_page_for_visitor_uses_site_layout(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert_site_page(response.text)


@pytest.mark.django_db
@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_account_page_for_signed_in_person_uses_site_layout(client, user, path):
    client.force_login(user)

    response = client.get(path)

    assert response.status_code == 200
    assert_site_page(response.text)


@pytest.mark.django_db
def test_password_reset_from_key_form_uses_site_layout(client, user):
    response = client.get(reset_key_path(user), follow=True)

    page = assert_site_page(response.text)
    assert [f["name"] for f in page.fields] == ["password1", "password2"]
    assert [f["autocomplete"] for f in page.fields] == ["new-password", "new-password"]


@pytest.mark.django_db
def test_password_set_page_for_person_without_password_uses_site_layout(client):
    person = UserFactory()
    person.set_unusable_password()
    person.save()
    client.force_login(person)

    response = client.get("/accounts/password/set/")

    assert response.status_code == 200
    page = assert_site_page(response.text)
    assert [f["name"] for f in page.fields] == ["password1", "password2"]


@pytest.mark.django_db
def test_confirm_email_page_for_valid_link_uses_site_layout(client, unverified_user):
    from allauth.account.models import EmailConfirmationHMAC

    address = EmailAddress.objects.get(user=unverified_user)
    key = EmailConfirmationHMAC(address).key

    response = client.get(f"/accounts/confirm-email/{key}/")

    page = assert_site_page(response.text)
    assert page.fields == []
    assert re.search(r"<h1>\s*Confirm your email address\s*</h1>", response.text)


@pytest.mark.django_db
def test_email_page_with_pending_change_uses_site_layout(client, user):
    EmailAddress.objects.create(user=user, email="next@example.org", verified=False)
    client.force_login(user)

    response = client.get("/accounts/email/")

    assert_site_page(response.text)
    assert '<input type="hidden" name="email" value="next@example.org">' in response.text


@pytest.mark.django_db
def test_login_page_shows_checkbox_before_its_label(client):
    response = client.get("/accounts/login/")

    assert re.search(
        r'<input type="checkbox" name="remember" id="id_remember">\s*'
        r'<label for="id_remember">Remember me</label>',
        response.text,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "template", ["account/verified_email_required.html", "account/signup_closed.html", "429.html"]
)
def test_account_template_without_own_url_uses_site_layout(user, template):
    request = RequestFactory().get("/")
    request.user = user

    html = render_to_string(template, request=request)

    assert_site_page(html)
