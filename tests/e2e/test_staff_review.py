"""Staff review in a real browser: from the admin index to the review queue, where a critical
request nobody accepted stands out, to its candidates, where staff tick two volunteers and
propose them. Desktop with JavaScript and a 375 px phone without it; every page passes
tests/e2e/pages.py's checks (CSP, axe, no sideways scrolling)."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.pages import DEVICES, Visit
from tests.factories import (
    PASSWORD,
    DonorSkillFactory,
    RequestSkillFactory,
    SkillFactory,
    SupportRequestFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def review_world(db):
    """A critical open request, two volunteers who can do it, and a staff member."""
    skill = SkillFactory(name="Picket sign lettering")
    support_request = SupportRequestFactory(
        title="Signs for Friday's picket",
        needed_by=timezone.localdate() + datetime.timedelta(days=1),
        helpers_needed=2,
    )
    RequestSkillFactory(request=support_request, skill=skill, min_level=1)
    for name, level in (("Ana Lettering", 3), ("Bo Brush", 2)):
        DonorSkillFactory(skill=skill, level=level, donor__user=UserFactory(display_name=name))
    staff = UserFactory(email="sam@example.org", is_staff=True, display_name="Sam Staff")
    staff.groups.add(Group.objects.get(name="Staff"))
    return {"request_title": support_request.title, "staff_email": staff.email}


@pytest.mark.parametrize("device_name", DEVICES)
def test_staff_review_from_queue_to_proposals(live_server, review_world, browser, device_name):
    visit = Visit(browser, DEVICES[device_name])
    page = visit.page
    try:
        page.goto(live_server.url + "/admin/")
        page.get_by_label("Email").fill(review_world["staff_email"])
        page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name=re.compile("^Review queue")).click()
        visit.checked("Review queue")
        expect(
            page.get_by_text("Attention: 1 critical request has nobody accepted yet.")
        ).to_be_visible()
        expect(page.get_by_text("⚠ Nobody accepted yet")).to_be_visible()

        page.get_by_role("link", name=review_world["request_title"]).click()
        visit.checked(f"Candidates for “{review_world['request_title']}”")
        page.get_by_role("checkbox", name="Propose Ana Lettering").check()
        page.get_by_role("checkbox", name="Propose Bo Brush").check()
        page.get_by_role("button", name="Propose selected").click()

        visit.checked(f"Candidates for “{review_world['request_title']}”")
        expect(page.locator("ul.messagelist")).to_contain_text("Proposed: Ana Lettering, Bo Brush.")
        expect(page.get_by_role("heading", name="Proposed (2)")).to_be_visible()
    finally:
        visit.close()
