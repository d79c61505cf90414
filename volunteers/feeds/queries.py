"""Which shifts each feed carries, and a cheap fingerprint of them for ETag and Last-Modified:
an unchanged feed is answered from the fingerprint alone, without loading or rendering rows.

Each feed's fingerprint comes from one statement, built once at import with bound parameters,
that also resolves the URL (token hash or slug) to the feed's owner: a calendar server polls
thousands of feeds, and most polls end in a 304 right after it."""
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload, load_only, selectinload

from ..accounts.models import STAFF_ROLES, Membership, User
from ..centres.models import Centre, MeetingPoint
from ..core import time
from ..extensions import db
from ..shifts.models import ACTIVE_SIGNUP_STATUSES, CANCELLED, DRAFT, PUBLISHED, Shift, Signup
from .models import CENTRE, PERSONAL, CalendarToken

HISTORY = timedelta(days=90)
# A cancelled shift stays this long after its cancellation, so that subscribed clients remove it.
CANCELLED_LINGER = timedelta(days=30)
FEED_FORMAT_VERSION = "2"  # bump when the rendering changes, so that every ETag changes


@dataclass(frozen=True)
class Fingerprint:
    etag: str
    last_modified: datetime | None


def _fingerprint(aggregates, *extra) -> Fingerprint:
    """From (count, *stamps) of a feed's rows and whatever else shapes the output (the feed's
    identity, locale, settings), so that no two feeds share an ETag."""
    count, *stamps = aggregates
    stamps = [s for s in stamps if s is not None]
    last = max(stamps) if stamps else None
    key = "|".join(str(part) for part in (FEED_FORMAT_VERSION, count, *stamps, *extra))
    return Fingerprint(hashlib.sha256(key.encode()).hexdigest()[:32], last)


def _window() -> tuple[dict, date]:
    """The bound parameters of the window, and today's Berlin date: it is part of the fingerprint,
    so that the window moves daily."""
    now = time.now()
    return {"since": now - HISTORY, "linger": now - CANCELLED_LINGER}, time.to_berlin(now).date()


def _in_window():
    return (Shift.starts_at >= sa.bindparam("since"),
            sa.or_(Shift.status != CANCELLED, Shift.updated_at >= sa.bindparam("linger")))


def _state(statement, **params):
    window, today = _window()
    return db.session.execute(statement, {**window, **params}).one_or_none(), today


# --- a volunteer's own shifts ---------------------------------------------------------------

def _personal_filter(user_id):
    return (Signup.user_id == user_id, Signup.status.in_(ACTIVE_SIGNUP_STATUSES), Shift.status != DRAFT,
            *_in_window())


PERSONAL_STATE = (
    sa.select(CalendarToken.user_id, User.calendar_alarm_minutes, User.locale, sa.func.count(Signup.id),
              sa.func.max(Shift.updated_at), sa.func.max(Signup.updated_at))
    .select_from(CalendarToken).join(User, User.id == CalendarToken.user_id)
    .outerjoin(sa.join(Signup, Shift, Shift.id == Signup.shift_id), sa.and_(*_personal_filter(CalendarToken.user_id)))
    .where(CalendarToken.kind == PERSONAL, CalendarToken.token_hash == sa.bindparam("token_hash"))
    .group_by(CalendarToken.user_id, User.calendar_alarm_minutes, User.locale))


def personal_state(token_hash: str):
    """(user_id, calendar_alarm_minutes, locale) of the token's owner and their feed's
    fingerprint, or None if no personal feed has this token."""
    row, today = _state(PERSONAL_STATE, token_hash=token_hash)
    if row is None:
        return None
    owner = row[:3]
    return owner, _fingerprint(row[3:], today, PERSONAL, *owner)


def personal_signups(user_id: int) -> list[Signup]:
    window, _today = _window()
    return list(db.session.scalars(
        sa.select(Signup).join(Signup.shift).where(*_personal_filter(user_id))
        .options(joinedload(Signup.shift).joinedload(Shift.meeting_point)).order_by(Shift.starts_at), window))


