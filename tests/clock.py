"""The day the whole suite runs on. Every test starts its clock at TEST_NOW and lets it run on, so
that nothing depends on the day the suite is run; TREFFPUNKT_TEST_TODAY moves it, e.g.
`TREFFPUNKT_TEST_TODAY=2027-03-28 make test` (a date, optionally with a Berlin wall-clock time:
`2026-10-25T02:30`). `make test-days` runs the suite on the days that have broken schedulers before."""

import os
from datetime import date, datetime
from datetime import time as clock_time

from volunteers.core import time

# An ordinary Wednesday in the middle of a month, at 10:00 in Berlin.
DEFAULT_TODAY = "2026-11-18"
DEFAULT_TIME = clock_time(10, 0)


def test_now_from(setting: str) -> datetime:
    """The instant a setting names: a date at 10:00 Berlin time, or a date with its time."""
    if "T" in setting:
        return time.berlin_local_lenient(datetime.fromisoformat(setting))
    return time.berlin_local(datetime.combine(date.fromisoformat(setting), DEFAULT_TIME))


TEST_NOW = test_now_from(os.environ.get("TREFFPUNKT_TEST_TODAY") or DEFAULT_TODAY)
