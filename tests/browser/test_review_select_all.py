"""The review queue's "Alle auf dieser Seite auswählen" in a real browser: one tick selects every
entry the coordinator may approve, unticking one leaves the box half-ticked, and the bulk approval
then approves exactly the ticked ones. Without JavaScript the box is not there at all."""

from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.test_shift_flow import log_in
from volunteers.extensions import db
from volunteers.hours.models import APPROVED, SUBMITTED, HoursEntry


def _entries(centre, volunteer, count, today):
    db.session.add_all(
        HoursEntry(
            centre_id=centre.id,
            user_id=volunteer.id,
            work_date=today - timedelta(days=1 + n),
            minutes=60,
            activity="sprachcafe",
            baustein="B",
            status=SUBMITTED,
        )
        for n in range(count)
    )
    db.session.commit()


def _approved():
    db.session.commit()  # see what the server committed
    return db.session.scalar(sa.select(sa.func.count()).where(HoursEntry.status == APPROVED))


def test_select_all_ticks_every_entry_and_approves_them(
    live_server, browser, make_centre, make_user, console_errors, today
):
    centre = make_centre()
    coordinator = make_user("coordinator", centre)
    _entries(centre, make_user("volunteer", centre, name="Maria Schneider"), 4, today)
    page = browser.new_context(viewport={"width": 320, "height": 800}, locale="de-DE").new_page()
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    log_in(page, live_server, coordinator.email)
    page.goto(f"{live_server}/centres/{centre.slug}/hours")

    select_all = page.get_by_label("Alle auf dieser Seite auswählen")
    boxes = page.locator("input.hours-select")
    expect(select_all).to_be_visible()
    expect(boxes).to_have_count(4)
    select_all.check()
    for n in range(4):
        expect(boxes.nth(n)).to_be_checked()
    boxes.nth(0).uncheck()
    assert page.evaluate("document.getElementById('select-all-entries').indeterminate") is True
    expect(select_all).not_to_be_checked()
    boxes.nth(0).check()
    expect(select_all).to_be_checked()
    boxes.nth(3).uncheck()
    page.get_by_role("button", name="Ausgewählte freigeben").click()
    expect(page.get_by_role("status").first).to_contain_text("3 Einträge freigegeben.")
    assert _approved() == 3
    page.wait_for_load_state()  # the whole new page, not only its message
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert console_errors == []


def test_without_javascript_the_box_stays_hidden_and_single_ticks_work(
    live_server, browser, make_centre, make_user, today
):
    centre = make_centre()
    coordinator = make_user("coordinator", centre)
    _entries(centre, make_user("volunteer", centre), 2, today)
    page = browser.new_context(java_script_enabled=False, locale="de-DE").new_page()
    log_in(page, live_server, coordinator.email)
    page.goto(f"{live_server}/centres/{centre.slug}/hours")
    expect(page.get_by_label("Alle auf dieser Seite auswählen")).to_be_hidden()
    page.locator("input.hours-select").first.check()
    page.get_by_role("button", name="Ausgewählte freigeben").click()
    expect(page.get_by_role("status").first).to_contain_text("1 Eintrag freigegeben.")  # the server answered
    assert _approved() == 1
