"""A centre with a volunteer who has approved hours, for the engagement tests."""

from datetime import timedelta
from types import SimpleNamespace

import pytest

from volunteers.extensions import db
from volunteers.hours.services import HoursInput, approve, log_hours, reject


@pytest.fixture
def world(app, today, make_centre, make_meeting_point, make_user):
    app.config["HOURS_MAX_DAYS_BACK"] = 1200  # hours from three years back
    centre = make_centre("siegen-test", name="KI Kreis Siegen-Wittgenstein")
    place = make_meeting_point(centre, name="Treffpunkt Kreishaus")
    coordinator = make_user("coordinator", centre, name="Käthe Koordination")
    lead = make_user("lead", centre, name="Lena Leitung")
    volunteer = make_user("volunteer", centre, name="Олена Коваленко", email="olena@example.org")

    def hours(person, days_ago: int, minutes: int, activity="sprachcafe", decide="approve", meeting_point=place):
        entry, _new = log_hours(
            centre=centre,
            person=person,
            values=HoursInput(
                work_date=today - timedelta(days=days_ago),
                minutes=minutes,
                activity=activity,
                meeting_point=meeting_point,
            ),
        )
        if decide == "approve":
            approve(entry=entry, by=coordinator)
        elif decide == "reject":
            reject(entry=entry, by=coordinator, reason="doppelt")
        db.session.commit()
        return entry

    def spread(person, minutes: int, first_days_ago: int = 1, **values):
        """`minutes` as ten-hour days going back from `first_days_ago` (a day holds at most 24 h)."""
        day = first_days_ago
        while minutes > 0:
            hours(person, day, min(minutes, 600), **values)
            minutes, day = minutes - 600, day + 1

    return SimpleNamespace(
        centre=centre,
        place=place,
        coordinator=coordinator,
        lead=lead,
        volunteer=volunteer,
        hours=hours,
        spread=spread,
        today=today,
    )
