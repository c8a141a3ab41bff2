"""The journey's per-page checks catch what they are there for (a served fake page, no site)."""

import pytest

from tests.e2e.pages import DEVICES, Visit

pytestmark = pytest.mark.browser

URL = "http://kd.test/page/"
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"
GOOD_BODY = "<main><h1>Fake page</h1><p>Fine.</p></main>"


def serve(visit: Visit, body: str):
    html = (
        f'<!doctype html><html lang="en"><head><title>Fake</title></head><body>{body}</body></html>'
    )
    for context in (visit.context, visit.scanner):
        context.route(
            URL,
            lambda route: route.fulfill(
                status=200,
                headers={"Content-Type": "text/html", "Content-Security-Policy": CSP},
                body=html,
            ),
        )
    visit.page.goto(URL)


@pytest.fixture
def phone(browser):
    visit = Visit(browser, DEVICES["phone-no-js"])
    yield visit
    visit.close()


def test_page_checks_good_page_passes(phone):
    serve(phone, GOOD_BODY)

    phone.checked("Fake page")


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ('<main><h1 style="color: red">Fake page</h1></main>', "Content Security Policy"),
        ('<main><h1>Fake page</h1><img src="data:,"></main>', "image-alt"),
        (
            "<main><h1>Fake page</h1><pre>{}</pre></main>".format("x" * 200),
            "scrolls sideways at 375 px",
        ),
    ],
    ids=["inline-style", "image-without-alt", "too-wide-for-phone"],
)
def test_page_checks_bad_page_fails(phone, body, complaint):
    serve(phone, body)

    with pytest.raises(AssertionError) as failure:
        phone.checked("Fake page")

    assert complaint in str(failure.value)
