"""Read-side queries for the shift pages and the API, scoped through core.tenancy."""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from ..accounts.models import STAFF_ROLES, Membership, User
from ..accounts.queries import members_of
from ..centres.models import Centre, MeetingPoint
from ..core import time
from ..core.tenancy import in_centres
from ..extensions import db
from .models import ACTIVE_SIGNUP_STATUSES, ATTENDED, CANCELLED, CONFIRMED, PUBLISHED, Shift, Signup


@dataclass
class ShiftFilter:
    start: datetime
    end: datetime
    meeting_point: str | None = None  # slug
    language: str | None = None


def visible_shifts(
    user: User, shift_filter: ShiftFilter, *, published_only: bool = False, limit: int | None = None
) -> list[Shift]:
    """Shifts the user may see: published ones of every centre they belong to, and for the staff
    of a centre also its drafts and cancelled shifts (unless `published_only`). The language
    filter applies after `limit`."""
    staff_ids = set() if published_only else {m.centre_id for m in user.memberships if m.role in STAFF_ROLES}
    member_ids = {m.centre_id for m in user.memberships}
    query = (
        in_centres(Shift, member_ids)
        .where(sa.or_(Shift.status == PUBLISHED, Shift.centre_id.in_(staff_ids)))
        .where(Shift.starts_at >= shift_filter.start, Shift.starts_at < shift_filter.end)
        .options(joinedload(Shift.meeting_point), joinedload(Shift.centre))
        .order_by(Shift.starts_at, Shift.id)
        .limit(limit)
    )
    if shift_filter.meeting_point:
        query = query.join(Shift.meeting_point).where(MeetingPoint.slug == shift_filter.meeting_point)
    shifts = list(db.session.scalars(query))
    if shift_filter.language:
        # Languages are a short JSON list; filtering here works alike on SQLite and PostgreSQL.
        shifts = [s for s in shifts if shift_filter.language in s.languages]
    return shifts


def open_shift_page(user: User, shift_filter: ShiftFilter, size: int, fetch=None) -> tuple[list[Shift], date | None]:
    """The published shifts of one page: at most `size`, ending with a whole local day, and the
    day the next page starts on (None: nothing more). A day with more shifts is shown whole.
    `fetch` reads them (visible_shifts' signature; shifts.listing.published_rows reads plain rows)."""
    fetch = fetch or visible_shifts
    fetched = fetch(user, shift_filter, published_only=True, limit=size + 1)
    if len(fetched) <= size:
        return fetched, None
    cut = _berlin_day(fetched[size])
    page = [shift for shift in fetched if _berlin_day(shift) < cut]
    if page:
        return page, cut
    next_day = cut + timedelta(days=1)
    whole_day = replace(shift_filter, end=time.berlin_local(datetime.combine(next_day, datetime.min.time())))
    return fetch(user, whole_day, published_only=True), next_day


def visible_shift_or_none(user: User, shift_id: int) -> Shift | None:
    staff_ids = {m.centre_id for m in user.memberships if m.role in STAFF_ROLES}
    shift = db.session.scalar(in_centres(Shift, [m.centre_id for m in user.memberships]).where(Shift.id == shift_id))
    # Members see published and cancelled shifts (a cancellation must reach them); drafts only staff.
    if shift is None or (shift.is_draft and shift.centre_id not in staff_ids):
        return None
    return shift


def my_signup_statuses(user: User, shifts: list[Shift]) -> dict[int, Signup]:
    """The user's sign-up (if any) for each of the given shifts, by shift id."""
    if not shifts:
        return {}
    signups = db.session.scalars(
        sa.select(Signup).where(Signup.user_id == user.id, Signup.shift_id.in_([s.id for s in shifts]))
    )
    return {s.shift_id: s for s in signups}


def my_signups(user: User, *, upcoming: bool, limit: int = 100) -> list[Signup]:
    """The user's sign-ups with their shifts: upcoming (soonest first) or past (latest first)."""
    # One join per table, filled into the objects (joinedload would join the shifts a second time).
    query = (
        sa.select(Signup)
        .join(Signup.shift)
        .join(Shift.meeting_point)
        .where(Signup.user_id == user.id, Signup.status.in_(ACTIVE_SIGNUP_STATUSES))
        .options(contains_eager(Signup.shift).contains_eager(Shift.meeting_point))
        .limit(limit)
    )
    if upcoming:
        query = query.where(Shift.ends_at >= time.now()).order_by(Shift.starts_at)
    else:
        query = query.where(Shift.ends_at < time.now()).order_by(Shift.starts_at.desc())
    return list(db.session.scalars(query))


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class DirectoryEntry:
    user: User
    membership: Membership
    last_shift_at: datetime | None
    shifts_attended: int


def volunteer_directory(centre: Centre) -> list[DirectoryEntry]:
    """The centre's volunteers with languages, certificate and their last shift, in two queries.
    Deleted accounts are not among them: the directory and the assign picker both list these."""
    members = db.session.execute(members_of(centre).order_by(User.name)).all()
    stats = dict(
        (row.user_id, (row.last, row.attended))
        for row in db.session.execute(
            sa.select(
                Signup.user_id,
                sa.func.max(Shift.starts_at).label("last"),
                sa.func.count().filter(Signup.attendance == ATTENDED).label("attended"),
            )
            .join(Signup.shift)
            .where(
                Signup.centre_id == centre.id,
                Signup.status == CONFIRMED,
                Shift.status != CANCELLED,
                Shift.starts_at <= time.now(),
            )
            .group_by(Signup.user_id)
        )
    )
    return [DirectoryEntry(user, membership, *stats.get(user.id, (None, 0))) for user, membership in members]


def _berlin_day(shift: Shift) -> date:
    return time.to_berlin(shift.starts_at).date()
