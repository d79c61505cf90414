import pytest

from tests.helpers import PASSWORD, csrf_token


def token_for(client, user) -> str:
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 201
    return response.get_json()["token"]


def test_bearer_token_gives_the_profile(client, make_centre, make_user):
    centre = make_centre("duisburg")
    user = make_user("coordinator", centre, name="Laura Hoffmann")
    token = token_for(client, user)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me["name"] == "Laura Hoffmann"
    assert me["roles"] == ["coordinator"]
    assert me["centres"] == [{"slug": "duisburg", "name": centre.name, "role": "coordinator"}]


def test_tokens_are_stored_hashed_and_revocable(app, client, make_user):
    import sqlalchemy as sa

    from volunteers.accounts.models import ApiToken
    from volunteers.extensions import db

    token = token_for(client, make_user())
    stored = db.session.scalar(sa.select(ApiToken))
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    auth = {"Authorization": f"Bearer {token}"}
    assert client.delete("/api/v1/auth/token", headers=auth).status_code == 204
    response = client.get("/api/v1/me", headers=auth)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"email": "x@example.org", "password": "falsch-falsch"}, 401, "invalid_credentials"),
        ({"email": "x@example.org"}, 422, "invalid"),
        ({"email": 5, "password": "x"}, 422, "invalid"),
        ([1, 2], 400, "bad_request"),
    ],
)
def test_token_errors_use_the_one_error_format(client, body, status, code):
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["message"]


def test_non_json_body_is_refused(client):
    response = client.post("/api/v1/auth/token", data="email=x")
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"


def test_unknown_api_path_answers_in_the_error_format(client):
    response = client.get("/api/v1/gibt-es-nicht")
    assert response.status_code == 404
    assert response.get_json() == {"error": {"code": "not_found", "message": "Diese Seite gibt es nicht."}}


def test_session_cookie_needs_csrf_header_for_writes(client, login):
    login()
    assert client.get("/api/v1/me").status_code == 200  # reads need no token
    refused = client.delete("/api/v1/auth/token")
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "csrf_failed"
    accepted = client.delete("/api/v1/auth/token", headers={"X-CSRFToken": csrf_token(client)})
    assert accepted.get_json()["error"]["code"] == "bearer_required"


def test_meeting_points_are_public(client, make_centre, make_meeting_point):
    centre = make_centre("siegen-wittgenstein")
    make_meeting_point(
        centre,
        name="Begegnungscafé Bad Berleburg",
        street="Poststraße 42",
        postcode="57319",
        city="Bad Berleburg",
        municipality="Bad Berleburg",
    )
    make_meeting_point(centre, name="Geschlossen", is_closed=True)
    items = client.get("/api/v1/meeting-points").get_json()["items"]
    assert [item["name"] for item in items] == ["Begegnungscafé Bad Berleburg"]
    item = items[0]
    assert item["slug"] == "siegen-wittgenstein-begegnungscafe-bad-berleburg"
    assert item["address"] == "Poststraße 42, 57319 Bad Berleburg"
    assert item["calendar_url"].endswith(f"/calendar/p/{item['slug']}.ics")


def test_openapi_describes_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    described = {(path, method) for path, ops in document["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = rule.rule.removeprefix("/api/v1").replace("<int:", "{").replace("<", "{").replace(">", "}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (path, method.lower()) in described, f"{method} {path} missing from openapi.json"


@pytest.mark.parametrize("authorization", ["Bearer x", "Bearer ", "bearer nicht-gültig"])
def test_a_bogus_bearer_header_does_not_switch_csrf_off(client, login, make_shift, authorization):
    from volunteers.extensions import db
    from volunteers.shifts.models import Signup

    shift = make_shift()
    login("volunteer", shift.centre)
    headers = {"Authorization": authorization}
    refused = client.post(f"/api/v1/shifts/{shift.id}/signup", headers=headers)
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf_failed"
    assert db.session.query(Signup).count() == 0
    # With the CSRF header the session cookie does the work; the bogus token never signs anyone in.
    accepted = client.post(f"/api/v1/shifts/{shift.id}/signup", headers={**headers, "X-CSRFToken": csrf_token(client)})
    assert accepted.status_code == 201
    gone = client.delete("/api/v1/auth/token", headers={**headers, "X-CSRFToken": csrf_token(client)})
    assert gone.get_json()["error"]["code"] == "bearer_required"


def test_a_valid_bearer_token_speaks_for_the_request_without_csrf(app, client, login, make_shift, make_user):
    shift = make_shift()
    cookie_user = login("volunteer", shift.centre)
    token_owner = make_user("volunteer", shift.centre, name="Amira Haddad")
    auth = {"Authorization": f"Bearer {token_for(app.test_client(), token_owner)}"}
    assert client.get("/api/v1/me", headers=auth).get_json()["name"] == "Amira Haddad"
    signed_up = client.post(f"/api/v1/shifts/{shift.id}/signup", headers=auth)
    assert signed_up.status_code == 201
    assert len(client.get("/api/v1/me/shifts", headers=auth).get_json()["items"]) == 1
    assert cookie_user.id != token_owner.id and client.get("/api/v1/me/shifts").get_json()["items"] == []
