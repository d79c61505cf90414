"""Handovers through the JSON API with bearer tokens: offer, list, accept (201 or 202 with approval),
the coded 422 refusals, withdraw, approve, and the other centre's side."""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.helpers import PASSWORD
from volunteers.extensions import db
from volunteers.shifts.models import Handover, Shift, Signup
from volunteers.shifts.signups import sign_up


@pytest.fixture
def world(make_centre, make_meeting_point, make_shift, make_user):
    home, other = make_centre(), make_centre()
    shift = make_shift(make_meeting_point(home), capacity_max=2)
    giver = make_user("volunteer", home)
    signup = sign_up(shift=shift, volunteer=giver)
    db.session.commit()
    return SimpleNamespace(
        home=home,
        shift=shift,
        giver=giver,
        signup=signup,
        taker=make_user("volunteer", home),
        coordinator=make_user("coordinator", home),
        outsider=make_user("volunteer", other),
        other_coordinator=make_user("coordinator", other),
    )


def bearer(client, user) -> dict:
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def offered(client, world) -> int:
    response = client.post(f"/api/v1/shifts/{world.shift.id}/handover", headers=bearer(client, world.giver))
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert answer["status"] == "open" and answer["shift_id"] == world.shift.id
    return answer["id"]


def test_offer_list_accept(client, world):
    offer_id = offered(client, world)
    taker = bearer(client, world.taker)
    items = client.get("/api/v1/handovers", headers=taker).get_json()["items"]
    assert [(i["id"], i["status"], i["is_mine"]) for i in items] == [(offer_id, "open", False)]
    assert client.get("/api/v1/handovers", headers=bearer(client, world.giver)).get_json()["items"] == []

    response = client.post(f"/api/v1/handovers/{offer_id}/accept", headers=taker)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["status"] == "confirmed"
    db.session.expire_all()
    assert db.session.get(Signup, world.signup.id).is_cancelled
    assert db.session.get(Shift, world.shift.id).confirmed_count == 1

    again = client.post(f"/api/v1/handovers/{offer_id}/accept", headers=bearer(client, world.coordinator))
    assert again.status_code == 422 and again.get_json()["error"]["code"] == "taken"


def test_refusals_are_422_with_a_code(client, world):
    offer_id = offered(client, world)
    own = client.post(f"/api/v1/handovers/{offer_id}/accept", headers=bearer(client, world.giver))
    assert (own.status_code, own.get_json()["error"]["code"]) == (422, "own_offer")
    twice = client.post(f"/api/v1/shifts/{world.shift.id}/handover", headers=bearer(client, world.giver))
    assert (twice.status_code, twice.get_json()["error"]["code"]) == (422, "already_offered")
    not_mine = client.post(f"/api/v1/shifts/{world.shift.id}/handover", headers=bearer(client, world.taker))
    assert (not_mine.status_code, not_mine.get_json()["error"]["code"]) == (422, "not_signed_up")


def test_the_other_centre_sees_nothing(client, world):
    offer_id = offered(client, world)
    outsider = bearer(client, world.outsider)
    assert client.get("/api/v1/handovers", headers=outsider).get_json()["items"] == []
    for method, path in [
        ("post", f"/api/v1/handovers/{offer_id}/accept"),
        ("delete", f"/api/v1/handovers/{offer_id}"),
        ("post", f"/api/v1/handovers/{offer_id}/approve"),
    ]:
        for headers in (outsider, bearer(client, world.other_coordinator)):
            response = getattr(client, method)(path, headers=headers)
            assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert db.session.get(Handover, offer_id).status == "open"


def test_withdraw_only_the_own_offer(client, world):
    offer_id = offered(client, world)
    refused = client.delete(f"/api/v1/handovers/{offer_id}", headers=bearer(client, world.taker))
    assert refused.status_code == 403
    response = client.delete(f"/api/v1/handovers/{offer_id}", headers=bearer(client, world.giver))
    assert response.status_code == 200 and response.get_json()["status"] == "withdrawn"
    gone = client.post(f"/api/v1/handovers/{offer_id}/accept", headers=bearer(client, world.taker))
    assert (gone.status_code, gone.get_json()["error"]["code"]) == (422, "withdrawn")


def test_with_approval_accept_waits_and_the_coordination_approves(client, world):
    world.home.handover_needs_approval = True
    db.session.commit()
    offer_id = offered(client, world)
    waiting = client.post(f"/api/v1/handovers/{offer_id}/accept", headers=bearer(client, world.taker))
    assert waiting.status_code == 202 and waiting.get_json()["status"] == "awaiting_approval"

    by_volunteer = client.post(f"/api/v1/handovers/{offer_id}/approve", headers=bearer(client, world.taker))
    assert by_volunteer.status_code == 403
    approved = client.post(f"/api/v1/handovers/{offer_id}/approve", headers=bearer(client, world.coordinator))
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["status"] == "confirmed"
    taker_signup = db.session.scalar(sa.select(Signup).where(Signup.user_id == world.taker.id))
    assert taker_signup.is_confirmed and db.session.get(Shift, world.shift.id).confirmed_count == 1


def test_decline_opens_the_offer_again(client, world):
    world.home.handover_needs_approval = True
    db.session.commit()
    offer_id = offered(client, world)
    client.post(f"/api/v1/handovers/{offer_id}/accept", headers=bearer(client, world.taker))
    declined = client.post(f"/api/v1/handovers/{offer_id}/decline", headers=bearer(client, world.coordinator))
    assert declined.status_code == 200 and declined.get_json()["status"] == "open"
    again = client.post(f"/api/v1/handovers/{offer_id}/decline", headers=bearer(client, world.coordinator))
    assert (again.status_code, again.get_json()["error"]["code"]) == (422, "not_awaiting_approval")


def test_without_credentials_401(client, world):
    offer_id = offered(client, world)
    assert client.get("/api/v1/handovers").status_code == 401
    assert client.post(f"/api/v1/handovers/{offer_id}/accept").status_code == 401
