"""DSGVO through the JSON API: the caller's data to take away, and deleting the account while the
centre's funding figures stay as they were. Real HTTP requests against the real database."""

import json
from datetime import date, datetime
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests import helpers
from tests.helpers import PASSWORD, clock_frozen_at, csrf_token
from volunteers.accounts.models import ApiToken, LoginFailure, User
from volunteers.core import time
from volunteers.extensions import db
from volunteers.hours.models import HoursEntry
from volunteers.hours.services import HoursInput, approve, log_hours
from volunteers.shifts.models import Signup
from volunteers.shifts.signups import sign_up

NOW = time.berlin_local(datetime(2026, 11, 20, 18, 0))
REPORT = "/reports/centre/duesseldorf?from=2026-01-01&to=2026-12-31&format=json"


frozen_clock = clock_frozen_at(NOW)


@pytest.fixture
def world(make_centre, make_meeting_point, make_user, make_shift):
    centre = make_centre("duesseldorf")
    place = make_meeting_point(centre, name="Begegnungscafé Oberbilk")
    people = SimpleNamespace(
        centre=centre,
        place=place,
        volunteer=make_user("volunteer", centre, name="Dawit Tesfaye", email="dawit@example.org"),
        neighbour=make_user("volunteer", centre, name="Olena Kowalenko", email="olena@example.org"),
        coordinator=make_user("coordinator", centre),
        shift=make_shift(place, starts=time.berlin_local(datetime(2026, 11, 27, 16))),
    )
    for person, minutes, note in (
        (people.volunteer, 90, "Begleitung zum Jobcenter"),
        (people.neighbour, 240, "Olenas Notiz zum Sprachcafé"),
    ):
        entry, _ = log_hours(
            centre=centre,
            person=person,
            values=HoursInput(work_date=date(2026, 11, 18), minutes=minutes, activity="sprachcafe", note=note),
        )
        approve(entry=entry, by=people.coordinator)
        sign_up(shift=people.shift, volunteer=person)
    log_hours(
        centre=centre,
        person=people.volunteer,
        values=HoursInput(work_date=date(2026, 11, 19), minutes=30, activity="dolmetschen"),
    )  # still waiting
    db.session.commit()
    return people


def bearer(client, user, password: str = PASSWORD) -> dict:
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": password})
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def report_figures(app, coordinator) -> dict:
    """The centre's report as its coordinator reads it, from a browser session of their own."""
    reader = app.test_client()
    helpers.login(reader, coordinator)
    response = reader.get(REPORT)
    assert response.status_code == 200
    return response.get_json()


def database_rows(leave_out=()) -> dict[str, list[tuple]]:
    """Every row of every table, to see what changed or what must be gone."""
    return {
        table.name: sorted(map(tuple, db.session.execute(sa.select(table))), key=repr)
        for table in db.metadata.sorted_tables
        if table.name not in leave_out
    }


def database_text() -> str:
    return repr(database_rows())


# --- export ----------------------------------------------------------------------------


@pytest.mark.parametrize("auth", ["bearer", "session"])
def test_export_holds_my_data_and_nobody_elses(client, login, world, auth):
    if auth == "bearer":
        headers = bearer(client, world.volunteer)
    else:
        login(user=world.volunteer)
        headers = {}
    response = client.get("/api/v1/me/export", headers=headers)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert (data["profile"]["name"], data["profile"]["email"]) == ("Dawit Tesfaye", "dawit@example.org")
    assert sorted((h["date"], h["minutes"], h["status"], h["note"]) for h in data["hours"]) == [
        ("2026-11-18", 90, "approved", "Begleitung zum Jobcenter"),
        ("2026-11-19", 30, "submitted", ""),
    ]
    assert [(s["shift_id"], s["status"]) for s in data["signups"]] == [(world.shift.id, "confirmed")]
    assert [m["centre"] for m in data["memberships"]] == ["duesseldorf"]
    text = json.dumps(data, ensure_ascii=False)
    foreign_entry = '"minutes": 240'  # Olena's hours (a bare "240" may be in a generated centre's name)
    for foreign in ("Olena", "olena@example.org", foreign_entry, world.coordinator.email, world.coordinator.name):
        assert foreign not in text


def test_export_needs_a_login(client, world):
    response = client.get("/api/v1/me/export")
    assert (response.status_code, response.get_json()["error"]["code"]) == (401, "unauthorized")


