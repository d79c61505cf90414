"""Report periods: a centre lead closes one, and nothing dated inside it can change any more."""

from datetime import date

import sqlalchemy as sa
from blinker import Signal
from flask_babel import gettext as _
from flask_babel import ngettext

from ..audit.services import record
from ..centres.models import Centre
from ..core import time
from ..core.errors import DomainError
from ..core.tenancy import in_centre
from ..extensions import db
from .models import CLOSED, SUBMITTED, HoursEntry, ReportPeriod

# Sent with the period when it closes. The reports package freezes its figures then (reports read
# hours, so hours does not import them); the audit record of the closing carries their checksum.
period_closed = Signal("A report period was closed.")


class PeriodError(DomainError):
    status = 422


def closed_period_on(centre_id: int, day: date) -> ReportPeriod | None:
    return db.session.scalar(
        sa.select(ReportPeriod)
        .where(
            ReportPeriod.centre_id == centre_id,
            ReportPeriod.status == CLOSED,
            ReportPeriod.starts_on <= day,
            ReportPeriod.ends_on >= day,
        )
        .limit(1)
    )


def require_open(centre_id: int, day: date) -> None:
    period = closed_period_on(centre_id, day)
    if period is not None:
        raise PeriodError(
            _(
                "Der Zeitraum „%(label)s“ ist abgeschlossen. Änderungen bitte als Korrektur im "
                "offenen Zeitraum buchen.",
                label=period.label,
            ),
            code="period_closed",
            field="work_date",
        )


def create_period(*, centre: Centre, label: str, starts_on: date, ends_on: date, by=None) -> ReportPeriod:
    if ends_on < starts_on:
        raise PeriodError(_("Das Ende muss nach dem Beginn liegen."), code="invalid_dates", field="ends_on")
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
    """Close a period whose last day has passed and whose entries are all decided."""
    if period.status == CLOSED:
        raise PeriodError(_("Der Zeitraum ist schon abgeschlossen."), code="already_closed")
    if period.ends_on >= time.to_berlin(time.now()).date():
        raise PeriodError(_("Ein Zeitraum kann erst nach seinem letzten Tag abgeschlossen werden."), code="not_over")
    waiting = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(HoursEntry)
        .where(
            HoursEntry.centre_id == period.centre_id,
            HoursEntry.status == SUBMITTED,
            HoursEntry.work_date.between(period.starts_on, period.ends_on),
        )
    )
    if waiting:
        raise PeriodError(
            ngettext(
                "Es wartet noch %(num)d Eintrag auf Freigabe.", "Es warten noch %(num)d Einträge auf Freigabe.", waiting
            ),
            code="entries_pending",
        )
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
