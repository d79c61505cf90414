"""Entering a centre's grant for a year. One validation and one service for the page, the API and
the CLI; every change goes into the audit trail with the values before and after."""

from dataclasses import dataclass, replace
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit.services import record
from ..centres.models import Centre
from ..core import time
from ..core.errors import Conflict, DomainError
from ..core.tenancy import in_centre
from ..extensions import db
from ..reports.formatting import format_euros
from ..reports.models import CENT, KOMMAN, Grant

ENTITY = "grant"
FIRST_YEAR = 2000  # before any programme this installation reports on
YEARS_AHEAD = 5  # grants are approved a year or two ahead; further is a typing error
MAX_AMOUNT_EUR = Decimal("100000000")  # KommAn as a whole had about 13 million EUR a year
MAX_RATE_EUR = Decimal("500")  # guidelines set 10 or 15 EUR per volunteer hour
PROGRAMME_MAX = 60
NOTE_MAX = 500


@dataclass(frozen=True)
class GrantValues:
    """What a person enters for a year's grant; None where nothing was entered. At most one cap: an
    amount or a percentage of the eligible costs (which, left empty, are the grant amount)."""

    amount_eur: Decimal | None
    valuation_rate_eur: Decimal | None
    programme: str = KOMMAN
    in_kind_cap_amount_eur: Decimal | None = None
    in_kind_cap_percent: Decimal | None = None
    eligible_costs_eur: Decimal | None = None
    note: str = ""


class GrantError(DomainError):
    status = 422


# --- reading -----------------------------------------------------------------------------


def grants_of(centre: Centre) -> list[Grant]:
    """The centre's grants, the latest year first."""
    return list(db.session.scalars(in_centre(Grant, centre).order_by(Grant.year.desc())))


def grant_for(centre: Centre, year: int) -> Grant | None:
    return db.session.scalar(in_centre(Grant, centre).where(Grant.year == year))


def latest_year() -> int:
    return time.to_berlin(time.now()).year + YEARS_AHEAD


def first_year_without_grant(centre: Centre) -> int:
    """The year a new grant most likely is for: this year, or the first later one without a grant."""
    year = time.to_berlin(time.now()).year
    taken = {grant.year for grant in grants_of(centre)}
    while year in taken and year < latest_year():
        year += 1
    return year


# --- the one validation ------------------------------------------------------------------


def grant_problems(*, year: int | None, values: GrantValues) -> list[GrantError]:
    """Everything that keeps these values from being the year's grant, in the order of the form:
    set_grant raises the first, the page shows them all."""
    problems = [
        _year_problem(year),
        _text_problem(values.programme, "programme", PROGRAMME_MAX, required=True),
        _amount_problem(values.amount_eur, "amount_eur", required=True),
        _rate_problem(values.valuation_rate_eur),
        _amount_problem(values.in_kind_cap_amount_eur, "in_kind_cap_amount_eur"),
        _percent_problem(values.in_kind_cap_percent),
        _amount_problem(values.eligible_costs_eur, "eligible_costs_eur"),
        _caps_problem(values),
        _text_problem(values.note, "note", NOTE_MAX),
    ]
    return [problem for problem in problems if problem is not None]


def _problem(message: str, code: str, field: str | None) -> GrantError:
    return GrantError(message, code=code, field=field)


def _year_problem(year: int | None) -> GrantError | None:
    if year is None:
        return _problem(_("Bitte füllen Sie dieses Feld aus."), "required", "year")
    if FIRST_YEAR <= year <= latest_year():
        return None
    message = _("Bitte ein Jahr von %(first)d bis %(last)d angeben.", first=FIRST_YEAR, last=latest_year())
    return _problem(message, "out_of_range", "year")


def _text_problem(text: str, field: str, max_length: int, *, required: bool = False) -> GrantError | None:
    text = text.strip()
    if required and not text:
        return _problem(_("Bitte füllen Sie dieses Feld aus."), "required", field)
    if len(text) > max_length:
        return _problem(_("Höchstens %(max)d Zeichen.", max=max_length), "too_long", field)
    return None


