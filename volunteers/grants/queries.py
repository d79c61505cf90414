"""What the grant pages show: the centre's grants as readable rows, and a grant's history from the
audit trail (who changed what when, from what to what)."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from ..audit.models import AuditEvent
from ..centres.models import Centre
from ..core.tenancy import in_centre
from ..extensions import db
from ..reports.formatting import format_euros, format_number
from ..reports.models import Grant
from .services import ENTITY, grants_of

FIELD_NAMES = {
    "programme": _l("Förderprogramm"),
    "year": _l("Jahr"),
    "amount_eur": _l("Fördersumme"),
    "valuation_rate_eur": _l("Wert einer Stunde"),
    "in_kind_cap_amount_eur": _l("Höchstbetrag des Geldwerts"),
    "in_kind_cap_percent": _l("Höchstens Prozent der zuwendungsfähigen Ausgaben"),
    "eligible_costs_eur": _l("Zuwendungsfähige Ausgaben"),
    "note": _l("Notiz"),
}
ACTION_NAMES = {"created": _l("angelegt"), "updated": _l("geändert")}
PERCENT_FIELDS = {"in_kind_cap_percent"}
MONEY_FIELDS = {"amount_eur", "valuation_rate_eur", "in_kind_cap_amount_eur", "eligible_costs_eur"}


@dataclass
class GrantRow:
    grant: Grant
    amount: str
    rate: str
    cap: str


@dataclass
class Change:
    label: str
    before: str | None  # None: nothing before (the grant was entered)
    after: str


@dataclass
class HistoryRow:
    at: datetime
    actor: str
    action: str
    reason: str
    changes: list[Change] = field(default_factory=list)


def grant_rows(centre: Centre) -> list[GrantRow]:
    return [
        GrantRow(grant, format_euros(grant.amount_eur), format_euros(grant.valuation_rate_eur), cap_text(grant))
        for grant in grants_of(centre)
    ]


def percent(value: Decimal) -> str:
    return format_number(value / 100, "#,##0.## %")


def cap_text(grant: Grant) -> str:
    """The cap of the in-kind value in words: none, an amount, or a percentage of what and how much."""
    if grant.in_kind_cap_amount_eur is not None:
        return _("höchstens %(amount)s", amount=format_euros(grant.in_kind_cap_amount_eur))
    if grant.in_kind_cap_percent is None:
        return _("keine")
    return _(
        "%(percent)s von %(costs)s = %(cap)s",
        percent=percent(grant.in_kind_cap_percent),
        costs=format_euros(grant.eligible_costs_base_eur),
        cap=format_euros(grant.in_kind_cap_eur),
    )


def history_of(grant: Grant) -> list[HistoryRow]:
    """The grant's audit events, newest first, with the values that changed."""
    events = db.session.scalars(
        in_centre(AuditEvent, db.session.get(Centre, grant.centre_id))
        .where(AuditEvent.entity == ENTITY, AuditEvent.entity_id == grant.id)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    return [
        HistoryRow(
            at=event.created_at,
            actor=event.actor.name if event.actor else "–",  # the command line, or an account deleted since
            action=str(ACTION_NAMES.get(event.action, event.action)),
            reason=event.reason,
            changes=_changes(event.before, event.after or {}),
        )
        for event in events
    ]


def _changes(before: dict | None, after: dict) -> list[Change]:
    """A new grant's values that were entered; a changed grant's values that changed."""
    if before is None:
        return [
            Change(str(label), None, _shown(key, after.get(key)))
            for key, label in FIELD_NAMES.items()
            if _given(after.get(key))
        ]
    return [
        Change(str(label), _shown(key, before.get(key)), _shown(key, after.get(key)))
        for key, label in FIELD_NAMES.items()
        if before.get(key) != after.get(key)
    ]


def _given(value) -> bool:
    return value is not None and value != ""


def _shown(key: str, value) -> str:
    if not _given(value):
        return "–"
    if key in MONEY_FIELDS:
        return format_euros(Decimal(value))
    if key in PERCENT_FIELDS:
        return percent(Decimal(value))
    return str(value)
