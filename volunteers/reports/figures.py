"""The KommAn figures of each centre for a period, as the specification defines them.

Only approved hours count. Volunteer hours V and staff hours S give the volunteer share
V / (V + S); the in-kind value is V times the grant's valuation rate, also after the grant's cap.
Everything is computed per centre from a handful of aggregate queries grouped by centre, never
row by row nor centre by centre; totals.py sums centres into a Regierungsbezirk and NRW."""

from collections import defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from ..activities.models import DEFAULT_ACTIVITIES, CentreActivity
from ..activities.services import activity_name
from ..centres.models import Centre, CentreStamp, MeetingPoint
from ..core import time
from ..extensions import db
from ..shifts.models import PUBLISHED, Shift
from .hours_figures import (
    HoursBreakdown,
    HoursTotals,
    hours_breakdowns,
    people_counts,
    raw_hours_breakdowns,
    raw_people_counts,
    share,
)
from .models import Grant
from .period import Period
from .tables import hours

# The programme's own split: 7.7 of 13 million EUR for strengthening volunteering.
PROGRAMME_VOLUNTEER_SHARE = Decimal("7.7") / Decimal("13")
CENT = Decimal("0.01")
DEFAULT_ACTIVITY_SLUGS = frozenset(slug for slug, _name, _baustein in DEFAULT_ACTIVITIES)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def cost_per_hour(amount: Decimal | None, minutes: int) -> float | None:
    """The grant per volunteer hour, over the hours of the years that have a grant."""
    return float(money(amount * 60 / minutes)) if amount is not None and minutes else None


def shift_counts(centre_ids: list[int], period: Period) -> dict[int, dict]:
    """Per centre: shifts held (published, begun in the period, ended by now), fill rate and
    participants."""
    start, end = period.instants()
    rows = db.session.execute(
        sa.select(
            Shift.centre_id,
            sa.func.count(),
            sa.func.sum(Shift.confirmed_count),
            sa.func.sum(Shift.capacity_max),
            sa.func.coalesce(sa.func.sum(Shift.participants_count), 0),
            sa.func.count(Shift.participants_count),
        )
        .where(
            Shift.centre_id.in_(centre_ids),
            Shift.status == PUBLISHED,
            Shift.starts_at >= start,
            Shift.starts_at < end,
            Shift.ends_at <= time.now(),
        )
        .group_by(Shift.centre_id)
    )
    counted = {centre_id: [int(value) for value in values] for centre_id, *values in rows}
    return {i: _shift_figures(*counted.get(i, (0, 0, 0, 0, 0))) for i in centre_ids}


def stamps_and_next_shift_ends(centre_ids: list[int], period: Period) -> dict[int, tuple[int, datetime | None]]:
    """Per centre: its change stamp now, and when its next shift of the period ends (from then on
    it counts as held; None: none is to end), in one statement. A centre never stamped is left out."""
    start, end = period.instants()
    next_end = (
        sa.select(sa.func.min(Shift.ends_at))
        .where(
            Shift.centre_id == CentreStamp.centre_id,
            Shift.status == PUBLISHED,
            Shift.starts_at >= start,
            Shift.starts_at < end,
            Shift.ends_at > time.now(),
        )
        .correlate(CentreStamp)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(CentreStamp.centre_id, CentreStamp.stamp, next_end).where(CentreStamp.centre_id.in_(centre_ids))
    )
    return {centre_id: (stamp, ends) for centre_id, stamp, ends in rows}


def _shift_figures(held: int, filled: int, capacity: int, participants: int, counted: int) -> dict:
    return {
        "shifts_held": held,
        "filled_slots": filled,
        "capacity": capacity,
        "fill_rate": share(filled, capacity),
        "participants_reached": participants,
        "sessions_with_participants": counted,
    }


def grant_figures(centre_ids: list[int], period: Period, minutes_by_year: dict[int, dict]) -> dict[int, dict]:
    """Per centre: grant amounts, in-kind value (before and after the cap) and cost per volunteer
    hour, from one query for all centres' grants."""
    grants = defaultdict(list)
    for grant in db.session.scalars(
        sa.select(Grant).where(Grant.centre_id.in_(centre_ids), Grant.year.between(period.start.year, period.end.year))
    ):
        grants[grant.centre_id].append(grant)
    return {i: _grant_figures(grants[i], period, minutes_by_year.get(i, {})) for i in centre_ids}


def _grant_figures(grants: list[Grant], period: Period, minutes_by_year: dict[int, int]) -> dict:
    """A period that covers part of a year gets that part of the year's grant, by days. A year
    without a grant gets no amount and its hours no value: nothing is invented, the year is named,
    and with no grant at all the amounts are None rather than 0."""
    amount = in_kind = capped = Decimal(0)
    has_cap = False
    for grant in grants:
        fraction = period.part_of_year(grant.year)
        value = Decimal(minutes_by_year.get(grant.year, 0)) / 60 * grant.valuation_rate_eur
        amount += grant.amount_eur * fraction
        in_kind += value
        cap = grant.in_kind_cap_eur
        has_cap = has_cap or cap is not None
        capped += value if cap is None else min(value, cap * fraction)
    years = {grant.year for grant in grants}
    with_grant = sum(minutes_by_year.get(year, 0) for year in years)
    return {
        "grant_amount_eur": float(money(amount)) if grants else None,
        "in_kind_value_eur": float(money(in_kind)) if grants else None,
        "in_kind_value_capped_eur": float(money(capped)) if has_cap else None,
        "cost_per_volunteer_hour_eur": cost_per_hour(money(amount), with_grant) if grants else None,
        "volunteer_minutes_with_grant": with_grant,
        "years_without_grant": [year for year in period.years if year not in years],
    }


