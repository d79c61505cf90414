"""Availability, candidates and invitations through the JSON API with bearer tokens: a coordinator
fills an understaffed Arabic-speaking shift from the ranked list in one request, the volunteer
accepts (waitlisted when it filled up meanwhile) or declines; the other centre sees nothing."""

from datetime import datetime, timedelta

import pytest

from tests.helpers import PASSWORD
from volunteers.core import time
from volunteers.extensions import db
from volunteers.push.models import Notification
from volunteers.shifts.signups import sign_up


def bearer(client, user) -> dict:
    answer = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


@pytest.fixture
def world(make_centre, make_meeting_point, make_user, make_shift, today):
    home, other = make_centre("duesseldorf"), make_centre("duisburg")
    place = make_meeting_point(home)
    start = time.berlin_local(datetime.combine(today + timedelta(days=1), datetime.min.time()).replace(hour=16))
    shift = make_shift(place, starts=start, languages=["ar"], capacity_min=1, capacity_max=1)
    amal = make_user("volunteer", home, name="Amal")
    amal.languages = ["ar", "de"]
    db.session.commit()
    return {
        "shift": shift,
        "amal": amal,
        "coordinator": make_user("coordinator", home),
        "stranger": make_user("coordinator", other),
        "other_volunteer": make_user("volunteer", home),
    }


def test_availability_round_trip_and_refusals(client, world):
    auth = bearer(client, world["amal"])
    body = {
        "weekly": [{"weekday": 4, "from": "15:00", "to": "24:00"}],
        "absences": [{"from": "2026-12-20", "to": "2027-01-03"}],
    }
    assert client.put("/api/v1/me/availability", json=body, headers=auth).get_json() == body
    assert client.get("/api/v1/me/availability", headers=auth).get_json() == body
    for bad, code in [
        ({"weekly": [{"weekday": 0, "from": "15:00", "to": "16:00"}]}, "invalid"),
        ({"weekly": [{"weekday": 1, "from": "17:00", "to": "16:00"}]}, "invalid_window"),
        ({"weekly": [{"weekday": 1, "from": "7:00", "to": "16:00"}]}, "invalid_time"),
        ({"absences": [{"from": "2026-12-03", "to": "2026-12-01"}]}, "invalid_absence"),
        ({"absences": [{"from": "1999-12-03", "to": "2026-12-01"}]}, "invalid_date"),
        ({"weekly": "Montag"}, "invalid"),
    ]:
        answer = client.put("/api/v1/me/availability", json=bad, headers=auth)
        assert answer.status_code == 422 and answer.get_json()["error"]["code"] == code, bad
    assert client.get("/api/v1/me/availability", headers=auth).get_json() == body  # nothing changed
    assert client.get("/api/v1/me/availability").status_code == 401


def test_a_coordinator_fills_the_arabic_shift_from_the_ranked_list(client, world):
    shift, amal = world["shift"], world["amal"]
    staff = bearer(client, world["coordinator"])
    items = client.get(f"/api/v1/shifts/{shift.id}/candidates", headers=staff).get_json()["items"]
    assert [i["volunteer_id"] for i in items] == [amal.id]
    assert items[0]["reasons"][0] == {"code": "language", "text": "Spricht Arabisch"}
    answer = client.post(f"/api/v1/shifts/{shift.id}/invitations", json={"volunteer_id": amal.id}, headers=staff)
    assert answer.status_code == 201 and answer.get_json()["status"] == "open"
    invitation_id = answer.get_json()["id"]
    again = client.post(f"/api/v1/shifts/{shift.id}/invitations", json={"volunteer_id": amal.id}, headers=staff)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_invited"
    [note] = db.session.query(Notification).filter_by(kind="invitation").all()
    assert note.user_id == amal.id and note.url == f"/invitations/{invitation_id}"

    other = bearer(client, world["other_volunteer"])
    assert client.post(f"/api/v1/invitations/{invitation_id}/accept", headers=other).status_code == 404
    accepted = client.post(f"/api/v1/invitations/{invitation_id}/accept", headers=bearer(client, amal))
    assert accepted.status_code == 200
    assert accepted.get_json()["status"] == "accepted" and accepted.get_json()["signup"]["status"] == "confirmed"
    twice = client.post(f"/api/v1/invitations/{invitation_id}/decline", headers=bearer(client, amal))
    assert twice.status_code == 409 and twice.get_json()["error"]["code"] == "already_decided"
    assert client.get(f"/api/v1/shifts/{shift.id}/candidates", headers=staff).get_json()["items"] == []


def test_accepting_a_shift_that_filled_up_meanwhile_waitlists(client, world, make_user):
    shift, amal = world["shift"], world["amal"]
    staff = bearer(client, world["coordinator"])
    invitation_id = client.post(
        f"/api/v1/shifts/{shift.id}/invitations", json={"volunteer_id": amal.id}, headers=staff
    ).get_json()["id"]
    sign_up(shift=shift, volunteer=world["other_volunteer"])
    db.session.commit()
    accepted = client.post(f"/api/v1/invitations/{invitation_id}/accept", headers=bearer(client, amal))
    assert accepted.get_json()["signup"]["status"] == "waitlisted"


def test_declining_and_the_other_centre(client, world):
    shift, amal = world["shift"], world["amal"]
    stranger = bearer(client, world["stranger"])
    assert client.get(f"/api/v1/shifts/{shift.id}/candidates", headers=stranger).status_code == 404
    refused = client.post(f"/api/v1/shifts/{shift.id}/invitations", json={"volunteer_id": amal.id}, headers=stranger)
    assert refused.status_code == 404
    volunteer = bearer(client, amal)
    assert client.get(f"/api/v1/shifts/{shift.id}/candidates", headers=volunteer).status_code == 403
    staff = bearer(client, world["coordinator"])
    for bad in ({"volunteer_id": world["stranger"].id}, {"volunteer_id": 2**40}, {"volunteer_id": "x"}, {}):
        answer = client.post(f"/api/v1/shifts/{shift.id}/invitations", json=bad, headers=staff)
        assert answer.status_code in (404, 422), bad
    invitation_id = client.post(
        f"/api/v1/shifts/{shift.id}/invitations", json={"volunteer_id": amal.id}, headers=staff
    ).get_json()["id"]
    declined = client.post(f"/api/v1/invitations/{invitation_id}/decline", headers=volunteer)
    assert declined.get_json()["status"] == "declined"
    with time.travel(shift.starts_at):
        expired = client.post(f"/api/v1/invitations/{invitation_id}/accept", headers=volunteer)
    assert expired.status_code == 409
