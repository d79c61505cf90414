""" "Ich kann nicht" on a phone (390×844): asked, confirmed with a reason, the shift leaves "Meine
Schichten" and the first on the waitlist moves up; the open question passes axe and fits the screen."""

from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.test_accessibility import AXE, axe_problems, overflow_problems
from tests.browser.test_shift_flow import log_in
from volunteers.core import time
from volunteers.extensions import db
from volunteers.shifts.models import Signup
from volunteers.shifts.signups import sign_up

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "de-DE"}


def test_i_cannot_come_on_a_phone_frees_the_place_for_the_waitlist(
    live_server, browser, make_centre, make_meeting_point, make_shift, make_user
):
    centre = make_centre("hsk")
    shift = make_shift(
        make_meeting_point(centre, name="Treffpunkt Meschede"), starts=time.now() + timedelta(days=3), capacity_max=1
    )
    volunteer = make_user("volunteer", centre, name="Kateryna Bondar")
    waiting = make_user("volunteer", centre, name="Omar Haddad")
    sign_up(shift=shift, volunteer=volunteer)
    assert sign_up(shift=shift, volunteer=waiting).is_waitlisted
    db.session.commit()

    context = browser.new_context(**PHONE)
    if AXE.exists():
        context.add_init_script(AXE.read_text(encoding="utf-8"))
    page = context.new_page()
    log_in(page, live_server, volunteer.email)
    page.goto(f"{live_server}/my/shifts")
    card = page.locator("main .card", has_text="Treffpunkt Meschede")
    card.locator("summary", has_text="Ich kann nicht").tap()
    reason = card.get_by_label("Grund (freiwillig, nur für die Koordination)")
    expect(reason).to_be_visible()
    if AXE.exists():
        assert axe_problems(page, "my shifts, question open") == []
    assert overflow_problems(page, "my shifts, question open") == []
    db.session.rollback()
    assert db.session.scalar(sa.select(Signup).where(Signup.user_id == volunteer.id)).is_confirmed  # asking only
    reason.fill("Ich bin krank")
    card.get_by_role("button", name="Ja, ich kann nicht").tap()

    expect(page.get_by_role("status")).to_have_text("Sie sind ausgetragen.")
    expect(page.locator("main .card", has_text="Treffpunkt Meschede")).to_have_count(0)
    db.session.rollback()
    mine = db.session.scalar(sa.select(Signup).where(Signup.user_id == volunteer.id))
    assert mine.is_cancelled and mine.cancel_reason == "Ich bin krank"
    assert db.session.scalar(sa.select(Signup).where(Signup.user_id == waiting.id)).is_confirmed
    context.close()


def test_the_coordinators_shift_page_with_walk_in_and_message_passes_axe(
    live_server, browser, make_centre, make_meeting_point, make_shift, make_user
):
    centre = make_centre("hsk")
    shift = make_shift(make_meeting_point(centre), starts=time.now() - timedelta(minutes=30), hours=3)
    make_user("volunteer", centre, name="Omar Haddad")
    coordinator = make_user("coordinator", centre)
    db.session.commit()
    context = browser.new_context(**PHONE)
    if AXE.exists():
        context.add_init_script(AXE.read_text(encoding="utf-8"))
    page = context.new_page()
    log_in(page, live_server, coordinator.email)
    page.goto(f"{live_server}/centres/hsk/shifts/{shift.id}")
    expect(page.get_by_label("Ehrenamtliche Person", exact=True)).to_be_visible()
    expect(page.get_by_label("Nachricht an alle Eingetragenen")).to_be_visible()
    if AXE.exists():
        assert axe_problems(page, "coordinator's shift page") == []
    assert overflow_problems(page, "coordinator's shift page") == []
    page.get_by_label("Ehrenamtliche Person", exact=True).select_option(label="Omar Haddad")
    page.get_by_role("button", name="Als dabei erfassen").click()
    expect(page.get_by_role("status")).to_contain_text("Omar Haddad ist als spontan dabei erfasst")
    context.close()
