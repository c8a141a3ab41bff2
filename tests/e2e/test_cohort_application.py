"""A volunteer applies to a cohort program on a 375 px phone without JavaScript: the form with
its optional questions, a refusal that keeps what was typed, then the application, the ideas
page and the directory opt-in. Every page passes tests/e2e/pages.py's checks (no CSP violation,
no serious axe-core finding, no sideways scrolling)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import DEVICES, Visit
from tests.factories import PASSWORD, CohortProgramFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def program():
    """The program and the applicant, committed before the browser opens."""
    UserFactory(email="ana@example.org", display_name="Ana Applicant")
    return CohortProgramFactory(slug="strategists", title="Digital Strategists Cohort")


def sign_in(visit, live_server):
    page = visit.page
    page.goto(live_server.url + "/accounts/login/?next=/trainings/strategists/apply/")
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_cohort_application_on_a_phone_without_javascript(live_server, program, browser):
    visit = Visit(browser, DEVICES["phone-no-js"])
    page = visit.page
    try:
        sign_in(visit, live_server)
        visit.checked("Apply to Digital Strategists Cohort")

        page.get_by_label("Your background").fill("Steward at Local 9; I film our rallies.")
        page.get_by_label("I can attend one full training day a month for five months").check()
        page.get_by_role("group", name="Gender (optional)").get_by_label(
            "Prefer not to say"
        ).check()
        page.get_by_role("button", name="Send my application").click()
        visit.checked("Apply to Digital Strategists Cohort")
        expect(page.locator("#error-summary")).to_contain_text("Why you want to join")
        expect(page.get_by_label("Your background")).to_have_value(
            "Steward at Local 9; I film our rallies."
        )

        page.get_by_label("Why you want to join").fill("To run our strike online.")
        page.get_by_role("button", name="Send my application").click()
        visit.checked("My applications")
        expect(page.get_by_text("Submitted")).to_be_visible()

        page.goto(live_server.url + "/trainings/ideas/")
        visit.checked("Ideas for sessions")
        page.goto(live_server.url + "/trainings/directory/me/")
        visit.checked("The directory of trained digital strategists")
    finally:
        visit.close()
