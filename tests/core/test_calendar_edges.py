"""Days that broke the app: the demo on a weekday of its own plan (that day's shift still ahead),
and 29 February (a certificate's validity counted back by years)."""

from datetime import date, datetime

import pytest

from volunteers.core import time
from volunteers.demo.services import seed_demo


@pytest.mark.slow
@pytest.mark.database("sqlite")
@pytest.mark.parametrize(
    "local",
    [
        datetime(2026, 11, 17, 10, 0),  # Tuesday: the Sprachcafé at 16:00 is still to come
        datetime(2026, 11, 19, 16, 0),  # Thursday, during the 15:00 shift
        datetime(2026, 11, 21, 12, 59),  # Saturday, a minute before the 10:00 shift ends
        datetime(2028, 2, 29, 10, 0),
    ],
    ids=str,
)
def test_the_demo_seeds_on_any_day_and_hour(app, local):
    with time.freeze(time.berlin_local(local)):
        seed_demo()  # raised HoursError: hours for a shift of today that had not happened yet


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (date(2028, 2, 29), 5, date(2023, 2, 28)),
        (date(2028, 2, 29), 4, date(2024, 2, 29)),
        (date(2027, 3, 1), 1, date(2026, 3, 1)),
    ],
)
def test_years_before_keeps_the_day_or_falls_back_to_the_28th(day, years, expected):
    assert time.years_before(day, years) == expected
