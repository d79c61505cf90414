"""A shift created with a start in the past is mostly a wrong date: the form comes back with a
notice and the checkbox "Ja, die Schicht liegt in der Vergangenheit", the API answers 422
past_start_unconfirmed unless "confirm_past" is true; one rule (planning.past_start_blockers).
Also the plural forms of the plan's counts."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from tests.helpers import PASSWORD, clock_frozen_at, post_form
from volunteers.core import time
from volunteers.extensions import db
from volunteers.shifts.models import Shift

NOW = time.berlin_local(datetime(2026, 11, 2, 9, 0))  # a Monday

frozen_clock = clock_frozen_at(NOW)
CHECKBOX = "Ja, die Schicht liegt in der Vergangenheit"


@pytest.fixture
def planner(client, login, make_centre, make_meeting_point):
    centre = make_centre("kreuztal")
    client.meeting_point = make_meeting_point(centre)
    client.coordinator = login("coordinator", centre)
    return client


def form(client, day, **changes):
    return {
        "meeting_point": client.meeting_point.slug,
        "activity": "sprachcafe",
        "day": day,
        "start_time": "08:00",
        "end_time": "10:00",
        "capacity_min": "1",
        "capacity_max": "2",
        **changes,
    }


def count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Shift))


def test_the_form_asks_before_it_plans_the_past(planner):
    page = planner.get("/centres/kreuztal/shifts/new").text
    assert CHECKBOX not in page
    asked = post_form(planner, "/centres/kreuztal/shifts/new", form(planner, "2026-11-02"))  # 08:00 today
    assert asked.status_code == 422 and CHECKBOX in asked.text and "in der Vergangenheit" in asked.text
    assert count() == 0
    created = post_form(planner, "/centres/kreuztal/shifts/new", form(planner, "2026-11-02", confirm_past="y"))
    assert created.status_code == 302 and count() == 1


def test_a_future_shift_is_not_asked_about(planner):
    response = post_form(planner, "/centres/kreuztal/shifts/new", form(planner, "2026-11-02", start_time="09:30"))
    assert response.status_code == 302 and count() == 1


def token(client, person) -> dict:
    answer = client.post("/api/v1/auth/token", json={"email": person.email, "password": PASSWORD})
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


@pytest.mark.parametrize(
    ("confirm", "status", "code"),
    [
        (None, 422, "past_start_unconfirmed"),
        (False, 422, "past_start_unconfirmed"),
        ("yes", 422, "invalid"),
        (True, 201, None),
    ],
)
def test_the_api_refuses_the_past_unless_confirmed(planner, confirm, status, code):
    body = {
        "meeting_point": planner.meeting_point.slug,
        "starts_at": "2026-11-01T16:00:00+01:00",
        "ends_at": "2026-11-01T18:00:00+01:00",
        "capacity": 2,
        "activity": "sprachcafe",
    }
    if confirm is not None:
        body["confirm_past"] = confirm
    answer = planner.post("/api/v1/shifts", json=body, headers=token(planner, planner.coordinator))
    assert answer.status_code == status
    if code:
        assert answer.get_json()["error"]["code"] == code and count() == 0
    else:
        assert count() == 1


def test_plan_counts_use_plural_forms(planner, make_shift):
    one = make_shift(planner.meeting_point, starts=time.berlin_local(datetime(2026, 11, 5, 16, 0)), publish=False)
    response = post_form(planner, "/centres/kreuztal/plan/publish", {"week": "2026-11-02"}, follow_redirects=True)
    assert "1 Schicht veröffentlicht." in response.text
    db.session.refresh(one)
    copied = post_form(
        planner,
        "/centres/kreuztal/plan/copy-week",
        {"week": "2026-11-02", "target": "2026-11-09"},
        follow_redirects=True,
    )
    assert "1 Schicht als Entwurf kopiert." in copied.text
