"""Hours proposed from shifts: attended shifts without an entry yet, with the minutes taken from
the check-in and check-out at the meeting point's poster, or else from the shift itself."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..centres.models import MeetingPoint
from ..core import time
from ..core.errors import DomainError
from ..extensions import db
from ..shifts.models import CANCELLED, CONFIRMED, NO_SHOW, Shift, Signup
from .models import CheckinScan, HoursEntry
from .policy import calendar_of, log_blockers, proposed_minutes, raise_first

PROPOSAL_WINDOW = timedelta(days=60)
# A check-in counts for a shift that starts at most this long after the scan (or began before it).
CHECKIN_EARLY = timedelta(hours=2)
# A check-out counts for a shift that ended at most this long before the scan.
CHECKOUT_LATE = timedelta(hours=2)
# A scan queued on a phone without network still counts with its own time when it arrives this late.
SCAN_MAX_AGE = timedelta(hours=12)
# How far a phone's clock may run ahead of the server's.
SCAN_CLOCK_SKEW = timedelta(minutes=2)
# Client ids are the phone's own (the page sends UUIDs); bounded, and nothing that needs escaping.
CLIENT_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


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
    status = 422  # refused for good: the phone's outbox keeps retrying only what may work later


class CheckIn(NamedTuple):
    signup: Signup
    direction: str  # "in" or "out"
    scanned_at: datetime
    is_new: bool  # False: the client id was seen before, and this is the first answer again


def scan_time_blockers(at: datetime) -> list[CheckInError]:
    """A scan counts with its own time if it arrives within 12 hours (a phone without network
    sends it later) and is not ahead of the server's clock by more than a phone's clock may be."""
    now = time.now()
    if at < now - SCAN_MAX_AGE:
        message = _("Dieser Scan ist älter als 12 Stunden und zählt nicht mehr. Bitte tragen Sie Ihre Stunden ein.")
        return [CheckInError(message, code="scan_too_old", field="scanned_at")]
    if at > now + SCAN_CLOCK_SKEW:
        message = _("Die Zeit des Scans liegt in der Zukunft. Bitte prüfen Sie die Uhr Ihres Geräts.")
        return [CheckInError(message, code="scan_in_future", field="scanned_at")]
    return []


def check_in_or_out(*, code: str, user: User, at: datetime | None = None, client_id: str | None = None) -> CheckIn:
    """Record a scan of the poster carrying `code`, made at `at` (default now), for the user's shift
    at that meeting point at that time. Arrival is the earliest scan and departure the latest of
    two or more, whatever order they arrive in. A `client_id` seen before records nothing and
    answers as the first time did."""
    client_id = _checked_client_id(client_id)
    if (stored := _stored_scan(user, client_id)) is not None:
        return _replayed(stored)
    at = at or time.now()
    raise_first(scan_time_blockers(at))
    signup = _signup_locked_for_scan(code=code, user=user, at=at)
    if (stored := _stored_scan(user, client_id)) is not None:  # its twin held the lock before us
        return _replayed(stored)
    direction = _record_scan(signup, at)
    db.session.add(CheckinScan(user_id=user.id, client_id=client_id, signup=signup, direction=direction, scanned_at=at))
    signup.updated_at = time.now()
    db.session.flush()
    return CheckIn(signup, direction, at, True)


def _checked_client_id(client_id: str | None) -> str | None:
    if client_id is not None and not CLIENT_ID.fullmatch(client_id):
        message = _("„client_id“ muss aus 1 bis 64 Buchstaben, Ziffern oder „-_.:“ bestehen.")
        raise CheckInError(message, code="invalid", field="client_id")
    return client_id


def _stored_scan(user: User, client_id: str | None) -> CheckinScan | None:
    if client_id is None:
        return None
    return db.session.scalar(
        sa.select(CheckinScan).where(CheckinScan.user_id == user.id, CheckinScan.client_id == client_id)
    )


def _replayed(scan: CheckinScan) -> CheckIn:
    return CheckIn(scan.signup, scan.direction, scan.scanned_at, False)


def _signup_locked_for_scan(*, code: str, user: User, at: datetime) -> Signup:
    """The user's confirmed sign-up for a shift at the poster's meeting point around `at`, locked
    (PostgreSQL: FOR NO KEY UPDATE; SQLite: the request's write lock) and read again, so that two
    scans arriving together are ordered by their times and not lost to each other."""
    meeting_point = db.session.scalar(sa.select(MeetingPoint).where(MeetingPoint.checkin_code == code))
    if meeting_point is None:
        raise CheckInError(_("Dieser Code gehört zu keinem Treffpunkt."), code="unknown_code", field="code")
    signup = db.session.scalar(
        sa.select(Signup)
        .join(Signup.shift)
        .where(
            Signup.user_id == user.id,
            Signup.status == CONFIRMED,
            Shift.meeting_point_id == meeting_point.id,
            Shift.status != CANCELLED,
            Shift.starts_at <= at + CHECKIN_EARLY,
            Shift.ends_at >= at - CHECKOUT_LATE,
        )
        .order_by(Shift.starts_at)
        .limit(1)
        .with_for_update(key_share=True, of=Signup)
        .execution_options(populate_existing=True)
    )
    if signup is None:
        raise CheckInError(_("Sie haben hier gerade keine bestätigte Schicht."), code="no_shift", field="code")
    return signup


def _record_scan(signup: Signup, at: datetime) -> str:
    """Arrival is the earliest scan, departure the latest of two or more: a scan between them
    changes nothing. Answers whether `at` now counts as arrival ("in") or not ("out")."""
    arrived, left = signup.checked_in_at, signup.checked_out_at
    if arrived is None:
        signup.checked_in_at = at
        return "in"
    if at < arrived:  # sent later than a scan it preceded
        signup.checked_in_at, signup.checked_out_at = at, left or arrived
        return "in"
    if left is None or at > left:
        signup.checked_out_at = at
    return "out"
