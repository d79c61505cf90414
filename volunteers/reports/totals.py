"""A Regierungsbezirk's and NRW's figures as the sums of their centres' figures.

Figures that add up are summed from the centres' own, already rounded values: minutes, hours (to
the hundredth), money (to the cent), shifts, slots, participants, pending minutes, and the people
each centre counts. So an area's row is the sum of the rows below it, to the cent, in every
format. Shares, rates and the cost per hour do not add up: they are derived from those sums,
never averaged. Someone active in two centres counts in both, as both centres report them."""

from collections import defaultdict
from decimal import Decimal

from ..centres.models import BAUSTEINE
from .figures import PROGRAMME_VOLUNTEER_SHARE, cost_per_hour
from .hours_figures import HoursTotals, share
from .tables import hours

SUMMED = (
    "volunteer_minutes",
    "staff_minutes",
    "active_volunteers",
    "new_volunteers",
    "pending_minutes",
    "shifts_held",
    "filled_slots",
    "capacity",
    "participants_reached",
    "sessions_with_participants",
)


def decimal(value) -> Decimal | None:
    """A stored figure (a float of the JSON) as the exact decimal it was rounded to."""
    return None if value is None else Decimal(str(value))


def sum_known(values) -> Decimal | None:
    """The sum of the values that exist; None when none does (no centre has a grant)."""
    known = [decimal(value) for value in values if value is not None]
    return sum(known, Decimal(0)) if known else None


def as_float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def sum_of_centres(rows: list[dict]) -> dict:
    """The figures of an area from the figures of its centres (at least one)."""
    counts = {key: sum(row.get(key, 0) for row in rows) for key in SUMMED}
    with_grant = sum(_minutes_with_grant(row) for row in rows)
    grant = sum_known(row["grant_amount_eur"] for row in rows)
    return {
        "from": rows[0]["from"],
        "to": rows[0]["to"],
        **counts,
        "volunteer_share": share(counts["volunteer_minutes"], counts["volunteer_minutes"] + counts["staff_minutes"]),
        "volunteer_hours": float(sum(area_hours(row, "volunteer") for row in rows)),
        "staff_hours": float(sum(area_hours(row, "staff") for row in rows)),
        "programme_volunteer_share": float(round(PROGRAMME_VOLUNTEER_SHARE, 4)),
        "fill_rate": share(counts["filled_slots"], counts["capacity"]),
        "grant_amount_eur": as_float(grant),
        "in_kind_value_eur": as_float(sum_known(row["in_kind_value_eur"] for row in rows)),
        "in_kind_value_capped_eur": as_float(_capped(rows)),
        "cost_per_volunteer_hour_eur": cost_per_hour(grant, with_grant),
        "volunteer_minutes_with_grant": with_grant,
        "years_without_grant": sorted({year for row in rows for year in row["years_without_grant"]}),
        "centres_without_grant": [row["centre"] for row in rows if row["years_without_grant"]],
        "by_month": _by_month(rows),
        "by_baustein": _by_baustein(rows),
        "by_meeting_point": _by_meeting_point(rows),
        "by_activity": _by_activity(rows),
    }


def area_hours(row: dict, kind: str) -> Decimal:
    """The volunteer or staff hours of a centre or area, as summed. Figures frozen before hours
    were stored carry minutes only: the same rounding gives their hours."""
    stored = row.get(f"{kind}_hours")
    return decimal(stored) if stored is not None else hours(row[f"{kind}_minutes"])


def _minutes_with_grant(row: dict) -> int:
    # Figures frozen before this was stored valued all hours of a centre with a grant.
    if "volunteer_minutes_with_grant" in row:
        return row["volunteer_minutes_with_grant"]
    return row["volunteer_minutes"] if row["grant_amount_eur"] is not None else 0


def _capped(rows: list[dict]) -> Decimal | None:
    """After the caps: a capped centre's capped value, an uncapped one's whole value. None when
    no centre has a cap, as for a centre."""
    if all(row["in_kind_value_capped_eur"] is None for row in rows):
        return None
    return sum_known(
        row["in_kind_value_capped_eur"] if row["in_kind_value_capped_eur"] is not None else row["in_kind_value_eur"]
        for row in rows
    )


def _by_month(rows: list[dict]) -> list[dict]:
    months = defaultdict(HoursTotals)
    for row in rows:
        for month in row["by_month"]:
            months[month["month"]].volunteer_minutes += month["volunteer_minutes"]
            months[month["month"]].staff_minutes += month["staff_minutes"]
    return [{"month": month, **totals.as_dict()} for month, totals in sorted(months.items())]


def _by_baustein(rows: list[dict]) -> list[dict]:
    result = []
    for baustein in BAUSTEINE:
        parts = [part for row in rows for part in row["by_baustein"] if part["baustein"] == baustein]
        totals = HoursTotals(
            sum(part["volunteer_minutes"] for part in parts), sum(part["staff_minutes"] for part in parts)
        )
        value = as_float(sum_known(part["in_kind_value_eur"] for part in parts))
        result.append({"baustein": baustein, **totals.as_dict(), "in_kind_value_eur": value})
    return result


def _by_meeting_point(rows: list[dict]) -> list[dict]:
    """Meeting points belong to one centre each: listed with it, not merged by name."""
    places = [{**place, "centre": row["centre"]} for row in rows for place in row["by_meeting_point"]]
    return sorted(places, key=lambda place: (-place["volunteer_minutes"], place["meeting_point"], place["centre"]))


def _by_activity(rows: list[dict]) -> list[dict]:
    merged = defaultdict(int)
    for row in rows:
        for activity in row["by_activity"]:
            merged[(activity["activity"], activity["activity_name"])] += activity["volunteer_minutes"]
    result = [{"activity": slug, "activity_name": name, "volunteer_minutes": m} for (slug, name), m in merged.items()]
    return sorted(result, key=lambda row: (-row["volunteer_minutes"], row["activity"]))
