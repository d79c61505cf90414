"""BITV 2.0 findings of the audit, each tried in a real browser: reflow at 320 px and at 200 % text,
focus after a redirect and after a failed submit ("Fehler:" in the title), mirrored arrows and
Arabic commas, confirmation steps, a copy-week form that is not invalid before anyone typed, and
the accessibility statement's contact point and enforcement body from the installation's settings."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.helpers import PASSWORD
from volunteers.core import time
from volunteers.demo.data import DEMO_PASSWORD
from volunteers.extensions import db
from volunteers.shifts.models import Signup
from volunteers.shifts.signups import sign_up

PHONE = {"viewport": {"width": 320, "height": 640}, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1280, "height": 900}}
COORDINATOR = "koordination@duesseldorf.example"
WIDE = """() => [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .slice(0, 5).map((el) => el.tagName + '.' + el.className)"""


def log_in(page, base, email, password=PASSWORD):
    page.goto(base + "/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(base + "/")


def new_page(browser, screen, locale="de-DE"):
    return browser.new_context(locale=locale, service_workers="block", **screen).new_page()


@pytest.mark.parametrize(
    ("screen", "text_size"),
    [(PHONE, "100%"), (DESK, "200%")],
    ids=["320px", "200%-text"],
)
@pytest.mark.parametrize("path", ["/centres/duesseldorf/hours", "/centres/duesseldorf/series/new"])
def test_hours_review_and_series_form_reflow(live_server, browser, demo_data, screen, text_size, path):
    page = new_page(browser, screen)
    log_in(page, live_server, COORDINATOR, DEMO_PASSWORD)
    page.goto(live_server + path)
    page.evaluate("(size) => { document.documentElement.style.fontSize = size; }", text_size)
    width = screen["viewport"]["width"]
    assert page.locator("main table, main form").count() > 0  # the page has what could overflow
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= width, (page_width, page.evaluate(WIDE))
    page.context.close()


def test_focus_goes_to_the_message_after_a_redirect(live_server, browser, make_shift, make_user):
    shift = make_shift(starts=time.now() + timedelta(days=3))
    volunteer = make_user("volunteer", shift.centre)
    db.session.commit()
    page = new_page(browser, PHONE)
    log_in(page, live_server, volunteer.email)
    page.goto(f"{live_server}/shifts/{shift.id}")
    page.get_by_role("button", name="Eintragen").click()
    flash = page.locator("main .flashes .flash")
    expect(flash).to_have_text("Sie sind eingetragen. Danke!")
    expect(flash).to_be_focused()
    assert not page.title().startswith("Fehler")
    page.context.close()


def test_a_failed_submit_focuses_the_first_invalid_field_and_says_so_in_the_title(
    live_server, browser, make_centre, make_user
):
    centre = make_centre()
    coordinator = make_user("coordinator", centre)
    page = new_page(browser, DESK)
    log_in(page, live_server, coordinator.email)
    page.goto(f"{live_server}/centres/{centre.slug}/series/new")
    title = page.title()
    page.get_by_role("button", name="Serie anlegen").click()
    first_invalid = page.locator("main [aria-invalid='true']").first
    expect(first_invalid).to_be_focused()
    assert page.title() == "Fehler: " + title
    page.context.close()


def test_arrows_turn_and_lists_use_the_arabic_comma_in_arabic(live_server, browser, make_shift, make_user):
    shift = make_shift(starts=time.now() + timedelta(days=3), languages=["de", "ar"])
    volunteer = make_user("volunteer", shift.centre)
    db.session.commit()
    page = new_page(browser, PHONE)
    log_in(page, live_server, volunteer.email)
    page.get_by_role("button", name="العربية").click()
    # A locator, not a polled script: during the redirect there is a moment without a document.
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.goto(f"{live_server}/shifts/{shift.id}")
    arrow = page.locator("main .arrow").first
    assert arrow.evaluate("(el) => getComputedStyle(el).transform") == "matrix(-1, 0, 0, 1, 0, 0)"
    # The languages list and the date (German addresses keep their own commas).
    when = page.locator("main .facts dd").first.inner_text()
    assert "، " in when and ", " not in when, when
    assert "الألمانية، العربية" in page.locator("main .facts").inner_text()
    page.goto(f"{live_server}/shifts")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    field, date = page.locator(".filters .field", has=page.locator("#filter-from")), page.locator("#filter-from")
    field_box, date_box = field.bounding_box(), date.bounding_box()
    assert (
        date_box["x"] >= field_box["x"] - 1
        and date_box["x"] + date_box["width"] <= field_box["x"] + field_box["width"] + 1
    )
    page.context.close()


def test_the_report_s_bars_grow_from_the_right_in_arabic_with_their_labels_beside_them(live_server, browser, demo_data):
    page = new_page(browser, DESK)
    log_in(page, live_server, COORDINATOR, DEMO_PASSWORD)
    page.get_by_role("button", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    year_ago = time.to_berlin(time.now()).date() - timedelta(days=365)
    page.goto(f"{live_server}/reports/centre/duesseldorf?from={year_ago}&to={year_ago + timedelta(days=365)}")
    chart = page.locator("svg[aria-labelledby^='chart-activity']")
    label, bar, value = (chart.locator(tag).first.bounding_box() for tag in ("text", "rect", "text >> nth=1"))
    assert bar["width"] > 0, "the demo's hours give the chart a bar"
    # Label right of its bar, value left of it: nothing runs into the bar.
    assert label["x"] >= bar["x"] + bar["width"], (label, bar)
    assert value["x"] + value["width"] <= bar["x"], (value, bar)
    page.context.close()


def test_austragen_takes_two_steps(live_server, browser, make_shift, make_user):
    shift = make_shift(starts=time.now() + timedelta(days=3))
    volunteer = make_user("volunteer", shift.centre)
    sign_up(shift=shift, volunteer=volunteer)
    db.session.commit()
    page = new_page(browser, PHONE)
    log_in(page, live_server, volunteer.email)
    page.goto(f"{live_server}/shifts/{shift.id}")
    page.locator("main summary", has_text="Ich kann nicht").click()
    db.session.rollback()
    assert db.session.scalar(sa.select(Signup)).is_confirmed  # asking is not cancelling
    page.get_by_role("button", name="Ja, ich kann nicht").click()
    expect(page.locator("main .flashes .flash")).to_be_focused()
    db.session.rollback()
    assert db.session.scalar(sa.select(Signup)).is_cancelled
    page.context.close()


def test_the_coordinator_confirms_before_a_shift_is_cancelled(live_server, browser, make_shift, make_user):
    shift = make_shift(starts=time.now() + timedelta(days=3))
    coordinator = make_user("coordinator", shift.centre)
    db.session.commit()
    page = new_page(browser, DESK)
    log_in(page, live_server, coordinator.email)
    page.goto(f"{live_server}/centres/{shift.centre.slug}/shifts/{shift.id}")
    reason = page.get_by_label("Grund der Absage")
    expect(reason).to_be_hidden()  # behind "Schicht absagen …"
    page.locator("main summary", has_text="Schicht absagen").click()
    reason.fill("Raum nicht verfügbar")
    page.get_by_role("button", name="Schicht endgültig absagen").click()
    expect(page.locator("main .flashes .flash")).to_be_focused()
    page.context.close()


def test_the_copy_week_date_is_not_invalid_before_anyone_typed(live_server, browser, make_centre, make_user):
    centre = make_centre()
    coordinator = make_user("coordinator", centre)
    page = new_page(browser, DESK)
    log_in(page, live_server, coordinator.email)
    page.goto(f"{live_server}/centres/{centre.slug}/plan")
    target = page.get_by_label("In die Woche vom")
    assert target.evaluate("(el) => el.required && el.validity.valid && el.value !== ''")
    assert target.get_attribute("aria-invalid") is None
    page.context.close()


def test_the_statement_names_the_contact_point_and_the_enforcement_body(app, client):
    app.config.update(ACCESSIBILITY_CONTACT_EMAIL="barrierefrei@ki.example", ACCESSIBILITY_CONTACT_PHONE="0211 123")
    page = client.get("/accessibility").get_data(as_text=True)
    assert "[" not in page.split("<main", 1)[1]  # no placeholders left for the operator
    assert 'href="mailto:barrierefrei@ki.example"' in page and 'href="tel:0211123"' in page
    assert "ombudsstelle-barrierefreie-it@mags.nrw.de" in page and "https://www.lbbp.nrw.de/ombudsstelle" in page
    app.config.pop("ACCESSIBILITY_CONTACT_EMAIL")
    app.config.pop("ACCESSIBILITY_CONTACT_PHONE")
    assert "noch keine eigene Kontaktstelle" in client.get("/accessibility").get_data(as_text=True)
