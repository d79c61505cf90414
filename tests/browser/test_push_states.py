"""The settings page's device panel says where the person stands, as the browser and the server
see it: no push in this browser, an iPhone outside the home screen, notifications blocked, no
device yet, on (and on how many devices), and what "Testnachricht senden" came to. The browser's
push service cannot be reached here, so pushManager is stubbed with a fake subscription whose
endpoint is the local push service of tests/push, which decrypts what the app really sends."""

import json
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.helpers import PASSWORD
from tests.push.push_service import PushService
from volunteers.core import time
from volunteers.extensions import db
from volunteers.push.services import subscribe_device

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
# A subscription kept in localStorage, so that it outlives a reload as a real one does.
FAKE_PUSH_MANAGER = """
(subscription) => {
  const stored = () => localStorage.getItem("fake-push") === "on";
  const fake = {
    endpoint: subscription.endpoint,
    toJSON: () => subscription,
    unsubscribe: async () => { localStorage.removeItem("fake-push"); return true; },
  };
  PushManager.prototype.getSubscription = async function () { return stored() ? fake : null; };
  PushManager.prototype.subscribe = async function () { localStorage.setItem("fake-push", "on"); return fake; };
}
"""


@pytest.fixture
def app(app):
    app.config["PUSH_ALLOW_LOOPBACK"] = True
    return app


@pytest.fixture
def push_service():
    service = PushService().start()
    yield service
    service.stop()


def settings_page(browser, base, user, *, permissions=("notifications",), init_script=None, **context_args):
    context = browser.new_context(permissions=list(permissions), locale="de-DE", **context_args)
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    page.goto(base + "/login")
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(base + "/")
    page.goto(base + "/settings")
    return page


def panel_state(page, state):
    # Set once the service worker is ready, after it kept the whole shell: seconds on a loaded machine.
    expect(page.locator("[data-push-panel]")).to_have_attribute("data-push-state", state, timeout=30000)
    return page.locator("[data-push-status]")


def with_fake_push_manager(subscription: dict) -> str:
    return f"if (window.PushManager) ({FAKE_PUSH_MANAGER})({json.dumps(subscription)});"


def test_switching_on_then_a_test_message_then_an_expired_subscription(live_server, browser, make_user, push_service):
    volunteer = make_user()
    phone = push_service.browser("phone")
    page = settings_page(browser, live_server, volunteer, init_script=with_fake_push_manager(phone.to_json()))
    status = panel_state(page, "none")
    expect(status).to_have_text(
        "Für Ihr Konto ist noch kein Gerät angemeldet. Schalten Sie Benachrichtigungen hier ein, "
        "dann erinnern wir Sie auf diesem Gerät."
    )
    page.get_by_role("button", name="Benachrichtigungen einschalten").click()
    expect(panel_state(page, "on")).to_have_text(
        "Benachrichtigungen sind auf diesem Gerät eingeschaltet – insgesamt auf 1 Gerät."
    )
    page.reload()  # the server knows this device: still on
    panel_state(page, "on")

    page.get_by_role("button", name="Testnachricht senden").click()
    result = page.locator("[data-push-test-result]")
    expect(result).to_have_text("Testnachricht an 1 Gerät geschickt. Sie sollte gleich erscheinen.")
    assert [r.payload["title"] for r in push_service.received] == ["Treffpunkt: Testnachricht"]

    push_service.answer("phone", 410)
    # The limit is one a minute: the server's clock moves on instead of the test waiting.
    with time.freeze(time.now() + timedelta(minutes=2)):
        page.get_by_role("button", name="Testnachricht senden").click()
        expect(result).to_contain_text("Der Push-Dienst kennt 1 Gerät nicht mehr; wir haben es entfernt.")
    expect(panel_state(page, "none")).to_contain_text("noch kein Gerät angemeldet")
    expect(page.get_by_role("button", name="Benachrichtigungen einschalten")).to_be_visible()


def test_an_iphone_outside_the_home_screen_is_told_the_steps(live_server, browser, make_user):
    page = settings_page(
        browser, live_server, make_user(), user_agent=IPHONE, viewport={"width": 375, "height": 740}, is_mobile=True
    )
    expect(panel_state(page, "ios-home-screen")).to_contain_text("zuerst zum Home-Bildschirm hinzufügen")
    steps = page.locator("[data-push-ios-steps] li")
    expect(steps).to_have_count(3)
    expect(steps.first).to_be_visible()
    expect(page.get_by_role("button", name="Benachrichtigungen einschalten")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_blocked_notifications_say_how_to_allow_them(live_server, browser, make_user):
    page = settings_page(
        browser,
        live_server,
        make_user(),
        permissions=(),
        init_script="Object.defineProperty(Notification, 'permission', {get: () => 'denied'});",
    )
    expect(panel_state(page, "denied")).to_contain_text("„Benachrichtigungen“ auf „Zulassen“ stellen")
    expect(page.get_by_role("button", name="Benachrichtigungen einschalten")).to_be_hidden()


def test_a_browser_without_push_says_so(live_server, browser, make_user):
    page = settings_page(browser, live_server, make_user(), init_script="delete window.PushManager;")
    expect(panel_state(page, "unsupported")).to_have_text(
        "Dieser Browser kann keine Push-Nachrichten empfangen. Wählen Sie oben E-Mail, "
        "oder öffnen Sie Treffpunkt in einem anderen Browser."
    )


def test_off_here_but_on_elsewhere_counts_the_other_devices(live_server, browser, make_user, push_service):
    volunteer = make_user()
    for name in ("laptop", "tablet"):
        other = push_service.browser(name)
        subscribe_device(user=volunteer, endpoint=other.endpoint, p256dh=other.p256dh, auth=other.auth)
    db.session.commit()
    phone = push_service.browser("phone")
    page = settings_page(browser, live_server, volunteer, init_script=with_fake_push_manager(phone.to_json()))
    expect(panel_state(page, "off")).to_have_text(
        "Auf diesem Gerät sind Benachrichtigungen aus. Eingeschaltet sind sie auf 2 anderen Geräten."
    )