# PostgreSQL's defaults misjudge the breakdown at NRW scale (issue #16): with 4 MB it sorts the
# ~800,000 approved entries of a year to disk instead of hashing ~40,000 groups in memory, and it
# compiles the query with JIT (0.1–2.8 s measured, more than the query itself).
AGGREGATE_SETTINGS = {"work_mem": "32MB", "jit": "off"}


def _settings_for_aggregates() -> None:
    """On PostgreSQL, AGGREGATE_SETTINGS for the rest of this transaction only (set_config's
    is_local), in one statement."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    db.session.execute(
        sa.select(*(sa.func.set_config(name, value, True) for name, value in AGGREGATE_SETTINGS.items()))
    )


def centres_figures(centres: list[Centre], period: Period, *, raw: bool = False) -> dict[int, dict]:
    """Each centre's figures, by centre id, from a few queries grouped by centre; raw: the hours
    from the entries alone, not the roll-ups (what the tests compare them with)."""
    ids = [centre.id for centre in centres]
    if not ids:
        return {}
    _settings_for_aggregates()
    if raw:
        breakdowns, people = raw_hours_breakdowns(ids, period), raw_people_counts(ids, period)
    else:
        breakdowns = hours_breakdowns(ids, period)
        people = people_counts(ids, period, breakdowns)
    shifts = shift_counts(ids, period)
    grants = grant_figures(ids, period, {i: breakdowns[i].by_year for i in ids})
    places = _meeting_point_names(breakdowns.values())
    activities = _activity_names(breakdowns)
    result = {}
    for centre in centres:
        breakdown = breakdowns[centre.id]
        counts = {**people[centre.id], **shifts[centre.id], **grants[centre.id]}
        result[centre.id] = {
            "centre": centre.slug,
            "centre_name": centre.name,
            "regierungsbezirk": centre.regierungsbezirk,
            **_figures(period, breakdown, counts),
            "by_meeting_point": _by_meeting_point(breakdown.by_meeting_point, places),
            "by_activity": _by_activity(centre.id, breakdown.by_activity, activities),
        }
    return result


def centre_figures(centre: Centre, period: Period) -> dict:
    return centres_figures([centre], period)[centre.id]


def _figures(period: Period, breakdown: HoursBreakdown, counts: dict) -> dict:
    total = breakdown.total
    return {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        **total.as_dict(),
        "volunteer_hours": float(hours(total.volunteer_minutes)),
        "staff_hours": float(hours(total.staff_minutes)),
        "programme_volunteer_share": float(round(PROGRAMME_VOLUNTEER_SHARE, 4)),
        **counts,
        "by_month": [{"month": month, **totals.as_dict()} for month, totals in sorted(breakdown.by_month.items())],
        "by_baustein": [
            _baustein_row(b, totals, total, counts["in_kind_value_eur"]) for b, totals in breakdown.by_baustein.items()
        ],
    }


def _baustein_row(baustein: str, totals: HoursTotals, overall: HoursTotals, in_kind_eur: float | None) -> dict:
    """A Baustein's hours and share; its in-kind value is its part of the total value, by hours."""
    part = Decimal(totals.volunteer_minutes) / overall.volunteer_minutes if overall.volunteer_minutes else 0
    value = None if in_kind_eur is None else float(money(Decimal(str(in_kind_eur)) * part))
    return {"baustein": baustein, **totals.as_dict(), "in_kind_value_eur": value}


def _meeting_point_names(breakdowns) -> dict[int, str]:
    ids = {i for breakdown in breakdowns for i in breakdown.by_meeting_point if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(MeetingPoint.id, MeetingPoint.name).where(MeetingPoint.id.in_(ids))).all())


def _activity_names(breakdowns: dict[int, HoursBreakdown]) -> dict[tuple[int, str], str]:
    """The centres' own activity names in one query; the default ones need none."""
    own = {(c, slug) for c, b in breakdowns.items() for slug in b.by_activity if slug not in DEFAULT_ACTIVITY_SLUGS}
    if not own:
        return {}
    rows = db.session.execute(
        sa.select(CentreActivity.centre_id, CentreActivity.slug, CentreActivity.name).where(
            CentreActivity.centre_id.in_({c for c, _slug in own}),
            CentreActivity.slug.in_({slug for _c, slug in own}),
        )
    )
    return {(centre_id, slug): name for centre_id, slug, name in rows}


def _by_meeting_point(minutes_by_id: dict, names: dict[int, str]) -> list[dict]:
    rows = [{"meeting_point": names.get(i, "") if i else "", "volunteer_minutes": m} for i, m in minutes_by_id.items()]
    return sorted(rows, key=lambda row: (-row["volunteer_minutes"], row["meeting_point"]))


def _by_activity(centre_id: int, minutes_by_slug: dict, own_names: dict) -> list[dict]:
    rows = [
        {
            "activity": slug,
            "activity_name": own_names.get((centre_id, slug)) or activity_name(centre_id, slug),
            "volunteer_minutes": minutes,
        }
        for slug, minutes in minutes_by_slug.items()
    ]
    return sorted(rows, key=lambda row: (-row["volunteer_minutes"], row["activity"]))
