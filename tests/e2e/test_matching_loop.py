"""The whole matching loop in real browsers, one per person: an organizer posts a request (the
guided path, then Open), staff propose a volunteer from the candidates page, the volunteer opens
the Accept link from the proposal email, signs in and accepts, and the organizer, who saw only a
first name while the proposal waited, now sees the helper's full name and contact details.
Desktop with JavaScript; then the volunteer's accept page at 375 px without JavaScript. Every
site page passes tests/e2e/pages.py's checks (CSP, axe, no sideways scrolling on the phone).
"""

import re
import time

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from donors.models import Donor
from fights.models import RequestTemplate
from matching import services
from matching.models import Match
from tests.e2e.pages import DEVICES, Visit
from tests.e2e.test_organizer_journey import in_thread
from tests.factories import (
    PASSWORD,
    DonorFactory,
    DonorLanguageFactory,
    DonorSkillFactory,
    MembershipFactory,
    OrganizationFactory,
    RequestSkillFactory,
    SupportRequestFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ORGANIZER = "rosa@example.org"
VOLUNTEER = "vera@example.org"
STAFF = "sam@example.org"
ACCEPT_LINK = re.compile(r"https?://\S+/matches/\d+/accept/")


@pytest.fixture
def people(db):
    """A verified organization with its admin, staff, and a volunteer who has every skill the
    "flyers and graphics" need asks for. Made before the browser opens (tests/e2e/conftest.py)."""
    organization = OrganizationFactory(name="Harbor Workers Local 9", region="US-CA")
    organizer = UserFactory(email=ORGANIZER, display_name="Rosa Alvarado")
    MembershipFactory(organization=organization, user=organizer, role="admin")
    staff = UserFactory(email=STAFF, display_name="Sam Staff", is_staff=True)
    staff.groups.add(Group.objects.get(name="Staff"))
    donor = DonorFactory(
        user=UserFactory(email=VOLUNTEER, display_name="Vera Quintana"),
        links=["https://vera.example.org/"],
        work_mode="either",
        weekly_hours=10,
    )
    template = RequestTemplate.objects.get(slug="flyers-graphics")
    for row in template.template_skills.all():
        DonorSkillFactory(donor=donor, skill=row.skill, level=3)
    for code in ("en", "es"):
        DonorLanguageFactory(donor=donor, code=code)
    return {"organization": organization}


def sign_in(page, live_server, email, next_path):
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def accept_link(address: str, timeout: float = 10.0) -> str:
    """The Accept link in the proposal mailed to `address` (sent by the live server's thread)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in mail.outbox:
            if address in message.to and (found := ACCEPT_LINK.search(message.body)):
                return found[0]
        time.sleep(0.1)
    raise AssertionError(f"No proposal email to {address}; outbox: {mail.outbox!r}")


def propose_from_the_candidates_page(browser, live_server, request_title, volunteer_name):
    """Staff sign in, open the review queue, the request's candidates, tick the volunteer and
    press "Propose selected"."""
    context = browser.new_context()
    page = context.new_page()
    try:
        sign_in(page, live_server, STAFF, "/staff/matching/queue/")
        page.get_by_role("link", name=request_title).first.click()
        if "/candidates/" not in page.url:  # the queue may link the request elsewhere first
            page.get_by_role("link", name=re.compile("candidates", re.I)).first.click()
        page.get_by_role("checkbox", name=re.compile(volunteer_name)).check()
        page.get_by_role("button", name="Propose selected").click()
        expect(page.locator("main, #content").first).to_contain_text(volunteer_name)
    finally:
        context.close()


def test_matching_loop_organizer_posts_staff_propose_volunteer_accepts(
    live_server, settings, people, browser
):
    settings.SITE_URL = live_server.url
    organizer = Visit(browser, DEVICES["desktop"])
    volunteer = Visit(browser, DEVICES["desktop"])
    page = organizer.page
    try:
        # The organizer posts the request.
        sign_in(page, live_server, ORGANIZER, "/organizers/dashboard/")
        organizer.checked("Organizer dashboard")
        page.get_by_role("link", name="Not sure what to ask for?").click()
        organizer.checked("Not sure what to ask for?")
        page.get_by_label("We need flyers and graphics").check()
        page.get_by_label("Name of the new fight").fill("Harbor strike 2026")
        page.get_by_label("When do you need it by?").fill(
            (timezone.localdate() + timezone.timedelta(days=20)).isoformat()
        )
        page.get_by_role("button", name="Draft my requests").click()
        organizer.checked("Harbor strike 2026")
        page.get_by_role("button", name="Open Flyers and graphics").click()
        organizer.checked("Harbor strike 2026")
        assert "“Flyers and graphics” is open" in page.inner_text("main")

        # Staff propose Vera from the candidates page.
        propose_from_the_candidates_page(browser, live_server, "Flyers and graphics", "Vera")
        match = in_thread(lambda: Match.objects.get())
        assert match.status == "proposed"

        # Until she answers, the organizer sees a first name, skills and region only.
        page.get_by_role("link", name="Helpers Flyers and graphics").click()
        organizer.checked("Helpers for “Flyers and graphics”")
        waiting = page.inner_text("main")
        assert "Vera" in waiting
        for hidden in ("Quintana", VOLUNTEER, "vera.example.org"):
            assert hidden not in waiting, hidden
        assert page.locator(f"a[href^='mailto:{VOLUNTEER}']").count() == 0

        # The volunteer follows the Accept link from the email, signs in, and accepts.
        link = accept_link(VOLUNTEER)
        volunteer.page.goto(link)
        volunteer.checked("Sign in")
        volunteer.page.get_by_label("Email").fill(VOLUNTEER)
        volunteer.page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
        volunteer.page.get_by_role("button", name="Sign in").click()
        volunteer.checked("Accept the proposal")
        assert in_thread(lambda: Match.objects.get().status) == "proposed"  # GET changed nothing
        volunteer.page.get_by_role("button", name="Accept", exact=True).click()
        volunteer.checked("“Flyers and graphics” · Harbor Workers Local 9")
        assert ORGANIZER in volunteer.page.inner_text("main")
        assert in_thread(lambda: Match.objects.get().status) == "accepted"

        # Now the organizer sees who she is and how to reach her.
        page.reload()
        organizer.checked("Helpers for “Flyers and graphics”")
        helping = page.inner_text("main")
        assert "Vera Quintana" in helping
        assert VOLUNTEER in helping
        assert "https://vera.example.org/" in helping
        page.get_by_role("link", name="Organizer dashboard").first.click()
        organizer.checked("Organizer dashboard")
        assert "Helping: Vera Quintana" in page.inner_text("main")
        introductions = [m for m in mail.outbox if "agreed to help" in m.subject]
        assert [m.to for m in introductions] == [[ORGANIZER]]
    finally:
        organizer.close()
        volunteer.close()


@pytest.fixture
def proposal(people):
    """A proposal made by the service (the loop above makes one through the pages)."""
    staff = UserFactory(email="sam2@example.org", is_staff=True)
    support_request = SupportRequestFactory(
        fight__organization=people["organization"], title="Picket signs"
    )
    template = RequestTemplate.objects.get(slug="flyers-graphics")
    RequestSkillFactory(request=support_request, skill=template.template_skills.first().skill)
    donor = Donor.objects.get(user__email=VOLUNTEER)
    return services.propose_match(request=support_request, donor=donor, by=staff)


def test_accept_page_at_phone_width_without_javascript(live_server, settings, proposal, browser):
    settings.SITE_URL = live_server.url
    volunteer = Visit(browser, DEVICES["phone-no-js"])
    page = volunteer.page
    try:
        sign_in(page, live_server, VOLUNTEER, f"/matches/{proposal.pk}/accept/")
        volunteer.checked("Accept the proposal")
        assert "Picket signs" in page.inner_text("main")
        page.get_by_role("link", name="Decline instead").click()
        volunteer.checked("Decline the proposal")
        page.get_by_role("link", name="Accept instead").click()
        volunteer.checked("Accept the proposal")
        page.get_by_role("button", name="Accept", exact=True).click()
        volunteer.checked("“Picket signs” · Harbor Workers Local 9")
        page.get_by_role("link", name="My matches").first.click()
        volunteer.checked("My matches")
        assert "Helping now" in page.inner_text("main")
    finally:
        volunteer.close()
