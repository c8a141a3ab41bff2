"""A volunteer in a real browser: finds a full workshop, joins its waitlist, gets the seat when
the person holding it cancels (claiming it from the offer email), receives the confirmation with
the calendar entry; staff check them in on a 375 px phone without JavaScript. Every page passes
tests/e2e/pages.py's checks (CSP, axe, no sideways scrolling on the phone).
"""

import re
import threading
import time

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.pages import DEVICES, Visit
from tests.factories import PASSWORD, RegistrationFactory, TrainingFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CLAIM_LINK = re.compile(r"https?://\S+/trainings/registrations/\d+/claim/")


def in_thread(work):
    """ORM work in a thread of its own (see tests/e2e/conftest.py)."""
    result = []
    thread = threading.Thread(target=lambda: result.append(work()))
    thread.start()
    thread.join()
    return result[0] if result else None


def make_world():
    training = TrainingFactory(
        title="Digital Skills for Labor",
        slug="digital-skills-for-labor",
        capacity=1,
        meeting_url="",
    )
    holder = UserFactory(email="holder@example.org", display_name="Hana Holder")
    RegistrationFactory(training=training, user=holder)
    UserFactory(email="vera@example.org", display_name="Vera Volunteer")
    staff = UserFactory(email="sam@example.org", display_name="Sam Staff", is_staff=True)
    staff.groups.add(Group.objects.get(name="Staff"))


def mail_to(address, subject_start, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in mail.outbox:
            if address in message.to and message.subject.startswith(subject_start):
                return message
        time.sleep(0.1)
    raise AssertionError(f"No “{subject_start}” mail to {address}: {mail.outbox!r}")


def sign_in(visit, live_server, email, next_path):
    page = visit.page
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    visit.checked("Sign in")
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_volunteer_waitlist_offer_claim_and_phone_check_in(live_server, settings, browser):
    settings.SITE_URL = live_server.url
    in_thread(make_world)
    volunteer = Visit(browser, DEVICES["desktop"])
    holder = Visit(browser, DEVICES["desktop"])
    staff = Visit(browser, DEVICES["phone-no-js"])
    try:
        page = volunteer.page
        page.goto(live_server.url + "/trainings/")
        volunteer.checked("Trainings")
        page.get_by_role("link", name="Digital Skills for Labor").click()
        volunteer.checked("Digital Skills for Labor")
        assert "Full: new registrations join the waitlist." in page.inner_text("main")
        page.get_by_role("link", name="Sign in to register").click()
        volunteer.checked("Sign in")
        page.get_by_label("Email").fill("vera@example.org")
        page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        volunteer.checked("Digital Skills for Labor")
        page.get_by_label("Accessibility needs").fill("Captions on videos, please.")
        page.get_by_role("button", name="Join the waitlist").click()
        volunteer.checked("Digital Skills for Labor")
        expect(page.locator("#registration-status")).to_have_text("Your registration: Waitlisted.")
        mail_to("vera@example.org", "You are on the waitlist")

        sign_in(holder, live_server, "holder@example.org", "/trainings/digital-skills-for-labor/")
        holder.checked("Digital Skills for Labor")
        holder.page.get_by_role("link", name="Cancel my registration").click()
        holder.checked("Cancel my registration")
        holder.page.get_by_role("button", name="Cancel my registration").click()
        holder.checked("Digital Skills for Labor")
        assert "Your registration is cancelled." in holder.page.inner_text("main")

        offer = mail_to("vera@example.org", "A seat is free for you")
        page.goto(CLAIM_LINK.search(offer.body)[0])
        volunteer.checked("Claim your seat")
        page.get_by_role("button", name="Claim the seat").click()
        volunteer.checked("Digital Skills for Labor")
        expect(page.locator("#registration-status")).to_have_text("Your registration: Confirmed.")
        confirmation = mail_to("vera@example.org", "Your seat is confirmed")
        [(filename, ics, mimetype)] = confirmation.attachments
        assert (filename, mimetype) == ("digital-skills-for-labor.ics", "text/calendar")
        assert "SUMMARY:Digital Skills for Labor" in ics
        assert "DTSTART" in ics

        sign_in(
            staff, live_server, "sam@example.org", "/trainings/digital-skills-for-labor/check-in/"
        )
        staff.checked("Check-in")
        assert "0 checked in of 2 registered." in staff.page.inner_text("main")
        staff.page.get_by_role("button", name="Check in Vera Volunteer").click()
        staff.checked("Check-in")
        assert "1 checked in of 2 registered." in staff.page.inner_text("main")
        assert (
            "Attended"
            in staff.page.locator(".check-in-list li")
            .filter(has_text="vera@example.org")
            .inner_text()
        )
    finally:
        volunteer.close()
        holder.close()
        staff.close()
