"""The demo shows availability, an absence, an invitation and a handover offer (demo/beyond.py),
built relative to its day: on the test's day and on days that broke schedulers before."""

from contextlib import nullcontext
from datetime import datetime

import pytest
import sqlalchemy as sa

from volunteers.accounts.models import Membership
from volunteers.accounts.services import find_user_by_email
from volunteers.availability.models import OPEN, Absence, Invitation, WeeklyWindow
from volunteers.core import time
from volunteers.demo.services import seed_demo
from volunteers.extensions import db
from volunteers.shifts.handover_queries import offers_for
from volunteers.shifts.handovers import handover_blockers


def clock_at(local: datetime | None):
    """The clock stands at a Berlin wall-clock time, or (None) runs on from the test's own."""
    return time.freeze(time.berlin_local_lenient(local)) if local else nullcontext()


@pytest.mark.database("sqlite")
@pytest.mark.parametrize(
    "local",
    [
        None,
        pytest.param(datetime(2028, 2, 29, 10, 0), marks=pytest.mark.slow),
        pytest.param(datetime(2026, 12, 31, 23, 30), marks=pytest.mark.slow),
        pytest.param(datetime(2027, 3, 28, 2, 30), marks=pytest.mark.slow),  # skipped hour: 03:30
    ],
    ids=str,
)
def test_the_demo_volunteer_is_asked_and_offered_a_shift_and_most_say_when_they_can(app, local):
    with clock_at(local):
        seed_demo()
        db.session.commit()
        demo_volunteer = find_user_by_email("ehrenamt@example.org")
        [invitation] = db.session.scalars(sa.select(Invitation)).all()
        assert invitation.volunteer_id == demo_volunteer.id and invitation.current_status == OPEN
        assert invitation.shift.is_understaffed and invitation.shift.centre.slug == "duesseldorf"

        [offer] = offers_for(demo_volunteer)
        assert offer.user_id != demo_volunteer.id and handover_blockers(offer, demo_volunteer) == []
        assert offer.shift_id != invitation.shift_id

        [absence] = db.session.scalars(sa.select(Absence)).all()
        assert absence.first_day > time.to_berlin(time.now()).date()
        assert absence.user_id not in (demo_volunteer.id, offer.user_id)

    with_windows = set(db.session.scalars(sa.select(WeeklyWindow.user_id)))
    volunteers = db.session.scalars(sa.select(Membership.user_id).where(Membership.role == "volunteer")).all()
    assert demo_volunteer.id in with_windows
    assert len(volunteers) * 2 // 3 <= len(with_windows & set(volunteers)) < len(volunteers)
