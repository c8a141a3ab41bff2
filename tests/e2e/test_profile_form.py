"""The volunteer profile form in a real browser: how far it is to "Save" by keyboard, how tall it
is on a phone, that it saves without JavaScript, and that axe finds nothing serious on it."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.e2e.pages import AXE, BLOCKING_IMPACTS, describe_violations
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

URL = "/profile/edit/"


@pytest.fixture
def session_cookie(live_server):
    """A signed-in new volunteer (no profile yet), as a cookie for the browser. The ORM work
    happens here, before the browser starts (see tests/e2e/conftest.py)."""
    client = Client()
    client.force_login(UserFactory(display_name="Tab Counter"))
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    return {"name": cookie.key, "value": cookie.value, "url": live_server.url}


def open_form(browser, cookie, *, width, java_script=True):
    context = browser.new_context(
        viewport={"width": width, "height": 800},
        java_script_enabled=java_script,
        timezone_id="America/Los_Angeles",
    )
    context.add_cookies([cookie])
    page = context.new_page()
    page.goto(cookie["url"] + URL)
    return context, page


def page_height(page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def focused_is_save(page) -> bool:
    return page.evaluate(
        "document.activeElement && document.activeElement.matches('form.profile-form "
        "button[type=submit]')"
    )


def tab_to_save(page, limit=400) -> int:
    presses = 0
    while not focused_is_save(page):
        assert presses < limit, "never reached Save"
        page.keyboard.press("Tab")
        presses += 1
    return presses


def axe_blocking(browser, cookie, width) -> list:
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    context.add_init_script(path=AXE)
    context.add_cookies([cookie])
    page = context.new_page()
    page.goto(cookie["url"] + URL)
    violations = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then((r) => r.violations)"
    )
    context.close()
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def test_profile_form_figures(live_server, session_cookie, browser):
    """Prints the figures (run with -s); the bars are asserted in the tests below."""
    figures = {}
    for width in (390, 1280):
        context, page = open_form(browser, session_cookie, width=width)
        figures[f"height at {width} px"] = page_height(page)
        context.close()
    context, page = open_form(browser, session_cookie, width=1280)
    figures["Tab presses to Save, nothing chosen"] = tab_to_save(page)
    context.close()
    blocking = axe_blocking(browser, session_cookie, 1280)
    figures["axe serious/critical"] = sum(len(v["nodes"]) for v in blocking)
    print(figures, describe_violations(URL, blocking))


class Keyboard:
    """Moves through the form with real Tab presses, counting them, and acts on what has focus
    as a keyboard user would (Space ticks, Enter opens a folded part, arrows pick a level)."""

    LIMIT = 80

    def __init__(self, page):
        self.page, self.presses = page, 0

    def tab_to(self, locator):
        """Press Tab until `locator` has focus (it must come later on the page)."""
        handle = locator.element_handle()
        while not self.page.evaluate("(element) => element === document.activeElement", handle):
            assert self.presses < self.LIMIT, f"{self.presses} Tab presses and still not there"
            self.page.keyboard.press("Tab")
            self.presses += 1

    def type_into(self, locator, text):
        self.tab_to(locator)
        self.page.keyboard.type(text)

    def press_on(self, locator, *keys):
        self.tab_to(locator)
        for key in keys:
            self.page.keyboard.press(key)

    def pick_skill(self, name, arrows_to_level):
        """Tick the skill, Tab into its levels (now shown) and choose one by arrows."""
        self.press_on(self.page.get_by_role("checkbox", name=name, exact=True), "Space")
        first_level = self.page.get_by_role("group", name=f"Your level in {name}").get_by_role(
            "radio"
        )
        self.press_on(first_level.first, *(["Space"] if not arrows_to_level else []))
        for _ in range(arrows_to_level):
            self.page.keyboard.press("ArrowRight")


# A typical new volunteer: four skills in two kinds of work, two languages.
TYPICAL_SKILLS = [
    ("Design and print", "Graphic design", 2, "Can lead or teach it"),
    ("Design and print", "Flyers and print materials", 1, "Experienced"),
    ("Photo, video and livestreaming", "Photography", 0, "Can do it"),
    ("Photo, video and livestreaming", "Video editing", 1, "Experienced"),
]


def fill_by_keyboard(page) -> Keyboard:
    keys = Keyboard(page)
    keys.tab_to(page.get_by_label("Your name"))
    keys.tab_to(page.get_by_label("Country"))
    page.get_by_label("Country").select_option("US")  # a select is chosen, not tabbed through
    keys.type_into(page.get_by_label("Region or state (optional)"), "California")
    keys.type_into(page.get_by_label("City or town (optional)"), "Oakland")
    opened = set()
    for category, skill, arrows, _label in TYPICAL_SKILLS:
        if category not in opened:
            keys.press_on(page.locator("summary", has_text=category), "Enter")
            opened.add(category)
        keys.pick_skill(skill, arrows)
    keys.press_on(page.get_by_role("checkbox", name="English", exact=True), "Space")
    keys.press_on(page.get_by_role("checkbox", name="Spanish", exact=True), "Space")
    keys.type_into(page.get_by_label("Hours per week you can give"), "6")
    keys.press_on(page.get_by_label("You may contact me about matches"), "Space")
    keys.tab_to(page.get_by_role("button", name="Save profile"))
    return keys


def test_profile_form_new_volunteer_reaches_save_in_at_most_60_tab_presses(
    live_server, session_cookie, browser
):
    context, page = open_form(browser, session_cookie, width=1280)
    try:
        keys = fill_by_keyboard(page)
        print(f"Tab presses from the top to Save: {keys.presses}")
        filled_height = page_height(page)
        page.keyboard.press("Enter")
        page.wait_for_url("**/profile/")

        assert keys.presses <= 60
        assert page.locator("dt:text-is('Time zone') + dd").inner_text() == "Los Angeles (Pacific)"
        assert page.locator("dt:text-is('Region') + dd").inner_text() == "California"
        assert page.locator(".skill-summary li").all_inner_texts() == [
            f"{skill}: {label} (level {arrows + 1})" for _, skill, arrows, label in TYPICAL_SKILLS
        ]
        assert page.locator("dt:text-is('Languages') + dd").inner_text() == "English, Spanish"
        print(f"height at 1280 px once filled: {filled_height}")
    finally:
        context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_profile_form_new_profile_is_at_most_5000_px_tall(
    live_server, session_cookie, browser, width
):
    context, page = open_form(browser, session_cookie, width=width, java_script=False)
    try:
        height = page_height(page)
        for category in {category for category, *_ in TYPICAL_SKILLS}:
            page.locator("summary", has_text=category).click()
        for _, skill, _, _ in TYPICAL_SKILLS:
            page.get_by_role("checkbox", name=skill, exact=True).check()
        filled = page_height(page)
        print(f"height at {width} px: {height} as opened, {filled} with four skills ticked")

        assert height <= 5000
        assert filled <= 5000
    finally:
        context.close()


def test_profile_form_has_no_serious_axe_violation(live_server, session_cookie, browser):
    for width in (390, 1280):
        blocking = axe_blocking(browser, session_cookie, width)
        assert blocking == [], describe_violations(URL, blocking)


RED = {"rgb(176, 0, 32)", "rgb(164, 22, 26)", "rgb(122, 15, 18)"}  # --error, --brand(-dark)


@pytest.mark.parametrize("width", [320, 390, 768, 1280])
def test_profile_form_level_labels_fit_and_filter_boxes_match_inputs(
    live_server, session_cookie, browser, width
):
    context, page = open_form(browser, session_cookie, width=width)
    try:
        page.locator("summary", has_text="Design and print").click()
        page.get_by_role("checkbox", name="Graphic design", exact=True).check()
        overflowing = page.evaluate(
            """() => [...document.querySelectorAll('.level-option')]
                .filter((label) => label.offsetParent)
                .filter((label) => {
                    const words = label.querySelector('span').getBoundingClientRect();
                    const box = label.getBoundingClientRect();
                    return words.left < box.left || words.right > box.right
                        || label.scrollWidth > label.clientWidth;
                }).map((label) => label.textContent.trim())"""
        )
        shown = page.locator(".level-option:visible").all_inner_texts()
        boxes = page.evaluate(
            """() => [...document.querySelectorAll('input[type=search], #id_city')]
                .filter((input) => input.offsetParent)
                .map((input) => [getComputedStyle(input).fontSize, input.offsetHeight])"""
        )

        assert [text.strip() for text in shown] == [
            "Can do it",
            "Experienced",
            "Can lead or teach it",
        ]
        assert overflowing == []
        assert boxes == [["16px", 44]] * 3  # the skill and language filters, and the city
    finally:
        context.close()


def test_profile_form_default_state_is_calm_and_errors_are_not_colour_alone(
    live_server, session_cookie, browser
):
    context, page = open_form(browser, session_cookie, width=390, java_script=False)
    try:
        borders = page.evaluate(
            """() => [...document.querySelectorAll(
                    'form input, form select, form textarea, form label, form details')]
                .filter((element) => element.offsetParent)
                .map((element) => getComputedStyle(element).borderTopColor)"""
        )
        assert page.locator("[aria-invalid=true], .errorlist").count() == 0
        assert RED.isdisjoint(borders)

        page.get_by_label("Your name").fill("")
        page.get_by_role("button", name="Save profile").click()
        name = page.get_by_label("Your name")
        marker = page.evaluate(
            "getComputedStyle(document.querySelector('#id_display_name_error li'), "
            "'::before').content"
        )

        assert name.get_attribute("aria-invalid") == "true"
        assert name.evaluate("(input) => getComputedStyle(input).borderTopWidth") == "3px"
        assert page.locator("#id_display_name_error").inner_text() == "Enter your name."
        assert "⚠" in marker
    finally:
        context.close()
