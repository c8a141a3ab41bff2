"""Staff find a donor in a real browser: the donor list with filters applied, the read-only donor
page and its edit form pass tests/e2e/pages.py's checks (no CSP violation, no serious or critical
axe-core violation), and the list fits a 1280 px screen without sideways scrolling.
"""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client

from donors.models import Skill
from tests.e2e.pages import DEVICES, Visit
from tests.factories import (
    ConflictFactory,
    DonorFactory,
    DonorLanguageFactory,
    DonorSkillFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
LIST = "/admin/donors/donor/"
FILTERED = "?q=example&contact_consent=yes&ready=yes&skill=graphic-design&min_level=2&language=en"


def session_cookie(user, live_server) -> dict:
    client = Client()
    client.force_login(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": key, "url": live_server.url}


@pytest.fixture
def donors():
    """Donors with long names, many skills, several languages and a conflict."""
    slugs = list(Skill.objects.order_by("pk").values_list("slug", flat=True)[:8])
    made = []
    for n in range(6):
        donor = DonorFactory(
            user=UserFactory(
                email=f"a-rather-long-address-number-{n}@a-union-local-example.org",
                display_name=f"Volunteer With A Long Name Number {n}",
            ),
            city="San Francisco",
            links=["https://example.org/portfolio"],
        )
        DonorSkillFactory(donor=donor, skill=Skill.objects.get(slug="graphic-design"), level=3)
        for level, slug in enumerate(slugs[1:6], start=1):
            DonorSkillFactory(donor=donor, skill=Skill.objects.get(slug=slug), level=level % 3 + 1)
        for code in ("en", "es", "pt"):
            DonorLanguageFactory(donor=donor, code=code)
        ConflictFactory(donor=donor)
        made.append(donor)
    return made


@pytest.fixture
def staff_cookie(live_server):
    member = UserFactory(is_staff=True)
    member.groups.add(Group.objects.get(name="Staff"))
    return session_cookie(member, live_server)


@pytest.fixture
def editor_cookie(live_server):
    member = UserFactory(is_staff=True)
    member.groups.add(Group.objects.get(name="Staff"), Group.objects.get(name="Profile editors"))
    return session_cookie(member, live_server)


def open_as(browser, cookie):
    visit = Visit(browser, DEVICES["desktop"])
    visit.context.add_cookies([cookie])
    return visit


def test_donor_list_with_filters_fits_1280px_and_passes_axe(
    live_server, donors, staff_cookie, browser
):
    visit = open_as(browser, staff_cookie)
    try:
        visit.page.goto(live_server.url + LIST + FILTERED)
        visit.checked("Select donor to view")
        assert visit.page.locator("#result_list tbody tr").count() == 6
        width = visit.page.evaluate("document.documentElement.scrollWidth")
        assert width == 1280
    finally:
        visit.close()


def test_donor_page_read_only_then_edit_passes_axe(live_server, donors, editor_cookie, browser):
    visit = open_as(browser, editor_cookie)
    try:
        visit.page.goto(f"{live_server.url}{LIST}{donors[0].pk}/change/")
        visit.checked("Volunteer With A Long Name Number 0")
        visit.page.get_by_role("link", name="Edit profile").click()
        visit.checked("Change donor")
    finally:
        visit.close()