def _number_problem(value: Decimal | None, field: str, *, required: bool) -> GrantError | None:
    """What every number must be: there if required, a finite number, in cents at most."""
    if value is None:
        return _problem(_("Bitte füllen Sie dieses Feld aus."), "required", field) if required else None
    if not value.is_finite():
        return _problem(_("Bitte eine Zahl angeben."), "not_a_number", field)
    # Far beyond every maximum, quantize() would fail; such a value fails the range check instead.
    if abs(value) < MAX_AMOUNT_EUR * 10 and value != value.quantize(CENT):
        return _problem(_("Bitte höchstens zwei Nachkommastellen angeben."), "too_precise", field)
    return None


def _at_most(value: Decimal, maximum: Decimal, field: str) -> GrantError | None:
    if value <= maximum:
        return None
    return _problem(_("Bitte höchstens %(max)s angeben.", max=format_euros(maximum)), "too_large", field)


def _amount_problem(value: Decimal | None, field: str, *, required: bool = False) -> GrantError | None:
    if (problem := _number_problem(value, field, required=required)) or value is None:
        return problem
    if value < 0:
        return _problem(_("Bitte einen Betrag ab 0 angeben."), "negative", field)
    return _at_most(value, MAX_AMOUNT_EUR, field)


def _rate_problem(value: Decimal | None) -> GrantError | None:
    field = "valuation_rate_eur"
    if (problem := _number_problem(value, field, required=True)) or value is None:
        return problem
    if value <= 0:
        return _problem(_("Der Wert einer Stunde muss größer als 0 sein."), "not_positive", field)
    return _at_most(value, MAX_RATE_EUR, field)


def _percent_problem(value: Decimal | None) -> GrantError | None:
    field = "in_kind_cap_percent"
    if (problem := _number_problem(value, field, required=False)) or value is None:
        return problem
    if not 0 <= value <= 100:
        return _problem(_("Bitte einen Prozentsatz von 0 bis 100 angeben."), "out_of_range", field)
    return None


def _caps_problem(values: GrantValues) -> GrantError | None:
    if values.in_kind_cap_amount_eur is None or values.in_kind_cap_percent is None:
        return None
    message = _("Bitte als Deckelung entweder einen Höchstbetrag oder einen Prozentsatz angeben, nicht beides.")
    return _problem(message, "both_caps", None)


# --- changing ----------------------------------------------------------------------------


def set_grant(
    *, centre: Centre, year: int, values: GrantValues, by, create_only: bool = False, reason: str = ""
) -> tuple[Grant, bool]:
    """Enter or change the centre's grant for `year`; returns (grant, created). Invalid values raise
    their first GrantError and change nothing; `create_only` refuses a year that has a grant already."""
    if problems := grant_problems(year=year, values=values):
        raise problems[0]
    values = replace(values, programme=values.programme.strip(), note=values.note.strip())
    grant, created = _locked_or_new(centre, year, values)
    if create_only and not created:
        raise Conflict(_("Für %(year)d ist schon eine Förderung eingetragen.", year=year), code="exists", field="year")
    before = None if created else grant.snapshot()
    _apply(grant, values)
    db.session.flush()
    if (after := grant.snapshot()) != before:
        record(
            centre_id=centre.id,
            actor=by,
            entity=ENTITY,
            entity_id=grant.id,
            action="created" if created else "updated",
            before=before,
            after=after,
            reason=reason,
        )
    return grant, created


def _locked_or_new(centre: Centre, year: int, values: GrantValues) -> tuple[Grant, bool]:
    """The year's grant, locked until the commit; else a new one with the values. Of two requests
    that create it at once, the second finds the first's and changes it."""
    locked = in_centre(Grant, centre).where(Grant.year == year).with_for_update()
    if (grant := db.session.scalar(locked)) is not None:
        return grant, False
    grant = Grant(centre_id=centre.id, year=year)
    _apply(grant, values)
    try:
        with db.session.begin_nested():
            db.session.add(grant)
    except sa.exc.IntegrityError:
        if (grant := db.session.scalar(locked)) is None:
            raise
        return grant, False
    return grant, True


def _apply(grant: Grant, values: GrantValues) -> None:
    grant.programme = values.programme
    grant.amount_eur = values.amount_eur
    grant.valuation_rate_eur = values.valuation_rate_eur
    grant.in_kind_cap_amount_eur = values.in_kind_cap_amount_eur
    grant.in_kind_cap_percent = values.in_kind_cap_percent
    grant.eligible_costs_eur = values.eligible_costs_eur
    grant.note = values.note
