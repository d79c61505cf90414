"""Reminders and shift notifications: written to the outbox with the change, timed right across
DST and outside quiet hours, withdrawn when no longer true, by email where chosen."""

from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.helpers import clock_frozen_at
from volunteers.core import time
from volunteers.extensions import db
from volunteers.push.models import Notification
from volunteers.push.worker import send_due
from volunteers.reminders.notify import staffing_call
from volunteers.reminders.timing import reminder_due
from volunteers.shifts.planning import ShiftValues, cancel_shift, update_shift
from volunteers.shifts.signups import cancel_signup, sign_up

NOW = time.berlin_local(datetime(2026, 10, 20, 9, 0))


def berlin(*args):
    return time.berlin_local(datetime(*args))


frozen_clock = clock_frozen_at(NOW)


def pending(user=None, kind=None):
    query = sa.select(Notification).where(Notification.status == "pending").order_by(Notification.due_at)
    if user is not None:
        query = query.where(Notification.user_id == user.id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return db.session.scalars(query).all()


@pytest.mark.parametrize(
    "starts, minutes, expected",
    [
        # A day before keeps the wall-clock time across the change to winter time (25 real hours).
        ((2026, 10, 25, 10, 0), 1440, (2026, 10, 24, 10, 0)),
        # Hours before are real hours: 08:00 winter time.
        ((2026, 10, 25, 10, 0), 120, (2026, 10, 25, 8, 0)),
        # Spring: a day before 10:00 on 29 March is 10:00 on 28 March (23 real hours).
        ((2027, 3, 28, 10, 0), 1440, (2027, 3, 27, 10, 0)),
        # Quiet hours 22–7: 2 h before an 08:00 shift would be 06:00: moved to 07:00.
        ((2026, 11, 3, 8, 0), 120, (2026, 11, 3, 7, 0)),
        # 07:00 would be too close to a 07:15 shift: the evening before instead.
        ((2026, 11, 3, 7, 15), 120, (2026, 11, 2, 21, 59)),
    ],
)
def test_reminder_timing(starts, minutes, expected):
    assert reminder_due(berlin(*starts), minutes, quiet_start=22, quiet_end=7) == berlin(*expected)


@pytest.fixture
def shift(make_shift):
    return make_shift(starts=berlin(2026, 10, 25, 10, 0), capacity_max=1, languages=["ar"])


def test_sign_up_schedules_reminders_and_cancel_withdraws_them(shift, make_user):
    volunteer = make_user("volunteer", shift.centre)
    signup = sign_up(shift=shift, volunteer=volunteer)
    reminders = pending(volunteer, "reminder")
    assert [r.due_at for r in reminders] == [berlin(2026, 10, 24, 10, 0), berlin(2026, 10, 25, 8, 0)]
    assert all(r.expires_at == shift.starts_at and r.url == f"/shifts/{shift.id}" for r in reminders)
    assert "25. Okt., 10:00" in reminders[0].body and shift.meeting_point.name in reminders[0].body
    cancel_signup(signup=signup)
    assert pending(volunteer, "reminder") == []


def test_waitlist_promotion_is_announced(shift, make_user):
    first, second = make_user("volunteer", shift.centre), make_user("volunteer", shift.centre)
    first_signup = sign_up(shift=shift, volunteer=first)
    sign_up(shift=shift, volunteer=second)
    assert pending(second) == []  # waitlisted: no reminders yet
    cancel_signup(signup=first_signup)
    assert sorted(n.kind for n in pending(second)) == ["reminder", "reminder", "waitlist_promoted"]


def test_moved_shift_tells_people_and_moves_reminders(shift, make_user):
    volunteer = make_user("volunteer", shift.centre)
    sign_up(shift=shift, volunteer=volunteer)
    values = ShiftValues(
        meeting_point=shift.meeting_point, activity=shift.activity, capacity_max=1, languages=shift.languages
    )
    update_shift(shift=shift, values=values, starts_at=berlin(2026, 10, 25, 14, 0), ends_at=berlin(2026, 10, 25, 16, 0))
    kinds = sorted(n.kind for n in pending(volunteer))
    assert kinds == ["reminder", "reminder", "shift_changed"]
    assert berlin(2026, 10, 25, 12, 0) in [n.due_at for n in pending(volunteer, "reminder")]


def test_cancelled_shift_tells_people_and_drops_reminders(shift, make_user):
    volunteer = make_user("volunteer", shift.centre)
    sign_up(shift=shift, volunteer=volunteer)
    cancel_shift(shift=shift, reason="Wasserschaden im Raum")
    [message] = pending(volunteer)
    assert message.kind == "shift_cancelled" and "Wasserschaden" in message.body


def test_staffing_call_reaches_matching_volunteers_once(shift, make_user):
    speaks_arabic = make_user("volunteer", shift.centre)
    speaks_arabic.languages = ["de", "ar"]
    only_german = make_user("volunteer", shift.centre)
    only_german.languages = ["de"]
    db.session.commit()
    assert staffing_call(shift=shift, message="Bitte melden!") == 1
    assert staffing_call(shift=shift, message="Nochmal") == 0
    assert [n.user_id for n in pending(kind="staffing_call")] == [speaks_arabic.id]


def test_email_channel_sends_the_reminder_once_by_mail(app, shift, make_user):
    volunteer = make_user("volunteer", shift.centre)
    volunteer.notify_channel = "email"
    sign_up(shift=shift, volunteer=volunteer)
    db.session.commit()
    with time.freeze(berlin(2026, 10, 24, 10, 1)):
        assert send_due()["sent"] == 1
        assert send_due().get("sent", 0) == 0
    mails = list(Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"))
    assert len(mails) == 1 and volunteer.email in mails[0].read_text()


def test_push_only_without_device_or_mail_server_is_recorded_not_sent(app, shift, make_user):
    volunteer = make_user("volunteer", shift.centre)
    sign_up(shift=shift, volunteer=volunteer)
    db.session.commit()
    with time.freeze(berlin(2026, 10, 24, 10, 1)):
        assert send_due()["no_device"] == 1
    assert not list(Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"))
