"""The approved hours of centres in a period, as the figures need them: minutes by kind, month,
Baustein, meeting point and activity, and the active and new volunteers. Read from the monthly
roll-ups that the database's triggers keep exact (rollups.py) for the period's whole months, and
from the entries themselves for its partial first and last month; `raw_…` compute the same from
the entries alone, the roll-ups' reference (tests/reports/test_rollups.py)."""

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from ..centres.models import BAUSTEINE
from ..extensions import db
from ..hours.models import APPROVED, STAFF_HOURS, SUBMITTED, VOLUNTEER_HOURS, HoursEntry
from . import rollups
from .period import Period


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class HoursTotals:
    volunteer_minutes: int = 0
    staff_minutes: int = 0

    def add(self, kind: str, minutes: int) -> None:
        if kind == STAFF_HOURS:
            self.staff_minutes += minutes
        else:
            self.volunteer_minutes += minutes

    def as_dict(self) -> dict:
        return {
            "volunteer_minutes": self.volunteer_minutes,
            "staff_minutes": self.staff_minutes,
            "volunteer_share": share(self.volunteer_minutes, self.volunteer_minutes + self.staff_minutes),
        }


@dataclass
class HoursBreakdown:
    """One centre's approved minutes, by kind and by month, Baustein, meeting point, activity, year."""

    total: HoursTotals = field(default_factory=HoursTotals)
    by_month: dict = field(default_factory=lambda: defaultdict(HoursTotals))
    by_baustein: dict = field(default_factory=lambda: {b: HoursTotals() for b in BAUSTEINE})
    by_meeting_point: dict = field(default_factory=lambda: defaultdict(int))  # volunteer minutes
    by_activity: dict = field(default_factory=lambda: defaultdict(int))
    by_year: dict = field(default_factory=lambda: defaultdict(int))
    pending_minutes: int = 0  # submitted volunteer minutes (from the roll-ups only)

    def add(self, kind: str, baustein: str, meeting_point_id, activity: str, year: int, month: int, minutes: int):
        self.total.add(kind, minutes)
        self.by_month[f"{year:04d}-{month:02d}"].add(kind, minutes)
        self.by_baustein[baustein].add(kind, minutes)
        if kind == VOLUNTEER_HOURS:
            self.by_meeting_point[meeting_point_id] += minutes
            self.by_activity[activity] += minutes
            self.by_year[year] += minutes

    def add_marginal(self, marginal: str, kind: str, number: int | None, text: str | None, minutes: int):
        """One row of hours_breakdowns' statement: a month's minutes of a status (text), a
        Baustein's (text), a meeting point's (number) or an activity's (text)."""
        if marginal == "month" and text == APPROVED:
            year, month = divmod(number, 100)
            self.total.add(kind, minutes)
            self.by_month[f"{year:04d}-{month:02d}"].add(kind, minutes)
            if kind == VOLUNTEER_HOURS:
                self.by_year[year] += minutes
        elif marginal == "month":  # submitted
            self.pending_minutes += minutes if kind == VOLUNTEER_HOURS else 0
        elif marginal == "baustein":
            self.by_baustein[text].add(kind, minutes)
        elif marginal == "place":
            self.by_meeting_point[None if number == rollups.NO_MEETING_POINT else number] += minutes
        else:
            self.by_activity[text] += minutes


def hours_breakdowns(centre_ids: list[int], period: Period) -> dict[int, HoursBreakdown]:
    """Each centre's approved minutes by kind and month, by kind and Baustein, volunteer minutes
    by meeting point and by activity, and its pending minutes, in one statement: each summed from
    its roll-up's whole months and the entries of the partial ones."""
    no_number, no_text = sa.cast(sa.null(), sa.Integer), sa.cast(sa.null(), sa.String)
    marginals = [
        _marginal("month", ("status", "kind", "month"), ("kind", "month", "status"), period, centre_ids),
        _marginal("baustein", ("kind", "baustein", "month"), ("kind", no_number, "baustein"), period, centre_ids),
        _marginal("place", ("meeting_point_id", "month"), (no_text, "meeting_point_id", no_text), period, centre_ids),
        _marginal("activity", ("activity", "month"), (no_text, no_number, "activity"), period, centre_ids),
    ]
    result: dict[int, HoursBreakdown] = defaultdict(HoursBreakdown)
    statements = [statement for statement in marginals if statement is not None]
    if statements:
        for centre_id, marginal, kind, number, text, minutes in db.session.execute(sa.union_all(*statements)):
            result[centre_id].add_marginal(marginal, kind, number, text, int(minutes))
    return result


