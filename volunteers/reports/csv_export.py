"""CSV as German spreadsheets expect it: semicolons, UTF-8 with BOM, decimal comma."""

import csv
import io
from decimal import ROUND_HALF_UP, Decimal

from .tables import EUR, HOURS, PERCENT, Table


def german_number(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == PERCENT:
        # Half up, as spreadsheets round: 12.25 % shows as 12,3 % everywhere.
        percent = (Decimal(str(value)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return f"{percent}".replace(".", ",") + " %"
    if kind in (HOURS, EUR):
        return f"{Decimal(str(value)):.2f}".replace(".", ",")
    if isinstance(value, (int, float, Decimal)):
        return str(value).replace(".", ",")
    return str(value)


def cell_text(cell, column_kind: str) -> str:
    if isinstance(cell, tuple):  # a summary value carries its own kind
        return german_number(*cell)
    return german_number(cell, column_kind)


def to_csv(header: list[tuple[str, str]], tables: list[Table]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for label, value in header:
        writer.writerow([label, value])
    for table in tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow([column.title for column in table.columns])
        for row in table.rows:
            writer.writerow([cell_text(cell, column.kind) for cell, column in zip(row, table.columns, strict=True)])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")
