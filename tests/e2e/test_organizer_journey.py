"""An organizer's first visit in a real browser: sign up from /organizers/, add the organization,
draft a strike's requests through "Not sure what to ask for?", staff verify the organization in
the admin (a browser of their own), the organizer opens the requests, sees them on the
dashboard, and anyone sees them on the public list. Desktop with JavaScript, and a 375 px phone
without it; every site page passes tests/e2e/pages.py's checks (CSP, axe, no sideways scrolling).
"""

import re
import threading

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from fights.models import Organization
from tests.e2e.pages import DEVICES, Visit
from tests.e2e.test_signup_journey import PASSWORD, verification_link
from tests.factories import PASSWORD as FACTORY_PASSWORD
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def in_thread(work):
    """ORM work in a thread of its own: the browser's event loop makes this thread async-unsafe
    for the ORM (see tests/e2e/conftest.py)."""
    result = []
    thread = threading.Thread(target=lambda: result.append(work()))
    thread.start()
    thread.join()
    return result[0] if result else None


def make_staff(email):
    def work():
        staff = UserFactory(email=email, is_staff=True, display_name="Sam Staff")
        staff.groups.add(Group.objects.get(name="Staff"))

    in_thread(work)


def verify_in_the_admin(browser, live_server, staff_email, organization_name):
    """Staff sign in, open the organization in the admin and verify it with the checklist."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(live_server.url + "/admin/")
        page.get_by_label("Email").fill(staff_email)
        page.get_by_label(re.compile(r"^Password:?$")).fill(FACTORY_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(live_server.url + "/admin/fights/organization/")
        page.get_by_role("link", name=organization_name).click()
        page.get_by_role("button", name="Verify…").click()
        page.get_by_label("Affiliation checked").check()
        page.get_by_label("A contact confirmed outside the site").check()
        page.get_by_label("Web presence checked").check()
        page.get_by_role("button", name="Verify").click()
        expect(page.locator("ul.messagelist")).to_contain_text("Verified")
    finally:
        context.close()


@pytest.mark.parametrize("device_name", DEVICES)
def test_organizer_journey_drafts_and_opens_strike_requests(
    live_server, settings, browser, device_name
):
    settings.SITE_URL = live_server.url
    make_staff(f"staff-{device_name}@example.org")
    visit = Visit(browser, DEVICES[device_name])
    page = visit.page
    address = f"organizer-{device_name}@example.org"
    try:
        page.goto(live_server.url + "/")
        page.get_by_role("link", name="Get help for your fight").click()
        visit.checked("Get help for your fight")
        page.get_by_role("link", name="Create an organizer account").click()
        visit.checked("Create your account")
        page.get_by_label("Email").fill(address)
        page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
        page.get_by_label(re.compile(r"^Password \(again\):?$")).fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        visit.checked("Check your inbox")
        page.goto(verification_link(address))
        visit.checked("Confirm your email address")
        page.get_by_role("button", name="Confirm").click()

        visit.checked("Add your organization")
        page.get_by_label("Name of your organization").fill("Harbor Workers Local 9")
        page.get_by_label("Union local").check()
        page.get_by_label("Country").select_option("US")
        page.get_by_label("Region or state (optional)").fill("California")
        page.get_by_label(re.compile("^I confirm that this is a workers")).check()
        page.get_by_role("button", name="Add organization").click()

        visit.checked("Organizer dashboard")
        page.get_by_role("link", name="Not sure what to ask for?").click()
        visit.checked("Not sure what to ask for?")
        page.get_by_label("We're going on strike and need social media help").check()
        page.get_by_label("We need flyers and graphics").check()
        page.get_by_label("Name of the new fight").fill("Harbor strike 2026")
        page.get_by_label("When do you need it by?").fill(
            (timezone.localdate() + timezone.timedelta(days=9)).isoformat()
        )
        page.get_by_label("Spanish", exact=True).check()
        page.get_by_role("button", name="Draft my requests").click()

        visit.checked("Harbor strike 2026")
        assert "2 draft requests are ready" in page.inner_text("main")
        assert "Can be opened once your organization is verified." in page.inner_text("main")

        verify_in_the_admin(
            browser, live_server, f"staff-{device_name}@example.org", "Harbor Workers Local 9"
        )
        assert in_thread(lambda: Organization.objects.get().verified_at) is not None
        page.reload()
        for title in ("Social media for our strike", "Flyers and graphics"):
            page.get_by_role("button", name=f"Open {title}").click()
            visit.checked("Harbor strike 2026")
            assert f"“{title}” is open" in page.inner_text("main")

        page.get_by_role("link", name="Organizer dashboard").first.click()
        visit.checked("Organizer dashboard")
        items = page.locator(".request-list li").all_inner_texts()
        assert len(items) == 2
        assert all("Open" in item for item in items)

        page.get_by_role("link", name="Fights that need help").first.click()
        visit.checked("Fights that need help")
        listed = page.inner_text("main")
        assert "Social media for our strike" in listed
        assert "Flyers and graphics" in listed
    finally:
        visit.close()
