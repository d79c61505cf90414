"""Reports for a centre or a region and period; a closed period's figures come frozen."""

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ..centres.models import REGIERUNGSBEZIRKE, Centre
from ..core.errors import DomainError
from ..extensions import db
from ..hours.models import CLOSED, ReportPeriod
from ..hours.periods import period_closed
from .figures import Period, centre_figures, figures
from .tables import checksum

MAX_SPAN_DAYS = 5 * 366


class ReportError(DomainError):
    status = 400


def parse_period(start: str | None, end: str | None, today: date) -> Period:
    """From query parameters (YYYY-MM-DD); default: this year up to today."""
    try:
        first = date.fromisoformat(start) if start else today.replace(month=1, day=1)
        last = date.fromisoformat(end) if end else today
    except ValueError:
        raise ReportError(_("Bitte Datumsangaben als JJJJ-MM-TT angeben."), code="invalid_date", field="from") from None
    if last < first:
        raise ReportError(_("Das Ende des Zeitraums liegt vor seinem Beginn."), code="invalid_period", field="to")
    if (last - first).days > MAX_SPAN_DAYS:
        raise ReportError(_("Der Zeitraum ist zu lang (höchstens fünf Jahre)."), code="invalid_period", field="to")
    return Period(first, last)


def _closed_period(centre: Centre, period: Period) -> ReportPeriod | None:
    return db.session.scalar(
        sa.select(ReportPeriod).where(
            ReportPeriod.centre_id == centre.id,
            ReportPeriod.status == CLOSED,
            ReportPeriod.starts_on == period.start,
            ReportPeriod.ends_on == period.end,
        )
    )


def centre_report(centre: Centre, period: Period) -> dict:
    """The centre's figures with their checksum; exactly a closed period: the frozen figures."""
    closed = _closed_period(centre, period)
    if closed is not None and closed.frozen_figures:
        return {**closed.frozen_figures, "period_closed": True, "period_label": closed.label}
    result = centre_figures(centre, period)
    result["checksum"] = checksum(result)
    return {**result, "period_closed": False, "period_label": None}


@period_closed.connect
def freeze_figures(period: ReportPeriod) -> None:
    """When a period is closed, its figures are stored and never computed again."""
    centre = db.session.get(Centre, period.centre_id)
    result = centre_figures(centre, Period(period.starts_on, period.ends_on))
    result["checksum"] = checksum(result)
    period.frozen_figures = result


def state_report(period: Period) -> dict:
    """All centres, each Regierungsbezirk and NRW in total: aggregates only, no person."""
    centres = list(db.session.scalars(sa.select(Centre).order_by(Centre.regierungsbezirk, Centre.name)))
    regions = []
    for name in REGIERUNGSBEZIRKE:
        ids = [c.id for c in centres if c.regierungsbezirk == name]
        if ids:
            regions.append({"regierungsbezirk": name, "centres": len(ids), **figures(ids, period)})
    result = {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "nrw": figures([c.id for c in centres], period) if centres else None,
        "regierungsbezirke": regions,
        "centres": [centre_figures(c, period) for c in centres],
    }
    result["checksum"] = checksum(result)
    return result