# --- deleting the account --------------------------------------------------------------


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"password": "falsch-falsch-falsch"}, 403, "wrong_password"),
        ({"password": ""}, 422, "invalid"),
        ({}, 422, "invalid"),
        ({"password": 12345}, 422, "invalid"),
    ],
)
def test_deleting_without_the_right_password_changes_nothing(client, world, body, status, code):
    headers = bearer(client, world.volunteer)
    # A writing request notes the token's use; the failure is counted for the login throttle.
    bookkeeping = ("api_tokens", "login_failures")
    before = database_rows(leave_out=bookkeeping)
    response = client.delete("/api/v1/me", headers=headers, json=body)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == (code, "password")
    assert "Passwort" in error["message"]
    db.session.expire_all()
    assert database_rows(leave_out=bookkeeping) == before
    user = db.session.get(User, world.volunteer.id)
    assert (user.name, user.email, user.deleted_at) == ("Dawit Tesfaye", "dawit@example.org", None)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    failures = db.session.scalar(sa.select(sa.func.count()).select_from(LoginFailure))
    assert failures == (2 if status == 403 else 0)  # per account and per address


def test_a_bearer_token_alone_cannot_guess_the_password_unthrottled(client, world):
    headers = bearer(client, world.volunteer)
    answers = [
        client.delete("/api/v1/me", headers=headers, json={"password": f"rate-{n}"}).status_code for n in range(6)
    ]
    assert answers == [403] * 5 + [429]
    right = client.delete("/api/v1/me", headers=headers, json={"password": PASSWORD})
    assert right.status_code == 429
    assert db.session.get(User, world.volunteer.id).deleted_at is None


def test_deleting_needs_json_with_the_password(client, world):
    response = client.delete("/api/v1/me", headers=bearer(client, world.volunteer))
    assert response.status_code == 415
    assert db.session.get(User, world.volunteer.id).deleted_at is None


def test_deleting_erases_the_person_but_keeps_the_figures(app, client, world):
    headers = bearer(client, world.volunteer)
    figures_before = report_figures(app, world.coordinator)
    assert (figures_before["volunteer_minutes"], figures_before["pending_minutes"]) == (330, 30)

    response = client.delete("/api/v1/me", headers=headers, json={"password": PASSWORD})
    assert response.status_code == 204
    assert response.get_data() == b""

    figures_after = report_figures(app, world.coordinator)
    for name in (
        "volunteer_minutes",
        "staff_minutes",
        "volunteer_share",
        "in_kind_value_eur",
        "active_volunteers",
        "pending_minutes",
    ):
        assert figures_after[name] == figures_before[name], name
    db.session.expire_all()
    text = database_text()
    for personal in ("Dawit", "Tesfaye", "dawit@example.org"):
        assert personal not in text
    assert "Begleitung zum Jobcenter" not in repr(database_rows(leave_out=("audit_events",)))
    assert "olena@example.org" in text  # the neighbour is untouched
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(ApiToken).where(ApiToken.user_id == world.volunteer.id)
        )
        == 0
    )
    kept = db.session.scalars(sa.select(HoursEntry.minutes).where(HoursEntry.user_id == world.volunteer.id)).all()
    assert sorted(kept) == [30, 90]
    signup = db.session.scalar(sa.select(Signup).where(Signup.user_id == world.volunteer.id))
    assert signup.status == "cancelled"  # the place of the upcoming shift goes to others
    gone = client.get("/api/v1/me", headers=headers)
    assert (gone.status_code, gone.get_json()["error"]["code"]) == (401, "unauthorized")
    assert (
        client.post("/api/v1/auth/token", json={"email": "dawit@example.org", "password": PASSWORD}).status_code == 401
    )


def test_deleting_erases_the_notes_from_the_audit_trail_too(client, world):
    response = client.delete("/api/v1/me", headers=bearer(client, world.volunteer), json={"password": PASSWORD})
    assert response.status_code == 204
    assert "Begleitung zum Jobcenter" not in database_text()


def test_the_pwa_deletes_with_its_session_cookie_and_csrf_header(client, login, world):
    login(user=world.volunteer)
    refused = client.delete("/api/v1/me", json={"password": PASSWORD})
    assert refused.get_json()["error"]["code"] == "csrf_failed"
    assert db.session.get(User, world.volunteer.id).deleted_at is None
    response = client.delete("/api/v1/me", headers={"X-CSRFToken": csrf_token(client)}, json={"password": PASSWORD})
    assert response.status_code == 204
    db.session.expire_all()
    assert db.session.get(User, world.volunteer.id).deleted_at is not None
    assert client.get("/api/v1/me").status_code == 401


def test_the_session_ends_on_other_devices_too(app, client, world):
    other_device = app.test_client()
    helpers.login(other_device, world.volunteer)
    assert other_device.get("/api/v1/me").status_code == 200
    assert (
        client.delete("/api/v1/me", headers=bearer(client, world.volunteer), json={"password": PASSWORD}).status_code
        == 204
    )
    assert other_device.get("/api/v1/me").status_code == 401