_ROLLUP_OF = {
    "month": "hours_rollup_months",
    "baustein": "hours_rollup_bausteine",
    "place": "hours_rollup_places",
    "activity": "hours_rollup_activities",
}


def _marginal(name: str, keys: tuple, shown: tuple, period: Period, centre_ids: list[int]):
    """SELECT centre, name, kind, number, text, sum(minutes) of one roll-up over the period:
    its rows of the whole months and the entries of the partial ones, grouped by the keys shown."""
    table = rollups.TABLES[_ROLLUP_OF[name]]
    _keys, counts = rollups.ROLLUPS[table.name]
    rolled_up = sa.select(table.c.centre_id, *(table.c[key] for key in keys), table.c.minutes).where(
        table.c.centre_id.in_(centre_ids)
    )
    entries = _grouped(HoursEntry.centre_id, *(_entry_column(key) for key in keys)).where(
        HoursEntry.centre_id.in_(centre_ids), *_counted_entries(counts)
    )
    if name == "month":  # every status is rolled up; the report shows approved and pending minutes
        rolled_up = rolled_up.where(table.c.status.in_((APPROVED, SUBMITTED)))
        entries = entries.where(HoursEntry.status.in_((APPROVED, SUBMITTED)))
    parts = _in_parts(period, rolled_up, table.c.month, entries)
    if not parts:
        return None
    rows = sa.union_all(*parts).subquery()
    columns = [rows.c[column] if isinstance(column, str) else column for column in shown]
    return sa.select(rows.c.centre_id, sa.literal(name), *columns, sa.func.sum(rows.c.minutes)).group_by(
        rows.c.centre_id, *(rows.c[column] for column in shown if isinstance(column, str))
    )


def _entry_column(key: str):
    if key == "month":
        return _month_of_entry().label("month")
    if key == "meeting_point_id":
        return sa.func.coalesce(HoursEntry.meeting_point_id, rollups.NO_MEETING_POINT).label(key)
    return getattr(HoursEntry, key)


def _counted_entries(counts: str) -> tuple:
    """The entries a roll-up counts (rollups.ROLLUPS), as a WHERE on hours_entries."""
    approved, volunteer = HoursEntry.status == APPROVED, HoursEntry.kind == VOLUNTEER_HOURS
    return {rollups.ALL: (), rollups.APPROVED_ONLY: (approved,), rollups.APPROVED_VOLUNTEER: (approved, volunteer)}[
        counts
    ]


def people_counts(centre_ids: list[int], period: Period, breakdowns: dict[int, HoursBreakdown]) -> dict[int, dict]:
    """Per centre: active volunteers (approved hours in the period) and new ones (their first
    approved hours in that centre fall into the period). Counts only: no person leaves this
    function. Someone active in two centres counts in each, as each centre reports them.
    From the roll-ups' whole months and the entries of the partial ones."""
    p, f = rollups.TABLES["hours_rollup_people"], rollups.hours_first_days
    no_day = sa.cast(sa.null(), sa.Date)
    parts = _in_parts(
        period,
        sa.select(p.c.centre_id, p.c.user_id, p.c.minutes, no_day).where(p.c.centre_id.in_(centre_ids)),
        p.c.month,
        _grouped(HoursEntry.centre_id, HoursEntry.user_id, extra=(no_day,)).where(
            HoursEntry.centre_id.in_(centre_ids), HoursEntry.status == APPROVED, HoursEntry.kind == VOLUNTEER_HOURS
        ),
    )
    first_days = sa.select(f.c.centre_id, f.c.user_id, sa.cast(sa.null(), sa.BigInteger), f.c.first_day).where(
        f.c.centre_id.in_(centre_ids), f.c.first_day.between(period.start, period.end)
    )
    both = sa.union_all(*parts, first_days).subquery()
    centre, user, minutes, first_day = both.c
    per_person = (
        sa.select(centre.label("centre_id"), sa.func.sum(minutes).label("minutes"), sa.func.max(first_day).label("day"))
        .group_by(centre, user)
        .subquery()
    )
    counts = db.session.execute(
        sa.select(
            per_person.c.centre_id,
            sa.func.count().filter(per_person.c.minutes > 0),
            sa.func.count().filter(per_person.c.day.is_not(None)),
        ).group_by(per_person.c.centre_id)
    )
    result = {i: {"active_volunteers": 0, "new_volunteers": 0} for i in centre_ids}
    for centre_id, active, new in counts:
        result[centre_id] = {"active_volunteers": int(active), "new_volunteers": int(new)}
    return {i: {**result[i], "pending_minutes": breakdowns[i].pending_minutes} for i in centre_ids}


