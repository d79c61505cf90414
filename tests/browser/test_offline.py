"""Nothing a volunteer typed is lost on a patchy network: the phone believes it is online
(navigator.onLine stays true) while the server cannot be reached, as behind a dead cell or a
captive portal. Hours and confirmed proposals wait in the browser's outbox until the server has
confirmed them, and arrive exactly once."""

from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.waiting import wait_until
from tests.helpers import PASSWORD
from volunteers.core import time
from volunteers.extensions import db
from volunteers.hours.models import HoursEntry
from volunteers.shifts.models import ATTENDED
from volunteers.shifts.signups import sign_up

# Without the service worker: its Background Sync would send the outbox too, at a moment of its own,
# and the posts these tests count would depend on when the worker became ready.
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "locale": "de-DE",
    "service_workers": "block",
}
HOURS_API = "**/api/v1/me/hours"


def log_in(page, base, user):
    page.goto(base + "/login")
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(base + "/")


def stored_entries():
    db.session.rollback()  # see what the server committed since
    return db.session.scalars(sa.select(HoursEntry)).all()


def outbox(page):
    return page.evaluate("Outbox.all()")


class Network:
    """The route to the API: cut (aborted or a captive portal's page) or through, counting posts."""

    def __init__(self, context):
        self._mode = "down"
        self.posts = 0  # the ones let through
        self.tried = 0  # posts tried since the mode last changed
        context.route(HOURS_API, self.handle)

    @property
    def mode(self):
        return self._mode

    @mode.setter
    def mode(self, mode):
        self._mode, self.tried = mode, 0

    def handle(self, route):
        if route.request.method != "POST":
            route.continue_()
            return
        self.tried += 1
        if self.mode == "down":
            route.abort("internetdisconnected")
        elif self.mode == "portal":  # a hotel wifi: 200 OK with its own page, nothing stored
            route.fulfill(status=200, content_type="text/html", body="<html><body>Bitte anmelden</body></html>")
        else:
            self.posts += 1
            route.continue_()

    def wait_until_tried(self, page):
        """Until the page has tried a post in this mode: changing the mode before would let a post
        that the test meant for this mode (the page sends on load, when it is ready) meet the next."""
        for _ in range(200):
            if self.tried:
                return
            page.wait_for_timeout(50)  # lets Playwright run the route handler
        raise AssertionError(f"no post tried in mode {self.mode}")


def test_hours_typed_while_the_server_is_unreachable_arrive_exactly_once(live_server, browser, make_centre, make_user):
    volunteer = make_user("volunteer", make_centre())
    context = browser.new_context(**PHONE)
    page = context.new_page()
    log_in(page, live_server, volunteer)
    network = Network(context)
    page.goto(live_server + "/hours")
    assert page.evaluate("navigator.onLine") is True

    page.get_by_label("Stunden", exact=True).fill("2")
    page.get_by_label("Minuten").fill("30")
    page.get_by_label("Tätigkeit").select_option("dolmetschen")
    page.get_by_label("Kurze Notiz").fill("Begleitung zum Jobcenter")
    page.get_by_role("button", name="Stunden eintragen").click()

    # The page says it is waiting, keeps the entry visible, and did not lose it to an error page.
    status = page.locator("#js-status")
    expect(status).to_contain_text("Noch nicht übertragen")
    expect(status).to_be_focused()
    panel = page.locator("[data-outbox]")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("2:30 h")
    expect(panel).to_contain_text("noch nicht übertragen")
    assert page.url == live_server + "/hours"
    assert stored_entries() == []
    [queued] = outbox(page)
    assert queued["payload"]["minutes"] == 150 and queued["state"] == "waiting"

    # A captive portal answers "200 OK" with its own page: that is no confirmation.
    network.mode = "portal"
    page.reload()
    network.wait_until_tried(page)
    expect(panel).to_contain_text("noch nicht übertragen")
    assert stored_entries() == [] and len(outbox(page)) == 1

    # Reachable again: sent on page load, and once more on "online" (a retry racing the first).
    network.mode = "up"
    page.reload()
    expect(status).to_contain_text("1 offline gespeicherter Eintrag ist jetzt übertragen.", timeout=10000)
    expect(panel).to_be_hidden()
    page.evaluate("(item) => Outbox.add(item)", {**queued, "user": queued["user"]})
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(page, "() => Outbox.all().then((items) => items.length === 0)")
    entries = stored_entries()
    assert [(e.minutes, e.activity, e.note, e.client_id) for e in entries] == [
        (150, "dolmetschen", "Begleitung zum Jobcenter", queued["client_id"])
    ]
    assert network.posts == 2  # sent twice, stored once: the API is idempotent on client_id
    context.close()


