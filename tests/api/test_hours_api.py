"""Hours through the JSON API: real HTTP requests with bearer tokens and with the PWA's session
cookie, against the real database. The clock stands at Friday, 20 November 2026, 18:00 in Berlin."""

import threading
import uuid
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests import helpers
from tests.helpers import PASSWORD, clock_frozen_at, csrf_token
from volunteers.accounts.services import set_centre_role
from volunteers.core import time
from volunteers.extensions import db
from volunteers.hours.models import APPROVED, REJECTED, SUBMITTED, HoursEntry
from volunteers.hours.periods import close_period, create_period
from volunteers.hours.services import HoursInput, approve, log_hours
from volunteers.shifts.signups import record_attendance, sign_up

NOW = time.berlin_local(datetime(2026, 11, 20, 18, 0))
MISSING = object()
RACE_ROUNDS = 6


frozen_clock = clock_frozen_at(NOW)


@pytest.fixture
def world(make_centre, make_meeting_point, make_user):
    home, other = make_centre("duesseldorf"), make_centre("duisburg")
    return SimpleNamespace(
        home=home,
        other=other,
        place=make_meeting_point(home, name="Begegnungscafé Oberbilk", default_baustein="A"),
        other_place=make_meeting_point(other, name="Flachsmarkt"),
        volunteer=make_user("volunteer", home, name="Dawit Tesfaye"),
        coordinator=make_user("coordinator", home),
        other_coordinator=make_user("coordinator", other),
        other_volunteer=make_user("volunteer", other),
    )


def bearer(client, user) -> dict:
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def session_headers(client, user) -> dict:
    """The PWA's way: the session cookie of a login, and the CSRF token in a header."""
    helpers.login(client, user)
    return {"X-CSRFToken": csrf_token(client)}


AUTH = {"bearer": bearer, "session": session_headers}


def hours_body(**changes) -> dict:
    body = {
        "client_id": str(uuid.uuid4()),
        "date": "2026-11-18",
        "minutes": 90,
        "activity": "behoerdenbegleitung",
        "note": "Begleitung zum Jobcenter",
        **changes,
    }
    return {key: value for key, value in body.items() if value is not MISSING}


def entry_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(HoursEntry))


def stored(person, day=date(2026, 11, 18), minutes=60, centre=None, **values) -> HoursEntry:
    entry, _ = log_hours(
        centre=centre or person.centres[0],
        person=person,
        values=HoursInput(work_date=day, minutes=minutes, activity="sprachcafe", **values),
    )
    db.session.commit()
    return entry


# --- logging ---------------------------------------------------------------------------


@pytest.mark.parametrize("auth", AUTH)
def test_first_receipt_is_201_and_a_repeat_is_200_with_the_stored_entry(client, world, auth):
    headers = AUTH[auth](client, world.volunteer)
    body = hours_body(meeting_point=world.place.slug, centre="duesseldorf")
    first = client.post("/api/v1/me/hours", headers=headers, json=body)
    assert first.status_code == 201, first.get_json()
    entry = first.get_json()
    assert entry == {
        "id": entry["id"],
        "client_id": body["client_id"],
        "date": "2026-11-18",
        "minutes": 90,
        "activity": "behoerdenbegleitung",
        "activity_name": "Behördenbegleitung",
        "baustein": "B",
        "meeting_point": world.place.slug,
        "shift_id": None,
        "note": "Begleitung zum Jobcenter",
        "status": "submitted",
        "review_reason": None,
        "centre": "duesseldorf",
        "kind": "volunteer",
        "is_correction": False,
        "created_at": "2026-11-20T18:00:00+01:00",
    }

    # The retry of a submission whose answer was lost; even a changed body gets what was stored.
    again = client.post("/api/v1/me/hours", headers=headers, json={**body, "minutes": 30, "activity": "sonstiges"})
    assert again.status_code == 200
    assert again.get_json() == entry
    bare = client.post("/api/v1/me/hours", headers=headers, json={"client_id": body["client_id"]})
    assert (bare.status_code, bare.get_json()) == (200, entry)
    assert [(e.minutes, e.activity, e.user_id) for e in db.session.scalars(sa.select(HoursEntry))] == [
        (90, "behoerdenbegleitung", world.volunteer.id)
    ]


