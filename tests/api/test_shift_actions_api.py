"""A coordinator's message to a shift and a walk-in, through the JSON API: the same services and
refusals as the shift's page; volunteers and the other centre's coordination get nothing done."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import PASSWORD
from volunteers.core import time
from volunteers.extensions import db
from volunteers.hours.models import HoursEntry
from volunteers.push.models import Notification
from volunteers.shifts.models import Signup
from volunteers.shifts.signups import sign_up


def bearer(client, user) -> dict:
    answer = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


@pytest.fixture
def world(make_centre, make_meeting_point, make_user, make_shift):
    home, other = make_centre("duesseldorf"), make_centre("duisburg")
    shift = make_shift(make_meeting_point(home), capacity_max=1)  # tomorrow, 16:00
    amal, jonas = make_user("volunteer", home, name="Amal"), make_user("volunteer", home, name="Jonas")
    sign_up(shift=shift, volunteer=amal)
    sign_up(shift=shift, volunteer=jonas)  # waitlisted: the shift holds one
    db.session.commit()
    return {
        "shift": shift,
        "amal": amal,
        "jonas": jonas,
        "coordinator": make_user("coordinator", home),
        "stranger": make_user("coordinator", other),
        "outsider": make_user("volunteer", other),
    }


def notifications() -> list[tuple[int, str]]:
    """The shift messages queued (sign-ups queue their reminders too)."""
    rows = db.session.execute(
        sa.select(Notification.user_id, Notification.kind)
        .where(Notification.kind == "shift_message")
        .order_by(Notification.user_id)
    )
    return [tuple(row) for row in rows]


def test_a_message_reaches_the_confirmed_and_on_request_the_waitlist(client, world):
    path = f"/api/v1/shifts/{world['shift'].id}/messages"
    auth = bearer(client, world["coordinator"])
    sent = client.post(path, json={"text": "Wir sind heute im Raum 2."}, headers=auth)
    assert sent.status_code == 201 and sent.get_json() == {"recipients": 1}
    assert notifications() == [(world["amal"].id, "shift_message")]
    both = client.post(path, json={"text": "Bitte Ausweis mitbringen.", "include_waitlist": True}, headers=auth)
    assert both.get_json() == {"recipients": 2}
    assert sorted(notifications()) == sorted(
        [(world["amal"].id, "shift_message")] * 2 + [(world["jonas"].id, "shift_message")]
    )


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"text": "   "}, 400, "text_required"),
        ({"text": "x" * 501}, 422, "too_long"),
        ({"text": 5}, 422, "invalid"),
        ({"text": "Hallo", "include_waitlist": "ja"}, 422, "invalid"),
    ],
)
def test_a_message_that_does_not_fit_is_refused_and_sends_nothing(client, world, body, status, code):
    answer = client.post(
        f"/api/v1/shifts/{world['shift'].id}/messages", json=body, headers=bearer(client, world["coordinator"])
    )
    assert (answer.status_code, answer.get_json()["error"]["code"]) == (status, code), answer.get_json()
    assert notifications() == []


def test_messages_are_limited_per_shift_and_hour_as_on_the_page(client, world):
    path, auth = f"/api/v1/shifts/{world['shift'].id}/messages", bearer(client, world["coordinator"])
    for number in range(5):
        assert client.post(path, json={"text": f"Hinweis {number}"}, headers=auth).status_code == 201
    refused = client.post(path, json={"text": "Noch einer"}, headers=auth)
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "rate_limited"
    assert len(notifications()) == 5


def test_only_the_centre_s_coordination_sends_or_records(client, world):
    shift_id = world["shift"].id
    for person, status in ((world["amal"], 403), (world["stranger"], 404)):
        auth = bearer(client, person)
        assert client.post(f"/api/v1/shifts/{shift_id}/messages", json={"text": "Hallo"}, headers=auth).status_code == (
            status
        )
        walk_in = client.post(f"/api/v1/shifts/{shift_id}/walk-ins", json={"volunteer_id": 1}, headers=auth)
        assert walk_in.status_code == status
    assert notifications() == []


def test_a_walk_in_is_an_attended_signup_with_hours_waiting_for_approval(client, world, make_user):
    shift = world["shift"]
    walker = make_user("volunteer", world["coordinator"].memberships[0].centre, name="Olena")
    db.session.commit()
    path, auth = f"/api/v1/shifts/{shift.id}/walk-ins", bearer(client, world["coordinator"])
    early = client.post(path, json={"volunteer_id": walker.id}, headers=auth)
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "not_started"
    with time.travel(shift.starts_at + timedelta(hours=1)):
        answer = client.post(path, json={"volunteer_id": walker.id}, headers=auth)
        assert answer.status_code == 201, answer.get_json()
        body = answer.get_json()
        assert body["raised_capacity"] is True and body["capacity"] == 2  # the shift was full
        assert body["hours_entry"]["status"] == "submitted"
        assert body["hours_entry"]["minutes"] == shift.duration_minutes
        again = client.post(path, json={"volunteer_id": walker.id}, headers=auth)
        assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_signed_up"
    signup = db.session.scalar(sa.select(Signup).where(Signup.user_id == walker.id))
    assert (signup.status, signup.attendance) == ("confirmed", "attended")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HoursEntry)) == 1


@pytest.mark.parametrize("who", ["outsider", "unknown", "coordinator", "not_an_id"])
def test_a_walk_in_of_someone_not_a_volunteer_of_the_centre_is_refused(client, world, who):
    shift = world["shift"]
    volunteer_id = {"outsider": world["outsider"].id, "unknown": 999_999, "coordinator": world["coordinator"].id}
    body = {"volunteer_id": volunteer_id.get(who, "12")}
    with time.travel(shift.starts_at + timedelta(hours=1)):
        answer = client.post(
            f"/api/v1/shifts/{shift.id}/walk-ins", json=body, headers=bearer(client, world["coordinator"])
        )
    expected = (422, "invalid") if who == "not_an_id" else (409, "not_member")
    assert (answer.status_code, answer.get_json()["error"]["code"]) == expected, answer.get_json()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HoursEntry)) == 0
