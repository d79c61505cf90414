"""Recurring plans: occurrences are real rows, right across DST, editable one by one or onwards."""

from datetime import date, datetime, timedelta
from datetime import time as clock

import pytest
import sqlalchemy as sa
from dateutil import rrule as rrule_module

from tests.helpers import clock_frozen_at, post_form
from volunteers.core import time
from volunteers.extensions import db
from volunteers.shifts.errors import ShiftError
from volunteers.shifts.models import CANCELLED, Shift
from volunteers.shifts.planning import ShiftValues, update_shift
from volunteers.shifts.series import add_exception, create_series, update_series_from
from volunteers.shifts.signups import sign_up

NOW = time.berlin_local(datetime(2026, 10, 1, 9, 0))  # a Thursday


frozen_clock = clock_frozen_at(NOW)


@pytest.fixture
def values(make_centre, make_meeting_point):
    return ShiftValues(
        meeting_point=make_meeting_point(make_centre()),
        activity="sprachcafe",
        capacity_min=2,
        capacity_max=4,
        languages=["ar"],
    )


def shifts_of(series) -> list[Shift]:
    return list(db.session.scalars(sa.select(Shift).where(Shift.series_id == series.id).order_by(Shift.starts_at)))


def berlin_wall(shift) -> tuple[str, str]:
    return time.to_berlin(shift.starts_at).strftime("%Y-%m-%d %H:%M"), time.to_berlin(shift.ends_at).strftime("%H:%M")


def test_weekly_sprachcafe_keeps_its_local_time_across_the_dst_change(values):
    series = create_series(
        centre=values.meeting_point.centre,
        values=values,
        first_start_local=datetime(2026, 10, 6, 16, 0),
        duration_minutes=120,
        rule="FREQ=WEEKLY;BYDAY=TU;COUNT=6",
        publish=True,
    )
    shifts = shifts_of(series)
    assert [berlin_wall(s) for s in shifts] == [
        ("2026-10-06 16:00", "18:00"),
        ("2026-10-13 16:00", "18:00"),
        ("2026-10-20 16:00", "18:00"),
        ("2026-10-27 16:00", "18:00"),
        ("2026-11-03 16:00", "18:00"),
        ("2026-11-10 16:00", "18:00"),
    ]
    # Summer time (UTC+2) before 25 October, winter time (UTC+1) after.
    assert shifts[2].starts_at.hour == 14 and shifts[3].starts_at.hour == 15
    assert all(s.duration_minutes == 120 and s.status == "published" for s in shifts)
    assert "UNTIL=20261110T235959" in series.rrule and "COUNT" not in series.rrule


def test_night_shift_over_the_dst_change_lasts_four_real_hours(values, make_shift):
    shift = make_shift(values.meeting_point, starts=time.berlin_local(datetime(2026, 10, 25, 1, 0)), hours=4)
    assert shift.ends_at == time.berlin_local(datetime(2026, 10, 25, 4, 0))
    assert shift.duration_minutes == 240


@pytest.mark.parametrize(
    "rule, code",
    [
        ("FREQ=WEEKLY;BYDAY=TU", "rrule_unbounded"),
        ("FREQ=DAILY;COUNT=5000", "rrule_too_many"),
        ("FREQ=DAILY;UNTIL=20301231", "rrule_too_many"),
        ("FREQ=HOURLY;COUNT=3", "rrule_sub_daily"),
        ("FREQ=WEEKLY;BYHOUR=10,14;COUNT=4", "rrule_sub_daily"),
        ("FREQ=SOMETIMES;COUNT=3", "rrule_invalid"),
        ("FREQ=WEEKLY;UNTIL=20200101", "rrule_empty"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=1", "rrule_empty"),  # no such day, ever
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=2", "rrule_beyond_horizon"),  # 2028, 2032
        ("FREQ=DAILY;INTERVAL=1000000;COUNT=2", "rrule_beyond_horizon"),  # the second in the year 4764
        ("FREQ=WEEKLY;UNTIL=20290101", "rrule_beyond_horizon"),
    ],
)
def test_bad_rules_are_refused_and_nothing_is_stored(values, rule, code):
    with pytest.raises(ShiftError) as error:
        create_series(
            centre=values.meeting_point.centre,
            values=values,
            first_start_local=datetime(2026, 10, 6, 16, 0),
            duration_minutes=120,
            rule=rule,
        )
    assert error.value.code == code
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Shift)) == 0


def test_every_second_saturday_with_a_holiday_skipped(values):
    series = create_series(
        centre=values.meeting_point.centre,
        values=values,
        first_start_local=datetime(2026, 10, 3, 10, 0),
        duration_minutes=180,
        rule="FREQ=WEEKLY;INTERVAL=2;BYDAY=SA;UNTIL=20261231",
    )
    assert [s.occurrence_date.isoformat() for s in shifts_of(series)][:3] == ["2026-10-03", "2026-10-17", "2026-10-31"]
    add_exception(series=series, day=date(2026, 12, 26))
    assert date(2026, 12, 26) not in [s.occurrence_date for s in shifts_of(series)]
    assert len(shifts_of(series)) == 6


