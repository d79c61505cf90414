""" "Testnachricht senden" answers with what happened: sent to N devices, no device, the push
service refused, the subscription expired (and is gone), too many tries, or a test email instead.
The pushes go to the local push service, which decrypts them as a browser would."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from volunteers.core import time
from volunteers.extensions import db
from volunteers.mail.models import OutgoingMail
from volunteers.push.models import Notification, PushSubscription


def send_test(json_client):
    response = json_client.send("POST", "/push/test")
    return response.status_code, response.get_json()


def devices_of(user):
    return list(db.session.scalars(sa.select(PushSubscription.user_id).where(PushSubscription.user_id == user.id)))


def test_sent_to_every_device_of_the_caller_at_once_and_to_nobody_else(
    make_user, json_client, subscribe, push_service, run_worker
):
    me, other = make_user(), make_user()
    subscribe(me, "phone"), subscribe(me, "laptop"), subscribe(other, "their-phone")
    status, answer = send_test(json_client.login(me))
    assert status == 200
    assert len(answer.pop("device_digests")) == 2
    assert answer == {
        "code": "sent",
        "delivered": 2,
        "removed": 0,
        "failed": 0,
        "emailed": False,
        "message": "Testnachricht an 2 Geräte geschickt. Sie sollte gleich erscheinen.",
    }
    assert sorted(r.browser for r in push_service.received) == ["laptop", "phone"]
    assert {r.payload["title"] for r in push_service.received} == {"Treffpunkt: Testnachricht"}
    assert push_service.errors == []
    assert run_worker() == {}  # nothing left in the outbox to be sent a second time
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_one_device_is_counted_in_the_singular(make_user, json_client, subscribe, push_service):
    me = make_user()
    subscribe(me, "phone")
    status, answer = send_test(json_client.login(me))
    assert (status, answer["delivered"]) == (200, 1)
    assert answer["message"] == "Testnachricht an 1 Gerät geschickt. Sie sollte gleich erscheinen."


def test_without_a_device_the_answer_says_so_and_suggests_switching_on(make_user, json_client):
    status, answer = send_test(json_client.login(make_user()))
    assert status == 409 and answer["error"]["code"] == "no_device"
    assert "schalten Sie zuerst Benachrichtigungen ein" in answer["error"]["message"]


def test_an_expired_subscription_is_removed_and_said_so(make_user, json_client, subscribe, push_service):
    me = make_user()
    subscribe(me, "phone")
    push_service.answer("phone", 410)
    status, answer = send_test(json_client.login(me))
    assert (status, answer["code"], answer["removed"], answer["delivered"]) == (200, "expired", 1, 0)
    assert "1 Gerät nicht mehr" in answer["message"]
    assert devices_of(me) == [] and answer["device_digests"] == []
    status, answer = send_test(json_client)  # now there is none: "switch on", not a second try
    assert (status, answer["error"]["code"]) == (409, "no_device")


def test_one_expired_among_working_devices_is_removed_the_others_reached(
    make_user, json_client, subscribe, push_service
):
    me = make_user()
    subscribe(me, "phone"), subscribe(me, "old-tablet")
    push_service.answer("old-tablet", 404)
    status, answer = send_test(json_client.login(me))
    assert (answer["code"], answer["delivered"], answer["removed"]) == ("sent", 1, 1)
    assert [r.browser for r in push_service.received] == ["phone"]
    assert len(devices_of(me)) == 1


@pytest.mark.parametrize("refusal", [403, 500])
def test_a_refusing_push_service_is_said_so_and_the_device_kept(
    make_user, json_client, subscribe, push_service, refusal
):
    me = make_user()
    subscribe(me, "phone")
    push_service.answer("phone", refusal)
    status, answer = send_test(json_client.login(me))
    assert (status, answer["code"], answer["failed"]) == (200, "refused", 1)
    assert "nicht angenommen" in answer["message"]
    [device] = db.session.scalars(sa.select(PushSubscription)).all()
    assert device.failure_count == 1


def test_at_most_one_a_minute_and_five_an_hour(make_user, json_client, subscribe, push_service, clock):
    me = make_user()
    subscribe(me, "phone")
    json_client.login(me)
    with time.freeze(clock):
        assert send_test(json_client)[0] == 200
        status, answer = send_test(json_client)
    assert status == 429 and answer["error"]["code"] == "too_many_requests"
    for minute in range(1, 5):
        with time.freeze(clock + timedelta(minutes=2 * minute)):
            assert send_test(json_client)[0] == 200
    with time.freeze(clock + timedelta(minutes=30)):
        assert send_test(json_client)[0] == 429  # the sixth within the hour
    with time.freeze(clock + timedelta(minutes=61)):
        assert send_test(json_client)[0] == 200
    assert len(push_service.received) == 6


def test_email_channel_sends_a_test_email_through_the_mail_outbox(app, make_user, json_client, subscribe, push_service):
    app.config["MAIL_SERVER"] = "mail.example.org"
    me = make_user()
    me.notify_channel = "email"
    subscribe(me, "phone")
    status, answer = send_test(json_client.login(me))
    assert (status, answer["code"], answer["emailed"]) == (200, "email_queued", True)
    [mail] = db.session.scalars(sa.select(OutgoingMail)).all()
    assert mail.recipient == me.email and mail.subject == "Treffpunkt: Test-E-Mail"
    assert push_service.received == []


def test_email_channel_without_a_mail_server_says_mail_is_not_set_up(app, make_user, json_client):
    app.config["MAIL_SERVER"] = ""
    me = make_user()
    me.notify_channel = "email"
    db.session.commit()
    status, answer = send_test(json_client.login(me))
    assert status == 409 and answer["error"]["code"] == "mail_not_configured"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingMail)) == 0


def test_both_channels_push_and_queue_a_test_email(app, make_user, json_client, subscribe, push_service):
    app.config["MAIL_SERVER"] = "mail.example.org"
    me = make_user()
    me.notify_channel = "both"
    subscribe(me, "phone")
    status, answer = send_test(json_client.login(me))
    assert (answer["code"], answer["delivered"], answer["emailed"]) == ("sent", 1, True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingMail)) == 1
