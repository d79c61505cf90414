"""What the first screens show the demo accounts (pages/home.py, pages/attention.py): the demo
volunteer speaks Arabic, so open shifts that need it are offered; some co-volunteers show their
first name; she waits on a full shift; a police certificate runs out soon."""

from datetime import timedelta

import sqlalchemy as sa

from ..core import time
from ..extensions import db
from ..shifts.models import PUBLISHED, Shift
from ..shifts.policy import CERTIFICATE_VALID_YEARS, signup_blockers
from ..shifts.signups import sign_up


def seed_first_screens(centre, volunteers) -> None:
    """`volunteers` starts with the demo volunteer of the spec (demo.services)."""
    demo_volunteer, others = volunteers[0], volunteers[1:]
    demo_volunteer.languages = ["de", "ar"]
    for person in others[::2]:
        person.shows_first_name = True
    _waitlist_place(centre, demo_volunteer, others)
    expires_on = time.to_berlin(time.now()).date() + timedelta(days=30)
    others[0].membership_in(centre).certificate_verified_on = time.years_before(expires_on, CERTIFICATE_VALID_YEARS)
    db.session.flush()


def _waitlist_place(centre, demo_volunteer, others) -> None:
    """Fill the soonest shift she may take, with one more waiting, and put her on its waitlist."""
    upcoming = db.session.scalars(
        sa.select(Shift)
        .where(Shift.centre_id == centre.id, Shift.status == PUBLISHED, Shift.starts_at > time.now())
        .order_by(Shift.starts_at, Shift.id)
    )
    for shift in upcoming:
        if signup_blockers(shift, demo_volunteer):
            continue
        free = [person for person in others if not signup_blockers(shift, person)]
        if len(free) <= shift.free_slots:
            continue
        for person in free[: shift.free_slots + 1]:
            sign_up(shift=shift, volunteer=person)
        sign_up(shift=shift, volunteer=demo_volunteer)
        return
