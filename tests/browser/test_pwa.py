"""The installable app: manifest, service worker, offline reading, offline hours sent once,
and a push shown by the real service worker."""

import json
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.waiting import wait_until
from tests.helpers import PASSWORD
from volunteers.extensions import db
from volunteers.hours.models import HoursEntry
from volunteers.shifts.signups import sign_up


def log_in(page, base, user):
    page.goto(base + "/login")
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(base + "/")


def wait_for_service_worker(page):
    """Until the service worker controls the page.

    Installing means fetching the whole shell (over 10 s once on a loaded machine). A page that was
    being loaded while the worker activated can miss its clients.claim() and stay uncontrolled; the
    next navigation is controlled, as it would be for a user, so reload once the worker is active."""
    page.wait_for_function("async () => Boolean(await navigator.serviceWorker.ready)", timeout=30000)
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=10000)


def hours_api_unreachable(context):
    """The hours API unreachable for the page and its worker alike, until the function returned is
    called. Not set_offline: Chromium then still thinks it is online and fires its own Background
    Sync at once, and the worker's fetch got through the emulation (an entry sent "offline")."""

    def unreachable(route):
        route.abort("internetdisconnected")

    context.route("**/api/v1/me/hours", unreachable)
    return lambda: context.unroute("**/api/v1/me/hours", unreachable)


def registration_id(cdp, page, base: str) -> str:
    """The service worker's registration for the whole app (DevTools protocol), for pushes."""
    registrations = {}
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.update(
            {r["scopeURL"]: r["registrationId"] for r in event["registrations"] if not r["isDeleted"]}
        ),
    )
    cdp.send("ServiceWorker.enable")
    page.goto(base + "/")
    wait_for_service_worker(page)
    for _ in range(300):  # up to 30 s: the event follows the worker's activation
        if base + "/" in registrations:
            break
        page.wait_for_timeout(100)
    return registrations[base + "/"]


def test_manifest_is_installable(live_server, page, client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    data = manifest.get_json(force=True)
    assert data["display"] == "standalone" and data["start_url"].startswith("/") and data["lang"] == "de"
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in data["icons"]:
        assert client.get(icon["src"]).status_code == 200
    page.goto(live_server + "/")
    assert "/manifest.webmanifest?lang=de" in page.evaluate("document.querySelector('link[rel=manifest]').href")


def test_the_installed_app_keeps_this_release_s_files_under_their_hashed_urls(live_server, page):
    page.goto(live_server + "/login")
    wait_for_service_worker(page)
    stylesheet = page.evaluate("document.querySelector('link[rel=stylesheet]').href")
    assert "/static/css/app.css?v=" in stylesheet
    caches = page.evaluate(
        """async () => {
          const names = await caches.keys();
          const shell = names.find((name) => name.startsWith("treffpunkt-shell-"));
          return {names, urls: shell ? (await (await caches.open(shell)).keys()).map((r) => r.url) : []};
        }"""
    )
    assert stylesheet in caches["urls"], caches
    assert live_server + "/offline" in caches["urls"]
    # The browser may keep it a year too: the URL changes when the file does.
    from_cache = page.evaluate("(url) => fetch(url).then((r) => r.headers.get('cache-control'))", stylesheet)
    assert from_cache == "public, max-age=31536000, immutable"


def test_my_shifts_readable_offline(live_server, browser, make_shift, make_user):
    shift = make_shift()
    volunteer = make_user("volunteer", shift.centre)
    sign_up(shift=shift, volunteer=volunteer)
    db.session.commit()
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="de-DE")
    page = context.new_page()
    log_in(page, live_server, volunteer)
    wait_for_service_worker(page)
    page.goto(live_server + "/my/shifts")  # online once: now kept for offline reading
    expect(page.locator("main")).to_contain_text(shift.meeting_point.address)
    # The worker keeps the copy after it answered the page (event.waitUntil): wait until it is kept.
    wait_until(page, "async () => Boolean(await caches.match('/my/shifts'))")
    context.set_offline(True)
    page.goto(live_server + "/my/shifts")
    expect(page.locator("main")).to_contain_text(shift.meeting_point.address)
    expect(page.locator("#offline-banner")).to_be_visible()
    page.goto(live_server + "/centres/")
    expect(page.locator("h1")).to_have_text("Keine Verbindung")
    context.close()


def hours_typed_while_unreachable(browser, live_server, volunteer, hours: str):
    """A phone with the app's worker that typed `hours` of interpreting while the hours API could
    not be reached: the context, the page and what makes the API reachable again."""
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    log_in(page, live_server, volunteer)
    page.goto(live_server + "/hours")
    wait_for_service_worker(page)
    reachable_again = hours_api_unreachable(context)
    page.get_by_label("Stunden", exact=True).fill(hours)
    page.get_by_label("Tätigkeit").select_option("dolmetschen")
    page.get_by_role("button", name="Eintragen").click()
    expect(page.locator("#js-status")).to_contain_text("Noch nicht übertragen")
    return context, page, reachable_again


