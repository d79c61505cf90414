"""Numbers on report pages in the reader's locale (1.234,50 € in German, €1,234.50 in English).

Babel directly, with its patterns parsed once: Flask-Babel's helpers parse the pattern and look up
the locale on every call, which was a fifth of a report page's time. The output is the same."""

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern

from ..core.templating import reader_locale
from .tables import COUNT, EUR, HOURS, MINUTES, PERCENT, Cell


@lru_cache(maxsize=32)
def number_pattern(pattern: str) -> NumberPattern:
    return parse_pattern(pattern)


def format_number(value, pattern: str, locale: Locale | None = None) -> str:
    """A decimal or, with a % in the pattern, a percentage (0.5 is 50 %); `locale` defaults to the reader's."""
    return number_pattern(pattern).apply(value, locale or reader_locale())


def format_euros(value, locale: Locale | None = None) -> str:
    locale = locale or reader_locale()
    return locale.currency_formats["standard"].apply(value, locale, currency="EUR", currency_digits=True)


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
