"""Check-in at the poster on a patchy network: the phone believes it is online (navigator.onLine
stays true) while the server cannot be reached. The tap waits in the browser's outbox with the
time of the tap, and when it finally arrives that time counts, not the time of sending."""

from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.test_offline import log_in
from tests.browser.waiting import wait_until
from volunteers.core import time
from volunteers.extensions import db
from volunteers.hours.models import CheckinScan
from volunteers.shifts.models import Signup
from volunteers.shifts.signups import sign_up

# Without the service worker: its Background Sync would send the outbox too, at a moment of its own,
# and the posts these tests count would depend on when the worker became ready.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "locale": "de-DE",
    "service_workers": "block",
}
CHECKINS_API = "**/api/v1/me/checkins"


class Network:
    """The route to the check-in API: cut (aborted) or through, counting the posts that got through."""

    def __init__(self, context):
        self.is_down = True
        self.posts = 0
        context.route(CHECKINS_API, self.handle)

    def handle(self, route):
        if route.request.method != "POST":
            route.continue_()
        elif self.is_down:
            route.abort("internetdisconnected")
        else:
            self.posts += 1
            route.continue_()


def stored_scans() -> list[CheckinScan]:
    db.session.rollback()  # see what the server committed since
    return db.session.scalars(sa.select(CheckinScan)).all()


def test_a_check_in_tapped_without_a_server_arrives_once_with_the_time_of_the_tap(
    live_server, browser, make_shift, make_user
):
    tapped_at = (time.now() + timedelta(minutes=1)).replace(second=0, microsecond=0)
    with time.freeze(time.now() - timedelta(days=2)):  # signed up before the shift began
        shift = make_shift(starts=tapped_at - timedelta(minutes=30), hours=3)
        volunteer = make_user("volunteer", shift.centre)
        sign_up(shift=shift, volunteer=volunteer)
        db.session.commit()
    context = browser.new_context(**PHONE)
    context.clock.set_fixed_time(tapped_at)  # the phone's clock: the moment of the tap
    page = context.new_page()
    log_in(page, live_server, volunteer)
    network = Network(context)
    page.goto(f"{live_server}/checkin/{shift.meeting_point.checkin_code}")
    assert page.evaluate("navigator.onLine") is True

    page.get_by_role("button", name="Ankommen / Gehen").click()
    status = page.locator("#js-status")
    expect(status).to_contain_text(f"Noch nicht übertragen: Ihr Scan um {time.to_berlin(tapped_at):%H:%M}")
    expect(status).to_be_focused()
    panel = page.locator("[data-outbox]")
    expect(panel).to_contain_text("noch nicht übertragen")
    [queued] = page.evaluate("Outbox.all()")
    assert queued["url"] == "/api/v1/me/checkins" and queued["state"] == "waiting"
    assert stored_scans() == []

    # The server is reached 40 minutes later: the scan still counts at the time of the tap.
    with time.travel(tapped_at + timedelta(minutes=40)):
        network.is_down = False
        page.reload()
        result = page.locator("[data-checkin-result]")
        expect(result).to_have_text(
            f"Angekommen um {time.to_berlin(tapped_at):%H:%M}. Schön, dass Sie da sind!", timeout=10000
        )
        expect(panel).to_be_hidden()
        page.evaluate("window.dispatchEvent(new Event('online'))")  # a second flush finds nothing to send
        wait_until(page, "() => Outbox.all().then((items) => items.length === 0)")
        [scan] = stored_scans()
        signup = db.session.scalar(sa.select(Signup).where(Signup.id == scan.signup_id))
        assert (scan.client_id, scan.direction, scan.scanned_at) == (queued["client_id"], "in", tapped_at)
        assert signup.checked_in_at == tapped_at and signup.shift_id == shift.id
        assert scan.received_at >= tapped_at + timedelta(minutes=40)
    assert network.posts == 1
    context.close()


def test_a_check_in_on_a_working_network_is_confirmed_at_once(live_server, browser, make_shift, make_user):
    tapped_at = time.now().replace(second=0, microsecond=0)
    with time.freeze(time.now() - timedelta(days=2)):
        shift = make_shift(starts=tapped_at - timedelta(hours=1), hours=3)
        volunteer = make_user("volunteer", shift.centre)
        sign_up(shift=shift, volunteer=volunteer).checked_in_at = tapped_at - timedelta(hours=1)
        db.session.commit()
    context = browser.new_context(**PHONE)
    context.clock.set_fixed_time(tapped_at)
    page = context.new_page()
    log_in(page, live_server, volunteer)
    page.goto(f"{live_server}/checkin/{shift.meeting_point.checkin_code}")
    page.get_by_role("button", name="Ankommen / Gehen").click()
    result = page.locator("[data-checkin-result]")
    expect(result).to_have_text(f"Gegangen um {time.to_berlin(tapped_at):%H:%M}. Danke für Ihren Einsatz!")
    expect(result).to_be_focused()
    [scan] = stored_scans()
    assert (scan.direction, scan.scanned_at) == ("out", tapped_at)
    assert page.evaluate("Outbox.all()") == []
    context.close()