def test_a_skipped_date_with_sign_ups_is_cancelled_not_deleted(values, make_user):
    series = create_series(
        centre=values.meeting_point.centre,
        values=values,
        first_start_local=datetime(2026, 10, 6, 16, 0),
        duration_minutes=120,
        rule="FREQ=WEEKLY;COUNT=3",
        publish=True,
    )
    second = shifts_of(series)[1]
    sign_up(shift=second, volunteer=make_user("volunteer", values.meeting_point.centre))
    add_exception(series=series, day=second.occurrence_date)
    db.session.refresh(second)
    assert second.status == CANCELLED and second.sequence == 1


def test_this_one_versus_this_and_following(values, make_user):
    centre = values.meeting_point.centre
    series = create_series(
        centre=centre,
        values=values,
        first_start_local=datetime(2026, 10, 6, 16, 0),
        duration_minutes=120,
        rule="FREQ=WEEKLY;COUNT=5",
        publish=True,
    )
    first, second, third, fourth, fifth = shifts_of(series)
    # Only this one: 17–19 h on the second date; the series leaves it alone afterwards.
    update_shift(
        shift=second,
        values=values,
        starts_at=second.starts_at + timedelta(hours=1),
        ends_at=second.ends_at + timedelta(hours=1),
    )
    assert second.is_detached and second.sequence == 1
    # This and following from the fourth: Wednesdays 15–18 h for up to 6 people.
    volunteer = make_user("volunteer", centre)
    sign_up(shift=fourth, volunteer=volunteer)
    onwards = ShiftValues(meeting_point=values.meeting_point, activity="sprachcafe", capacity_min=2, capacity_max=6)
    new_series = update_series_from(shift=fourth, values=onwards, start_time=clock(15, 0), duration_minutes=180)
    db.session.commit()
    assert new_series.id != series.id
    assert [berlin_wall(s) for s in shifts_of(series)] == [
        ("2026-10-06 16:00", "18:00"),
        ("2026-10-13 17:00", "19:00"),
        ("2026-10-20 16:00", "18:00"),
    ]
    assert [berlin_wall(s) for s in shifts_of(new_series)] == [
        ("2026-10-27 15:00", "18:00"),
        ("2026-11-03 15:00", "18:00"),
    ]
    db.session.refresh(fourth)
    # The sign-up stayed with the moved occurrence; calendars learn of the change.
    assert fourth.confirmed_count == 1 and fourth.capacity_max == 6 and fourth.sequence == 1


def test_changing_the_weekday_onwards_replaces_occurrences(values):
    centre = values.meeting_point.centre
    series = create_series(
        centre=centre,
        values=values,
        first_start_local=datetime(2026, 10, 6, 16, 0),
        duration_minutes=120,
        rule="FREQ=WEEKLY;BYDAY=TU;COUNT=4",
    )
    third = shifts_of(series)[2]
    new_series = update_series_from(
        shift=third,
        values=values,
        start_time=clock(16, 0),
        duration_minutes=120,
        rule="FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20261031",
    )
    assert [s.occurrence_date.isoformat() for s in shifts_of(new_series)] == [
        "2026-10-20",
        "2026-10-22",
        "2026-10-27",
        "2026-10-29",
    ]
    assert len(shifts_of(series)) == 2


def test_a_rule_that_matches_no_day_is_searched_for_one_calendar_cycle_at_most(values, monkeypatch):
    """dateutil looks for the next match day by day up to the year 9999 (about 2.9 million days, 5 s
    of CPU inside the request's write transaction); the expansion lets it search at most one
    400-year cycle. Counted in days examined, not in seconds, so that a slow machine cannot fail it."""
    days = []
    examine = rrule_module._iterinfo.ddayset
    monkeypatch.setattr(rrule_module._iterinfo, "ddayset", lambda self, *args: days.append(1) or examine(self, *args))
    with pytest.raises(ShiftError) as error:
        create_series(
            centre=values.meeting_point.centre,
            values=values,
            first_start_local=datetime(2026, 10, 6, 16, 0),
            duration_minutes=120,
            rule="FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=1",
        )
    assert error.value.code == "rrule_empty"
    assert 0 < len(days) <= 401 * 366


def test_the_series_form_refuses_a_rule_beyond_the_horizon(client, login, values):
    centre = values.meeting_point.centre
    login("coordinator", centre)
    response = post_form(
        client,
        f"/centres/{centre.slug}/series/new",
        {
            "meeting_point": values.meeting_point.slug,
            "activity": "sprachcafe",
            "first_day": "2026-10-06",
            "start_time": "16:00",
            "end_time": "18:00",
            "capacity_min": "1",
            "capacity_max": "2",
            "frequency": "weekly",
            "rrule": "FREQ=DAILY;INTERVAL=1000000;COUNT=2",
        },
    )
    assert response.status_code == 422
    assert "innerhalb von zwei Jahren" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Shift)) == 0
