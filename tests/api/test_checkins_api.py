"""Check-in and check-out at the poster through the JSON API, as the PWA's outbox sends them: the
time of the scan counts, not the time it arrives; a client id sent twice records once. Real HTTP
requests with the session cookie and CSRF header (the outbox's way) and with bearer tokens. The
clock stands at Wednesday, 18 November 2026, 14:00 in Berlin."""

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests import helpers
from tests.helpers import PASSWORD, clock_frozen_at, csrf_token
from volunteers.core import time
from volunteers.extensions import db
from volunteers.hours.models import CheckinScan
from volunteers.hours.policy import proposed_minutes
from volunteers.shifts.models import Signup
from volunteers.shifts.signups import sign_up

NOW = time.berlin_local(datetime(2026, 11, 18, 14, 0))
URL = "/api/v1/me/checkins"

frozen_clock = clock_frozen_at(NOW)


def berlin(hour: int, minute: int = 0) -> datetime:
    return time.berlin_local(datetime(2026, 11, 18, hour, minute))


@pytest.fixture
def world(make_centre, make_meeting_point, make_user, make_shift):
    home, other = make_centre("duesseldorf"), make_centre("duisburg")
    place = make_meeting_point(home, name="Begegnungscafé Oberbilk")
    volunteer, neighbour = make_user("volunteer", home), make_user("volunteer", home)
    with time.freeze(NOW - timedelta(days=2)):  # signed up before the shifts
        night = make_shift(place, starts=berlin(0), hours=3)
        morning = make_shift(place, starts=berlin(10), hours=3)
        for person in (volunteer, neighbour):
            sign_up(shift=night, volunteer=person)
            sign_up(shift=morning, volunteer=person)
        db.session.commit()
    return SimpleNamespace(
        place=place,
        other_place=make_meeting_point(other, name="Flachsmarkt"),
        volunteer=volunteer,
        neighbour=neighbour,
        night=night,
        morning=morning,
    )


@pytest.fixture
def send(client, world):
    """Posts a scan as the volunteer's phone does: session cookie and the CSRF token in a header."""
    helpers.login(client, world.volunteer)
    headers = {"X-CSRFToken": csrf_token(client)}

    def post(client_id="scan-1", scanned_at=NOW, code=None, **changes):
        body = {"client_id": client_id, "code": code or world.place.checkin_code, **changes}
        if scanned_at is not None:
            body["scanned_at"] = scanned_at.isoformat()
        return client.post(URL, json=body, headers=headers)

    return post


def signup_of(person, shift) -> Signup:
    db.session.rollback()  # what the requests committed
    return db.session.scalar(sa.select(Signup).where(Signup.user_id == person.id, Signup.shift_id == shift.id))


def scans() -> list[CheckinScan]:
    db.session.rollback()
    return db.session.scalars(sa.select(CheckinScan).order_by(CheckinScan.id)).all()


def test_a_scan_sent_hours_later_counts_with_the_time_of_the_scan(send, world):
    response = send(scanned_at=NOW - timedelta(hours=3))
    assert response.status_code == 201
    assert response.get_json() == {
        "client_id": "scan-1",
        "direction": "in",
        "shift_id": world.morning.id,
        "scanned_at": "2026-11-18T11:00:00+01:00",
        "checked_in_at": "2026-11-18T11:00:00+01:00",
        "checked_out_at": None,
    }
    assert signup_of(world.volunteer, world.morning).checked_in_at == NOW - timedelta(hours=3)
    [scan] = scans()
    assert (scan.scanned_at, scan.received_at, scan.direction) == (NOW - timedelta(hours=3), NOW, "in")

    out = send(client_id="scan-2", scanned_at=berlin(13, 5)).get_json()
    assert (out["direction"], out["checked_out_at"]) == ("out", "2026-11-18T13:05:00+01:00")
    assert proposed_minutes(signup_of(world.volunteer, world.morning)) == (125, True)


@pytest.mark.parametrize(
    ("offset", "status", "code"),
    [
        (timedelta(hours=-13), 422, "scan_too_old"),
        (timedelta(hours=-12), 201, None),  # the night shift, at 02:00: just within
        (timedelta(minutes=2), 201, None),  # a phone's clock a little ahead
        (timedelta(minutes=3), 422, "scan_in_future"),
    ],
)
def test_only_scans_of_the_last_twelve_hours_count(send, world, offset, status, code):
    response = send(scanned_at=NOW + offset)
    assert response.status_code == status
    if code:
        error = response.get_json()["error"]
        assert (error["code"], error["field"]) == (code, "scanned_at") and error["message"]
        assert scans() == []
        assert signup_of(world.volunteer, world.night).checked_in_at is None
        assert signup_of(world.volunteer, world.morning).checked_in_at is None
    else:
        [scan] = scans()
        assert scan.scanned_at == NOW + offset


def test_a_scan_without_a_time_counts_when_it_arrives(send, world):
    response = send(scanned_at=None)
    assert (response.status_code, response.get_json()["scanned_at"]) == (201, "2026-11-18T14:00:00+01:00")


def test_the_same_client_id_again_records_once_and_answers_the_same(send, world):
    first = send(scanned_at=berlin(10, 2))
    again = send(scanned_at=berlin(10, 40))  # the retry's body does not matter: it is the same scan
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert len(scans()) == 1
    assert signup_of(world.volunteer, world.morning).checked_in_at == berlin(10, 2)
    # An outbox stuck for longer than the scan may be old still gets its answer, not a refusal.
    with time.freeze(NOW + timedelta(hours=13)):
        late = send(scanned_at=berlin(10, 2))
    assert (late.status_code, late.get_json()) == (200, first.get_json())
    assert len(scans()) == 1


