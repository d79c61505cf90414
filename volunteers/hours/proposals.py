"""Hours proposed from shifts: attended shifts without an entry yet, with the minutes taken from
the check-in and check-out at the meeting point's poster, or else from the shift itself."""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..centres.models import MeetingPoint
from ..core import time
from ..core.errors import DomainError
from ..extensions import db
from ..shifts.models import CANCELLED, CONFIRMED, NO_SHOW, Shift, Signup
from .models import HoursEntry
from .policy import calendar_of, log_blockers, proposed_minutes

PROPOSAL_WINDOW = timedelta(days=60)
# A check-in counts for a shift that starts at most this long after the scan (or began before it).
CHECKIN_EARLY = timedelta(hours=2)


@dataclass
class Proposal:
    signup: Signup
    minutes: int
    from_check_in: bool

    @property
    def shift(self) -> Shift:
        return self.signup.shift


def open_proposals(user: User) -> list[Proposal]:
    """Shifts the user attended (or was confirmed for, attendance not yet marked) in the last
    60 days that have ended and whose hours may be logged now (policy.log_blockers): none logged
    yet, none rejected, the day not in a closed period."""
    # Only narrows the candidates cheaply; log_blockers decides.
    logged = sa.select(HoursEntry.shift_id).where(HoursEntry.user_id == user.id, HoursEntry.shift_id.is_not(None))
    signups = db.session.scalars(
        sa.select(Signup)
        .join(Signup.shift)
        .where(
            Signup.user_id == user.id,
            Signup.status == CONFIRMED,
            sa.or_(Signup.attendance.is_(None), Signup.attendance != NO_SHOW),
            Shift.status != CANCELLED,
            Shift.ends_at <= time.now(),
            Shift.ends_at >= time.now() - PROPOSAL_WINDOW,
            Shift.id.not_in(logged),
        )
        .options(joinedload(Signup.shift).joinedload(Shift.meeting_point))
        .order_by(Shift.starts_at.desc())
    )
    calendars = {}
    proposals = []
    for signup in signups:
        shift = signup.shift
        if shift.centre_id not in calendars:
            calendars[shift.centre_id] = calendar_of(shift.centre_id)
        periods = calendars[shift.centre_id]
        day = time.to_berlin(shift.starts_at).date()
        if not log_blockers(centre=shift.centre, person=user, day=day, shift=shift, periods=periods):
            proposals.append(Proposal(signup, *proposed_minutes(signup)))
    return proposals


class CheckInError(DomainError):
    status = 409


def check_in_or_out(*, code: str, user: User) -> tuple[Signup, str]:
    """Record arrival (first scan) or departure (second scan) for the user's shift today at the
    meeting point whose poster carries `code`. Returns the sign-up and "in" or "out"."""
    meeting_point = db.session.scalar(sa.select(MeetingPoint).where(MeetingPoint.checkin_code == code))
    if meeting_point is None:
        raise CheckInError(_("Dieser Code gehört zu keinem Treffpunkt."), code="unknown_code")
    now = time.now()
    signup = db.session.scalar(
        sa.select(Signup)
        .join(Signup.shift)
        .where(
            Signup.user_id == user.id,
            Signup.status == CONFIRMED,
            Shift.meeting_point_id == meeting_point.id,
            Shift.status != CANCELLED,
            Shift.starts_at <= now + CHECKIN_EARLY,
            Shift.ends_at >= now - timedelta(hours=2),
        )
        .order_by(Shift.starts_at)
        .limit(1)
    )
    if signup is None:
        raise CheckInError(_("Sie haben hier gerade keine bestätigte Schicht."), code="no_shift")
    if signup.checked_in_at is None:
        signup.checked_in_at = now
        direction = "in"
    else:
        signup.checked_out_at = now
        direction = "out"
    signup.updated_at = now
    db.session.flush()
    return signup, direction
