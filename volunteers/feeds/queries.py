"""Which shifts each feed carries, and a cheap fingerprint of them for ETag and Last-Modified:
an unchanged feed is answered from the fingerprint alone, without loading or rendering rows.

Each feed's fingerprint comes from one statement, built once at import with bound parameters,
that resolves the URL (token hash or slug) to the feed's owner and reads the change stamps of the
centres whose data the feed shows (centres/stamp.py), not the feed's rows: every write that
changes a shift, sign-up, meeting point, activity, centre or a shown name raises its centre's
stamp in the same transaction. What the stamps do not carry goes into the fingerprint as it is:
the owner's own settings (alarm, locale), the meeting point's or centre's shown fields, today's
date (the window of shifts moves at Berlin midnight, never in between) and the set of centres a
volunteer's sign-ups are in (also those of centres they have left)."""

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa

from ..accounts.models import STAFF_ROLES, Membership, User
from ..centres.models import Centre, CentreStamp, MeetingPoint
from ..core import time
from ..extensions import db
from ..shifts.models import ACTIVE_SIGNUP_STATUSES, CANCELLED, DRAFT, PUBLISHED, Shift, Signup
from .models import CENTRE, PERSONAL, CalendarToken

HISTORY = timedelta(days=90)
# A cancelled shift stays this long after its cancellation, so that subscribed clients remove it.
CANCELLED_LINGER = timedelta(days=30)
FEED_FORMAT_VERSION = "3"  # bump when the rendering changes, so that every ETag changes

# What the fingerprint reads of the shown centres' stamps: how many, which, their sum, the latest
# move. Stamps only grow, so any raise moves the sum; the ids' sum and the count move with the set.
STAMPS = (
    sa.func.count(CentreStamp.centre_id),
    sa.func.coalesce(sa.func.sum(CentreStamp.centre_id), 0),
    sa.func.coalesce(sa.func.sum(CentreStamp.stamp), 0),
    sa.func.max(CentreStamp.changed_at),
)


@dataclass(frozen=True)
class Fingerprint:
    etag: str
    last_modified: datetime | None


def _fingerprint(stamps, midnight: datetime, *extra) -> Fingerprint:
    """From the shown centres' stamps (`STAMPS`) and whatever else shapes the output (the feed's
    identity, locale, settings, today's date), so that no two feeds share an ETag. Last-Modified
    is the latest move of a shown centre's stamp, or the last midnight, when the window moved."""
    *sums, changed_at = stamps
    last = max(changed_at, midnight) if changed_at is not None else midnight
    key = "|".join(str(part) for part in (FEED_FORMAT_VERSION, *sums, changed_at, *extra))
    return Fingerprint(hashlib.sha256(key.encode()).hexdigest()[:32], last)


def _window() -> tuple[dict, date, datetime]:
    """The bound parameters of the window, today's Berlin date and its midnight. The window's
    edges are measured from that midnight, so that the shifts a feed shows change only with the
    data (its centres' stamps) or the date (part of the fingerprint), never in between."""
    today = time.to_berlin(time.now()).date()
    midnight = time.berlin_local_lenient(datetime.combine(today, datetime.min.time()))
    return {"since": midnight - HISTORY, "linger": midnight - CANCELLED_LINGER}, today, midnight


def _in_window():
    return (
        Shift.starts_at >= sa.bindparam("since"),
        sa.or_(Shift.status != CANCELLED, Shift.updated_at >= sa.bindparam("linger")),
    )


class FeedPlace(NamedTuple):
    """A meeting point as the feeds show it."""

    name: str
    street: str
    postcode: str
    city: str
    latitude: float | None
    longitude: float | None
    opening_notes: str

    address = MeetingPoint.address  # the model's own property: one place for the format


class FeedShift(NamedTuple):
    """A shift as the feeds show it: plain rows, because loading and reading ORM entities took
    half of a render. The events read it like a Shift."""

    id: int
    centre_id: int
    centre_slug: str
    activity: str
    starts_at: datetime
    ends_at: datetime
    status: str
    cancel_reason: str
    notes: str
    sequence: int
    updated_at: datetime
    capacity_min: int
    capacity_max: int
    confirmed_count: int
    meeting_point: FeedPlace

    free_slots = Shift.free_slots  # the model's own rules, not copies
    is_understaffed = Shift.is_understaffed


class FeedSignup(NamedTuple):
    status: str
    updated_at: datetime
    shift: FeedShift


