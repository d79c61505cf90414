"""The worker against the local push service: what arrives, and what each answer leads to."""

import json
import string
from contextlib import ExitStack
from datetime import timedelta
from email.utils import format_datetime

import pytest
import sqlalchemy as sa

from tests.push.test_endpoints import fake_dns
from volunteers.core.time import freeze, now
from volunteers.extensions import db
from volunteers.push import services, worker
from volunteers.push.delivery import MAX_PAYLOAD_BYTES, topic
from volunteers.push.models import (
    FAILED,
    NO_DEVICE,
    PENDING,
    SENDING,
    SENT,
    DeliveryAttempt,
    Notification,
    PushSubscription,
)
from volunteers.push.vapid import key_from_text, public_key_b64url
from volunteers.push.worker import MAX_ATTEMPTS, claim_due, deliver_claimed, release_claims


def queue(user, key="reminder-2h:shift:12:user:7", **values):
    defaults = {
        "kind": "reminder",
        "title": "Heute: Sprachcafé Siegen",
        "body": "Beginn 14:00 Uhr, Raum 2",
        "url": "/me/shifts",
    }
    notification = services.queue_notification(user=user, dedupe_key=key, **{**defaults, **values})
    db.session.commit()
    return notification


def notification_row() -> Notification:
    return db.session.scalar(sa.select(Notification))


def attempts_logged() -> list[tuple]:
    return list(
        db.session.execute(
            sa.select(
                DeliveryAttempt.outcome,
                DeliveryAttempt.status_code,
                DeliveryAttempt.push_host,
                DeliveryAttempt.subscription_id,
            ).order_by(DeliveryAttempt.id)
        )
    )


def test_the_device_receives_exactly_what_was_queued_with_ttl_urgency_and_topic(
    app, make_user, subscribe, push_service, run_worker
):
    user = make_user()
    subscribe(user, "phone")
    queue(user, expires_at=now() + timedelta(hours=2))
    assert run_worker() == {"sent": 1}
    assert push_service.errors == []
    [received] = push_service.received
    assert received.payload == {
        "title": "Heute: Sprachcafé Siegen",
        "body": "Beginn 14:00 Uhr, Raum 2",
        "url": "/me/shifts",
        "tag": "reminder-2h:shift:12:user:7",
        "lang": "de",  # the recipient's language, for the notification's lang and dir
    }
    assert 7100 <= int(received.headers["ttl"]) <= 7200
    assert received.headers["urgency"] == "high"
    assert received.headers["topic"] == topic("reminder-2h:shift:12:user:7")
    assert len(received.headers["topic"]) <= 32
    assert set(received.headers["topic"]) <= set(string.ascii_letters + string.digits + "-_")
    assert received.vapid_key == public_key_b64url(key_from_text(app.config["VAPID_PRIVATE_KEY"]))
    assert received.claims["sub"] == "mailto:betrieb@treffpunkt.example"
    notification = notification_row()
    assert (notification.status, notification.attempts, notification.last_error) == (SENT, 1, None)
    assert notification.sent_at is not None and notification.locked_until is None
    subscription = db.session.scalar(sa.select(PushSubscription))
    assert attempts_logged() == [("delivered", 201, "127.0.0.1", subscription.id)]
    assert subscription.last_success_at is not None


def test_a_long_body_is_shortened_to_fit_one_push(make_user, subscribe, push_service, run_worker):
    user = make_user()
    subscribe(user, "phone")
    queue(user, body="Größere Änderung im Schichtplan. " * 400)
    run_worker()
    [received] = push_service.received
    assert push_service.errors == []
    assert received.payload["body"].startswith("Größere Änderung") and received.payload["body"].endswith("…")
    encoded = json.dumps(received.payload, ensure_ascii=False, separators=(",", ":")).encode()
    assert MAX_PAYLOAD_BYTES - 8 <= len(encoded) <= MAX_PAYLOAD_BYTES


def test_without_any_device_the_notification_is_no_device(make_user, push_service, run_worker):
    queue(make_user())
    assert run_worker() == {"no_device": 1}
    assert notification_row().status == NO_DEVICE and push_service.answered == []


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_subscription_is_deleted(make_user, subscribe, push_service, run_worker, status):
    user = make_user()
    subscribe(user, "old-phone"), subscribe(user, "new-phone")
    push_service.answer("old-phone", status)
    queue(user)
    assert run_worker() == {"sent": 1}
    assert [s.endpoint.rsplit("/", 1)[1] for s in db.session.scalars(sa.select(PushSubscription))] == ["new-phone"]
    # The log keeps the attempt; its link to the deleted subscription is cleared.
    logged = attempts_logged()
    assert len(logged) == 2 and ("gone", status, "127.0.0.1", None) in logged


