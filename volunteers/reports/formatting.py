"""Numbers on report pages in the reader's locale (1.234,50 € in German, €1,234.50 in English)."""
from flask_babel import format_currency, format_decimal, format_percent

from .tables import COUNT, EUR, HOURS, PERCENT


def format_cell(value, kind: str) -> str:
    if isinstance(value, tuple):  # a summary cell carries its own kind
        value, kind = value
    if value is None:
        return "–"
    if kind == PERCENT:
        return format_percent(value, "#,##0.0 %")
    if kind == EUR:
        return format_currency(value, "EUR")
    if kind == HOURS:
        return format_decimal(value, "#,##0.00")
    if kind == COUNT or isinstance(value, int):
        return format_decimal(value, "#,##0")
    return str(value)