# FeedShift's fields up to its meeting point, then the meeting point's id and FeedPlace's fields.
SHIFT_COLUMNS = (
    Shift.id,
    Shift.centre_id,
    Centre.slug,
    Shift.activity,
    Shift.starts_at,
    Shift.ends_at,
    Shift.status,
    Shift.cancel_reason,
    Shift.notes,
    Shift.sequence,
    Shift.updated_at,
    Shift.capacity_min,
    Shift.capacity_max,
    Shift.confirmed_count,
)
PLACE_COLUMNS = (
    MeetingPoint.id,
    MeetingPoint.name,
    MeetingPoint.street,
    MeetingPoint.postcode,
    MeetingPoint.city,
    MeetingPoint.latitude,
    MeetingPoint.longitude,
    MeetingPoint.opening_notes,
)


def _shifts_select(*filters, first=()):
    """The feed's shifts with their centre's slug and meeting point, after the columns `first`."""
    return (
        sa.select(*first, *SHIFT_COLUMNS, *PLACE_COLUMNS)
        .select_from(Shift)
        .join(Centre, Centre.id == Shift.centre_id)
        .join(MeetingPoint, MeetingPoint.id == Shift.meeting_point_id)
        .where(*filters)
        .order_by(Shift.starts_at)
    )


def _feed_shifts(rows, first: int = 0) -> list[tuple]:
    """(row, FeedShift) for each row of a `_shifts_select`, the FeedPlaces shared."""
    places, fields = {}, len(SHIFT_COLUMNS)
    shifts = []
    for row in rows:
        place_id = row[first + fields]
        if place_id not in places:
            places[place_id] = FeedPlace(*row[first + fields + 1 :])
        shifts.append((row, FeedShift(*row[first : first + fields], places[place_id])))
    return shifts


def _rows(statement, **params):
    window, _today, _midnight = _window()
    return db.session.execute(statement, {**window, **params})


def _state(statement, **params):
    """The statement's one row (or None), on a connection of its own rather than the ORM session,
    whose set-up and teardown cost 10–20 % of a 304; a render then reads through the session.
    Also today's date and its midnight, for the fingerprint."""
    _window_params, today, midnight = _window()
    # One statement needs no transaction of its own: without BEGIN and ROLLBACK a 304 makes two
    # round trips to PostgreSQL (the pool's ping and the statement), not four. (SQLite: no round
    # trips to save, and core/database.py begins its transactions itself.)
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT")
        return connection.execute(statement, params).one_or_none(), today, midnight


# --- a volunteer's own shifts ---------------------------------------------------------------


def _personal_filter(user_id):
    return (Signup.user_id == user_id, Signup.status.in_(ACTIVE_SIGNUP_STATUSES), Shift.status != DRAFT, *_in_window())


# The centres of the owner's sign-ups: those of centres they have left too, whose shifts, meeting
# points and activities the feed still shows. One read of their sign-ups by (user, status), not
# of the shifts: the stamps carry every change of what those sign-ups show. The owner comes from
# the token in a subquery of its own, not correlated with the outer row: correlated, PostgreSQL
# read the sign-ups once per centre (54 times, 1 ms of a 304 that otherwise takes 0.1 ms).
TOKEN_OWNER = (
    sa.select(CalendarToken.user_id)
    .where(CalendarToken.kind == PERSONAL, CalendarToken.token_hash == sa.bindparam("token_hash"))
    .scalar_subquery()
)
SIGNUP_CENTRES = sa.select(Signup.centre_id).where(
    Signup.user_id == TOKEN_OWNER, Signup.status.in_(ACTIVE_SIGNUP_STATUSES)
)
PERSONAL_OWNER = (CalendarToken.user_id, User.calendar_alarm_minutes, User.locale)
PERSONAL_STATE = (
    sa.select(*PERSONAL_OWNER, *STAMPS)
    .select_from(CalendarToken)
    .join(User, User.id == CalendarToken.user_id)
    .outerjoin(CentreStamp, CentreStamp.centre_id.in_(SIGNUP_CENTRES))
    .where(CalendarToken.kind == PERSONAL, CalendarToken.token_hash == sa.bindparam("token_hash"))
    .group_by(*PERSONAL_OWNER)
)


def personal_state(token_hash: str):
    """(user_id, calendar_alarm_minutes, locale) of the token's owner and their feed's
    fingerprint, or None if no personal feed has this token."""
    row, today, midnight = _state(PERSONAL_STATE, token_hash=token_hash)
    if row is None:
        return None
    owner = row[: len(PERSONAL_OWNER)]
    return owner, _fingerprint(row[len(PERSONAL_OWNER) :], midnight, today, PERSONAL, *owner)


PERSONAL_SIGNUPS = _shifts_select(
    *_personal_filter(sa.bindparam("user_id")), first=(Signup.status, Signup.updated_at)
).join(Signup, Signup.shift_id == Shift.id)


