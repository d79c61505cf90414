"""The PWA's JSON endpoints: VAPID key, subscribe, unsubscribe, test push; CSRF and input checks."""

import base64
import os

import pytest
import sqlalchemy as sa

from tests.helpers import csrf_token
from tests.push.push_service import b64url, b64url_decode
from volunteers.extensions import db
from volunteers.push.models import Notification, PushSubscription
from volunteers.push.vapid import key_from_text, public_key_b64url


def stored_subscriptions():
    return list(db.session.scalars(sa.select(PushSubscription).order_by(PushSubscription.id)))


def error_of(response) -> dict:
    return response.get_json()["error"]


def test_vapid_public_key_is_the_configured_keys_uncompressed_point(app, client):
    response = client.get("/push/vapid-public-key")
    assert response.status_code == 200
    public_key = response.get_json()["publicKey"]
    point = b64url_decode(public_key)
    assert "=" not in public_key and len(point) == 65 and point[0] == 4
    assert public_key == public_key_b64url(key_from_text(app.config["VAPID_PRIVATE_KEY"]))
    assert client.get("/push/vapid-public-key").get_json()["publicKey"] == public_key


def test_subscribe_stores_the_browsers_subscription(make_user, push_service, json_client):
    user = make_user()
    browser = push_service.browser("phone")
    response = json_client.login(user).send("POST", "/push/subscriptions", browser.to_json())
    assert response.status_code == 201, response.get_data(as_text=True)
    [subscription] = stored_subscriptions()
    assert (subscription.user_id, subscription.endpoint) == (user.id, browser.endpoint)
    assert (subscription.p256dh, subscription.auth) == (browser.p256dh, browser.auth)


def test_the_same_browser_subscribing_again_updates_and_moves_to_the_new_user(
    make_user, push_service, json_client, subscribe
):
    first, second = make_user(), make_user()
    browser = subscribe(first, "shared-tablet")
    new_auth = b64url(os.urandom(16))
    body = {**browser.to_json(), "keys": {"p256dh": browser.p256dh, "auth": new_auth}}
    assert json_client.login(second).send("POST", "/push/subscriptions", body).status_code == 201
    [subscription] = stored_subscriptions()
    assert (subscription.user_id, subscription.auth) == (second.id, new_auth)


BAD_INPUT = {  # what is wrong: (how the browser's JSON is changed, the field named in the error)
    "no keys": (lambda b: {"endpoint": b["endpoint"]}, "keys.p256dh"),
    "no p256dh": (lambda b: {**b, "keys": {"auth": b["keys"]["auth"]}}, "keys.p256dh"),
    "no auth": (lambda b: {**b, "keys": {"p256dh": b["keys"]["p256dh"]}}, "keys.auth"),
    "p256dh not base64url": (lambda b: {**b, "keys": {**b["keys"], "p256dh": "nicht/base64+url!"}}, "keys.p256dh"),
    "p256dh 64 bytes": (
        lambda b: {**b, "keys": {**b["keys"], "p256dh": b64url(b"\x04" + os.urandom(63))}},
        "keys.p256dh",
    ),
    "p256dh not 0x04": (
        lambda b: {**b, "keys": {**b["keys"], "p256dh": b64url(b"\x05" + os.urandom(64))}},
        "keys.p256dh",
    ),
    "p256dh off the curve": (
        lambda b: {**b, "keys": {**b["keys"], "p256dh": b64url(b"\x04" + b"\x01" * 64)}},
        "keys.p256dh",
    ),
    "p256dh a number": (lambda b: {**b, "keys": {**b["keys"], "p256dh": 12345}}, "keys.p256dh"),
    "auth 15 bytes": (lambda b: {**b, "keys": {**b["keys"], "auth": b64url(os.urandom(15))}}, "keys.auth"),
    "auth plain base64": (
        lambda b: {**b, "keys": {**b["keys"], "auth": base64.b64encode(os.urandom(16)).decode() + "+/"}},
        "keys.auth",
    ),
    "endpoint too long": (lambda b: {**b, "endpoint": b["endpoint"] + "/" + "x" * 2100}, "endpoint"),
    "no endpoint": (lambda b: {"keys": b["keys"]}, "endpoint"),
    "endpoint a list": (lambda b: {**b, "endpoint": ["https://fcm.googleapis.com/x"]}, "endpoint"),
}