def test_the_same_client_id_of_another_person_is_their_own_entry(client, world, make_user):
    body = hours_body()
    second = make_user("volunteer", world.home)
    assert client.post("/api/v1/me/hours", headers=bearer(client, world.volunteer), json=body).status_code == 201
    assert client.post("/api/v1/me/hours", headers=bearer(client, second), json=body).status_code == 201
    assert entry_count() == 2


def test_the_pwa_body_with_null_meeting_point_and_upper_case_uuid_is_stored_once(client, world):
    headers = session_headers(client, world.volunteer)
    client_id = str(uuid.uuid4())
    body = {
        "client_id": client_id.upper(),
        "centre": "duesseldorf",
        "date": "2026-11-20",
        "minutes": 120,
        "activity": "dolmetschen",
        "meeting_point": None,
        "note": "",
    }
    assert client.post("/api/v1/me/hours", headers=headers, json=body).status_code == 201
    again = client.post("/api/v1/me/hours", headers=headers, json={**body, "client_id": client_id})
    assert (again.status_code, again.get_json()["client_id"]) == (200, client_id)
    assert entry_count() == 1


def test_the_session_cookie_needs_the_csrf_header(client, login, world):
    login(user=world.volunteer)
    refused = client.post("/api/v1/me/hours", json=hours_body())
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (400, "csrf_failed")
    assert entry_count() == 0


def test_logging_needs_a_login(client, world):
    response = client.post("/api/v1/me/hours", json=hours_body())
    assert (response.status_code, response.get_json()["error"]["code"]) == (401, "unauthorized")
    assert entry_count() == 0


@contextmanager
def database_errors():
    """Collects, across threads, every error the database answered with."""
    seen = []

    def note(context):
        seen.append(repr(context.sqlalchemy_exception))

    sa.event.listen(db.engine, "handle_error", note)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "handle_error", note)