def personal_signups(user_id: int) -> list[FeedSignup]:
    rows = _rows(PERSONAL_SIGNUPS, user_id=user_id)
    return [FeedSignup(row.status, row.updated_at, shift) for row, shift in _feed_shifts(rows, first=2)]


# --- a meeting point's public feed ----------------------------------------------------------


def _public_filter(meeting_point_id):
    return (Shift.meeting_point_id == meeting_point_id, Shift.status.in_((PUBLISHED, CANCELLED)), *_in_window())


# The meeting point's own fields are in the calendar (name, address, position): they go into the
# fingerprint as they are, and its centre's stamp with them (shifts, activity names, free places).
PUBLIC_POINT = (
    MeetingPoint.id,
    MeetingPoint.centre_id,
    MeetingPoint.name,
    MeetingPoint.street,
    MeetingPoint.postcode,
    MeetingPoint.city,
    MeetingPoint.latitude,
    MeetingPoint.longitude,
)
PUBLIC_STATE = (
    sa.select(*PUBLIC_POINT, *STAMPS)
    .select_from(MeetingPoint)
    .outerjoin(CentreStamp, CentreStamp.centre_id == MeetingPoint.centre_id)
    .where(MeetingPoint.slug == sa.bindparam("slug"))
    .group_by(*PUBLIC_POINT)
)


def public_state(slug: str, locale: str):
    """The meeting point's id and its feed's fingerprint, or None if there is no such meeting point."""
    row, today, midnight = _state(PUBLIC_STATE, slug=slug)
    if row is None:
        return None
    point = row[: len(PUBLIC_POINT)]
    return row.id, _fingerprint(row[len(PUBLIC_POINT) :], midnight, today, "place", *point, locale)


PUBLIC_SHIFTS = _shifts_select(*_public_filter(sa.bindparam("meeting_point_id")))


def public_shifts(meeting_point_id: int) -> list[FeedShift]:
    return [shift for _row, shift in _feed_shifts(_rows(PUBLIC_SHIFTS, meeting_point_id=meeting_point_id))]


# --- a centre's plan for its coordinators ----------------------------------------------------


def _centre_filter(centre_id):
    return (Shift.centre_id == centre_id, *_in_window())


# Only while the token's owner is on the centre's staff: the link dies with the role. The centre's
# name and slug are in the calendar and go into the fingerprint as they are; its stamp carries
# its shifts, sign-ups and the names of the people signed up.
CENTRE_OWNER = (CalendarToken.user_id, CalendarToken.centre_id, User.locale, Centre.slug, Centre.name)
CENTRE_STATE = (
    sa.select(*CENTRE_OWNER, *STAMPS)
    .select_from(CalendarToken)
    .join(User, User.id == CalendarToken.user_id)
    .join(Centre, Centre.id == CalendarToken.centre_id)
    .join(
        Membership,
        sa.and_(
            Membership.user_id == CalendarToken.user_id,
            Membership.centre_id == Centre.id,
            Membership.role.in_(STAFF_ROLES),
        ),
    )
    .outerjoin(CentreStamp, CentreStamp.centre_id == Centre.id)
    .where(CalendarToken.kind == CENTRE, CalendarToken.token_hash == sa.bindparam("token_hash"))
    .group_by(*CENTRE_OWNER)
)


def centre_state(token_hash: str):
    """(user_id, centre_id, locale, centre slug, centre name) of the token and the feed's
    fingerprint, or None if no centre feed has this token or its owner is no longer on that
    centre's staff."""
    row, today, midnight = _state(CENTRE_STATE, token_hash=token_hash)
    if row is None:
        return None
    owner = row[: len(CENTRE_OWNER)]
    return owner, _fingerprint(row[len(CENTRE_OWNER) :], midnight, today, CENTRE, *owner)


CENTRE_SHIFTS = _shifts_select(*_centre_filter(sa.bindparam("centre_id")))


def centre_shifts(centre_id: int) -> list[FeedShift]:
    return [shift for _row, shift in _feed_shifts(_rows(CENTRE_SHIFTS, centre_id=centre_id))]


CENTRE_SIGNUPS = (
    sa.select(Signup.shift_id, Signup.status, Signup.updated_at, User.name)
    .join(Shift, Shift.id == Signup.shift_id)
    .outerjoin(User, User.id == Signup.user_id)
    .where(*_centre_filter(sa.bindparam("centre_id")))
    .order_by(Signup.created_at, Signup.id)
)


def centre_signups(centre_id: int) -> dict[int, list]:
    """Per shift of the centre feed, its sign-ups as (status, updated_at, name) rows in the order
    they came: names only, no Signup and User entities."""
    by_shift = defaultdict(list)
    for row in _rows(CENTRE_SIGNUPS, centre_id=centre_id):
        by_shift[row.shift_id].append(row)
    return by_shift
