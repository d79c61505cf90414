"""The personal calendar feed through the API: POST /api/v1/me/calendar-feed switches it on (201)
or names the feed that is on (200), DELETE revokes it (204), GET /api/v1/me names it."""

from urllib.parse import urlsplit

import pytest

from tests.helpers import PASSWORD, csrf_token

FEED = "/api/v1/me/calendar-feed"


@pytest.fixture
def volunteer_auth(client, make_shift, make_user):
    shift = make_shift()
    volunteer = make_user("volunteer", shift.centre)
    response = client.post("/api/v1/auth/token", json={"email": volunteer.email, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def feed_status(client, url: str) -> int:
    return client.get(urlsplit(url).path).status_code


def test_switch_on_ask_again_and_revoke(client, volunteer_auth):
    assert client.get("/api/v1/me", headers=volunteer_auth).get_json()["calendar_feed_url"] is None

    created = client.post(FEED, headers=volunteer_auth)
    assert created.status_code == 201
    url = created.get_json()["url"]
    assert urlsplit(url).path.startswith("/calendar/u/") and url.endswith(".ics")
    feed = client.get(urlsplit(url).path)
    assert (feed.status_code, feed.mimetype) == (200, "text/calendar")

    again = client.post(FEED, headers=volunteer_auth)
    assert (again.status_code, again.get_json()) == (200, {"url": url})  # the working URL stays
    assert client.get("/api/v1/me", headers=volunteer_auth).get_json()["calendar_feed_url"] == url

    revoked = client.delete(FEED, headers=volunteer_auth)
    assert (revoked.status_code, revoked.get_data()) == (204, b"")
    assert feed_status(client, url) == 404
    assert client.get("/api/v1/me", headers=volunteer_auth).get_json()["calendar_feed_url"] is None
    assert client.delete(FEED, headers=volunteer_auth).status_code == 204  # nothing left to revoke

    renewed = client.post(FEED, headers=volunteer_auth)
    assert renewed.status_code == 201
    assert renewed.get_json()["url"] != url and feed_status(client, renewed.get_json()["url"]) == 200
    assert feed_status(client, url) == 404


@pytest.mark.parametrize("method", ["post", "delete"])
def test_needs_a_login(client, method):
    response = getattr(client, method)(FEED)
    assert (response.status_code, response.get_json()["error"]["code"]) == (401, "unauthorized")


def test_a_cookie_session_needs_the_csrf_header(client, login):
    login()
    refused = client.post(FEED)
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (400, "csrf_failed")
    assert client.get("/api/v1/me").get_json()["calendar_feed_url"] is None
    accepted = client.post(FEED, headers={"X-CSRFToken": csrf_token(client)})
    assert accepted.status_code == 201
    assert client.get("/api/v1/me").get_json()["calendar_feed_url"] == accepted.get_json()["url"]