def test_bad_input_is_refused_with_422_and_nothing_stored(make_user, push_service, json_client):
    # One test over the table, not one per case: each case is one request, the app is the costly part.
    json_client.login(make_user())
    for case, (change, field) in BAD_INPUT.items():
        response = json_client.send("POST", "/push/subscriptions", change(push_service.browser("phone").to_json()))
        assert response.status_code == 422, case
        assert error_of(response)["field"] == field and error_of(response)["message"], case
    assert stored_subscriptions() == []


def test_endpoints_inside_networks_are_refused_at_subscribe_time(make_user, push_service, json_client):
    json_client.login(make_user())
    for endpoint in (
        "http://10.0.0.1/wpush/abc",
        "https://localhost/wpush/abc",
        "https://192.168.1.1/",
        "https://169.254.169.254/latest",
        "https://[fe80::1]/wpush",
        "http://push.example.com/wpush",
    ):
        response = json_client.send(
            "POST", "/push/subscriptions", {**push_service.browser("phone").to_json(), "endpoint": endpoint}
        )
        assert response.status_code == 422, endpoint
        assert error_of(response)["code"] == "endpoint_refused", endpoint
        assert "Push-Adresse" in error_of(response)["message"]
    assert stored_subscriptions() == []


def test_a_loopback_push_service_needs_push_allow_loopback(app, make_user, push_service, json_client):
    app.config["PUSH_ALLOW_LOOPBACK"] = False
    json_client.login(make_user())
    response = json_client.send("POST", "/push/subscriptions", push_service.browser("phone").to_json())
    assert response.status_code == 422 and stored_subscriptions() == []
    app.config["PUSH_ALLOW_LOOPBACK"] = True
    response = json_client.send("POST", "/push/subscriptions", push_service.browser("phone").to_json())
    assert response.status_code == 201 and len(stored_subscriptions()) == 1


@pytest.mark.parametrize(
    "method, path", [("POST", "/push/subscriptions"), ("DELETE", "/push/subscriptions"), ("POST", "/push/test")]
)
def test_requests_without_csrf_token_get_400_in_the_api_error_format(
    make_user, push_service, json_client, subscribe, method, path
):
    user = make_user()
    browser = subscribe(user, "phone")
    json_client.login(user)
    response = json_client.send(method, path, browser.to_json(), csrf=False)
    assert response.status_code == 400
    assert error_of(response)["code"] == "csrf_failed"
    assert len(stored_subscriptions()) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_anonymous_requests_get_401_in_json(client, push_service):
    response = client.post(
        "/push/subscriptions", json=push_service.browser("phone").to_json(), headers={"X-CSRFToken": csrf_token(client)}
    )
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_a_body_that_is_not_json_gets_415(make_user, json_client):
    json_client.login(make_user())
    response = json_client.send("POST", "/push/subscriptions", None)
    assert response.status_code == 415 and error_of(response)["code"] == "unsupported_media_type"


def test_delete_removes_only_the_callers_own_subscription(make_user, json_client, subscribe):
    me, other = make_user(), make_user()
    mine, theirs = subscribe(me, "my-phone"), subscribe(other, "their-phone")
    json_client.login(me)
    response = json_client.send("DELETE", "/push/subscriptions", {"endpoint": theirs.endpoint})
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    assert [s.endpoint for s in stored_subscriptions()] == [mine.endpoint, theirs.endpoint]
    assert json_client.send("DELETE", "/push/subscriptions", {"endpoint": mine.endpoint}).status_code == 204
    assert [s.endpoint for s in stored_subscriptions()] == [theirs.endpoint]


# The test push's answers: test_trial_message.py.


def test_an_account_keeps_at_most_ten_devices_the_newest(make_user, subscribe):
    user = make_user()
    browsers = [subscribe(user, f"device-{n}") for n in range(12)]
    assert [s.endpoint for s in stored_subscriptions()] == [b.endpoint for b in browsers[2:]]
