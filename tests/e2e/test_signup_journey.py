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


@pytest.mark.parametrize("device_name", DEVICES)
def test_signup_journey_new_volunteer_ends_on_own_profile(
    browser, live_server, settings, device_name
):
    settings.SITE_URL = live_server.url  # email links are built on SITE_URL, not the Host header
    levels = {
        Skill.objects.get(slug="graphic-design"): Level.CAN_LEAD,
        Skill.objects.get(slug="flyers-print"): Level.EXPERIENCED,
    }
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

        fill_profile(page, levels)
        page.get_by_role("button", name="Save profile").click()
        visit.checked("Your volunteer profile")

        assert_profile_shows_what_was_entered(page, levels)
        page.screenshot(path=str(SCREENSHOTS / f"kd-e2e-profile-{device_name}.png"), full_page=True)
    finally:
        visit.close()


def fill_profile(page, levels):
    page.get_by_label("Your name").fill("Rosa Journey")
    page.get_by_label("Pronouns (optional)").fill("she/her")
    page.get_by_label("Short bio (optional)").fill("I design strike flyers.\nAnd picket signs.")
    page.get_by_label("Country").select_option("US")
    page.get_by_label("Region or state (optional)").fill("California")
    page.get_by_label("City or town (optional)").fill("Oakland")
    page.get_by_label("Time zone").select_option("America/Los_Angeles")
    page.get_by_label("Remote", exact=True).check()
    page.get_by_label("English", exact=True).check()
    page.get_by_label("Spanish", exact=True).check()
    for skill, level in levels.items():
        page.get_by_role("group", name=skill.name).get_by_label(level.label).check()
    page.get_by_label("Hours per week you can give").fill("6")
    page.get_by_label("Fights at once").fill("2")
    page.get_by_label("I can be on call for rapid response").check()
    page.get_by_label(re.compile("^Employers or organizations")).fill("Acme Logistics")
    page.get_by_label("Link 1").fill("https://example.org/rosa-portfolio")
    page.get_by_label("You may contact me about matches").check()


def assert_profile_shows_what_was_entered(page, levels):
    def fact(name: str) -> str:
        return page.locator(f"dt:text-is('{name}') + dd").inner_text()

    assert fact("Name") == "Rosa Journey"
    assert fact("Pronouns") == "she/her"
    assert fact("Bio") == "I design strike flyers.\nAnd picket signs."
    assert fact("Country") == "United States of America"
    assert fact("Region") == "California"
    assert fact("City") == "Oakland"
    assert fact("Time zone") == "America/Los_Angeles"
    assert fact("Can help") == "Remote"
    assert fact("Languages") == "English, Spanish"
    assert fact("Hours per week") == "6"
    assert fact("Fights at once") == "2"
    assert fact("On call for rapid response") == "Yes"
    in_taxonomy_order = Skill.objects.filter(pk__in=[skill.pk for skill in levels])
    assert page.locator(".skill-summary li").all_inner_texts() == [
        f"{skill.name}: {levels[skill].label} (level {levels[skill].value})"
        for skill in in_taxonomy_order
    ]
    conflicts = page.get_by_role("region", name="Never match me against")
    assert conflicts.get_by_role("listitem").all_inner_texts() == ["Acme Logistics"]
    link = page.get_by_role("link", name="https://example.org/rosa-portfolio")
    assert link.get_attribute("rel") == "noopener nofollow"
    assert "You agreed that we may contact you about matches." in page.inner_text("main")
