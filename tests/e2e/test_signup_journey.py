"""A new volunteer's first visit, in a real browser: sign up, verify by email, fill the profile.

Runs twice: a desktop browser with JavaScript, and a 375 px phone with JavaScript disabled.
Every page it reaches passes the checks in tests/e2e/pages.py: no CSP violation, no serious or
critical axe-core violation, and on the phone no sideways scrolling.
"""

import re
import tempfile
import time
from pathlib import Path

import pytest
from django.core import mail

from donors.models import Level, Skill
from tests.e2e.pages import DEVICES, Visit

SCREENSHOTS = Path(tempfile.gettempdir())
PASSWORD = "a long journey password 7"
VERIFY_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[^/\s]+/")

# The live server needs committed data: a transactional test. Its flush would remove what the
# data migrations seeded (the skills taxonomy), so serialized_rollback puts that back first and
# the journey meets the real skill picker.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def verification_link(address: str, timeout: float = 10.0) -> str:
    """The link in the email sent to `address` (the live server sends it from another thread)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in mail.outbox:
            if address in message.to and (match := VERIFY_LINK.search(message.body)):
                return match[0]
        time.sleep(0.1)
    raise AssertionError(f"No verification email to {address}; outbox: {mail.outbox!r}")


@pytest.fixture
def chosen_skills() -> list[tuple[str, Level]]:
    """Two skills from the seeded taxonomy with the level to pick, in the taxonomy's order.
    Read here, before the browser opens (see tests/e2e/conftest.py)."""
    levels = {"graphic-design": Level.CAN_LEAD, "flyers-print": Level.EXPERIENCED}
    skills = Skill.objects.filter(slug__in=levels)
    assert len(skills) == len(levels), "the seeded taxonomy lacks a skill this journey picks"
    return [(skill.name, levels[skill.slug]) for skill in skills]


# live_server and chosen_skills come before browser: database work first, then the browser.
@pytest.mark.parametrize("device_name", DEVICES)
def test_signup_journey_new_volunteer_ends_on_own_profile(
    live_server, settings, chosen_skills, browser, device_name
):
    settings.SITE_URL = live_server.url  # email links are built on SITE_URL, not the Host header
    visit = Visit(browser, DEVICES[device_name])
    page = visit.page
    address = f"journey-{device_name}@example.org"
    try:
        page.goto(live_server.url + "/")
        visit.checked("Skilled volunteers for workers' fights")

        page.get_by_role("link", name="Offer your skills").click()
        visit.checked("Create your account")
        page.get_by_label("Email").fill(address)
        page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
        page.get_by_label(re.compile(r"^Password \(again\):?$")).fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        visit.checked("Check your inbox")

        page.goto(verification_link(address))
        visit.checked("Confirm your email address")
        page.get_by_role("button", name="Confirm").click()
        if page.url != live_server.url + "/profile/edit/":
            visit.checked("My account")
            page.get_by_role("link", name="Create my volunteer profile").click()
        visit.checked("Create your volunteer profile")

        fill_profile(page, chosen_skills)
        page.get_by_role("button", name="Save profile").click()
        visit.checked("Your volunteer profile")

        assert_profile_shows_what_was_entered(page, chosen_skills)
        page.screenshot(path=str(SCREENSHOTS / f"kd-e2e-profile-{device_name}.png"), full_page=True)
    finally:
        visit.close()


def fill_profile(page, chosen_skills):
    page.get_by_label("Your name").fill("Rosa Journey")
    page.get_by_label("Pronouns (optional)").fill("she/her")
    page.get_by_label("Country").select_option("US")
    page.get_by_label("Region or state (optional)").fill("California")
    page.get_by_label("City or town (optional)").fill("Oakland")
    page.get_by_label("Time zone").select_option("America/Los_Angeles")
    page.get_by_label("Remote", exact=True).check()
    page.get_by_label("English", exact=True).check()
    page.get_by_label("Spanish", exact=True).check()
    page.locator("summary", has_text="Design and print").click()  # a folded kind of work
    for name, level in chosen_skills:
        page.get_by_role("checkbox", name=name, exact=True).check()
        page.get_by_role("group", name=f"Your level in {name}").get_by_label(level.label).check()
    page.get_by_label("Hours per week you can give").fill("6")
    page.get_by_label("Fights at once").fill("2")
    page.get_by_label("I can be on call for rapid response").check()
    page.get_by_label(re.compile("^Employers or organizations")).fill("Acme Logistics")
    page.locator("summary", has_text="A short bio and links to your work").click()
    page.get_by_label("Short bio (optional)").fill("I design strike flyers.\nAnd picket signs.")
    page.get_by_label("Link 1").fill("https://example.org/rosa-portfolio")
    page.get_by_label("You may contact me about matches").check()


def assert_profile_shows_what_was_entered(page, chosen_skills):
    def fact(name: str) -> str:
        return page.locator(f"dt:text-is('{name}') + dd").inner_text()

    assert fact("Name") == "Rosa Journey"
    assert fact("Pronouns") == "she/her"
    assert fact("Bio") == "I design strike flyers.\nAnd picket signs."
    assert fact("Country") == "United States of America"
    assert fact("Region") == "California"
    assert fact("City") == "Oakland"
    assert fact("Time zone") == "Los Angeles (Pacific)"
    assert fact("Can help") == "Remote"
    assert fact("Languages") == "English, Spanish"
    assert fact("Hours per week") == "6"
    assert fact("Fights at once") == "2"
    assert fact("On call for rapid response") == "Yes"
    assert page.locator(".skill-summary li").all_inner_texts() == [
        f"{name}: {level.label} (level {level.value})" for name, level in chosen_skills
    ]
    conflicts = page.get_by_role("region", name="Never match me against")
    assert conflicts.get_by_role("listitem").all_inner_texts() == ["Acme Logistics"]
    link = page.get_by_role("link", name="https://example.org/rosa-portfolio")
    assert link.get_attribute("rel") == "noopener nofollow"
    assert "You agreed that we may contact you about matches." in page.inner_text("main")
