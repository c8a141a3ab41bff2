"""Checks every page an end-to-end journey reaches must pass, wrapped around a Playwright tab.

- No Content-Security-Policy violation and no script error in the console: the journey's own
  context keeps the site's CSP on.
- No serious or critical axe-core violation. axe is a script the site's CSP rightly refuses, so
  it runs in a second context that bypasses CSP and opens the same page with the same cookies;
  when the journey runs without JavaScript, the site's own scripts are blocked there, so axe
  sees the page as a browser without JavaScript does.
- At phone width, nothing wider than the screen (no sideways scrolling).
"""

import re
from pathlib import Path

from playwright.sync_api import expect

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING_IMPACTS = {"serious", "critical"}
PHONE_WIDTH = 375
PHONE_MAX_WIDTH = 480  # viewports up to this wide are phones: no sideways scrolling allowed
DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 900}, "java_script_enabled": True},
    "phone-no-js": {
        "viewport": {"width": PHONE_WIDTH, "height": 800},
        "java_script_enabled": False,
    },
}


class Visit:
    """The journey's browser tab, plus the checks every page it reaches must pass."""

    def __init__(self, browser, device: dict):
        self.device = device
        self.context = browser.new_context(**device)
        self.page = self.context.new_page()
        self.csp_violations, self.script_errors = [], []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.script_errors.append(str(error)))
        # axe is a script the site's CSP rightly refuses, so it runs in a second context that
        # bypasses CSP, opening each page with the journey's cookies.
        self.scanner = browser.new_context(viewport=device["viewport"], bypass_csp=True)
        self.scanner.add_init_script(path=AXE)
        if not device["java_script_enabled"]:
            # axe needs JavaScript there; the site's own scripts stay off, as on the phone.
            self.scanner.route(re.compile(r"\.js(\?.*)?$"), lambda route: route.abort())

    def _console(self, message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            self.csp_violations.append(f"{self.page.url}: {message.text}")

    def checked(self, expected_heading: str):
        """Wait for the page with this h1, then run every per-page check on it."""
        expect(self.page.get_by_role("heading", level=1)).to_have_text(expected_heading)
        self.page.wait_for_load_state()
        assert not self.csp_violations, "\n".join(self.csp_violations)
        assert not self.script_errors, f"{self.page.url}: script errors {self.script_errors}"
        self._assert_no_serious_axe_violations()
        if self.device["viewport"]["width"] <= PHONE_MAX_WIDTH:
            self._assert_no_sideways_scroll()

    def _assert_no_sideways_scroll(self):
        phone_width = self.device["viewport"]["width"]
        # evaluate() runs through DevTools, so it measures even with the page's JS disabled.
        width, too_wide = self.page.evaluate(
            """() => [
                document.documentElement.scrollWidth,
                [...document.querySelectorAll("body *")]
                    .filter((element) => element.getBoundingClientRect().right > innerWidth + 1)
                    .slice(0, 5).map((element) => element.outerHTML.slice(0, 120)),
            ]"""
        )
        assert (width, too_wide) == (phone_width, []), (
            f"{self.page.url} scrolls sideways at {phone_width} px (scrollWidth {width}); "
            f"too wide: {too_wide}"
        )

    def _assert_no_serious_axe_violations(self):
        self.scanner.clear_cookies()
        self.scanner.add_cookies(self.context.cookies())
        page = self.scanner.new_page()
        try:
            page.goto(self.page.url)
            violations = page.evaluate(
                "axe.run(document, {resultTypes: ['violations']}).then((r) => r.violations)"
            )
        finally:
            page.close()
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        assert blocking == [], describe_violations(self.page.url, blocking)

    def close(self):
        self.scanner.close()
        self.context.close()


def describe_violations(url, violations) -> str:
    lines = [f"axe-core found serious or critical problems on {url}:"]
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.extend(f"    {node['html'][:160]}" for node in violation["nodes"][:5])
    return "\n".join(lines)
