"""Shifts, sign-ups and activities through the JSON API: real HTTP requests with bearer tokens
against the real database. The clock stands at 1 September 2026 so that dates stay in the future."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.helpers import PASSWORD, clock_frozen_at, csrf_token
from volunteers.activities.services import add_centre_activity
from volunteers.core import time
from volunteers.extensions import db
from volunteers.shifts.models import Shift, Signup
from volunteers.shifts.signups import sign_up

NOW = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
MISSING = object()


frozen_clock = clock_frozen_at(NOW)


@pytest.fixture
def world(make_centre, make_meeting_point, make_user):
    home, other = make_centre("duesseldorf"), make_centre("duisburg")
    return SimpleNamespace(
        home=home,
        other=other,
        place=make_meeting_point(
            home, name="Begegnungscafé Oberbilk", street="Kölner Straße 1", postcode="40227", city="Düsseldorf"
        ),
        second_place=make_meeting_point(home, name="Stadtteilzentrum Garath"),
        other_place=make_meeting_point(other, name="Flachsmarkt"),
        coordinator=make_user("coordinator", home),
        volunteer=make_user("volunteer", home),
        other_coordinator=make_user("coordinator", other),
    )


def bearer(client, user) -> dict:
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def berlin(*wall_clock) -> datetime:
    return time.berlin_local(datetime(*wall_clock))


def shift_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Shift))


def new_shift_body(world, **changes) -> dict:
    body = {
        "meeting_point": world.place.slug,
        "starts_at": "2026-09-15T16:00:00+02:00",
        "ends_at": "2026-09-15T18:00:00+02:00",
        "capacity": 3,
        "activity": "sprachcafe",
        **changes,
    }
    return {key: value for key, value in body.items() if value is not MISSING}


def listed(client, headers, query: str = "") -> list[dict]:
    response = client.get(f"/api/v1/shifts{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


# --- reading ---------------------------------------------------------------------------


def test_list_gives_berlin_offsets_in_summer_and_winter(client, world, make_shift):
    summer = make_shift(world.place, starts=berlin(2026, 9, 15, 16), languages=["ar"], notes="Tee mitbringen")
    make_shift(world.place, starts=berlin(2026, 11, 10, 16))
    items = listed(client, bearer(client, world.volunteer), "?from=2026-09-01&to=2026-12-31")
    assert [(i["starts_at"], i["ends_at"]) for i in items] == [
        ("2026-09-15T16:00:00+02:00", "2026-09-15T18:00:00+02:00"),
        ("2026-11-10T16:00:00+01:00", "2026-11-10T18:00:00+01:00"),
    ]
    first = items[0]
    assert first == {
        "id": summer.id,
        "meeting_point": world.place.slug,
        "meeting_point_name": "Begegnungscafé Oberbilk",
        "address": "Kölner Straße 1, 40227 Düsseldorf",
        "centre": "duesseldorf",
        "starts_at": "2026-09-15T16:00:00+02:00",
        "ends_at": "2026-09-15T18:00:00+02:00",
        "duration_minutes": 120,
        "capacity": 2,
        "capacity_min": 1,
        "confirmed_count": 0,
        "free_slots": 2,
        "status": "published",
        "activity": "sprachcafe",
        "activity_name": "Sprachcafé / Begegnung",
        "baustein": "B",
        "languages": ["ar"],
        "requires_police_certificate": False,
        "notes": "Tee mitbringen",
        "cancel_reason": None,
        "series_id": None,
        "my_signup": None,
    }


@pytest.mark.parametrize(
    "starts_at, ends_at",
    [
        ("2026-10-25T01:00:00", "2026-10-25T04:00:00"),  # Berlin wall-clock times
        ("2026-10-25T01:00:00+02:00", "2026-10-25T04:00:00+01:00"),
        ("2026-10-24T23:00:00Z", "2026-10-25T03:00:00Z"),
    ],
)
def test_a_shift_over_the_autumn_dst_change_lasts_four_hours(client, world, starts_at, ends_at):
    headers = bearer(client, world.coordinator)
    created = client.post(
        "/api/v1/shifts",
        headers=headers,
        json=new_shift_body(world, starts_at=starts_at, ends_at=ends_at, status="published"),
    )
    assert created.status_code == 201, created.get_json()
    shift = client.get(f"/api/v1/shifts/{created.get_json()['id']}", headers=headers).get_json()
    for answer in (created.get_json(), shift):
        assert answer["starts_at"] == "2026-10-25T01:00:00+02:00"
        assert answer["ends_at"] == "2026-10-25T04:00:00+01:00"
        assert answer["duration_minutes"] == 240


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", ["arabisch", "ukrainisch", "ohne"]),  # now to 8 weeks ahead
        ("?from=2026-09-10&to=2026-09-12", ["arabisch", "ukrainisch"]),  # "to" includes its day
        ("?from=2026-09-10&to=2026-09-11", ["arabisch"]),
        ("?from=2026-09-12T16:00:00%2B02:00", ["ukrainisch", "ohne"]),
        ("?from=2026-09-12T16:00:00+02:00&to=2026-09-12T16:30:00+02:00", ["ukrainisch"]),  # unencoded "+"
        ("?from=2026-09-12T14:00:01Z", ["ohne"]),
        ("?from=2026-09-01&to=2026-12-31", ["arabisch", "ukrainisch", "ohne", "spaet"]),
        ("?meeting_point={second}", ["ukrainisch"]),
        ("?language=ar", ["arabisch"]),
        ("?language=uk&meeting_point={first}", []),
    ],
)
def test_list_filters_by_dates_meeting_point_and_language(client, world, make_shift, query, expected):
    shifts = {
        "arabisch": make_shift(world.place, starts=berlin(2026, 9, 10, 16), languages=["ar"]),
        "ukrainisch": make_shift(world.second_place, starts=berlin(2026, 9, 12, 16), languages=["uk"]),
        "ohne": make_shift(world.place, starts=berlin(2026, 9, 20, 16)),
        "spaet": make_shift(world.place, starts=berlin(2026, 11, 20, 16)),
    }
    make_shift(world.other_place, starts=berlin(2026, 9, 10, 16), languages=["ar"])  # another centre's
    names = {shift.id: name for name, shift in shifts.items()}
    query = query.format(first=world.place.slug, second=world.second_place.slug)
    items = listed(client, bearer(client, world.volunteer), query)
    assert [names[item["id"]] for item in items] == expected


@pytest.mark.parametrize(
    "path, field",
    [
        ("/api/v1/shifts?from=gestern", "from"),
        ("/api/v1/shifts?to=2026-02-30", "to"),
        ("/api/v1/shifts?from=2026-09-10&to=2026-09-09", "to"),
        ("/api/v1/shifts?from=2026-09-10T10:00:00%2B02:00&to=2026-09-10T10:00:00%2B02:00", "to"),
        ("/api/v1/shifts?from=2026-01-01&to=2027-01-02", "to"),
        ("/api/v1/shifts?language=xx", "language"),
        ("/api/v1/me/shifts?when=bald", "when"),
    ],
)
def test_bad_list_arguments_answer_422_in_german(client, world, path, field):
    response = client.get(path, headers=bearer(client, world.volunteer))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["field"] == field
    assert any(word in error["message"] for word in ("Datum", "nach", "Zeitraum", "Sprache", "„when“"))


def test_the_list_needs_a_login(client, world):
    response = client.get("/api/v1/shifts")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_the_session_cookie_works_too_with_csrf_for_writes(client, login, world, make_shift):
    shift = make_shift(world.place)
    login(user=world.volunteer)
    assert [item["id"] for item in listed(client, {})] == [shift.id]
    refused = client.post(f"/api/v1/shifts/{shift.id}/signup")
    assert refused.get_json()["error"]["code"] == "csrf_failed"
    accepted = client.post(f"/api/v1/shifts/{shift.id}/signup", headers={"X-CSRFToken": csrf_token(client)})
    assert accepted.status_code == 201


# --- planning --------------------------------------------------------------------------


def test_coordinator_creates_changes_publishes_and_cancels(client, world):
    staff, volunteer = bearer(client, world.coordinator), bearer(client, world.volunteer)
    created = client.post(
        "/api/v1/shifts",
        headers=staff,
        json=new_shift_body(world, languages=["ar", "fa"], requires_police_certificate=True, notes="Eingang Hof"),
    )
    assert created.status_code == 201
    shift = created.get_json()
    assert (shift["status"], shift["capacity"], shift["capacity_min"]) == ("draft", 3, 1)
    assert shift["languages"] == ["ar", "fa"]
    assert shift["requires_police_certificate"] is True and shift["baustein"] == "B"
    url = f"/api/v1/shifts/{shift['id']}"
    assert listed(client, volunteer) == []

    changed = client.patch(
        url,
        headers=staff,
        json={
            "status": "published",
            "capacity": 5,
            "notes": "Bitte pünktlich",
            "starts_at": "2026-09-15T15:00:00",
            "baustein": "D",
        },
    )
    assert changed.status_code == 200, changed.get_json()
    assert {
        key: changed.get_json()[key]
        for key in ("status", "capacity", "notes", "starts_at", "duration_minutes", "baustein", "languages")
    } == {
        "status": "published",
        "capacity": 5,
        "notes": "Bitte pünktlich",
        "starts_at": "2026-09-15T15:00:00+02:00",
        "duration_minutes": 180,
        "baustein": "D",
        "languages": ["ar", "fa"],
    }
    assert [item["id"] for item in listed(client, volunteer)] == [shift["id"]]

    cancelled = client.delete(url, headers=staff, json={"reason": "Raum nicht verfügbar"})
    assert cancelled.status_code == 200
    answer = cancelled.get_json()
    assert (answer["status"], answer["cancel_reason"]) == ("cancelled", "Raum nicht verfügbar")
    stored = db.session.get(Shift, shift["id"])
    assert (stored.status, stored.cancel_reason, stored.capacity_max) == ("cancelled", "Raum nicht verfügbar", 5)


@pytest.mark.parametrize(
    "query, body, reason",
    [
        ("", None, "Abgesagt durch die Koordination"),
        ("?reason=Unwetter", None, "Unwetter"),
        ("", {"reason": "  "}, "Abgesagt durch die Koordination"),
    ],
)
def test_cancel_takes_the_reason_from_body_or_query(client, world, make_shift, query, body, reason):
    shift = make_shift(world.place)
    response = client.delete(f"/api/v1/shifts/{shift.id}{query}", headers=bearer(client, world.coordinator), json=body)
    assert response.status_code == 200
    assert db.session.get(Shift, shift.id).cancel_reason == reason


def test_patch_refuses_cancelling_and_capacity_below_the_confirmed(client, world, make_shift, make_user):
    shift = make_shift(world.place, capacity_max=2)
    for _ in range(2):
        sign_up(shift=shift, volunteer=make_user("volunteer", world.home))
    db.session.commit()
    staff = bearer(client, world.coordinator)
    cancelling = client.patch(f"/api/v1/shifts/{shift.id}", headers=staff, json={"status": "cancelled"})
    assert (cancelling.status_code, cancelling.get_json()["error"]["code"]) == (422, "invalid_status")
    shrinking = client.patch(f"/api/v1/shifts/{shift.id}", headers=staff, json={"capacity": 1, "notes": "neu"})
    assert shrinking.status_code == 400
    assert shrinking.get_json()["error"] | {"message": ""} == {
        "code": "capacity_below_confirmed",
        "field": "capacity",
        "message": "",
    }
    db.session.expire_all()
    assert (shift.status, shift.capacity_max, shift.notes) == ("published", 2, "")


@pytest.mark.parametrize(
    "changes, status, code, field, words",
    [
        ({"ends_at": "2026-09-15T15:00:00+02:00"}, 400, "invalid_times", "ends_at", "Ende"),
        ({"capacity": -1}, 422, "invalid", "capacity", "ganze Zahl"),
        ({"capacity": "zwei"}, 422, "invalid", "capacity", "ganze Zahl"),
        ({"capacity": True}, 422, "invalid", "capacity", "ganze Zahl"),
        ({"capacity": 201}, 400, "invalid_capacity", "capacity", "Plätze"),
        ({"capacity": 2, "capacity_min": 3}, 400, "invalid_capacity", "capacity_min", "Mindestbesetzung"),
        ({"activity": "zaubern"}, 400, "invalid_activity", "activity", "Tätigkeit"),
        ({"languages": ["xx"]}, 400, "invalid_language", "languages", "Sprache"),
        ({"languages": "ar"}, 422, "invalid", "languages", "Liste"),
        ({"requires_police_certificate": "ja"}, 422, "invalid", "requires_police_certificate", "true oder false"),
        ({"baustein": "E"}, 400, "invalid_baustein", "baustein", "Baustein"),
        ({"starts_at": "morgen"}, 422, "invalid", "starts_at", "ISO 8601"),
        ({"starts_at": "2026-09-15"}, 422, "invalid", "starts_at", "Uhrzeit"),
        (
            {"starts_at": "2026-03-29T02:30:00", "ends_at": "2026-03-29T04:00:00"},
            400,
            "invalid_times",
            "starts_at",
            "Zeitumstellung",
        ),
        ({"meeting_point": MISSING}, 422, "invalid", "meeting_point", "fehlt"),
        ({"capacity": None}, 422, "invalid", "capacity", "fehlt"),
        ({"status": "cancelled"}, 422, "invalid_status", "status", "Entwurf"),
        ({"notes": "x" * 2001}, 422, "too_long", "notes", "Höchstens 2000 Zeichen."),
    ],
)
def test_bad_shift_input_is_refused_in_german_and_nothing_is_stored(client, world, changes, status, code, field, words):
    response = client.post(
        "/api/v1/shifts", headers=bearer(client, world.coordinator), json=new_shift_body(world, **changes)
    )
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert words in error["message"]
    assert shift_count() == 0


# --- who may do what -------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("GET", "/api/v1/shifts/{id}", None),
        ("PATCH", "/api/v1/shifts/{id}", {"capacity": 9}),
        ("DELETE", "/api/v1/shifts/{id}", {"reason": "weg"}),
        ("POST", "/api/v1/shifts/{id}/signup", None),
        ("DELETE", "/api/v1/shifts/{id}/signup", None),
    ],
)
def test_another_centres_coordinator_gets_404(client, world, make_shift, method, path, body):
    shift = make_shift(world.place)
    response = client.open(
        path.format(id=shift.id), method=method, json=body, headers=bearer(client, world.other_coordinator)
    )
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    db.session.expire_all()
    assert (shift.status, shift.capacity_max) == ("published", 2)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signup)) == 0


def test_another_centres_coordinator_cannot_plan_at_our_meeting_point(client, world):
    response = client.post(
        "/api/v1/shifts", headers=bearer(client, world.other_coordinator), json=new_shift_body(world)
    )
    assert response.status_code == 404
    assert response.get_json()["error"] | {"message": ""} == {
        "code": "not_found",
        "field": "meeting_point",
        "message": "",
    }
    assert shift_count() == 0
    assert listed(client, bearer(client, world.other_coordinator), "?from=2026-09-01&to=2026-12-31") == []


@pytest.mark.parametrize(
    "method, path", [("POST", "/api/v1/shifts"), ("PATCH", "/api/v1/shifts/{id}"), ("DELETE", "/api/v1/shifts/{id}")]
)
def test_a_volunteer_may_not_plan(client, world, make_shift, method, path):
    shift = make_shift(world.place)
    response = client.open(
        path.format(id=shift.id),
        method=method,
        headers=bearer(client, world.volunteer),
        json=new_shift_body(world, capacity=9),
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert shift_count() == 1
    db.session.expire_all()
    assert (shift.status, shift.capacity_max) == ("published", 2)


def test_a_volunteer_cannot_see_or_take_drafts(client, world, make_shift):
    draft = make_shift(world.place, publish=False)
    volunteer = bearer(client, world.volunteer)
    assert listed(client, volunteer) == []
    assert client.get(f"/api/v1/shifts/{draft.id}", headers=volunteer).status_code == 404
    assert client.post(f"/api/v1/shifts/{draft.id}/signup", headers=volunteer).status_code == 404
    assert [item["status"] for item in listed(client, bearer(client, world.coordinator))] == ["draft"]


# --- signing up ------------------------------------------------------------------------


def test_signups_confirm_then_waitlist_and_a_cancellation_promotes(client, world, make_shift, make_user):
    shift = make_shift(world.place, capacity_max=2)
    people = [bearer(client, make_user("volunteer", world.home)) for _ in range(3)]
    answers = [client.post(f"/api/v1/shifts/{shift.id}/signup", headers=h) for h in people]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert [a.get_json()["status"] for a in answers] == ["confirmed", "confirmed", "waitlisted"]
    last = answers[2].get_json()
    assert (last["shift"]["confirmed_count"], last["shift"]["free_slots"]) == (2, 0)
    assert last["shift"]["my_signup"] == "waitlisted"
    assert isinstance(last["signup_id"], int)

    cancelled = client.delete(f"/api/v1/shifts/{shift.id}/signup", headers=people[0])
    assert cancelled.status_code == 200
    assert (cancelled.get_json()["status"], cancelled.get_json()["is_late_cancellation"]) == ("cancelled", False)
    promoted = client.get(f"/api/v1/shifts/{shift.id}", headers=people[2]).get_json()
    assert (promoted["my_signup"], promoted["confirmed_count"]) == ("confirmed", 2)
    assert [item["my_signup"] for item in listed(client, people[0])] == ["cancelled"]


def test_signing_up_twice_or_cancelling_nothing_is_a_conflict(client, world, make_shift):
    shift = make_shift(world.place)
    volunteer = bearer(client, world.volunteer)
    nothing = client.delete(f"/api/v1/shifts/{shift.id}/signup", headers=volunteer)
    assert (nothing.status_code, nothing.get_json()["error"]["code"]) == (409, "not_signed_up")
    assert client.post(f"/api/v1/shifts/{shift.id}/signup", headers=volunteer).status_code == 201
    twice = client.post(f"/api/v1/shifts/{shift.id}/signup", headers=volunteer)
    assert (twice.status_code, twice.get_json()["error"]["code"]) == (409, "already_signed_up")
    assert "schon eingetragen" in twice.get_json()["error"]["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signup)) == 1


def test_my_shifts_lists_upcoming_and_past(client, world, make_shift):
    early = make_shift(world.place, starts=berlin(2026, 9, 5, 10))
    later = make_shift(world.place, starts=berlin(2026, 9, 20, 10))
    make_shift(world.place, starts=berlin(2026, 9, 25, 10))  # not signed up
    volunteer = bearer(client, world.volunteer)
    for shift in (later, early):
        assert client.post(f"/api/v1/shifts/{shift.id}/signup", headers=volunteer).status_code == 201
    with time.freeze(datetime(2026, 9, 10, 8, 0, tzinfo=UTC)):
        upcoming = client.get("/api/v1/me/shifts", headers=volunteer).get_json()["items"]
        past = client.get("/api/v1/me/shifts?when=past", headers=volunteer).get_json()["items"]
    assert [(item["shift"]["id"], item["status"]) for item in upcoming] == [(later.id, "confirmed")]
    assert [(item["shift"]["id"], item["status"]) for item in past] == [(early.id, "confirmed")]
    assert set(past[0]) == {"signup_id", "status", "is_late_cancellation", "attendance", "shift"}
    assert past[0]["shift"]["starts_at"] == "2026-09-05T10:00:00+02:00"


# --- queries ---------------------------------------------------------------------------


def test_the_lists_statement_count_does_not_grow_with_the_number_of_shifts(app, client, world, make_shift, make_user):
    add_centre_activity(centre=world.home, name="Fahrradwerkstatt", baustein="B")
    db.session.commit()
    headers = bearer(client, world.volunteer)
    first = berlin(2026, 9, 2, 10)

    def add_shifts(days):
        for day in days:
            shift = make_shift(
                world.place if day % 2 else world.second_place,
                starts=first + timedelta(days=day),
                activity="fahrradwerkstatt" if day % 3 else "sprachcafe",
                capacity_max=3,
            )
            if day % 2:
                sign_up(shift=shift, volunteer=world.volunteer)
        db.session.commit()

    def statements_for_list() -> tuple[int, int]:
        statements = []

        def listener(*args):
            statements.append(args[2])

        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            items = listed(client, headers)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(items), len(statements)

    add_shifts(range(0, 3))
    listed(client, headers)  # warm-up
    few = statements_for_list()
    add_shifts(range(3, 30))
    many = statements_for_list()
    assert (few[0], many[0]) == (3, 30)
    assert few[1] == many[1]
    items = listed(client, headers)
    assert {item["activity_name"] for item in items} == {"Fahrradwerkstatt", "Sprachcafé / Begegnung"}
    assert [item["my_signup"] for item in items[:2]] == [None, "confirmed"]


# --- activities ------------------------------------------------------------------------


def test_activities_are_public_and_a_centre_adds_its_own(client, world):
    add_centre_activity(centre=world.home, name="Fahrradwerkstatt", baustein=None)
    db.session.commit()
    defaults = client.get("/api/v1/activities").get_json()["items"]
    assert {"slug": "sprachcafe", "name": "Sprachcafé / Begegnung", "baustein": "B"} in defaults
    assert "fahrradwerkstatt" not in {item["slug"] for item in defaults}
    own = client.get("/api/v1/activities?centre=duesseldorf").get_json()["items"]
    assert own[-1] == {"slug": "fahrradwerkstatt", "name": "Fahrradwerkstatt", "baustein": None}
    assert len(own) == len(defaults) + 1
    unknown = client.get("/api/v1/activities?centre=atlantis")
    assert (unknown.status_code, unknown.get_json()["error"]["code"]) == (404, "not_found")
