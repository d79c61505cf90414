"""Which shifts each feed carries, and a cheap fingerprint of them for ETag and Last-Modified:
an unchanged feed is answered from the fingerprint alone, without loading or rendering rows."""
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from ..core import time
from ..extensions import db
from ..shifts.models import ACTIVE_SIGNUP_STATUSES, CANCELLED, DRAFT, PUBLISHED, Shift, Signup

HISTORY = timedelta(days=90)
# A cancelled shift stays this long after its cancellation, so that subscribed clients remove it.
CANCELLED_LINGER = timedelta(days=30)
FEED_FORMAT_VERSION = "1"  # bump when the rendering changes, so that every ETag changes


@dataclass(frozen=True)
class Fingerprint:
    etag: str
    last_modified: datetime | None


def _fingerprint(row, *extra) -> Fingerprint:
    count, *stamps = row
    stamps = [s for s in stamps if s is not None]
    last = max(stamps) if stamps else None
    key = "|".join(str(part) for part in (FEED_FORMAT_VERSION, count, *stamps, *extra))
    return Fingerprint(hashlib.sha256(key.encode()).hexdigest()[:32], last)


def _window():
    """Shifts from this far back; the date is part of the fingerprint, so the window moves daily."""
    return time.now() - HISTORY, time.to_berlin(time.now()).date()


def _lingering():
    return sa.or_(Shift.status != CANCELLED, Shift.updated_at >= time.now() - CANCELLED_LINGER)


# --- a volunteer's own shifts ---------------------------------------------------------------

def _personal_filter(user_id: int):
    since, _ = _window()
    return (Signup.user_id == user_id, Signup.status.in_(ACTIVE_SIGNUP_STATUSES), Shift.status != DRAFT,
            Shift.starts_at >= since, _lingering())


def personal_fingerprint(user, *extra) -> Fingerprint:
    row = db.session.execute(sa.select(sa.func.count(), sa.func.max(Shift.updated_at), sa.func.max(Signup.updated_at))
                             .select_from(Signup).join(Signup.shift).where(*_personal_filter(user.id))).one()
    return _fingerprint(row, _window()[1], user.calendar_alarm_minutes, user.locale, *extra)


def personal_signups(user) -> list[Signup]:
    return list(db.session.scalars(
        sa.select(Signup).join(Signup.shift).where(*_personal_filter(user.id))
        .options(joinedload(Signup.shift).joinedload(Shift.meeting_point)).order_by(Shift.starts_at)))


# --- a meeting point's public feed ----------------------------------------------------------

def _public_filter(meeting_point_id: int):
    since, _ = _window()
    return (Shift.meeting_point_id == meeting_point_id, Shift.status.in_((PUBLISHED, CANCELLED)),
            Shift.starts_at >= since, _lingering())


def public_fingerprint(meeting_point, *extra) -> Fingerprint:
    row = db.session.execute(sa.select(sa.func.count(), sa.func.max(Shift.updated_at))
                             .where(*_public_filter(meeting_point.id))).one()
    return _fingerprint(row, _window()[1], *extra)


def public_shifts(meeting_point) -> list[Shift]:
    return list(db.session.scalars(sa.select(Shift).where(*_public_filter(meeting_point.id))
                                   .order_by(Shift.starts_at)))


# --- a centre's plan for its coordinators ----------------------------------------------------

def _centre_filter(centre_id: int):
    since, _ = _window()
    return (Shift.centre_id == centre_id, Shift.starts_at >= since, _lingering())


def centre_fingerprint(centre, *extra) -> Fingerprint:
    signup_stamp = (sa.select(sa.func.max(Signup.updated_at)).join(Signup.shift)
                    .where(*_centre_filter(centre.id)).scalar_subquery())
    row = db.session.execute(sa.select(sa.func.count(), sa.func.max(Shift.updated_at), signup_stamp)
                             .where(*_centre_filter(centre.id))).one()
    return _fingerprint(row, _window()[1], *extra)


def centre_shifts(centre) -> list[Shift]:
    return list(db.session.scalars(
        sa.select(Shift).where(*_centre_filter(centre.id))
        .options(joinedload(Shift.meeting_point), selectinload(Shift.signups).joinedload(Signup.user))
        .order_by(Shift.starts_at)))