def test_hours_logged_offline_are_sent_once_when_back_online(live_server, browser, make_centre, make_user):
    volunteer = make_user("volunteer", make_centre())
    context, page, reachable_again = hours_typed_while_unreachable(browser, live_server, volunteer, "2")
    queued = page.evaluate("Outbox.all()")
    assert len(queued) == 1 and queued[0]["payload"]["minutes"] == 120
    # An entry an earlier version kept in localStorage is adopted, not lost; the same one twice
    # (a retry racing the first send) is stored once.
    old = {"user": queued[0]["user"], **queued[0]["payload"]}
    page.evaluate("(item) => localStorage.setItem('treffpunkt-hours-queue', JSON.stringify([item]))", old)
    reachable_again()
    page.reload()
    expect(page.locator("#js-status")).to_contain_text("übertragen", timeout=10000)
    wait_until(page, "() => Outbox.all().then((items) => items.length === 0)")
    assert page.evaluate("localStorage.getItem('treffpunkt-hours-queue')") is None
    db.session.commit()
    entries = db.session.scalars(sa.select(HoursEntry)).all()
    assert [(e.minutes, e.activity, e.client_id) for e in entries] == [(120, "dolmetschen", queued[0]["client_id"])]
    context.close()


# In the worker: the browser's Background Sync event for the outbox, as Chromium dispatches it once
# it is online again (DevTools cannot fire it); its promise is what the browser would wait for.
SYNC = """async (tag) => {
  const event = new SyncEvent("sync", {tag});
  let settled;
  event.waitUntil = (promise) => { settled = promise; };  // a synthetic event cannot extend itself
  self.dispatchEvent(event);
  await settled;  // rejects while the server cannot be reached: the browser would try again
  return (await Outbox.all()).length;
}"""


def test_the_service_worker_sends_the_outbox_after_the_page_was_closed(live_server, browser, make_centre, make_user):
    volunteer = make_user("volunteer", make_centre())
    context, page, reachable_again = hours_typed_while_unreachable(browser, live_server, volunteer, "3")
    [queued] = page.evaluate("Outbox.all()")
    page.goto("about:blank")  # the page is gone: only the worker can send it now
    [worker] = context.service_workers
    with pytest.raises(Exception, match="still unreachable"):
        worker.evaluate(SYNC, "treffpunkt-outbox")  # kept, and the browser is told to try again
    db.session.commit()
    assert db.session.scalars(sa.select(HoursEntry)).all() == []
    reachable_again()
    assert worker.evaluate(SYNC, "treffpunkt-outbox") == 0
    db.session.commit()  # see what the server committed
    entries = db.session.scalars(sa.select(HoursEntry)).all()
    assert [(e.minutes, e.activity, e.client_id) for e in entries] == [(180, "dolmetschen", queued["client_id"])]
    context.close()


def test_the_manifest_speaks_the_person_s_language(live_server, page, client):
    data = client.get("/manifest.webmanifest?lang=ar").get_json(force=True)
    assert (data["lang"], data["dir"]) == ("ar", "rtl")
    assert [s["name"] for s in data["shortcuts"]] != ["Meine Schichten", "Stunden eintragen"]
    assert client.get("/manifest.webmanifest?lang=xx").get_json(force=True)["lang"] == "de"
    page.goto(live_server + "/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")  # the page after the redirect
    expect(page.locator("link[rel=manifest]")).to_have_attribute("href", re.compile(r"[?&]lang=en$"))
    for name, value in [
        ("apple-mobile-web-app-title", "Treffpunkt"),
        ("apple-mobile-web-app-status-bar-style", "default"),
        ("mobile-web-app-capable", "yes"),
    ]:
        assert page.locator(f"meta[name={name}]").get_attribute("content") == value


def test_push_is_shown_by_the_service_worker(live_server, browser, make_centre, make_user):
    context = browser.new_context(permissions=["notifications"], locale="de-DE")
    page = context.new_page()
    log_in(page, live_server, make_user("volunteer", make_centre()))
    cdp = context.new_cdp_session(page)
    registration = registration_id(cdp, page, live_server)
    payload = {
        "title": "Erinnerung: Sprachcafé morgen",
        "body": "Di 16:00 · Kölner Straße 265",
        "url": "/my/shifts",
        "tag": "shift-1",
    }
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": live_server, "registrationId": registration, "data": json.dumps(payload)},
    )
    notes = []
    for _ in range(300):  # the worker shows it asynchronously, seconds on a loaded machine
        notes = page.evaluate("""async () => (await (await navigator.serviceWorker.ready).getNotifications())
                                 .map(n => ({title: n.title, body: n.body, url: n.data.url}))""")
        if notes:
            break
        page.wait_for_timeout(100)
    assert notes == [{"title": payload["title"], "body": payload["body"], "url": "/my/shifts"}]
    context.close()


def test_the_page_that_installs_the_app_is_served_by_it_without_a_reload(live_server, page):
    """clients.claim(): the page that registered the service worker is controlled by it once it is
    active. Here the registration waits for the page's load event, so that the page is complete
    when the worker activates (one still loading may be missed: wait_for_service_worker)."""
    page.add_init_script(
        """(() => {
          const container = navigator.serviceWorker;
          const register = container.register.bind(container);
          container.register = (...args) => new Promise((resolve, reject) => {
            window.addEventListener("load", () => setTimeout(() => register(...args).then(resolve, reject)));
          });
        })()"""
    )
    page.goto(live_server + "/login")
    page.wait_for_function("async () => Boolean(await navigator.serviceWorker.ready)", timeout=30000)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=10000)
