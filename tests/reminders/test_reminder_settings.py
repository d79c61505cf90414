"""Changing the reminder settings moves the reminders of the shifts already booked, in the same
request: the unsent ones of the old settings go, the new ones come (Berlin time, across the end of
summer time), what was sent is not sent again, and what is already past is not sent late."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from tests.helpers import csrf_token
from volunteers.core import time
from volunteers.extensions import db
from volunteers.push.models import PENDING, SENT, Notification
from volunteers.shifts.signups import cancel_signup, sign_up

NOW = time.berlin_local(datetime(2026, 10, 20, 9, 0))


def berlin(*args):
    return time.berlin_local(datetime(*args))


@pytest.fixture(autouse=True)
def frozen_clock():
    with time.freeze(NOW):
        yield


def pending_reminders(user):
    query = (
        sa.select(Notification.due_at)
        .where(Notification.user_id == user.id, Notification.kind == "reminder", Notification.status == PENDING)
        .order_by(Notification.due_at)
    )
    return list(db.session.scalars(query))


def change_settings(client, minutes, *, quiet=(22, 7), channel="push", alarm=""):
    data = {
        "notify-csrf_token": csrf_token(client),
        "notify-reminder_minutes": [str(m) for m in minutes],
        "notify-quiet_start_hour": str(quiet[0]),
        "notify-quiet_end_hour": str(quiet[1]),
        "notify-notify_channel": channel,
        "notify-calendar_alarm_minutes": alarm,
    }
    response = client.post("/settings/notifications", data=data)
    db.session.expire_all()
    return response


@pytest.fixture
def booked(make_shift, make_user, login):
    """A volunteer signed in, booked on the Sunday summer time ends and on the Tuesday after."""
    sunday = make_shift(starts=berlin(2026, 10, 25, 10, 0))
    tuesday = make_shift(sunday.meeting_point, starts=berlin(2026, 10, 27, 18, 0))
    volunteer = make_user("volunteer", sunday.centre)
    for shift in (sunday, tuesday):
        sign_up(shift=shift, volunteer=volunteer)
    db.session.commit()
    login(user=volunteer)
    return volunteer, sunday, tuesday


def test_the_default_reminders_are_replaced_by_the_new_times_once(client, booked):
    volunteer, _sunday, _tuesday = booked
    assert pending_reminders(volunteer) == [
        berlin(2026, 10, 24, 10, 0),
        berlin(2026, 10, 25, 8, 0),
        berlin(2026, 10, 26, 18, 0),
        berlin(2026, 10, 27, 16, 0),
    ]
    response = change_settings(client, [60])
    assert response.status_code == 302 and response.headers["Location"].endswith("/settings#notifications")
    expected = [berlin(2026, 10, 25, 9, 0), berlin(2026, 10, 27, 17, 0)]
    assert pending_reminders(volunteer) == expected
    # 09:00 on the Sunday is winter time already: 08:00 UTC, one real hour before 10:00 CET.
    assert [d.isoformat() for d in expected] == ["2026-10-25T08:00:00+00:00", "2026-10-27T16:00:00+00:00"]
    assert volunteer.reminder_minutes == [60]
    change_settings(client, [60])  # saved again: nothing twice
    assert pending_reminders(volunteer) == expected


def test_a_day_before_keeps_the_wall_clock_time_across_the_change(client, booked):
    volunteer, _sunday, _tuesday = booked
    change_settings(client, [2880])
    # 10:00 summer time on Friday for 10:00 winter time on Sunday: 49 real hours.
    assert pending_reminders(volunteer) == [berlin(2026, 10, 23, 10, 0), berlin(2026, 10, 25, 18, 0)]


def test_sent_reminders_are_not_sent_again_and_past_ones_not_late(client, booked):
    volunteer, sunday, _tuesday = booked
    day_before = db.session.scalar(sa.select(Notification).where(Notification.due_at == berlin(2026, 10, 24, 10, 0)))
    with time.freeze(berlin(2026, 10, 24, 12, 0)):
        day_before.status = SENT  # as the worker left it
        db.session.commit()
        change_settings(client, [2880, 1440, 240])
        # Sunday: two days before is past, a day before was sent, 4 h before is 06:00 in the night: 07:00.
        assert pending_reminders(volunteer) == [
            berlin(2026, 10, 25, 7, 0),
            berlin(2026, 10, 25, 18, 0),
            berlin(2026, 10, 26, 18, 0),
            berlin(2026, 10, 27, 14, 0),
        ]
    sunday_rows = db.session.scalars(
        sa.select(Notification).where(Notification.dedupe_key.startswith(f"shift:{sunday.id}:user:{volunteer.id}:"))
    ).all()
    assert sum(1 for n in sunday_rows if "reminder-1440" in (n.dedupe_key or "")) == 1


def test_quiet_hours_move_the_booked_reminders_too(client, booked):
    volunteer, _sunday, _tuesday = booked
    change_settings(client, [120], quiet=(6, 9))
    # 08:00 on Sunday is now in the quiet hours: at their end, 09:00, still before 10:00; Tuesday's 16:00 stays.
    assert pending_reminders(volunteer) == [berlin(2026, 10, 25, 9, 0), berlin(2026, 10, 27, 16, 0)]


def test_no_reminders_at_all_withdraws_them_and_other_people_keep_theirs(client, booked, make_user):
    volunteer, sunday, _tuesday = booked
    colleague = make_user("volunteer", sunday.centre)
    sign_up(shift=sunday, volunteer=colleague)
    db.session.commit()
    change_settings(client, [])
    assert pending_reminders(volunteer) == []
    assert len(pending_reminders(colleague)) == 2


def test_cancelled_sign_ups_get_no_reminders_back(client, booked):
    volunteer, sunday, _tuesday = booked
    signup = next(s for s in sunday.signups if s.user_id == volunteer.id)
    cancel_signup(signup=signup)
    db.session.commit()
    change_settings(client, [60])
    assert pending_reminders(volunteer) == [berlin(2026, 10, 27, 17, 0)]


def test_the_calendar_alarm_and_channel_are_saved_with_the_reminders(client, booked):
    volunteer, _sunday, _tuesday = booked
    assert change_settings(client, [1440], channel="both", alarm="30").status_code == 302
    assert (volunteer.notify_channel, volunteer.calendar_alarm_minutes) == ("both", 30)


@pytest.mark.parametrize(
    "field, value",
    [("notify-reminder_minutes", "7"), ("notify-quiet_start_hour", "24"), ("notify-notify_channel", "fax")],
)
def test_values_the_form_does_not_offer_are_refused_and_change_nothing(client, booked, field, value):
    volunteer, _sunday, _tuesday = booked
    before = pending_reminders(volunteer)
    data = {
        "notify-csrf_token": csrf_token(client),
        "notify-reminder_minutes": ["60"],
        "notify-quiet_start_hour": "22",
        "notify-quiet_end_hour": "7",
        "notify-notify_channel": "push",
        "notify-calendar_alarm_minutes": "",
        field: value,
    }
    response = client.post("/settings/notifications", data=data)
    assert response.status_code == 422 and "Erinnerungen" in response.get_data(as_text=True)
    db.session.expire_all()
    assert pending_reminders(volunteer) == before and volunteer.reminder_minutes == [1440, 120]
