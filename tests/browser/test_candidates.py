"""In the browser: a coordinator fills an understaffed Arabic-speaking shift from the ranked list
with one tap on "Anfragen"; the volunteer opens the invitation on a phone (320 px wide) and
accepts with one tap. axe finds nothing serious on the pages on the way."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.test_accessibility import AXE, axe_problems
from tests.helpers import PASSWORD
from volunteers.availability.models import Invitation
from volunteers.core import time
from volunteers.extensions import db
from volunteers.shifts.models import Signup

pytestmark = pytest.mark.browser

NARROW_PHONE = {"viewport": {"width": 320, "height": 700}, "is_mobile": True, "has_touch": True, "locale": "de-DE"}


def signed_in(browser, base: str, email: str):
    page = browser.new_context(**NARROW_PHONE, bypass_csp=True).new_page()
    page.goto(base + "/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(base + "/")
    return page


def checked(page, label: str) -> list[str]:
    if not AXE.exists():
        pytest.skip("axe-core is missing: run `npm ci`")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    problems = axe_problems(page, label)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, label
    return problems


def test_a_coordinator_fills_an_arabic_shift_from_the_ranked_list(
    live_server, browser, make_centre, make_meeting_point, make_user, make_shift
):
    centre = make_centre("duesseldorf")
    place = make_meeting_point(centre, name="Treffpunkt Oberbilk")
    tomorrow = time.to_berlin(time.now()).date() + timedelta(days=1)
    starts = time.berlin_local(datetime.combine(tomorrow, datetime.min.time()).replace(hour=16))
    shift = make_shift(place, starts=starts, languages=["ar"], capacity_min=1, capacity_max=1)
    coordinator = make_user("coordinator", centre, email="koordination@duesseldorf.example")
    amal = make_user("volunteer", centre, name="Amal Haddad", email="amal@example.org")
    amal.languages = ["ar", "de"]
    only_german = make_user("volunteer", centre, name="Carla Schmitz")
    only_german.languages = ["de"]
    db.session.commit()

    page = signed_in(browser, live_server, coordinator.email)
    page.goto(f"{live_server}/centres/duesseldorf/shifts/{shift.id}")
    section = page.locator("#candidates")
    expect(section.locator(".candidate").first).to_contain_text("Amal Haddad")
    expect(section.locator(".candidate").first).to_contain_text("Spricht Arabisch")
    expect(section).not_to_contain_text("Carla Schmitz")
    problems = checked(page, "shift detail")
    section.locator(".candidate").first.get_by_role("button", name="Anfragen").tap()
    expect(page.locator("#candidates")).to_contain_text("Angefragt")
    db.session.commit()
    invitation = db.session.scalars(sa.select(Invitation)).one()

    phone = signed_in(browser, live_server, amal.email)
    phone.goto(f"{live_server}/invitations/{invitation.id}")
    expect(phone.get_by_role("heading", name="Können Sie diese Schicht übernehmen?")).to_be_visible()
    problems += checked(phone, "invitation")
    phone.get_by_role("button", name="Zusagen").tap()
    expect(phone.get_by_text("Danke! Sie sind eingetragen.")).to_be_visible()
    phone.goto(f"{live_server}/availability")
    problems += checked(phone, "availability")
    db.session.commit()
    assert db.session.scalars(sa.select(Signup.status).where(Signup.user_id == amal.id)).one() == "confirmed"
    assert problems == []
