"""Account pages without dead ends pass the per-page checks (axe, CSP, phone width), no JS."""

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC

from tests.e2e.pages import DEVICES, Visit
from tests.factories import PASSWORD, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def person():
    """A confirmed account, and the confirmation link it was sent (ORM work before the browser)."""
    user = UserFactory(email="rosa.pages@example.org")
    key = EmailConfirmationHMAC(EmailAddress.objects.get(user=user)).key
    return user, f"/accounts/confirm-email/{key}/"


def test_account_pages_on_a_phone_without_javascript(live_server, person, browser):
    user, confirm_path = person
    visit = Visit(browser, DEVICES["phone-no-js"])
    page = visit.page
    try:
        page.goto(live_server.url + "/")
        page.get_by_role("contentinfo").get_by_role("link", name="Contact us").click()
        visit.checked("Contact us")

        page.goto(live_server.url + "/accounts/password/reset/")
        visit.checked("Reset your password")

        page.goto(live_server.url + confirm_path)
        visit.checked("Address already confirmed")
        page.locator("#main").get_by_role("link", name="Sign in").click()
        visit.checked("Sign in")

        page.get_by_label("Email address").fill(user.email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        visit.checked("My account")

        page.get_by_role("link", name="Email preferences").click()
        visit.checked("Email preferences")

        page.goto(live_server.url + "/me/data/")
        page.get_by_label("Your password").fill(PASSWORD)
        page.get_by_role("button", name="Prepare my data").click()
        visit.checked("Download my data")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download my data (JSON)").click()
        assert download.value.suggested_filename.startswith("my-data-")
    finally:
        visit.close()
