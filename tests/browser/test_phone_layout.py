"""The phone layout (issue #17): a one-row header with a menu button, the hours history as cards
with the status in view, and long meeting-point names wrapping inside the week plan."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from volunteers.centres.models import Centre, MeetingPoint
from volunteers.demo.data import DEMO_PASSWORD
from volunteers.extensions import db

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_RUN = """() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
    resultTypes: ['violations']})"""
VOLUNTEER = "ehrenamt@example.org"
COORDINATOR = "koordination@duesseldorf.example"
# 60 characters without a space: nothing to break at but the CSS.
LONG_PLACE = "Begegnungszentrumsnachbarschaftsinitiativenräumlichkeitenxyz"


def log_in(page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(base + "/")


def header_height(page) -> float:
    return page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")


def serious_violations(page) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(AXE_RUN)
    return [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_phone_header_is_one_row_and_the_menu_opens_and_closes(demo_data, live_server, page, console_errors):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, COORDINATOR)
    menu = page.get_by_role("button", name="Menü")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    assert header_height(page) <= 64
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Einstellungen")).to_be_visible()
    assert not AXE.exists() or serious_violations(page) == []
    # The panel follows the button: the next Tab goes into it.
    menu.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#site-nav') !== null")
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    expect(menu).to_be_focused()

    menu.click()
    page.locator("main").click()  # a tap on the page closes it too
    expect(menu).to_have_attribute("aria-expanded", "false")
    assert console_errors == []


def test_menu_button_sits_at_the_inline_end_in_arabic(demo_data, live_server, page):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, VOLUNTEER)
    page.get_by_role("button", name="العربية").click()
    # wait_for_load_state() alone would return at once on the page before the redirect.
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.wait_for_load_state()
    menu = page.locator("[data-menu-button]")
    brand = page.locator(".brand").bounding_box()
    assert menu.bounding_box()["x"] < brand["x"]  # mirrored: the brand on the right, the button on the left
    assert header_height(page) <= 64
    menu.click()
    expect(page.locator("#site-nav")).to_be_visible()


def test_desktop_shows_the_navigation_without_a_button(demo_data, live_server, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, COORDINATOR)
    expect(page.locator("[data-menu-button]")).to_be_hidden()
    expect(
        page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Einstellungen")
    ).to_be_visible()


def test_without_javascript_the_navigation_is_a_list(demo_data, live_server, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844}, locale="de-DE")
    page = context.new_page()
    log_in(page, live_server, VOLUNTEER)
    expect(page.locator("[data-menu-button]")).to_be_hidden()
    expect(
        page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Meine Stunden")
    ).to_be_visible()
    context.close()


@pytest.mark.parametrize("width", [390, 320])
def test_hours_history_shows_the_status_on_a_phone(demo_data, live_server, page, width):
    page.set_viewport_size({"width": width, "height": 844})
    log_in(page, live_server, VOLUNTEER)
    page.goto(live_server + "/hours")
    statuses = page.locator("table.stacked-table td.hours-status")
    assert statuses.count() >= 3
    for index in range(statuses.count()):
        box = statuses.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, statuses.nth(index).inner_text()
        assert statuses.nth(index).inner_text().strip()
    assert no_sideways_scroll(page)
    # Nothing inside the table's own scroll box hides either.
    assert page.evaluate(
        "(() => { const s = document.querySelector('.table-scroll'); return s.scrollWidth <= s.clientWidth; })()"
    )
    # Still a table with its headers for screen readers.
    expect(page.get_by_role("columnheader", name="Status")).to_have_count(1)
    assert not AXE.exists() or serious_violations(page) == []


@pytest.mark.parametrize("width", [390, 1280])  # one column of days, and seven narrow ones
def test_long_meeting_point_name_wraps_inside_its_card_in_the_week_plan(demo_data, live_server, page, width):
    centre = db.session.scalar(sa.select(Centre).where(Centre.slug == "duesseldorf"))
    meeting_point = db.session.scalar(
        sa.select(MeetingPoint).where(MeetingPoint.centre_id == centre.id).order_by(MeetingPoint.id)
    )
    meeting_point.name = LONG_PLACE
    db.session.commit()
    page.set_viewport_size({"width": width, "height": 844})
    log_in(page, live_server, COORDINATOR)
    page.goto(f"{live_server}/centres/duesseldorf/plan")
    places = page.locator(".plan-place", has_text=LONG_PLACE[:20])
    assert places.count() >= 1
    for index in range(places.count()):
        place = places.nth(index).bounding_box()
        card = page.locator(".day").filter(has=places.nth(index)).bounding_box()
        assert card["x"] <= place["x"] and place["x"] + place["width"] <= card["x"] + card["width"]
        assert place["height"] > 30  # wrapped onto more than one line
    assert no_sideways_scroll(page)
