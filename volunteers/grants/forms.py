"""The grant form. It only reads what was typed (numbers as people write them in the page's
language); whether the values make a grant is services.grant_problems' question."""

from decimal import Decimal

from babel.numbers import NumberFormatError, parse_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, ValidationError

from ..core.forms import Form
from ..core.templating import reader_locale
from ..reports.formatting import format_number
from ..reports.models import KOMMAN, Grant
from .services import GrantValues

REQUIRED = _l("Bitte füllen Sie dieses Feld aus.")
NO_CAP, AMOUNT_CAP, PERCENT_CAP = "none", "amount", "percent"
CAP_KINDS = [
    (NO_CAP, _l("keine Deckelung")),
    (AMOUNT_CAP, _l("ein Höchstbetrag in Euro")),
    (PERCENT_CAP, _l("ein Prozentsatz der zuwendungsfähigen Ausgaben")),
]
MONEY, PERCENT = "#,##0.00", "#,##0.##"


class NumberField(StringField):
    """A decimal as the reader writes it (1.234,56 in German, 1,234.56 in English); None when empty."""

    def __init__(self, label, *, pattern: str = MONEY, example: str = "1234.56", **kwargs):
        super().__init__(label, render_kw={"inputmode": "decimal", **kwargs.pop("render_kw", {})}, **kwargs)
        self.pattern = pattern
        self.example = Decimal(example)

    def process_formdata(self, valuelist):
        text = valuelist[0].strip().strip("€ \u00a0") if valuelist else ""
        self.data = None
        if text:
            try:
                self.data = parse_decimal(text, locale=reader_locale(), strict=True)
            except NumberFormatError:
                example = format_number(self.example, self.pattern)
                raise ValueError(_("Bitte eine Zahl wie %(example)s angeben.", example=example)) from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else format_number(self.data, self.pattern)


class GrantForm(Form):
    year = IntegerField(
        _l("Jahr"), validators=[InputRequired(REQUIRED)], render_kw={"inputmode": "numeric", "autocomplete": "off"}
    )
    programme = StringField(_l("Förderprogramm"), default=KOMMAN, render_kw={"required": True})
    amount_eur = NumberField(_l("Fördersumme in Euro"), example="223000", render_kw={"required": True})
    valuation_rate_eur = NumberField(
        _l("Wert einer ehrenamtlichen Stunde in Euro"), example="15", render_kw={"required": True}
    )
    cap_kind = RadioField(_l("Deckelung des Geldwerts"), choices=CAP_KINDS, default=NO_CAP)
    in_kind_cap_amount_eur = NumberField(_l("Höchstbetrag in Euro"), example="20000")
    in_kind_cap_percent = NumberField(_l("Prozentsatz"), pattern=PERCENT, example="20")
    eligible_costs_eur = NumberField(_l("Zuwendungsfähige Ausgaben in Euro"), example="223000")
    note = TextAreaField(_l("Notiz"))

    @classmethod
    def for_grant(cls, grant: Grant | None, **defaults) -> "GrantForm":
        """The form with the grant's values (or the defaults), or what was just posted."""
        return cls(obj=grant, cap_kind=cap_kind_of(grant), **defaults)

    def validate_in_kind_cap_amount_eur(self, field):
        if self.cap_kind.data == AMOUNT_CAP and field.data is None and not field.errors:
            raise ValidationError(_("Bitte geben Sie den Höchstbetrag an."))

    def validate_in_kind_cap_percent(self, field):
        if self.cap_kind.data == PERCENT_CAP and field.data is None and not field.errors:
            raise ValidationError(_("Bitte geben Sie den Prozentsatz an."))

    def values(self) -> GrantValues:
        kind = self.cap_kind.data
        return GrantValues(
            programme=self.programme.data or "",
            amount_eur=self.amount_eur.data,
            valuation_rate_eur=self.valuation_rate_eur.data,
            in_kind_cap_amount_eur=self.in_kind_cap_amount_eur.data if kind == AMOUNT_CAP else None,
            in_kind_cap_percent=self.in_kind_cap_percent.data if kind == PERCENT_CAP else None,
            eligible_costs_eur=self.eligible_costs_eur.data if kind == PERCENT_CAP else None,
            note=self.note.data or "",
        )


def cap_kind_of(grant: Grant | None) -> str:
    if grant is not None and grant.in_kind_cap_amount_eur is not None:
        return AMOUNT_CAP
    if grant is not None and grant.in_kind_cap_percent is not None:
        return PERCENT_CAP
    return NO_CAP
