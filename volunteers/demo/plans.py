"""Demo shift plans: a weekly series per meeting point for the coming weeks, and past shifts
with sign-ups and attendance, so that every page has something real to show."""

import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..core import time
from ..extensions import db
from ..shifts.holidays import is_public_holiday
from ..shifts.models import PUBLISHED, Shift
from ..shifts.planning import ShiftValues, create_shift
from ..shifts.series import create_series
from ..shifts.signups import record_attendance, sign_up

WEEKS_AHEAD = 6
WEEKS_BACK = 3  # at most: weeks whose day was a public holiday are left out
# (weekday, hour, hours, activity, capacity min, max) by position of the meeting point in its centre.
PATTERNS = [
    (1, 16, 2, "sprachcafe", 2, 4),
    (3, 15, 3, "orientierung-schule-kita", 1, 3),
    (5, 10, 3, "sport-verein", 2, 5),
]


def seed_plans(centre, meeting_points, volunteers, rng: random.Random) -> None:
    today = time.to_berlin(time.now()).date()
    for index, meeting_point in enumerate(meeting_points):
        weekday, hour, hours, activity, low, high = PATTERNS[index % len(PATTERNS)]
        values = ShiftValues(
            meeting_point=meeting_point,
            activity=activity,
            capacity_min=low,
            capacity_max=high,
            languages=[code for code in meeting_point.languages if code != "de"][:2],
        )
        first = today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
        series = create_series(
            centre=centre,
            values=values,
            first_start_local=datetime.combine(first, datetime.min.time()).replace(hour=hour),
            duration_minutes=hours * 60,
            rule=f"FREQ=WEEKLY;COUNT={WEEKS_AHEAD}",
            publish=True,
            # Meeting points are closed on public holidays (Christmas, Easter, …), as in real centres.
            skip_public_holidays=True,
        )
        for shift in _occurrences(series):
            for volunteer in rng.sample(volunteers, min(rng.randint(0, high + 1), len(volunteers))):
                sign_up(shift=shift, volunteer=volunteer)
        # The weeks before, as far as they are over: on the pattern's own weekday, today's shift
        # may still lie ahead, and hours can only be logged for what has happened.
        past_days = (first - timedelta(weeks=weeks_back) for weeks_back in range(1, WEEKS_BACK + 2))
        ended = [day for day in past_days if _local(day, hour + hours) <= time.now() and not is_public_holiday(day)]
        for day in ended[:WEEKS_BACK]:
            _past_shift(centre, values, day, hour, hours, volunteers, rng)


def _occurrences(series):
    return db.session.scalars(sa.select(Shift).where(Shift.series_id == series.id, Shift.status == PUBLISHED))


def _local(day, hour: int) -> datetime:
    return time.berlin_local(datetime.combine(day, datetime.min.time()).replace(hour=hour))


def _past_shift(centre, values, day, hour, hours, volunteers, rng) -> None:
    starts_at = _local(day, hour)
    # Plan and sign up as it happened: a week before the shift.
    with time.freeze(starts_at - timedelta(days=7)):
        shift = create_shift(
            centre=centre, values=values, starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), publish=True
        )
        signups = [sign_up(shift=shift, volunteer=v) for v in rng.sample(volunteers, values.capacity_max)]
    with time.freeze(shift.ends_at + timedelta(minutes=30)):
        marks = {s.id: ("no_show" if rng.random() < 0.1 else "attended") for s in signups if s.status == "confirmed"}
        record_attendance(shift=shift, marks=marks, participants_count=rng.randint(6, 25))
