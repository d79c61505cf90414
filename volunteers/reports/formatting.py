"""Numbers on report pages in the reader's locale (1.234,50 € in German, €1,234.50 in English).

Babel directly, with its patterns parsed once: Flask-Babel's helpers parse the pattern and look up
the locale on every call, which was a fifth of a report page's time. The output is the same."""

from functools import lru_cache

from babel.numbers import NumberPattern, parse_pattern

from ..core.templating import reader_locale
from .tables import COUNT, EUR, HOURS, PERCENT


@lru_cache(maxsize=32)
def number_pattern(pattern: str) -> NumberPattern:
    return parse_pattern(pattern)


def format_number(value, pattern: str) -> str:
    """A decimal or, with a % in the pattern, a percentage (0.5 is 50 %)."""
    return number_pattern(pattern).apply(value, reader_locale())


def format_euros(value) -> str:
    locale = reader_locale()
    return locale.currency_formats["standard"].apply(value, locale, currency="EUR", currency_digits=True)


def format_cell(value, kind: str) -> str:
    if isinstance(value, tuple):  # a summary cell carries its own kind
        value, kind = value
    if value is None:
        return "–"
    if kind == PERCENT:
        return format_number(value, "#,##0.0 %")
    if kind == EUR:
        return format_euros(value)
    if kind == HOURS:
        return format_number(value, "#,##0.00")
    if kind == COUNT or isinstance(value, int):
        return format_number(value, "#,##0")
    return str(value)
