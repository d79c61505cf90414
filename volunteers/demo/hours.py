"""Demo hours and grants: hours for attended past shifts (most approved, some waiting), some
work outside shifts, staff hours, and a KommAn grant per centre."""

import random
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from ..core import time
from ..extensions import db
from ..grants.services import GrantValues, set_grant
from ..hours.models import STAFF_HOURS
from ..hours.services import HoursInput, approve, log_hours
from ..shifts.models import ATTENDED, Signup

# Düsseldorf and Siegen-Wittgenstein as in the articles; the other two are plausible demo values.
GRANTS_EUR = {"duesseldorf": 223000, "siegen-wittgenstein": 119000, "duisburg": 198000, "hochsauerlandkreis": 126000}


def seed_hours(centre, coordinator, rng: random.Random) -> None:
    year = time.to_berlin(time.now()).year
    grant = GrantValues(
        amount_eur=Decimal(GRANTS_EUR.get(centre.slug, 100000)),
        valuation_rate_eur=Decimal("15.00"),
        in_kind_cap_percent=Decimal("20.00"),
        note="Geldwert des Ehrenamts höchstens 20 % der zuwendungsfähigen Ausgaben",
    )
    set_grant(centre=centre, year=year, values=grant, by=None, reason="Demodaten")
    attended = db.session.scalars(sa.select(Signup).where(Signup.centre_id == centre.id, Signup.attendance == ATTENDED))
    for signup in attended:
        shift = signup.shift
        entry, _ = log_hours(
            centre=centre,
            person=signup.user,
            values=HoursInput(
                work_date=time.to_berlin(shift.starts_at).date(),
                minutes=shift.duration_minutes,
                activity=shift.activity,
                meeting_point=shift.meeting_point,
                shift=shift,
            ),
        )
        if rng.random() < 0.8:
            approve(entry=entry, by=coordinator)
    today = time.to_berlin(time.now()).date()
    for weeks_back in range(1, 4):
        log_hours(
            centre=centre,
            person=coordinator,
            kind=STAFF_HOURS,
            values=HoursInput(
                work_date=today - timedelta(weeks=weeks_back),
                minutes=rng.choice((120, 180, 240)),
                activity="sonstiges",
                note="Einarbeitung und Begleitung der Ehrenamtlichen",
            ),
        )


def seed_extra_hours(centre, volunteer, coordinator) -> None:
    """Work outside shifts: an accompaniment to the Ausländerbehörde, approved."""
    entry, _ = log_hours(
        centre=centre,
        person=volunteer,
        values=HoursInput(
            work_date=time.to_berlin(time.now()).date() - timedelta(days=4),
            minutes=150,
            activity="behoerdenbegleitung",
            note="Begleitung zur Ausländerbehörde",
        ),
    )
    approve(entry=entry, by=coordinator)