def test_scans_arriving_out_of_order_are_ordered_by_their_time(send, world):
    # The departure at 12:55 got through first; the arrival at 10:02 waited on the phone.
    departure = send(client_id="out", scanned_at=berlin(12, 55))
    assert departure.get_json()["direction"] == "in"  # the only scan so far
    arrival = send(client_id="in", scanned_at=berlin(10, 2))
    assert arrival.status_code == 201
    assert arrival.get_json() == {
        "client_id": "in",
        "direction": "in",
        "shift_id": world.morning.id,
        "scanned_at": "2026-11-18T10:02:00+01:00",
        "checked_in_at": "2026-11-18T10:02:00+01:00",
        "checked_out_at": "2026-11-18T12:55:00+01:00",
    }
    # A scan between the two changes nothing; a later one is the new departure.
    assert send(client_id="between", scanned_at=berlin(11)).get_json()["direction"] == "out"
    signup = signup_of(world.volunteer, world.morning)
    assert (signup.checked_in_at, signup.checked_out_at) == (berlin(10, 2), berlin(12, 55))
    assert proposed_minutes(signup) == (175, True)
    assert send(client_id="last", scanned_at=berlin(13, 10)).get_json()["checked_out_at"] == "2026-11-18T13:10:00+01:00"
    assert len(scans()) == 4


def test_another_person_s_client_id_does_not_collide(client, send, world):
    assert send(client_id="same-id", scanned_at=berlin(10)).status_code == 201
    token = client.post("/api/v1/auth/token", json={"email": world.neighbour.email, "password": PASSWORD})
    neighbour = {"Authorization": f"Bearer {token.get_json()['token']}"}
    body = {"client_id": "same-id", "code": world.place.checkin_code, "scanned_at": berlin(10, 15).isoformat()}
    response = client.post(URL, json=body, headers=neighbour)
    assert (response.status_code, response.get_json()["checked_in_at"]) == (201, "2026-11-18T10:15:00+01:00")
    assert signup_of(world.volunteer, world.morning).checked_in_at == berlin(10)
    assert signup_of(world.neighbour, world.morning).checked_in_at == berlin(10, 15)
    assert sorted((s.user_id, s.client_id) for s in scans()) == sorted(
        [(world.volunteer.id, "same-id"), (world.neighbour.id, "same-id")]
    )


def test_another_centre_s_poster_or_an_unknown_code_records_nothing(send, world):
    other = send(code=world.other_place.checkin_code, scanned_at=berlin(11))
    assert (other.status_code, other.get_json()["error"]["code"]) == (422, "no_shift")
    unknown = send(client_id="scan-2", code="kein-solcher-code", scanned_at=berlin(11))
    assert (unknown.status_code, unknown.get_json()["error"]["code"]) == (422, "unknown_code")
    assert scans() == []
    assert signup_of(world.volunteer, world.morning).checked_in_at is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"client_id": None}, "client_id"),
        ({"client_id": "x" * 65}, "client_id"),
        ({"client_id": "zwei wörter"}, "client_id"),
        ({"client_id": 17}, "client_id"),
        ({"code": None}, "code"),
        ({"scanned_at": "2026-11-18T11:00:00"}, "scanned_at"),  # no offset: which 11:00?
        ({"scanned_at": "2026-11-18"}, "scanned_at"),
        ({"scanned_at": "gestern"}, "scanned_at"),
        ({"scanned_at": 1763460000}, "scanned_at"),
        ({"scanned_at": "1999-12-31T23:00:00+00:00"}, "scanned_at"),
    ],
)
def test_a_malformed_scan_is_refused_and_records_nothing(client, world, changes, field):
    helpers.login(client, world.volunteer)
    body = {"client_id": "scan-1", "code": world.place.checkin_code, "scanned_at": berlin(11).isoformat(), **changes}
    response = client.post(URL, json=body, headers={"X-CSRFToken": csrf_token(client)})
    assert response.status_code == 422
    assert (response.get_json()["error"]["code"], response.get_json()["error"]["field"]) == ("invalid", field)
    assert scans() == []


def test_without_a_login_the_answer_is_401_json(client, world):
    body = {"client_id": "scan-1", "code": world.place.checkin_code}
    response = client.post(URL, json=body)
    assert (response.status_code, response.get_json()["error"]["code"]) == (401, "unauthorized")
    assert scans() == []


def test_the_session_cookie_needs_the_csrf_header(client, world):
    helpers.login(client, world.volunteer)
    response = client.post(URL, json={"client_id": "scan-1", "code": world.place.checkin_code})
    assert (response.status_code, response.get_json()["error"]["code"]) == (400, "csrf_failed")
    assert scans() == []


def test_the_scans_are_in_the_export_and_go_with_the_account(client, send, world):
    send(scanned_at=berlin(10, 2))
    send(client_id="scan-2", scanned_at=berlin(13, 5))
    exported = client.get("/api/v1/me/export").get_json()["checkin_scans"]
    assert exported == [
        {
            "shift_id": world.morning.id,
            "direction": "in",
            "scanned_at": berlin(10, 2).isoformat(),
            "received_at": NOW.isoformat(),
        },
        {
            "shift_id": world.morning.id,
            "direction": "out",
            "scanned_at": berlin(13, 5).isoformat(),
            "received_at": NOW.isoformat(),
        },
    ]
    deleted = client.delete("/api/v1/me", json={"password": PASSWORD}, headers={"X-CSRFToken": csrf_token(client)})
    assert deleted.status_code == 204
    assert [s.user_id for s in scans()] == []