def post_at_once(app, headers: list[dict], body: dict) -> list:
    """The same POST from one thread per header set, each with its own client, released together."""
    start, answers = threading.Barrier(len(headers)), [None] * len(headers)

    def send(index):
        own_client = app.test_client()
        start.wait(timeout=10)
        answers[index] = own_client.post("/api/v1/me/hours", headers=headers[index], json=body)

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(headers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


def test_the_same_submission_twice_at_once_is_stored_once(app, client, world):
    """As from two tabs, each with its own token, on the test's real database: one row, 201 and
    200, never a 500. Several rounds, so that the requests really overlap. The second waits for
    the person's lock and then finds the first one's entry: no insert is even refused."""
    tokens = [bearer(client, world.volunteer) for _ in range(2)]
    with database_errors() as errors:
        for round_number in range(RACE_ROUNDS):
            body = hours_body(minutes=30, date=f"2026-11-{10 + round_number}")
            answers = post_at_once(app, tokens, body)
            assert sorted(answer.status_code for answer in answers) == [200, 201], [a.get_json() for a in answers]
            assert answers[0].get_json()["id"] == answers[1].get_json()["id"]
            db.session.commit()  # end the test's own snapshot, to see what the threads committed
            assert (
                db.session.scalar(
                    sa.select(sa.func.count()).select_from(HoursEntry).where(HoursEntry.client_id == body["client_id"])
                )
                == 1
            )
    assert entry_count() == RACE_ROUNDS
    assert errors == []


@pytest.mark.parametrize(
    "changes, status, code, field, words",
    [
        ({"minutes": 0}, 422, "invalid", "minutes", "ganze Zahl ab 1"),
        ({"minutes": -30}, 422, "invalid", "minutes", "ganze Zahl ab 1"),
        ({"minutes": "90"}, 422, "invalid", "minutes", "ganze Zahl ab 1"),
        ({"minutes": 1.5}, 422, "invalid", "minutes", "ganze Zahl ab 1"),
        ({"minutes": True}, 422, "invalid", "minutes", "ganze Zahl ab 1"),
        ({"minutes": 24 * 60 + 1}, 422, "day_over_24h", "minutes", "24 Stunden"),
        ({"minutes": MISSING}, 422, "invalid", "minutes", "ganze Zahl ab 1"),
        ({"date": "18.11.2026"}, 422, "invalid", "date", "kein gültiges Datum"),
        ({"date": "2026-02-30"}, 422, "invalid", "date", "kein gültiges Datum"),
        ({"date": "20261118"}, 422, "invalid", "date", "kein gültiges Datum"),
        ({"date": MISSING}, 422, "invalid", "date", "fehlt"),
        ({"date": "2026-11-21"}, 422, "future_date", "date", "Zukunft"),
        ({"client_id": "abc"}, 422, "invalid", "client_id", "UUID"),
        ({"client_id": "0d3c5a8e4a8f4a439d5e1c1a2f7b9e10"}, 422, "invalid", "client_id", "UUID"),
        ({"client_id": 42}, 422, "invalid", "client_id", "fehlt"),
        ({"client_id": MISSING}, 422, "invalid", "client_id", "fehlt"),
        ({"activity": "zaubern"}, 400, "invalid_activity", "activity", "Unbekannte Tätigkeit"),
        ({"activity": MISSING}, 422, "invalid", "activity", "fehlt"),
        ({"meeting_point": "{other_place}"}, 422, "invalid_meeting_point", "meeting_point", "Treffpunkt"),
        ({"meeting_point": "gibt-es-nicht"}, 422, "invalid", "meeting_point", "Treffpunkt"),
        ({"centre": "duisburg"}, 422, "not_member", None, "gehören nicht"),
        ({"centre": "gibt-es-nicht"}, 422, "invalid", "centre", "Zentrum"),
        ({"shift_id": 999999}, 422, "invalid", "shift_id", "Schicht"),
        ({"shift_id": "1"}, 422, "invalid", "shift_id", "ganze Zahl"),
        ({"note": "x" * 501}, 422, "note_too_long", "note", "höchstens 500 Zeichen"),
        ({"note": 5}, 422, "invalid", "note", "Text"),
    ],
)
def test_bad_input_is_refused_in_german_and_nothing_is_stored(client, world, changes, status, code, field, words):
    changes = {
        key: value.format(other_place=world.other_place.slug) if isinstance(value, str) else value
        for key, value in changes.items()
    }
    response = client.post("/api/v1/me/hours", headers=bearer(client, world.volunteer), json=hours_body(**changes))
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert (error["code"], error.get("field")) == (code, field)
    assert words in error["message"]
    assert entry_count() == 0


@pytest.mark.parametrize("body, status", [([1, 2], 400), ("kein json", 400)])
def test_a_body_that_is_no_object_is_refused(client, world, body, status):
    response = client.post("/api/v1/me/hours", headers=bearer(client, world.volunteer), json=body)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == "bad_request"
    assert entry_count() == 0


def test_more_than_24_hours_in_one_day_across_requests(client, world):
    headers = bearer(client, world.volunteer)
    assert client.post("/api/v1/me/hours", headers=headers, json=hours_body(minutes=20 * 60)).status_code == 201
    response = client.post("/api/v1/me/hours", headers=headers, json=hours_body(minutes=5 * 60))
    assert (response.status_code, response.get_json()["error"]["code"]) == (422, "day_over_24h")
    assert entry_count() == 1


def test_a_closed_period_takes_no_new_hours(client, world, make_user):
    lead = make_user("lead", world.home)
    period = create_period(
        centre=world.home, label="Oktober 2026", starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31)
    )
    close_period(period=period, by=lead)
    db.session.commit()
    response = client.post(
        "/api/v1/me/hours", headers=bearer(client, world.volunteer), json=hours_body(date="2026-10-20")
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == ("period_closed", "date")
    assert "Oktober 2026" in error["message"] and "abgeschlossen" in error["message"]
    assert entry_count() == 0


def test_with_several_centres_the_centre_must_be_named(client, world):
    set_centre_role(user=world.volunteer, centre=world.other, role="volunteer")
    db.session.commit()
    headers = bearer(client, world.volunteer)
    unnamed = client.post("/api/v1/me/hours", headers=headers, json=hours_body())
    assert unnamed.status_code == 422
    assert unnamed.get_json()["error"]["field"] == "centre"
    assert "Zentrum" in unnamed.get_json()["error"]["message"]
    assert entry_count() == 0
    named = client.post("/api/v1/me/hours", headers=headers, json=hours_body(centre="duisburg"))
    assert (named.status_code, named.get_json()["centre"]) == (201, "duisburg")
    assert db.session.scalar(sa.select(HoursEntry.centre_id)) == world.other.id


def test_hours_of_an_attended_shift_count_for_its_centre_meeting_point_and_baustein(client, world, make_shift):
    set_centre_role(user=world.volunteer, centre=world.other, role="volunteer")  # the shift decides
    with time.freeze(NOW - timedelta(days=5)):
        shift = make_shift(
            world.place,
            starts=time.berlin_local(datetime(2026, 11, 19, 15)),
            hours=3,
            activity="sprachcafe",
            baustein="C",
        )
        signup = sign_up(shift=shift, volunteer=world.volunteer)
    db.session.commit()
    headers = bearer(client, world.volunteer)
    body = hours_body(shift_id=shift.id, date="2026-11-19", minutes=180, activity="sprachcafe")

    record_attendance(shift=shift, marks={signup.id: "no_show"}, participants_count=4)
    refused = client.post("/api/v1/me/hours", headers=headers, json=body)
    assert refused.status_code == 422
    assert (refused.get_json()["error"]["code"], refused.get_json()["error"]["field"]) == ("not_attended", "shift_id")

    record_attendance(shift=shift, marks={signup.id: "attended"}, participants_count=4)
    created = client.post("/api/v1/me/hours", headers=headers, json=body)
    assert created.status_code == 201, created.get_json()
    entry = created.get_json()
    assert (entry["shift_id"], entry["centre"], entry["meeting_point"], entry["baustein"]) == (
        shift.id,
        "duesseldorf",
        world.place.slug,
        "C",
    )
    twice = client.post("/api/v1/me/hours", headers=headers, json={**body, "client_id": str(uuid.uuid4())})
    assert (twice.status_code, twice.get_json()["error"]["code"]) == (422, "already_logged")
    assert entry_count() == 1


def test_hours_for_a_shift_that_differ_from_the_proposal_need_a_reason_as_on_the_page(client, world, make_shift):
    """The same rule as the proposal form on the hours page (hours/policy.py deviation_blockers)."""
    with time.freeze(NOW - timedelta(days=5)):
        shift = make_shift(world.place, starts=time.berlin_local(datetime(2026, 11, 19, 15)), hours=3)
        signup = sign_up(shift=shift, volunteer=world.volunteer)
    db.session.commit()
    record_attendance(shift=shift, marks={signup.id: "attended"}, participants_count=4)
    headers = bearer(client, world.volunteer)
    body = hours_body(shift_id=shift.id, date="2026-11-19", minutes=240, activity=shift.activity, note="")

    refused = client.post("/api/v1/me/hours", headers=headers, json=body)
    assert refused.status_code == 422
    assert (refused.get_json()["error"]["code"], refused.get_json()["error"]["field"]) == ("reason_required", "note")
    assert entry_count() == 0

    explained = client.post("/api/v1/me/hours", headers=headers, json={**body, "note": "Aufräumen danach"})
    assert (explained.status_code, explained.get_json()["minutes"]) == (201, 240)


def test_another_centres_shift_is_unknown(client, world, make_shift):
    shift = make_shift(world.other_place, starts=time.berlin_local(datetime(2026, 11, 19, 15)))
    response = client.post(
        "/api/v1/me/hours",
        headers=bearer(client, world.volunteer),
        json=hours_body(shift_id=shift.id, date="2026-11-19"),
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "shift_id"
    assert entry_count() == 0


# --- listing ---------------------------------------------------------------------------


def test_my_hours_lists_only_my_entries_newest_first_with_totals(client, world):
    early = stored(world.volunteer, day=date(2026, 10, 5), minutes=45)
    approved = stored(world.volunteer, day=date(2026, 11, 2), minutes=120)
    latest = stored(world.volunteer, day=date(2026, 11, 18), minutes=90, client_id=str(uuid.uuid4()))
    approve(entry=approved, by=world.coordinator)
    stored(world.other_volunteer, day=date(2026, 11, 18), minutes=300)
    db.session.commit()
    answer = client.get("/api/v1/me/hours", headers=bearer(client, world.volunteer))
    assert answer.status_code == 200
    body = answer.get_json()
    assert [(item["id"], item["status"]) for item in body["items"]] == [
        (latest.id, SUBMITTED),
        (approved.id, APPROVED),
        (early.id, SUBMITTED),
    ]
    assert body["items"][0]["client_id"] == latest.client_id
    assert body["totals"] == {
        "month_approved_minutes": 120,
        "month_submitted_minutes": 90,
        "year_approved_minutes": 120,
        "year_submitted_minutes": 135,
    }


@pytest.mark.parametrize(
    "query, expected",
    [
        ("?from=2026-11-01", [date(2026, 11, 18), date(2026, 11, 2)]),
        ("?to=2026-11-02", [date(2026, 11, 2), date(2026, 10, 5)]),
        ("?from=2026-11-02&to=2026-11-02", [date(2026, 11, 2)]),
    ],
)
def test_my_hours_between_dates(client, world, query, expected):
    for day in (date(2026, 10, 5), date(2026, 11, 2), date(2026, 11, 18)):
        stored(world.volunteer, day=day)
    items = client.get(f"/api/v1/me/hours{query}", headers=bearer(client, world.volunteer)).get_json()["items"]
    assert [date.fromisoformat(item["date"]) for item in items] == expected


@pytest.mark.parametrize(
    "query, field", [("?from=gestern", "from"), ("?to=2026-02-30", "to"), ("?from=2026-11-02&to=2026-11-01", "to")]
)
def test_bad_dates_of_the_list_answer_422(client, world, query, field):
    response = client.get(f"/api/v1/me/hours{query}", headers=bearer(client, world.volunteer))
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == field
    assert "Datum" in response.get_json()["error"]["message"] or "vor" in response.get_json()["error"]["message"]


# --- review ----------------------------------------------------------------------------


@pytest.mark.parametrize("auth", AUTH)
def test_the_centres_coordinator_approves_and_rejects(client, world, auth):
    first, second = stored(world.volunteer), stored(world.volunteer, day=date(2026, 11, 17))
    headers = AUTH[auth](client, world.coordinator)
    approved = client.post(f"/api/v1/hours/{first.id}/approve", headers=headers)
    assert approved.status_code == 200, approved.get_json()
    assert (approved.get_json()["id"], approved.get_json()["status"]) == (first.id, "approved")

    unexplained = client.post(f"/api/v1/hours/{second.id}/reject", headers=headers, json={"reason": "  "})
    assert unexplained.status_code == 422
    assert (unexplained.get_json()["error"]["code"], unexplained.get_json()["error"]["field"]) == (
        "reason_required",
        "reason",
    )
    rejected = client.post(f"/api/v1/hours/{second.id}/reject", headers=headers, json={"reason": "Doppelt eingetragen"})
    assert rejected.status_code == 200
    assert (rejected.get_json()["status"], rejected.get_json()["review_reason"]) == ("rejected", "Doppelt eingetragen")

    again = client.post(f"/api/v1/hours/{first.id}/approve", headers=headers)
    assert (again.status_code, again.get_json()["error"]["code"]) == (422, "not_submitted")
    db.session.expire_all()
    assert [
        (e.id, e.status, e.reviewed_by_id) for e in db.session.scalars(sa.select(HoursEntry).order_by(HoursEntry.id))
    ] == [(first.id, APPROVED, world.coordinator.id), (second.id, REJECTED, world.coordinator.id)]


def test_review_needs_the_csrf_header_with_a_session_cookie(client, login, world):
    entry = stored(world.volunteer)
    login(user=world.coordinator)
    refused = client.post(f"/api/v1/hours/{entry.id}/approve")
    assert refused.get_json()["error"]["code"] == "csrf_failed"
    db.session.expire_all()
    assert entry.status == SUBMITTED


@pytest.mark.parametrize("who", ["other_coordinator", "volunteer", "other_volunteer"])
@pytest.mark.parametrize("action, body", [("approve", None), ("reject", {"reason": "passt nicht"})])
def test_others_get_404_and_the_entry_stays(client, world, who, action, body):
    entry = stored(world.volunteer)
    response = client.post(f"/api/v1/hours/{entry.id}/{action}", headers=bearer(client, getattr(world, who)), json=body)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    db.session.expire_all()
    assert (entry.status, entry.reviewed_by_id) == (SUBMITTED, None)


def test_an_unknown_entry_is_404_for_the_coordinator_too(client, world):
    response = client.post("/api/v1/hours/424242/approve", headers=bearer(client, world.coordinator))
    assert response.status_code == 404


# --- the same limits as the page, in the same words ---------------------------------------


@pytest.mark.parametrize(
    "changes, code, field",
    [
        ({"date": "2026-08-21"}, "too_old", "date"),  # more than 90 days back
        ({"date": "2026-09-30", "october": "open"}, "before_open_period", "date"),  # the oldest open period
        ({"date": "2026-11-21"}, "future_date", "date"),
        ({"minutes": 23 * 60 + 1}, "day_over_24h", "minutes"),  # beside the hour stored that day
        ({"note": "x" * 501}, "note_too_long", "note"),
    ],
)
def test_limits_answer_422_with_the_pages_message_and_store_nothing(client, login, world, changes, code, field):
    changes = dict(changes)  # the parameters are shared by both databases' runs
    if changes.pop("october", None):
        create_period(centre=world.home, label="Oktober", starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31))
    stored(world.volunteer, day=date(2026, 11, 18), minutes=60)
    body = hours_body(**changes)
    response = client.post("/api/v1/me/hours", headers=bearer(client, world.volunteer), json=body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == (code, field)

    login(user=world.volunteer)
    minutes = body["minutes"]
    form = {
        "centre": "duesseldorf",
        "work_date": body["date"],
        "hours": str(minutes // 60),
        "minutes": str(minutes % 60),
        "activity": body["activity"],
        "meeting_point": "",
        "note": body["note"],
        "client_id": str(uuid.uuid4()),
    }
    page = helpers.post_form(client, "/hours", form)
    assert page.status_code == 422
    assert error["message"] in page.get_data(as_text=True)
    assert entry_count() == 1


def test_a_volunteer_is_told_to_ask_the_coordination_about_a_closed_month(client, world, make_user):
    period = create_period(
        centre=world.home, label="Oktober 2026", starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31)
    )
    close_period(period=period, by=make_user("lead", world.home))
    db.session.commit()
    response = client.post(
        "/api/v1/me/hours", headers=bearer(client, world.volunteer), json=hours_body(date="2026-10-20")
    )
    message = response.get_json()["error"]["message"]
    assert "Koordination Ihres Zentrums" in message and "Korrektur" not in message
