"""The KommAn figures of a centre for a period, as the specification defines them.

Only approved hours count. Volunteer hours V and staff hours S give the volunteer share
V / (V + S); the in-kind value is V times the grant's valuation rate, also after the grant's cap.
Everything is computed from a handful of aggregate queries, never row by row."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from ..activities.services import activity_name
from ..centres.models import BAUSTEINE, Centre, MeetingPoint
from ..core import time
from ..extensions import db
from ..hours.models import APPROVED, STAFF_HOURS, SUBMITTED, VOLUNTEER_HOURS, HoursEntry
from ..shifts.models import PUBLISHED, Shift
from .models import Grant

# The programme's own split: 7.7 of 13 million EUR for strengthening volunteering.
PROGRAMME_VOLUNTEER_SHARE = Decimal("7.7") / Decimal("13")
CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class Period:
    start: date
    end: date  # inclusive

    def instants(self) -> tuple[datetime, datetime]:
        """Berlin midnight at the start to Berlin midnight after the last day."""
        first = datetime.combine(self.start, datetime.min.time())
        after = datetime.combine(self.end + timedelta(days=1), datetime.min.time())
        return time.berlin_local(first), time.berlin_local(after)

    def days_in_year(self, year: int) -> int:
        first, last = max(self.start, date(year, 1, 1)), min(self.end, date(year, 12, 31))
        return max((last - first).days + 1, 0)


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
    total: HoursTotals = field(default_factory=HoursTotals)
    by_month: dict = field(default_factory=lambda: defaultdict(HoursTotals))
    by_baustein: dict = field(default_factory=lambda: {b: HoursTotals() for b in BAUSTEINE})
    by_meeting_point: dict = field(default_factory=lambda: defaultdict(int))  # volunteer minutes
    by_activity: dict = field(default_factory=lambda: defaultdict(int))
    by_year: dict = field(default_factory=lambda: defaultdict(int))


def hours_breakdown(centre_ids: list[int], period: Period) -> HoursBreakdown:
    """Approved minutes by kind, month, Baustein, meeting point and activity, in one grouped query."""
    year, month = sa.extract("year", HoursEntry.work_date), sa.extract("month", HoursEntry.work_date)
    rows = db.session.execute(
        sa.select(
            HoursEntry.centre_id,
            HoursEntry.kind,
            HoursEntry.baustein,
            HoursEntry.meeting_point_id,
            HoursEntry.activity,
            year,
            month,
            sa.func.sum(HoursEntry.minutes),
        )
        .where(
            HoursEntry.centre_id.in_(centre_ids),
            HoursEntry.status == APPROVED,
            HoursEntry.work_date.between(period.start, period.end),
        )
        .group_by(
            HoursEntry.centre_id,
            HoursEntry.kind,
            HoursEntry.baustein,
            HoursEntry.meeting_point_id,
            HoursEntry.activity,
            year,
            month,
        )
    )
    result = HoursBreakdown()
    for centre_id, kind, baustein, meeting_point_id, activity, y, m, minutes in rows:
        minutes = int(minutes)
        result.total.add(kind, minutes)
        result.by_month[f"{int(y):04d}-{int(m):02d}"].add(kind, minutes)
        result.by_baustein[baustein].add(kind, minutes)
        if kind == VOLUNTEER_HOURS:
            result.by_meeting_point[meeting_point_id] += minutes
            result.by_activity[(centre_id, activity)] += minutes
            result.by_year[int(y)] += minutes
    return result


def people_counts(centre_ids: list[int], period: Period) -> dict:
    """Active volunteers (approved hours in the period) and new ones (their first approved hours
    in these centres fall into the period). Counts only: no person leaves this function."""
    in_period = HoursEntry.work_date.between(period.start, period.end)
    # One pass over each person's approved hours in these centres: their first day ever, and what
    # they gave in the period.
    per_person = (
        sa.select(
            sa.func.min(HoursEntry.work_date).label("first_day"),
            sa.func.sum(HoursEntry.minutes).filter(in_period).label("minutes"),
        )
        .where(HoursEntry.centre_id.in_(centre_ids), HoursEntry.status == APPROVED, HoursEntry.kind == VOLUNTEER_HOURS)
        .group_by(HoursEntry.user_id)
        .subquery()
    )
    active_count, new_count = db.session.execute(
        sa.select(
            sa.func.count().filter(per_person.c.minutes > 0),
            sa.func.count().filter(per_person.c.first_day.between(period.start, period.end)),
        )
    ).one()
    pending = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(HoursEntry.minutes), 0)).where(
            HoursEntry.centre_id.in_(centre_ids),
            HoursEntry.status == SUBMITTED,
            HoursEntry.kind == VOLUNTEER_HOURS,
            HoursEntry.work_date.between(period.start, period.end),
        )
    )
    return {"active_volunteers": active_count, "new_volunteers": new_count, "pending_minutes": int(pending)}


def shift_counts(centre_ids: list[int], period: Period) -> dict:
    """Shifts held (published, begun in the period, ended by now), fill rate and participants."""
    start, end = period.instants()
    row = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(Shift.confirmed_count), 0),
            sa.func.coalesce(sa.func.sum(Shift.capacity_max), 0),
            sa.func.coalesce(sa.func.sum(Shift.participants_count), 0),
            sa.func.count(Shift.participants_count),
        ).where(
            Shift.centre_id.in_(centre_ids),
            Shift.status == PUBLISHED,
            Shift.starts_at >= start,
            Shift.starts_at < end,
            Shift.ends_at <= time.now(),
        )
    ).one()
    held, filled, capacity, participants, counted = (int(value) for value in row)
    return {
        "shifts_held": held,
        "filled_slots": filled,
        "capacity": capacity,
        "fill_rate": share(filled, capacity),
        "participants_reached": participants,
        "sessions_with_participants": counted,
    }


def grant_figures(centre_ids: list[int], period: Period, minutes_by_year: dict[int, int]) -> dict:
    """Grant amounts, in-kind value (before and after the cap) and cost per volunteer hour.
    A period that covers part of a year gets that part of the year's grant, by days."""
    grants = db.session.scalars(
        sa.select(Grant).where(Grant.centre_id.in_(centre_ids), Grant.year.between(period.start.year, period.end.year))
    )
    amount = in_kind = capped = Decimal(0)
    has_cap = False
    years_without_grant = set(minutes_by_year)
    for grant in grants:
        fraction = Decimal(period.days_in_year(grant.year)) / Decimal(366 if _leap(grant.year) else 365)
        hours = Decimal(minutes_by_year.get(grant.year, 0)) / 60
        value = hours * grant.valuation_rate_eur
        amount += grant.amount_eur * fraction
        in_kind += value
        cap = grant.in_kind_cap_eur
        has_cap = has_cap or cap is not None
        capped += value if cap is None else min(value, cap * fraction)
        years_without_grant.discard(grant.year)
    volunteer_hours = Decimal(sum(minutes_by_year.values())) / 60
    return {
        "grant_amount_eur": float(money(amount)),
        "in_kind_value_eur": float(money(in_kind)),
        "in_kind_value_capped_eur": float(money(capped)) if has_cap else None,
        "cost_per_volunteer_hour_eur": float(money(amount / volunteer_hours)) if volunteer_hours else None,
        "years_without_grant": sorted(years_without_grant),
    }


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def figures(centre_ids: list[int], period: Period) -> dict:
    """All figures for one centre or several (a Regierungsbezirk, all NRW), without personal data."""
    breakdown = hours_breakdown(centre_ids, period)
    result = {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        **breakdown.total.as_dict(),
        "programme_volunteer_share": float(round(PROGRAMME_VOLUNTEER_SHARE, 4)),
        **people_counts(centre_ids, period),
        **shift_counts(centre_ids, period),
        **grant_figures(centre_ids, period, breakdown.by_year),
    }
    result["by_month"] = [{"month": month, **totals.as_dict()} for month, totals in sorted(breakdown.by_month.items())]
    result["by_baustein"] = [
        _baustein_row(b, totals, breakdown.total, result["in_kind_value_eur"])
        for b, totals in breakdown.by_baustein.items()
    ]
    result["by_meeting_point"] = _by_meeting_point(breakdown.by_meeting_point)
    result["by_activity"] = _by_activity(breakdown.by_activity)
    return result


