"""Never overbooked: many volunteers tap the last slots at the same moment, served by several
gunicorn worker processes on the test's own database (SQLite file or PostgreSQL)."""

from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.servers import all_at_once, gunicorn
from volunteers.accounts.services import issue_api_token
from volunteers.core import time
from volunteers.extensions import db
from volunteers.shifts.models import CONFIRMED, WAITLISTED, Shift, Signup

CAPACITY, CROWD = 3, 20


@pytest.fixture
def server(app, tmp_path):
    with gunicorn(app, tmp_path) as port:
        yield port


def statuses_of(results) -> Counter:
    assert all(status in (200, 201) for status, _ in results), results
    return Counter(answer["status"] for _, answer in results)


def signups_by_status(shift_id: int) -> dict[str, list[int]]:
    """User ids per status in waitlist order, read in a fresh transaction."""
    db.session.rollback()
    rows = db.session.execute(
        sa.select(Signup.user_id, Signup.status)
        .where(Signup.shift_id == shift_id)
        .order_by(Signup.requested_at, Signup.id)
    ).all()
    db.session.rollback()
    grouped: dict[str, list[int]] = {}
    for user_id, status in rows:
        grouped.setdefault(status, []).append(user_id)
    return grouped


def assert_never_overbooked(shift_id: int) -> list[int]:
    """The confirmed people in waitlist order, once they are checked against the counter and capacity."""
    confirmed = signups_by_status(shift_id).get(CONFIRMED, [])
    confirmed_count = db.session.scalar(sa.select(Shift.confirmed_count).where(Shift.id == shift_id))
    db.session.rollback()
    assert confirmed_count == len(confirmed) == CAPACITY
    return confirmed


@pytest.fixture
def crowd(make_shift, make_user):
    """A published shift with CAPACITY places in a week, and volunteers of its centre with tokens."""
    shift = make_shift(starts=time.now() + timedelta(days=7), capacity_max=CAPACITY)
    people = [make_user("volunteer", shift.centre) for _ in range(CROWD + 4)]
    tokens = {person.id: issue_api_token(user=person) for person in people}
    db.session.commit()  # nothing of the test's may hold the database while the server writes
    return shift.id, [person.id for person in people], tokens


@pytest.mark.server
def test_simultaneous_signups_never_overbook(server, crowd):
    shift_id, people, tokens = crowd
    signup = f"/api/v1/shifts/{shift_id}/signup"

    first = all_at_once(server, [("POST", signup, tokens[p]) for p in people[:CROWD]])
    assert statuses_of(first) == {"confirmed": CAPACITY, "waitlisted": CROWD - CAPACITY}
    assert all(status == 201 for status, _ in first)
    confirmed = assert_never_overbooked(shift_id)
    waitlist = signups_by_status(shift_id)[WAITLISTED]

    # The confirmed and the first three on the waitlist cancel while newcomers sign up.
    newcomers = people[CROWD : CROWD + 3]
    second = all_at_once(
        server,
        [("DELETE", signup, tokens[p]) for p in confirmed + waitlist[:3]]
        + [("POST", signup, tokens[p]) for p in newcomers],
    )
    assert statuses_of(second) == {"cancelled": 6, "waitlisted": 3}
    assert assert_never_overbooked(shift_id) == waitlist[3:6]  # promoted earliest first

    # Those who cancelled come back while the promoted cancel in turn.
    third = all_at_once(
        server,
        [("POST", signup, tokens[p]) for p in confirmed] + [("DELETE", signup, tokens[p]) for p in waitlist[3:6]],
    )
    assert statuses_of(third) == {"waitlisted": 3, "cancelled": 3}
    assert assert_never_overbooked(shift_id) == waitlist[6:9]

    # Double taps: one person cancels twice at once, another signs up twice at once.
    latecomer = people[-1]
    fourth = all_at_once(
        server, [("DELETE", signup, tokens[waitlist[6]])] * 2 + [("POST", signup, tokens[latecomer])] * 2
    )
    assert all(status in (200, 201, 409) for status, _ in fourth), fourth
    assert sorted((status, answer.get("status") or answer["error"]["code"]) for status, answer in fourth) == [
        (200, "cancelled"),
        (201, "waitlisted"),
        (409, "already_signed_up"),
        (409, "not_signed_up"),
    ]
    assert assert_never_overbooked(shift_id) == waitlist[7:10]


@pytest.mark.database("postgresql")  # SQLite has one write lock for the whole database: no row locks to order
def test_a_locked_person_can_still_be_notified_and_signed_up_elsewhere(app, make_shift, make_user):
    """PostgreSQL: while one request holds a person's lock (a second tap on "sign up"), another
    transaction that holds a shift can still insert rows pointing to that person (the promotion's
    sign-up and notification). With FOR UPDATE this waited, and the two deadlocked."""
    from volunteers.shifts import signups

    first, second = make_shift(), make_shift(starts=time.now() + timedelta(days=3))
    person = make_user("volunteer", first.centre)
    row = {
        "centre_id": second.centre_id,
        "shift_id": second.id,
        "user_id": person.id,
        "status": CONFIRMED,
        "requested_at": time.now(),
        "created_at": time.now(),
        "updated_at": time.now(),
        "is_late_cancellation": False,
    }
    db.session.commit()
    signups._lock_person(person)  # held by the session until rollback
    try:
        with db.engine.connect() as other:
            other.exec_driver_sql("SET lock_timeout = '3s'")
            other.execute(sa.select(Shift.id).where(Shift.id == second.id).with_for_update(key_share=True))
            other.execute(sa.insert(Signup), row)  # takes KEY SHARE on the person's row: must not wait
            other.rollback()
    finally:
        db.session.rollback()
