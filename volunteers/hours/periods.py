"""Report periods: a centre lead closes one, and nothing dated inside it can change any more."""

from datetime import date

from blinker import Signal
from flask_babel import gettext as _

from ..audit.services import record
from ..centres.models import Centre
from ..core import time
from ..core.tenancy import in_centre
from ..extensions import db
from .errors import PeriodError
from .locks import lock_periods
from .models import CLOSED, ReportPeriod
from .policy import close_blockers, raise_first

__all__ = ["PeriodError", "close_period", "create_period", "period_closed"]

# Sent with the period when it closes. The reports package freezes its figures then (reports read
# hours, so hours does not import them); the audit record of the closing carries their checksum.
period_closed = Signal("A report period was closed.")


def create_period(*, centre: Centre, label: str, starts_on: date, ends_on: date, by=None) -> ReportPeriod:
    if ends_on < starts_on:
        raise PeriodError(_("Das Ende muss nach dem Beginn liegen."), code="invalid_dates", field="ends_on")
    lock_periods(centre.id, exclusive=True)  # two overlapping periods created at once: one is refused
    overlapping = db.session.scalar(
        in_centre(ReportPeriod, centre)
        .where(ReportPeriod.starts_on <= ends_on, ReportPeriod.ends_on >= starts_on)
        .limit(1)
    )
    if overlapping is not None:
        raise PeriodError(
            _("Der Zeitraum überschneidet sich mit „%(label)s“.", label=overlapping.label),
            code="overlap",
            field="starts_on",
        )
    period = ReportPeriod(centre_id=centre.id, label=label.strip()[:100], starts_on=starts_on, ends_on=ends_on)
    db.session.add(period)
    db.session.flush()
    record(
        centre_id=centre.id,
        actor=by,
        entity="report_period",
        entity_id=period.id,
        action="created",
        after={"label": period.label, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
    )
    return period


def close_period(*, period: ReportPeriod, by) -> ReportPeriod:
    """Close a period whose last day has passed and whose entries are all decided. It waits for
    hours being written in the centre, and hours written afterwards find it closed (see locks.py),
    so the frozen figures hold every entry dated in it."""
    lock_periods(period.centre_id, exclusive=True)
    db.session.refresh(period)
    raise_first(close_blockers(period, by=by))
    period.status, period.closed_by_id, period.closed_at = CLOSED, by.id, time.now()
    db.session.flush()
    period_closed.send(period)
    record(
        centre_id=period.centre_id,
        actor=by,
        entity="report_period",
        entity_id=period.id,
        action="closed",
        after={
            "label": period.label,
            "starts_on": period.starts_on.isoformat(),
            "ends_on": period.ends_on.isoformat(),
            "checksum": period.frozen_figures["checksum"],
        },
    )
    return period