def _baustein_row(baustein: str, totals: HoursTotals, overall: HoursTotals, in_kind_eur: float) -> dict:
    """A Baustein's hours and share; its in-kind value is its part of the total value, by hours."""
    part = Decimal(totals.volunteer_minutes) / overall.volunteer_minutes if overall.volunteer_minutes else 0
    return {
        "baustein": baustein,
        **totals.as_dict(),
        "in_kind_value_eur": float(money(Decimal(str(in_kind_eur)) * part)),
    }


def _by_meeting_point(minutes_by_id: dict) -> list[dict]:
    names = dict(
        db.session.execute(
            sa.select(MeetingPoint.id, MeetingPoint.name).where(
                MeetingPoint.id.in_([i for i in minutes_by_id if i is not None])
            )
        ).all()
    )
    rows = [{"meeting_point": names.get(i, "") if i else "", "volunteer_minutes": m} for i, m in minutes_by_id.items()]
    return sorted(rows, key=lambda row: (-row["volunteer_minutes"], row["meeting_point"]))


def _by_activity(minutes_by_key: dict) -> list[dict]:
    merged = defaultdict(int)
    for (centre_id, slug), minutes in minutes_by_key.items():
        merged[(slug, activity_name(centre_id, slug))] += minutes
    rows = [{"activity": slug, "activity_name": name, "volunteer_minutes": m} for (slug, name), m in merged.items()]
    return sorted(rows, key=lambda row: (-row["volunteer_minutes"], row["activity"]))


def centre_figures(centre: Centre, period: Period) -> dict:
    return {
        "centre": centre.slug,
        "centre_name": centre.name,
        "regierungsbezirk": centre.regierungsbezirk,
        **figures([centre.id], period),
    }