def test_when_the_only_device_is_gone_the_notification_is_no_device(make_user, subscribe, push_service, run_worker):
    user = make_user()
    subscribe(user, "phone")
    push_service.answer("phone", 410)
    queue(user)
    run_worker()
    assert notification_row().status == NO_DEVICE
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PushSubscription)) == 0


def test_429_waits_as_long_as_retry_after_says_in_seconds(make_user, subscribe, push_service, run_worker):
    user = make_user()
    subscribe(user, "phone")
    push_service.answer("phone", (429, {"Retry-After": "600"}))
    queue(user)
    at = now()
    with freeze(at):
        assert run_worker() == {"pending": 1}
    notification = notification_row()
    assert (notification.status, notification.attempts) == (PENDING, 1)
    assert notification.next_attempt_at == at + timedelta(seconds=600)
    assert notification.last_error == "HTTP 429 (127.0.0.1)"
    with freeze(at + timedelta(seconds=599)):
        assert run_worker() == {}  # not yet
    with freeze(at + timedelta(seconds=600)):
        assert run_worker() == {"sent": 1}
    assert push_service.answered == [("phone", 429), ("phone", 201)]


def test_429_honours_retry_after_as_an_http_date(make_user, subscribe, push_service, run_worker):
    user = make_user()
    subscribe(user, "phone")
    at = now().replace(microsecond=0)
    push_service.answer("phone", (429, {"Retry-After": format_datetime(at + timedelta(minutes=15), usegmt=True)}))
    with freeze(at):
        queue(user)
        assert run_worker() == {"pending": 1}
    assert notification_row().next_attempt_at == at + timedelta(minutes=15)


def test_server_errors_back_off_exponentially_until_the_last_attempt_fails(
    make_user, subscribe, push_service, run_worker
):
    user = make_user()
    subscribe(user, "phone")
    push_service.answer("phone", *[500, 503, 502, 500, 504, 500])
    queue(user, expires_at=now() + timedelta(days=3))
    at, delays = now(), []
    for _ in range(MAX_ATTEMPTS):
        with freeze(at):
            run_worker()
        notification = notification_row()
        if notification.status != PENDING:
            break
        delays.append(notification.next_attempt_at - at)
        at = notification.next_attempt_at
    assert delays == [timedelta(minutes=m) for m in (1, 5, 25, 125, 625)]
    assert (notification.status, notification.attempts) == (FAILED, MAX_ATTEMPTS)
    assert notification.last_error == "HTTP 500 (127.0.0.1)"
    assert db.session.scalar(sa.select(PushSubscription.failure_count)) == MAX_ATTEMPTS


def test_a_network_error_is_retried_quietly(make_user, subscribe, push_service, run_worker):
    user = make_user()
    browser = subscribe(user, "phone")
    push_service.stop()  # nobody listens on the port any more
    queue(user)
    assert run_worker() == {"pending": 1}
    notification = notification_row()
    assert notification.last_error == "ConnectionError (127.0.0.1)"
    assert browser.endpoint.split("/")[-1] not in notification.last_error
    assert attempts_logged()[0][:2] == ("retry", None)


def test_other_client_errors_fail_for_that_device(make_user, subscribe, push_service, run_worker):
    user = make_user()
    subscribe(user, "phone")
    push_service.answer("phone", 400)
    queue(user)
    assert run_worker() == {"failed": 1}
    assert attempts_logged()[0][:2] == ("failed", 400)
    assert db.session.scalar(sa.select(PushSubscription.failure_count)) == 1


def test_a_retry_goes_only_to_the_devices_that_did_not_get_it(make_user, subscribe, push_service, run_worker):
    user = make_user()
    subscribe(user, "phone"), subscribe(user, "laptop")
    push_service.answer("laptop", 503)
    queue(user)
    at = now()
    with freeze(at):
        assert run_worker() == {"pending": 1}
    with freeze(at + timedelta(minutes=1)):
        assert run_worker() == {"sent": 1}
    assert sorted(r.browser for r in push_service.received) == ["laptop", "phone"]
    assert sorted(push_service.answered) == [("laptop", 201), ("laptop", 503), ("phone", 201)]


def test_an_expired_notification_is_not_sent(make_user, subscribe, push_service, run_worker):
    user = make_user()
    subscribe(user, "phone")
    queue(user, due_at=now() - timedelta(hours=3), expires_at=now() - timedelta(minutes=1))
    assert run_worker() == {"failed": 1}
    assert notification_row().last_error == "expired before delivery" and push_service.answered == []