def test_a_refused_entry_is_shown_with_the_server_s_reason(live_server, browser, make_centre, make_user):
    volunteer = make_user("volunteer", make_centre())
    context = browser.new_context(**PHONE)
    page = context.new_page()
    log_in(page, live_server, volunteer)
    network = Network(context)
    page.goto(live_server + "/hours")
    tomorrow = (time.to_berlin(time.now()) + timedelta(days=1)).date().isoformat()
    page.get_by_label("Datum").fill(tomorrow)
    page.get_by_label("Stunden", exact=True).fill("1")
    page.get_by_label("Tätigkeit").select_option("dolmetschen")
    page.get_by_role("button", name="Stunden eintragen").click()
    expect(page.locator("#js-status")).to_contain_text("Noch nicht übertragen")

    network.mode = "up"
    page.reload()
    panel = page.locator("[data-outbox]")
    expect(panel).to_contain_text("nicht angenommen: Das Datum liegt in der Zukunft.", timeout=10000)
    assert stored_entries() == []
    panel.get_by_role("button", name="Verwerfen").click()
    expect(panel).to_be_hidden()
    assert outbox(page) == []
    context.close()


def test_a_proposal_confirmed_offline_is_stored_once_for_its_shift(live_server, browser, make_shift, make_user):
    with time.freeze(time.now() - timedelta(days=2)):  # signed up before the shift began
        shift = make_shift(starts=time.now() + timedelta(hours=1), hours=2)
        volunteer = make_user("volunteer", shift.centre)
        sign_up(shift=shift, volunteer=volunteer).attendance = ATTENDED
        db.session.commit()
    context = browser.new_context(**PHONE)
    page = context.new_page()
    log_in(page, live_server, volunteer)
    network = Network(context)
    page.goto(live_server + "/hours")
    confirm = page.get_by_role("button", name="Bestätigen")
    confirm.click()
    expect(page.locator("#js-status")).to_contain_text("Noch nicht übertragen")
    page.evaluate("document.getElementById('js-status').textContent = ''")
    confirm.click()  # tapped again: still one entry in the outbox, and it says so once it tried
    expect(page.locator("#js-status")).to_contain_text("Noch nicht übertragen")
    expect(page.locator("[data-outbox] li")).to_have_count(1)
    assert stored_entries() == []

    network.mode = "up"
    page.reload()
    expect(page.locator("#js-status")).to_contain_text("übertragen", timeout=10000)
    [entry] = stored_entries()
    assert (entry.shift_id, entry.minutes, entry.work_date) == (shift.id, 120, time.to_berlin(shift.starts_at).date())
    context.close()


def test_online_entries_are_saved_at_once_and_wrong_ones_get_the_page_s_errors(
    live_server, browser, make_centre, make_user
):
    volunteer = make_user("volunteer", make_centre())
    context = browser.new_context(**PHONE)
    page = context.new_page()
    log_in(page, live_server, volunteer)
    page.goto(live_server + "/hours")
    page.get_by_label("Tätigkeit").select_option("dolmetschen")
    page.get_by_role("button", name="Stunden eintragen").click()  # no duration
    expect(page.locator("[aria-invalid='true']").first).to_be_focused()
    assert page.title().startswith("Fehler:")
    page.get_by_label("Stunden", exact=True).fill("1")
    page.get_by_role("button", name="Stunden eintragen").click()
    expect(page.locator("#js-status")).to_have_text("Danke! 1:00 h sind eingetragen und warten auf Freigabe.")
    expect(page.locator("main table")).to_contain_text("1:00 h")
    assert [e.minutes for e in stored_entries()] == [60]
    assert outbox(page) == []
    context.close()


def test_a_form_that_needs_the_network_says_so_before_anything_is_typed(live_server, browser, make_centre, make_user):
    volunteer = make_user("volunteer", make_centre())
    context = browser.new_context(**PHONE)
    page = context.new_page()
    log_in(page, live_server, volunteer)
    page.goto(live_server + "/settings")
    page.route("**/healthz", lambda route: route.abort("internetdisconnected"))
    page.locator("main form[method='post'] input:not([type=hidden])").first.focus()
    expect(page.locator(".network-notice")).to_contain_text("Keine Verbindung")
    context.close()
