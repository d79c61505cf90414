"""The invitation's notification in the real service worker: the push the worker would send shows
"Übernehmen" / "Ablehnen", and the worker's click handler (static/js/service-worker.js) answers
with the button's token, says how it went, and signs the person up exactly once."""

import json

import sqlalchemy as sa

from tests.browser.test_pwa import log_in, registration_id
from volunteers.availability.invitations import invite
from volunteers.availability.models import Invitation
from volunteers.core import time
from volunteers.extensions import db
from volunteers.push.delivery import build_message
from volunteers.push.models import Notification
from volunteers.shifts.models import Signup

NOTIFICATIONS = """async () => (await (await navigator.serviceWorker.ready).getNotifications())
    .map(n => ({title: n.title, body: n.body, actions: n.actions.map(a => a.action)}))"""

# In the worker: a click on the button of the notification shown, as the browser dispatches it.
CLICK = """async ([action, tag]) => {
  const [notification] = (await self.registration.getNotifications({tag})).filter(n => n.actions.length);
  const event = new NotificationEvent("notificationclick", {notification, action});
  let settled;
  event.waitUntil = (promise) => { settled = promise; };  // a synthetic event cannot extend itself
  self.dispatchEvent(event);
  await Promise.resolve(settled).catch(() => null);  // opening the page needs a real tap
  return (await self.registration.getNotifications()).map(n => n.title);
}"""


def shown_with_buttons(page) -> dict:
    """The notification with buttons, once the worker has shown it (asynchronously: the worker may
    have to start and fetch the icons first, seconds on a loaded machine)."""
    for _ in range(300):
        notes = [note for note in page.evaluate(NOTIFICATIONS) if note["actions"]]
        if notes:
            return notes[0]
        page.wait_for_timeout(100)
    raise AssertionError(f"no notification with buttons: {page.evaluate(NOTIFICATIONS)}")


def signed_in_phone(browser, live_server, person, payload: dict):
    """A browser (German, as the phone's own language) signed in as `person`, with notifications
    allowed, and the DevTools message that delivers `payload` to its service worker."""
    context = browser.new_context(permissions=["notifications"], locale="de-DE")
    page = context.new_page()
    log_in(page, live_server, person)  # signed in, as on a real phone: the tap still sends no cookie
    cdp = context.new_cdp_session(page)
    push = {
        "origin": live_server,
        "registrationId": registration_id(cdp, page, live_server),
        "data": json.dumps(payload),
    }
    return context, page, cdp, push


def test_the_accept_button_signs_up_once_and_says_so(
    live_server, browser, make_centre, make_meeting_point, make_user, make_shift
):
    centre = make_centre("duesseldorf")
    shift = make_shift(make_meeting_point(centre))
    amal, coordinator = make_user("volunteer", centre), make_user("coordinator", centre)
    invitation = invite(shift=shift, volunteer=amal, by=coordinator)
    db.session.commit()
    notification = db.session.scalar(sa.select(Notification).where(Notification.kind == "invitation"))
    payload = json.loads(build_message(notification=notification, at=time.now()).payload)

    context, page, cdp, push = signed_in_phone(browser, live_server, amal, payload)
    cdp.send("ServiceWorker.deliverPushMessage", push)
    assert shown_with_buttons(page)["actions"] == ["accept", "decline"]
    [worker] = context.service_workers

    titles = worker.evaluate(CLICK, ["accept", payload["tag"]])
    assert "Danke! Sie sind eingetragen." in titles
    assert not any(note["actions"] for note in page.evaluate(NOTIFICATIONS))  # the answered one is gone
    db.session.rollback()  # a new transaction sees what the server committed
    assert db.session.scalars(sa.select(Signup.status).where(Signup.user_id == amal.id)).all() == ["confirmed"]

    # The same button again (a push that came twice, another device): refused, nothing more booked.
    cdp.send("ServiceWorker.deliverPushMessage", push)
    shown_with_buttons(page)
    titles = worker.evaluate(CLICK, ["accept", payload["tag"]])
    assert "Diese Anfrage ist schon beantwortet." in titles
    db.session.rollback()  # a new transaction sees what the server committed
    assert db.session.scalars(sa.select(Signup.status).where(Signup.user_id == amal.id)).all() == ["confirmed"]
    assert db.session.get(Invitation, invitation.id).status == "accepted"
    context.close()


def test_the_notification_is_shown_in_the_recipient_s_language_and_direction(
    live_server, browser, make_centre, make_meeting_point, make_user, make_shift
):
    centre = make_centre("duesseldorf")
    amal, coordinator = make_user("volunteer", centre), make_user("coordinator", centre)
    amal.locale = "ar"
    invite(shift=make_shift(make_meeting_point(centre)), volunteer=amal, by=coordinator)
    db.session.commit()
    notification = db.session.scalar(sa.select(Notification).where(Notification.kind == "invitation"))
    payload = json.loads(build_message(notification=notification, at=time.now()).payload)
    assert payload["lang"] == "ar"

    context, page, cdp, push = signed_in_phone(browser, live_server, amal, payload)
    cdp.send("ServiceWorker.deliverPushMessage", push)
    shown = shown_with_buttons(page)
    languages = page.evaluate(
        """async () => (await (await navigator.serviceWorker.ready).getNotifications())
            .map(n => ({lang: n.lang, dir: n.dir, title: n.title}))"""
    )
    assert {"lang": "ar", "dir": "rtl", "title": shown["title"]} in languages
    assert shown["title"] == notification.title  # the Arabic text the worker would send
    context.close()
