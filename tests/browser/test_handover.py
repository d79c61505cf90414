""" "Übergeben" on a phone (390×844): a volunteer offers a full shift in two taps, a colleague
takes it on her own phone from "Übernahme-Angebote", the seat moves and nobody is overbooked; the
open question and the offers page pass axe and fit the screen."""

from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.test_accessibility import AXE, axe_problems, overflow_problems
from tests.browser.test_shift_flow import log_in
from volunteers.core import time
from volunteers.extensions import db
from volunteers.shifts.models import CONFIRMED, Shift, Signup
from volunteers.shifts.signups import sign_up

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "de-DE"}


def phone(browser, live_server, email):
    context = browser.new_context(**PHONE)
    if AXE.exists():
        context.add_init_script(AXE.read_text(encoding="utf-8"))
    page = context.new_page()
    log_in(page, live_server, email)
    return context, page


def check_page(page, what: str) -> None:
    if AXE.exists():
        assert axe_problems(page, what) == []
    assert overflow_problems(page, what) == []


def test_a_volunteer_hands_a_full_shift_to_a_colleague_on_phones(
    live_server, browser, make_centre, make_meeting_point, make_shift, make_user
):
    centre = make_centre("hsk")
    shift = make_shift(
        make_meeting_point(centre, name="Treffpunkt Meschede"), starts=time.now() + timedelta(days=3), capacity_max=1
    )
    giver = make_user("volunteer", centre, name="Kateryna Bondar")
    colleague = make_user("volunteer", centre, name="Omar Haddad")
    sign_up(shift=shift, volunteer=giver)
    db.session.commit()

    context, page = phone(browser, live_server, giver.email)
    page.goto(f"{live_server}/my/shifts")
    card = page.locator("main .card", has_text="Treffpunkt Meschede")
    card.locator("summary", has_text="Übergeben").tap()
    confirm = card.get_by_role("button", name="Ja, zur Übernahme anbieten")
    expect(confirm).to_be_visible()
    check_page(page, "my shifts, handover question open")
    confirm.tap()
    expect(page.get_by_role("status")).to_contain_text("zur Übernahme angeboten")
    expect(page.locator("main .card", has_text="Treffpunkt Meschede")).to_contain_text("Zur Übernahme angeboten")
    context.close()

    context, page = phone(browser, live_server, colleague.email)
    page.goto(f"{live_server}/my/shifts")
    page.get_by_role("link", name="Übernahme-Angebote von Kolleginnen und Kollegen").tap()
    offer = page.locator("main .handover-card", has_text="Treffpunkt Meschede")
    expect(offer).to_have_count(1)
    expect(offer).not_to_contain_text("Kateryna")  # colleagues do not learn who gives it away
    check_page(page, "handover offers")
    offer.get_by_role("button", name="Übernehmen").tap()
    expect(page.get_by_role("status")).to_have_text("Sie haben die Schicht übernommen. Danke!")
    expect(page.locator("main h1")).to_be_visible()
    context.close()

    db.session.rollback()
    confirmed = db.session.scalars(
        sa.select(Signup.user_id).where(Signup.shift_id == shift.id, Signup.status == CONFIRMED)
    ).all()
    assert confirmed == [colleague.id]
    assert db.session.scalar(sa.select(Shift.confirmed_count).where(Shift.id == shift.id)) == 1


def test_the_coordination_approves_a_waiting_handover_on_a_phone(
    live_server, browser, make_centre, make_meeting_point, make_shift, make_user
):
    from volunteers.shifts.handovers import accept_handover, offer_handover

    centre = make_centre("hsk")
    centre.handover_needs_approval = True
    shift = make_shift(make_meeting_point(centre), starts=time.now() + timedelta(days=3), capacity_max=1)
    giver = make_user("volunteer", centre, name="Kateryna Bondar")
    colleague = make_user("volunteer", centre, name="Omar Haddad")
    coordinator = make_user("coordinator", centre)
    offer = offer_handover(signup=sign_up(shift=shift, volunteer=giver), by=giver)
    accept_handover(offer=offer, taker=colleague)
    db.session.commit()

    context, page = phone(browser, live_server, coordinator.email)
    page.goto(f"{live_server}/centres/hsk/shifts/{shift.id}")
    section = page.locator("main section", has_text="Übergaben")
    expect(section).to_contain_text("Kateryna Bondar übergibt an Omar Haddad")
    check_page(page, "coordinator's shift page with a waiting handover")
    section.get_by_role("button", name="Übernahme bestätigen").tap()
    expect(page.get_by_role("status")).to_have_text("Die Übernahme ist bestätigt.")
    context.close()
    db.session.rollback()
    assert db.session.scalar(sa.select(Signup.status).where(Signup.user_id == colleague.id)) == CONFIRMED
