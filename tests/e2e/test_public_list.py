"""A visitor looks for a fight to help, in a real browser: the public list's filters by keyboard
(desktop, JavaScript on), and on a 390 px phone without JavaScript; then a fight and a request.

Every page passes tests/e2e/pages.py's checks: no CSP violation, no serious or critical axe-core
violation, and on the phone no sideways scrolling.
"""

import pytest
from django.contrib.auth.hashers import make_password

from fights import demo
from tests.e2e.pages import DEVICES, Visit

# Committed data for the live server; serialized_rollback restores the seeded skills taxonomy
# that the transactional flush removes (see test_signup_journey.py).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
LIST_HEADING = "Fights that need help"
PHONE_390 = {"viewport": {"width": 390, "height": 844}, "java_script_enabled": False}


@pytest.fixture
def demo_fights():
    """The demo organizations and fights (fights/demo.py), before the browser opens."""
    demo.seed(password=make_password("unused in this test"))


def request_titles(page) -> list[str]:
    return page.locator(".request-card h3").all_inner_texts()


def tab_to(page, target, presses=60):
    """Press Tab until `target` has the focus: proof it is reachable by keyboard alone."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} never got the keyboard focus in {presses} Tab presses")


def test_public_list_filters_work_by_keyboard(live_server, demo_fights, browser):
    visit = Visit(browser, DEVICES["desktop"])
    page = visit.page
    try:
        page.goto(live_server.url + "/")
        page.get_by_role("link", name="Fights that need help").first.click()
        visit.checked(LIST_HEADING)
        assert len(request_titles(page)) == 11

        urgency = page.get_by_label("Urgency")
        tab_to(page, urgency)
        page.keyboard.press("ArrowDown")  # "Any urgency" → "Critical: needed within 72 hours"
        assert urgency.input_value() == "critical"
        tab_to(page, page.get_by_role("button", name="Show requests"))
        page.keyboard.press("Enter")

        visit.checked(LIST_HEADING)
        assert "urgency=critical" in page.url
        assert request_titles(page) == [
            "Press release for the boycott launch",
            "Social media for our strike",
        ]
        assert page.get_by_role("heading", name="2 open requests").is_visible()

        tab_to(page, page.get_by_role("link", name="Social media for our strike"))
        page.keyboard.press("Enter")
        visit.checked("Social media for our strike")
    finally:
        visit.close()


def test_public_list_on_a_390px_phone_without_javascript(live_server, demo_fights, browser):
    visit = Visit(browser, PHONE_390)
    page = visit.page
    try:
        page.goto(live_server.url + "/fights/")
        visit.checked(LIST_HEADING)

        page.get_by_label("Language").select_option("fr")
        page.get_by_label("Remote or in person").select_option("remote")
        page.get_by_role("button", name="Show requests").click()
        visit.checked(LIST_HEADING)
        assert request_titles(page) == [
            "Translate our flyers, French and English",
            "Short videos for TikTok and Instagram",
        ]

        page.get_by_label("Kind of fight").select_option("strike")
        page.get_by_role("button", name="Show requests").click()
        visit.checked(LIST_HEADING)
        assert request_titles(page) == []
        page.get_by_role("link", name="See every open request").click()
        visit.checked(LIST_HEADING)

        page.get_by_role("link", name="Acme Logistics warehouse strike").first.click()
        visit.checked("Acme Logistics warehouse strike")
        assert len(request_titles(page)) == 4
        page.get_by_role("link", name="Livestream the strike rally").click()
        visit.checked("Livestream the strike rally")
        assert page.get_by_text("In person").first.is_visible()
    finally:
        visit.close()


def test_public_list_bad_filter_link_says_so_at_the_field(live_server, demo_fights, browser):
    visit = Visit(browser, PHONE_390)
    page = visit.page
    try:
        response = page.goto(live_server.url + "/fights/?skill=no-such-skill&kind=boycott")
        assert response.status == 400
        visit.checked(LIST_HEADING)
        page.get_by_role("link", name="Skill: Select a valid choice.", exact=False).click()
        assert page.locator("#id_skill").evaluate("e => e === document.activeElement")
        assert len(request_titles(page)) == 3  # the boycott's requests: the kind still applies
    finally:
        visit.close()
