"""The coordinators' week plan: its rows straight from SQL, and its grid kept rendered until the
centre's change stamp moves.

Everything the grid shows (shifts, their counts and waiting lists, meeting points, activity names,
the centre's name and slug) is data whose every change raises the centre's stamp
(centres/stamp.py), and nothing in it depends on the person: so the grid is kept per (centre,
week, meeting-point filter, locale, stamp, today) and a repeat view costs the statement that reads
the stamp. What is the person's own (CSRF tokens, their feed, the layout) is rendered per request
around it. The stamp is read before the rows: a write committed in between moves it, so what was
read can only be newer than the stamp it is kept under, never older. A reader whose own open
transaction changed the centre neither uses nor keeps a grid (its stamp moves only at the commit)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask import abort, current_app
from markupsafe import Markup

from ..centres.models import Centre, MeetingPoint
from ..centres.stamp import stamp_of, touched_in_transaction
from ..core import time
from ..core.lru import ExpiringLRU, app_store
from ..core.templating import reading
from ..extensions import db
from .holidays import public_holidays
from .models import WAITLISTED, Shift, Signup
from .planning import week_bounds

ENTRIES = 1024  # a few weeks × filters × locales of 54 centres, about 10 KB each


class WeekShift(NamedTuple):
    """One shift as the plan shows it: the columns, the meeting point's name, the length of its
    waiting list. The templates read it like a Shift."""

    id: int
    centre_id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    activity: str
    capacity_min: int
    capacity_max: int
    confirmed_count: int
    requires_police_certificate: bool
    place: str
    waiting: int

    is_published = Shift.is_published  # the model's own rules, not copies
    is_cancelled = Shift.is_cancelled
    is_understaffed = Shift.is_understaffed


@dataclass(frozen=True)
class WeekGrid:
    """What the grid shows; filled only when it is not kept."""

    centre: Centre
    week_start: date
    meeting_point_slug: str | None
    today: date
    days: dict[date, list[WeekShift]]
    holidays: dict[date, str]
    meeting_points: list  # rows of slug and name

    def shifted(self, days: int) -> date:
        return self.week_start + timedelta(days=days)


def week_shifts(centre_id: int, week_start: date, meeting_point_id: int | None) -> dict[date, list[WeekShift]]:
    """The centre's shifts of one week by local day, in one statement."""
    start, end = week_bounds(week_start)
    waiting = (
        sa.select(sa.func.count())
        .where(Signup.shift_id == Shift.id, Signup.status == WAITLISTED)
        .correlate(Shift)
        .scalar_subquery()
    )
    query = (
        sa.select(
            *(getattr(Shift, name) for name in WeekShift._fields[:-2]),
            MeetingPoint.name,
            waiting,
        )
        .join(MeetingPoint, MeetingPoint.id == Shift.meeting_point_id)
        .where(Shift.centre_id == centre_id, Shift.starts_at >= start, Shift.starts_at < end)
        .order_by(Shift.starts_at)
    )
    if meeting_point_id is not None:
        query = query.where(Shift.meeting_point_id == meeting_point_id)
    days = {week_start + timedelta(days=n): [] for n in range(7)}
    for row in db.session.execute(query):
        shift = WeekShift(*row)
        days[time.to_berlin(shift.starts_at).date()].append(shift)
    return days


def _meeting_points(centre_id: int) -> list:
    query = sa.select(MeetingPoint.id, MeetingPoint.slug, MeetingPoint.name).where(MeetingPoint.centre_id == centre_id)
    return db.session.execute(query.order_by(MeetingPoint.name)).all()


def week_grid(*, centre: Centre, week_start: date, meeting_point_slug: str | None, today: date) -> WeekGrid:
    """The grid's data; 404 for a meeting point the centre does not have."""
    meeting_points = _meeting_points(centre.id)
    meeting_point_id = None
    if meeting_point_slug:
        found = [mp.id for mp in meeting_points if mp.slug == meeting_point_slug]
        if not found:
            abort(404)
        meeting_point_id = found[0]
    return WeekGrid(
        centre=centre,
        week_start=week_start,
        meeting_point_slug=meeting_point_slug,
        today=today,
        days=week_shifts(centre.id, week_start, meeting_point_id),
        holidays=public_holidays(week_start, week_start + timedelta(days=6)),
        meeting_points=meeting_points,
    )


def kept_weeks() -> ExpiringLRU:
    """This app's rendered grids."""
    return app_store("week_plans", lambda: ExpiringLRU(ENTRIES))


@dataclass
class KeptGrid:
    """The grid for one request: `html(macro)` gives the kept HTML, or renders it with `macro`."""

    centre: Centre
    week_start: date
    meeting_point_slug: str | None
    today: date

    def html(self, macro) -> Markup:
        keeps = current_app.config.get("WEEK_PLAN_KEPT", True) and self.centre.id not in touched_in_transaction()
        if not keeps:
            return macro(self._grid())
        stamp = stamp_of(self.centre.id)  # before the rows: what they show is never older than it
        key = (self.centre.id, self.week_start, self.meeting_point_slug, reading().code, stamp, self.today)
        store = kept_weeks()
        found = store.get(key, None)  # no expiry: `today` is in the key, nothing else depends on time
        if found is None:
            found = macro(self._grid())  # Markup: the template autoescapes
            store.put(key, found, None)
        return found

    def _grid(self) -> WeekGrid:
        return week_grid(
            centre=self.centre, week_start=self.week_start, meeting_point_slug=self.meeting_point_slug, today=self.today
        )
