"""Reports for a centre or a region and period; a closed period's figures come frozen, an open
period's are kept until the centre's change stamp moves."""

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ..centres.models import REGIERUNGSBEZIRKE, Centre
from ..core.errors import DomainError
from ..core.limits import outside_calendar_message, within_calendar
from ..extensions import db
from ..hours.models import CLOSED, ReportPeriod
from ..hours.periods import period_closed
from .figures import Period, centre_figures
from .kept import figures_by_centre
from .tables import checksum
from .totals import sum_of_centres

MAX_SPAN_DAYS = 5 * 366


class ReportError(DomainError):
    status = 400


def parse_period(start: str | None, end: str | None, today: date) -> Period:
    """From query parameters (YYYY-MM-DD); default: this year up to today."""
    first = _day(start, "from") or today.replace(month=1, day=1)
    last = _day(end, "to") or today
    if last < first:
        raise ReportError(_("Das Ende des Zeitraums liegt vor seinem Beginn."), code="invalid_period", field="to")
    if (last - first).days > MAX_SPAN_DAYS:
        raise ReportError(_("Der Zeitraum ist zu lang (höchstens fünf Jahre)."), code="invalid_period", field="to")
    return Period(first, last)


def _day(text: str | None, field: str) -> date | None:
    """A day of the calendar the app serves (core/limits.py): beyond it the date arithmetic of a
    report would overflow."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ReportError(_("Bitte Datumsangaben als JJJJ-MM-TT angeben."), code="invalid_date", field=field) from None
    if not within_calendar(day):
        raise ReportError(outside_calendar_message(), code="invalid_date", field=field)
    return day


def _closed_periods(centre_ids: list[int], period: Period) -> dict[int, ReportPeriod]:
    """The centres' closed periods that are exactly this period, with frozen figures, in one query."""
    closed = db.session.scalars(
        sa.select(ReportPeriod).where(
            ReportPeriod.centre_id.in_(centre_ids),
            ReportPeriod.status == CLOSED,
            ReportPeriod.starts_on == period.start,
            ReportPeriod.ends_on == period.end,
        )
    )
    return {p.centre_id: p for p in closed if p.frozen_figures}


def centre_report(centre: Centre, period: Period, *, periods=None) -> dict:
    """The centre's figures with their checksum, kept until its stamp moves (kept.py); exactly a
    closed period: the frozen figures. `periods`: the centre's report periods as the caller has
    read them (rows with starts_on, ends_on, is_closed), so that an open one asks nothing more."""
    may_be_closed = periods is None or any(
        p.is_closed and (p.starts_on, p.ends_on) == (period.start, period.end) for p in periods
    )
    closed = _closed_periods([centre.id], period).get(centre.id) if may_be_closed else None
    if closed is not None:
        return {**closed.frozen_figures, "period_closed": True, "period_label": closed.label}
    return {**figures_by_centre([centre], period)[centre.id], "period_closed": False, "period_label": None}


@period_closed.connect
def freeze_figures(period: ReportPeriod) -> None:
    """When a period is closed, its figures are stored and never computed again."""
    centre = db.session.get(Centre, period.centre_id)
    result = centre_figures(centre, Period(period.starts_on, period.ends_on))
    result["checksum"] = checksum(result)
    period.frozen_figures = result


def _centre_rows(centres: list[Centre], period: Period) -> list[dict]:
    """Each centre's figures as its own report shows them: frozen where the period is closed."""
    closed = _closed_periods([c.id for c in centres], period)
    live = figures_by_centre([c for c in centres if c.id not in closed], period)
    rows = []
    for centre in centres:
        figures = closed[centre.id].frozen_figures if centre.id in closed else live[centre.id]
        row = {key: value for key, value in figures.items() if key != "checksum"}
        rows.append({**row, "regierungsbezirk": centre.regierungsbezirk, "period_closed": centre.id in closed})
    return rows


def state_report(period: Period) -> dict:
    """All centres, each Regierungsbezirk and NRW in total: aggregates only, no person. Every
    area's figures are the sums of its centres' figures (totals.py)."""
    centres = list(db.session.scalars(sa.select(Centre).order_by(Centre.regierungsbezirk, Centre.name)))
    rows = _centre_rows(centres, period)
    regions = []
    for name in REGIERUNGSBEZIRKE:
        members = [row for row in rows if row["regierungsbezirk"] == name]
        if members:
            regions.append({"regierungsbezirk": name, "centres": len(members), **sum_of_centres(members)})
    result = {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "nrw": {"centres": len(rows), **sum_of_centres(rows)} if rows else None,
        "regierungsbezirke": regions,
        "centres": rows,
    }
    result["checksum"] = checksum(result)
    return result
