"""Numbers on report pages in the reader's locale (1.234,50 € in German, €1,234.50 in English).

A formatter per locale and pattern, built once: Babel's `NumberPattern.apply` looks the locale's
symbols up and walks the pattern on every call, which was a fifth of a report page's time. A
pattern with a fixed number of decimals and groups of three (every one a report uses) is printed
with Python's own grouping and the locale's symbols put in; anything else (a negative value, other
patterns) goes to Babel as before. The output is the same (tests/reports/test_report_formatting.py)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import NumberPattern, get_currency_symbol, get_decimal_symbol, get_group_symbol, parse_pattern

from ..core.templating import reader_locale
from .tables import COUNT, EUR, HOURS, MINUTES, PERCENT, Cell


@lru_cache(maxsize=32)
def number_pattern(pattern: str) -> NumberPattern:
    return parse_pattern(pattern)


@dataclass(frozen=True, slots=True)
class Formatter:
    """One pattern for one locale (and currency): `places` decimals, or None where only Babel knows."""

    pattern: NumberPattern
    locale: Locale
    currency: str | None
    places: int | None
    prefix: str
    suffix: str
    symbols: dict  # Python's separators → the locale's

    def __call__(self, value) -> str:
        number = value if isinstance(value, Decimal) else Decimal(value if isinstance(value, int) else str(value))
        if self.places is None or not number.is_finite() or number.is_signed():
            return self.pattern.apply(value, self.locale, currency=self.currency, currency_digits=True)
        if self.pattern.scale:
            number = number.scaleb(self.pattern.scale)
        digits = f"{number:,.{self.places}f}".translate(self.symbols)
        return self.prefix + digits + self.suffix


@lru_cache(maxsize=64)
def formatter(pattern: str, locale: Locale, currency: str | None = None) -> Formatter:
    """Negative and infinite values go to Babel: they need the pattern's other prefix or a sign."""
    parsed = number_pattern(pattern)
    low, high = (2, 2) if currency else parsed.frac_prec  # EUR's precision, as Babel's currency_digits
    simple = (
        parsed.grouping == (3, 3)
        and parsed.int_prec[0] == 1
        and low == high
        and not parsed.exp_prec
        and "@" not in parsed.pattern
        and "¤¤" not in parsed.pattern
        and "'" not in parsed.pattern
    )
    symbol = get_currency_symbol(currency, locale) if currency else ""
    symbols = str.maketrans({",": get_group_symbol(locale), ".": get_decimal_symbol(locale)})  # at once
    return Formatter(
        parsed,
        locale,
        currency,
        high if simple else None,
        parsed.prefix[0].replace("¤", symbol),
        parsed.suffix[0].replace("¤", symbol),
        symbols,
    )


def format_number(value, pattern: str, locale: Locale | None = None) -> str:
    """A decimal or, with a % in the pattern, a percentage (0.5 is 50 %); `locale` defaults to the reader's."""
    return formatter(pattern, locale or reader_locale())(value)


def format_euros(value, locale: Locale | None = None) -> str:
    locale = locale or reader_locale()
    return formatter(locale.currency_formats["standard"].pattern, locale, "EUR")(value)


def half_up(value, places: int) -> Decimal:
    """Rounded as the CSV and PDF round (half up, as spreadsheets do); Babel alone would round
    half to even and show 12,2 % where the downloads say 12,3 %."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_cell(value, kind: str | None = None) -> str:
    """The `cell` filter: a table's Cell (its own kind wins over the column's), or a plain value of
    the given kind (the room-use and state pages)."""
    cell = value if isinstance(value, Cell) else Cell(value, kind)
    if cell.value is None:
        return "–"
    locale = reader_locale()  # once per cell (one lookup on g, see core.templating.reading)
    if cell.kind == PERCENT:
        return format_number(half_up(cell.value, 3), "#,##0.0 %", locale)
    if cell.kind == EUR:
        return format_euros(half_up(cell.value, 2), locale)
    if cell.kind == HOURS:
        return format_number(half_up(cell.value, 2), "#,##0.00", locale)
    if cell.kind in (MINUTES, COUNT):
        return format_number(cell.value, "#,##0", locale)
    return str(cell.value)
