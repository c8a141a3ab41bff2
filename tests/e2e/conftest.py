"""Headless Chromium (Debian's, through Playwright's sync API) for the end-to-end tests.

While Playwright's sync API is active, asyncio reports a running event loop in the test's
thread. Django then keeps database connections per async context instead of per thread, so an
ORM call made while a browser is open gets a different connection from the one the test's
database setup used (serialized_rollback then restores nothing, among other surprises), and
Django's async-safety check rightly refuses it. So `browser` is function-scoped and set up after
the database fixtures, torn down before them, and tests do their ORM work in fixtures, before the
browser starts: no DJANGO_ALLOW_ASYNC_UNSAFE needed, and a stray ORM call fails loudly.
"""

from pathlib import Path

import pytest

from tests.conftest import require

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # containers and CI run as root without user namespaces
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser():
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