def _month_of_entry():
    """An entry's month as the roll-ups key it: year * 100 + month."""
    day = HoursEntry.work_date
    return sa.cast(sa.extract("year", day) * 100 + sa.extract("month", day), sa.Integer)


def _grouped(*keys, extra=()):
    """SELECT keys…, [extra…,] sum(minutes) FROM hours_entries GROUP BY keys…"""
    return sa.select(*keys, sa.func.sum(HoursEntry.minutes).label("minutes"), *extra).group_by(*keys)


def _in_parts(period: Period, rolled_up, month_column, entries) -> list:
    """The roll-up's SELECT for the period's whole months and the entries' for its partial ones,
    those that it needs."""
    months, partial = rollups.split_period(period.start, period.end)
    parts = [rolled_up.where(month_column.between(*months))] if months else []
    if partial:
        parts.append(entries.where(sa.or_(*(HoursEntry.work_date.between(a, b) for a, b in partial))))
    return parts


def _approved_in(centre_ids: list[int], period: Period):
    return (
        HoursEntry.centre_id.in_(centre_ids),
        HoursEntry.status == APPROVED,
        HoursEntry.work_date.between(period.start, period.end),
    )


def raw_hours_breakdowns(centre_ids: list[int], period: Period) -> dict[int, HoursBreakdown]:
    """Each centre's approved minutes by kind, month, Baustein, meeting point and activity, in
    one query over the entries grouped by centre: what hours_breakdowns gives from the roll-ups."""
    year, month = sa.extract("year", HoursEntry.work_date), sa.extract("month", HoursEntry.work_date)
    keys = (
        HoursEntry.centre_id,
        HoursEntry.kind,
        HoursEntry.baustein,
        HoursEntry.meeting_point_id,
        HoursEntry.activity,
        year,
        month,
    )
    rows = db.session.execute(
        sa.select(*keys, sa.func.sum(HoursEntry.minutes)).where(*_approved_in(centre_ids, period)).group_by(*keys)
    )
    result: dict[int, HoursBreakdown] = defaultdict(HoursBreakdown)
    for centre_id, kind, baustein, meeting_point_id, activity, y, m, minutes in rows:
        result[centre_id].add(kind, baustein, meeting_point_id, activity, int(y), int(m), int(minutes))
    return result


def raw_people_counts(centre_ids: list[int], period: Period) -> dict[int, dict]:
    """people_counts from the entries alone (the roll-ups' reference)."""
    in_period = HoursEntry.work_date.between(period.start, period.end)
    # One pass over each person's approved hours in each centre: their first day there ever, and
    # what they gave in the period.
    per_person = (
        sa.select(
            HoursEntry.centre_id,
            sa.func.min(HoursEntry.work_date).label("first_day"),
            sa.func.sum(HoursEntry.minutes).filter(in_period).label("minutes"),
        )
        .where(HoursEntry.centre_id.in_(centre_ids), HoursEntry.status == APPROVED, HoursEntry.kind == VOLUNTEER_HOURS)
        .group_by(HoursEntry.centre_id, HoursEntry.user_id)
        .subquery()
    )
    counts = db.session.execute(
        sa.select(
            per_person.c.centre_id,
            sa.func.count().filter(per_person.c.minutes > 0),
            sa.func.count().filter(per_person.c.first_day.between(period.start, period.end)),
        ).group_by(per_person.c.centre_id)
    )
    pending = dict(
        db.session.execute(
            sa.select(HoursEntry.centre_id, sa.func.sum(HoursEntry.minutes))
            .where(
                HoursEntry.centre_id.in_(centre_ids),
                HoursEntry.status == SUBMITTED,
                HoursEntry.kind == VOLUNTEER_HOURS,
                in_period,
            )
            .group_by(HoursEntry.centre_id)
        ).all()
    )
    result = {i: {"active_volunteers": 0, "new_volunteers": 0} for i in centre_ids}
    for centre_id, active, new in counts:
        result[centre_id] = {"active_volunteers": int(active), "new_volunteers": int(new)}
    return {i: {**result[i], "pending_minutes": int(pending.get(i) or 0)} for i in centre_ids}
