"""Many colleagues tap "Übernehmen" on the same offer at the same moment, while others sign up for
the shift's last free place and the offerer withdraws: served by several gunicorn worker processes
on the test's own database (SQLite file or PostgreSQL). Exactly one gets the seat, nobody is overbooked."""

from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.servers import all_at_once, gunicorn
from volunteers.accounts.services import issue_api_token
from volunteers.core import time
from volunteers.extensions import db
from volunteers.shifts.handovers import offer_handover
from volunteers.shifts.models import CONFIRMED, Handover, Shift, Signup
from volunteers.shifts.signups import sign_up

CROWD = 12


@pytest.fixture
def server(app, tmp_path):
    with gunicorn(app, tmp_path) as port:
        yield port


@pytest.fixture
def offered(make_shift, make_user):
    """A shift with two places in a week: one held by a giver who offers it, one free; colleagues with tokens."""
    shift = make_shift(starts=time.now() + timedelta(days=7), capacity_max=2)
    giver = make_user("volunteer", shift.centre)
    signup = sign_up(shift=shift, volunteer=giver)
    offer = offer_handover(signup=signup, by=giver)
    people = [make_user("volunteer", shift.centre) for _ in range(CROWD)]
    tokens = {person.id: issue_api_token(user=person) for person in [giver, *people]}
    db.session.commit()  # nothing of the test's may hold the database while the server writes
    return shift.id, offer.id, signup.id, giver.id, [person.id for person in people], tokens


def confirmed_on(shift_id: int) -> tuple[int, list[int]]:
    db.session.rollback()
    count = db.session.scalar(sa.select(Shift.confirmed_count).where(Shift.id == shift_id))
    people = db.session.scalars(
        sa.select(Signup.user_id).where(Signup.shift_id == shift_id, Signup.status == CONFIRMED)
    ).all()
    db.session.rollback()
    return count, list(people)


@pytest.mark.server
def test_simultaneous_accepts_give_the_seat_once(server, offered):
    shift_id, offer_id, _signup_id, giver_id, people, tokens = offered
    accept = f"/api/v1/handovers/{offer_id}/accept"
    results = all_at_once(server, [("POST", accept, tokens[p]) for p in people])

    assert Counter(status for status, _ in results) == {201: 1, 422: CROWD - 1}, results
    assert {answer["error"]["code"] for status, answer in results if status == 422} == {"taken"}
    count, confirmed = confirmed_on(shift_id)
    winner = next(p for p, (status, _) in zip(people, results, strict=True) if status == 201)
    assert (count, confirmed) == (1, [winner])
    assert giver_id not in confirmed
    assert db.session.scalar(sa.select(Handover.status).where(Handover.id == offer_id)) == "taken"


@pytest.mark.server
def test_accepts_signups_and_a_withdrawal_at_once_never_overbook(server, offered):
    shift_id, offer_id, _signup_id, giver_id, people, tokens = offered
    half = CROWD // 2
    calls = (
        [("POST", f"/api/v1/handovers/{offer_id}/accept", tokens[p]) for p in people[:half]]
        + [("POST", f"/api/v1/shifts/{shift_id}/signup", tokens[p]) for p in people[half:]]
        + [("DELETE", f"/api/v1/handovers/{offer_id}", tokens[giver_id])]
    )
    results = all_at_once(server, calls)
    assert all(status in (200, 201, 422) for status, _ in results), results

    count, confirmed = confirmed_on(shift_id)
    assert count == len(confirmed) == 2  # the held seat (giver or taker) and the free one
    accepted = [p for p, (status, _) in zip(people[:half], results[:half], strict=True) if status == 201]
    withdrawn = results[-1][0] == 200
    assert len(accepted) == (0 if withdrawn else 1)
    assert (giver_id in confirmed) == withdrawn
