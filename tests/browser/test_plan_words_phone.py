"""The pages of issue #17 part 3 on a 320 px screen: the volunteer directory with its filters, the
series form with its holiday preview and the week plan with a holiday badge fit without sideways
scrolling."""

import pytest

from tests.browser.test_shift_flow import log_in


@pytest.mark.parametrize(
    "path",
    [
        "/volunteers?q=anna&certificate=valid",
        "/volunteers?certificate=forged",
        "/series/new",
        "/plan?week=2026-12-21",
    ],
)
def test_the_page_fits_a_small_phone(live_server, browser, make_centre, make_meeting_point, make_user, path):
    centre = make_centre()
    make_meeting_point(centre)
    make_user("volunteer", centre, name="Anna Musterfrau-Langername")
    coordinator = make_user("coordinator", centre)
    page = browser.new_context(viewport={"width": 320, "height": 700}, locale="de-DE").new_page()
    log_in(page, live_server, coordinator.email)
    page.goto(f"{live_server}/centres/{centre.slug}{path}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
