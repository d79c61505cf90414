"""When a reminder is due: N days before at the same wall-clock time (right across DST), or
N hours before in real time; never inside the volunteer's quiet hours."""

from datetime import datetime, timedelta

from ..core import time

MINUTES_PER_DAY = 24 * 60
# A reminder moved out of the night must still arrive this long before the shift.
MIN_LEAD = timedelta(minutes=30)


def _in_quiet_hours(local: datetime, start_hour: int, end_hour: int) -> bool:
    hour = local.hour + local.minute / 60
    if start_hour == end_hour:
        return False
    if start_hour > end_hour:  # over midnight, e.g. 22–7
        return hour >= start_hour or hour < end_hour
    return start_hour <= hour < end_hour


def reminder_due(starts_at: datetime, minutes_before: int, *, quiet_start: int, quiet_end: int) -> datetime:
    """The instant to send a reminder `minutes_before` a shift starting at `starts_at`."""
    if minutes_before % MINUTES_PER_DAY == 0:
        local = time.to_berlin(starts_at).replace(tzinfo=None) - timedelta(days=minutes_before // MINUTES_PER_DAY)
        due = time.berlin_local_lenient(local)
    else:
        due = starts_at - timedelta(minutes=minutes_before)
    local = time.to_berlin(due)
    if not _in_quiet_hours(local, quiet_start, quiet_end):
        return due
    # In the night: the morning after, if still early enough; else the evening before.
    morning = local.replace(hour=quiet_end, minute=0, second=0, microsecond=0)
    if morning <= local:
        morning += timedelta(days=1)
    morning_instant = time.berlin_local_lenient(morning.replace(tzinfo=None))
    if morning_instant <= starts_at - MIN_LEAD:
        return morning_instant
    evening = local.replace(hour=quiet_start, minute=0, second=0, microsecond=0) - timedelta(minutes=1)
    if evening > local:
        evening -= timedelta(days=1)
    return time.berlin_local_lenient(evening.replace(tzinfo=None))
