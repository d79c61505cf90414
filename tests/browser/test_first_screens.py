"""The first screens on a phone (390 × 844): the volunteer sees the next shift with its map link,
the coordinator sees what needs attention and sends a staffing call with one tap."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.helpers import PASSWORD
from volunteers.core import time
from volunteers.extensions import db
from volunteers.push.models import Notification
from volunteers.shifts.signups import sign_up

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "de-DE"}


def tomorrow_at(hour: int) -> datetime:
    tomorrow = time.to_berlin(time.now()).date() + timedelta(days=1)
    return time.berlin_local(datetime.combine(tomorrow, datetime.min.time()).replace(hour=hour))


def phone_signed_in(browser, base: str, email: str):
    page = browser.new_context(**PHONE).new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(base + "/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(base + "/")
    return page, errors


@pytest.fixture
def place(make_centre, make_meeting_point):
    centre = make_centre("duesseldorf", name="Kommunales Integrationszentrum Düsseldorf")
    return make_meeting_point(
        centre,
        name="Treffpunkt Oberbilk",
        street="Kölner Straße 265",
        postcode="40227",
        city="Düsseldorf",
        latitude=51.2131,
        longitude=6.8012,
        languages=["de", "ar"],
    )


def test_the_volunteer_sees_the_next_shift_with_its_map_link(live_server, browser, place, make_user, make_shift):
    volunteer = make_user("volunteer", place.centre, email="ehrenamt@example.org", name="Maria Schneider")
    amal = make_user("volunteer", place.centre, name="Amal Haddad")
    amal.shows_first_name = True
    shift = make_shift(place, starts=tomorrow_at(16), capacity_max=3)
    for person in (volunteer, amal):
        sign_up(shift=shift, volunteer=person)
    db.session.commit()

    page, errors = phone_signed_in(browser, live_server, volunteer.email)
    card = page.locator(".next-shift")
    expect(card.get_by_role("heading", name="Ihre nächste Schicht")).to_be_visible()
    expect(card).to_contain_text("Treffpunkt Oberbilk")
    expect(card).to_contain_text("Kölner Straße 265, 40227 Düsseldorf")
    expect(card).to_contain_text("Mit dabei: Amal")
    map_link = card.get_by_role("link", name="Auf der Karte zeigen (OpenStreetMap)")
    expect(map_link).to_be_visible()
    assert map_link.get_attribute("href") == (
        "https://www.openstreetmap.org/?mlat=51.2131&mlon=6.8012#map=18/51.2131/6.8012"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    card.get_by_role("link", name="Sprachcafé / Begegnung").tap()
    page.wait_for_url(f"{live_server}/shifts/{shift.id}")
    assert errors == []


def test_the_coordinator_sends_a_staffing_call_in_one_tap(live_server, browser, place, make_user, make_shift):
    coordinator = make_user("coordinator", place.centre, email="koordination@duesseldorf.example")
    speaker = make_user("volunteer", place.centre, name="Amal Haddad")
    speaker.languages = ["ar"]
    shift = make_shift(place, starts=tomorrow_at(16), capacity_min=2, capacity_max=3, languages=["ar"])
    db.session.commit()

    page, errors = phone_signed_in(browser, live_server, coordinator.email)
    expect(page.get_by_role("heading", name="Braucht Aufmerksamkeit")).to_be_visible()
    item = page.locator('[data-attention="understaffed"]')
    expect(item).to_contain_text("0 von mindestens 2 bestätigt")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    item.get_by_role("button", name="Aufruf senden").tap()
    expect(page.get_by_role("status")).to_have_text("Aufruf an 1 Ehrenamtliche verschickt.")
    db.session.commit()  # end the test's transaction: see what the server committed
    called = db.session.scalars(
        sa.select(Notification.user_id).where(
            Notification.kind == "staffing_call", Notification.url.contains(str(shift.id))
        )
    )
    assert list(called) == [speaker.id]
    assert errors == []