def test_future_notifications_wait_for_their_time(make_user, subscribe, push_service, run_worker):
    user = make_user()
    subscribe(user, "phone")
    due = now() + timedelta(hours=1)
    queue(user, due_at=due)
    assert run_worker() == {}
    with freeze(due):
        assert run_worker() == {"sent": 1}


def test_a_row_left_sending_by_a_killed_worker_is_delivered_after_its_lease(
    make_user, subscribe, push_service, run_worker
):
    user = make_user()
    subscribe(user, "phone")
    queue(user)
    notification = notification_row()
    notification.status, notification.attempts = SENDING, 1
    notification.locked_until = now() + timedelta(minutes=2)
    db.session.commit()
    assert run_worker() == {}  # the lease still runs: maybe that worker is just slow
    with freeze(now() + timedelta(minutes=2, seconds=1)):
        assert run_worker() == {"sent": 1}
    assert len(push_service.received) == 1 and notification_row().attempts == 2


def test_a_worker_whose_lease_was_taken_over_does_not_send(app, make_user, subscribe, push_service):
    user = make_user()
    subscribe(user, "phone")
    queue(user)
    db.session.commit()
    ids, lease = claim_due(limit=10)
    notification = notification_row()
    notification.locked_until = lease + timedelta(minutes=1)  # as another worker's later claim would
    db.session.commit()
    assert deliver_claimed(notification_id=ids[0], lease=lease, client=None) == "lost"
    assert push_service.answered == [] and notification_row().status == SENDING


def test_a_pass_whose_lease_is_nearly_over_gives_the_rest_back_untried(
    monkeypatch, make_user, subscribe, push_service, run_worker
):
    user = make_user()
    subscribe(user, "phone")
    queue(user, "a"), queue(user, "b")
    real_claim_due, clock = worker.claim_due, ExitStack()

    def claim_then_stall(**kwargs):
        claimed = real_claim_due(**kwargs)
        clock.enter_context(freeze(now() + worker.LEASE - worker.LEASE_RESERVE + timedelta(seconds=1)))
        return claimed

    monkeypatch.setattr(worker, "claim_due", claim_then_stall)
    with clock:
        assert run_worker() == {"released": 2}
    assert push_service.answered == []
    assert {(n.status, n.attempts) for n in db.session.scalars(sa.select(Notification))} == {(PENDING, 0)}


def test_a_notification_that_keeps_killing_workers_is_given_up(make_user, subscribe, push_service, run_worker):
    user = make_user()
    subscribe(user, "phone")
    queue(user)
    notification = notification_row()
    notification.status, notification.attempts = SENDING, MAX_ATTEMPTS
    notification.locked_until = now() - timedelta(seconds=1)
    db.session.commit()
    assert run_worker() == {"failed": 1}
    assert notification_row().last_error == "given up after repeated worker failures"
    assert push_service.answered == []


def test_released_claims_are_due_again_untried(app, make_user, subscribe):
    user = make_user()
    subscribe(user, "phone")
    queue(user)
    db.session.commit()
    ids, lease = claim_due(limit=10)
    release_claims(ids=ids, lease=lease)
    notification = notification_row()
    assert (notification.status, notification.attempts, notification.locked_until) == (PENDING, 0, None)


def test_an_endpoint_that_now_resolves_inside_our_network_gets_nothing(app, monkeypatch, make_user, run_worker):
    """DNS rebinding: public when the browser subscribed, internal when the worker sends."""
    from tests.push.push_service import Browser

    user = make_user()
    browser = Browser("phone", "https://push.example.net/wpush/v2/abc")
    fake_dns(monkeypatch, {"push.example.net": ["142.250.185.74"]})
    services.subscribe_device(user=user, endpoint=browser.endpoint, p256dh=browser.p256dh, auth=browser.auth)
    queue(user)
    fake_dns(monkeypatch, {"push.example.net": ["10.0.0.5"]})
    assert run_worker() == {"failed": 1}
    assert attempts_logged()[0][:3] == ("refused", None, "push.example.net")
    assert notification_row().last_error == "endpoint refused (push.example.net)"


def test_a_redirect_from_the_push_service_is_not_followed(make_user, subscribe, push_service, run_worker):
    user = make_user()
    subscribe(user, "phone")
    elsewhere = push_service.browser("elsewhere")
    push_service.answer("phone", (307, {"Location": elsewhere.endpoint}))
    queue(user)
    assert run_worker() == {"failed": 1}
    assert push_service.answered == [("phone", 307)]
    assert attempts_logged()[0][:2] == ("failed", 307)