# --- a meeting point's public feed ----------------------------------------------------------

def _public_filter(meeting_point_id):
    return (Shift.meeting_point_id == meeting_point_id, Shift.status.in_((PUBLISHED, CANCELLED)), *_in_window())


# The meeting point's own fields are in the calendar (name, address, position) and have no
# change stamp: they go into the fingerprint as they are.
PUBLIC_POINT = (MeetingPoint.id, MeetingPoint.name, MeetingPoint.street, MeetingPoint.postcode, MeetingPoint.city,
                MeetingPoint.latitude, MeetingPoint.longitude)
PUBLIC_STATE = (
    sa.select(*PUBLIC_POINT, sa.func.count(Shift.id), sa.func.max(Shift.updated_at))
    .select_from(MeetingPoint).outerjoin(Shift, sa.and_(*_public_filter(MeetingPoint.id)))
    .where(MeetingPoint.slug == sa.bindparam("slug")).group_by(*PUBLIC_POINT))


def public_state(slug: str, locale: str):
    """The meeting point's id and its feed's fingerprint, or None if there is no such meeting point."""
    row, today = _state(PUBLIC_STATE, slug=slug)
    if row is None:
        return None
    point = row[:len(PUBLIC_POINT)]
    return row.id, _fingerprint(row[len(PUBLIC_POINT):], today, "place", *point, locale)


def public_shifts(meeting_point_id: int) -> list[Shift]:
    window, _today = _window()
    return list(db.session.scalars(sa.select(Shift).where(*_public_filter(meeting_point_id))
                                   .order_by(Shift.starts_at), window))


# --- a centre's plan for its coordinators ----------------------------------------------------

def _centre_filter(centre_id):
    return (Shift.centre_id == centre_id, *_in_window())


# Only while the token's owner is on the centre's staff: the link dies with the role. The centre's
# name and slug are in the calendar and go into the fingerprint as they are.
CENTRE_OWNER = (CalendarToken.user_id, CalendarToken.centre_id, User.locale, Centre.slug, Centre.name)
CENTRE_STATE = (
    sa.select(*CENTRE_OWNER, sa.func.count(sa.distinct(Shift.id)), sa.func.max(Shift.updated_at),
              sa.func.max(Signup.updated_at))
    .select_from(CalendarToken).join(User, User.id == CalendarToken.user_id)
    .join(Centre, Centre.id == CalendarToken.centre_id)
    .join(Membership, sa.and_(Membership.user_id == CalendarToken.user_id, Membership.centre_id == Centre.id,
                              Membership.role.in_(STAFF_ROLES)))
    .outerjoin(Shift, sa.and_(*_centre_filter(Centre.id)))
    .outerjoin(Signup, Signup.shift_id == Shift.id)
    .where(CalendarToken.kind == CENTRE, CalendarToken.token_hash == sa.bindparam("token_hash"))
    .group_by(*CENTRE_OWNER))


def centre_state(token_hash: str):
    """(user_id, centre_id, locale, centre slug, centre name) of the token and the feed's
    fingerprint, or None if no centre feed has this token or its owner is no longer on that
    centre's staff."""
    row, today = _state(CENTRE_STATE, token_hash=token_hash)
    if row is None:
        return None
    owner = row[:len(CENTRE_OWNER)]
    return owner, _fingerprint(row[len(CENTRE_OWNER):], today, CENTRE, *owner)


def centre_shifts(centre_id: int) -> list[Shift]:
    window, _today = _window()
    return list(db.session.scalars(
        sa.select(Shift).where(*_centre_filter(centre_id))
        .options(joinedload(Shift.meeting_point),
                 # Names only: no whole User rows with their JSON columns and memberships.
                 selectinload(Shift.signups).options(
                     load_only(Signup.status, Signup.updated_at, Signup.user_id),
                     joinedload(Signup.user).options(load_only(User.name), lazyload(User.memberships))))
        .order_by(Shift.starts_at), window))
