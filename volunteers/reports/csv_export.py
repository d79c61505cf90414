"""CSV as German spreadsheets expect it: semicolons, UTF-8 with BOM, decimal comma."""

import csv
import io
from decimal import ROUND_HALF_UP, Decimal

from .tables import COUNT, EUR, HOURS, MINUTES, PERCENT, Cell, Table, inert_text


def importable_german_number(cell: Cell) -> str:
    """Decimal comma and no thousands separators, so that a spreadsheet imports the text as a
    number (the PDF's readable_german_number groups thousands for the eye). Text never runs as a
    formula (inert_text)."""
    value = cell.value
    if value is None:
        return ""
    if cell.kind == PERCENT:
        # Half up, as spreadsheets round: 12.25 % shows as 12,3 % everywhere.
        percent = (Decimal(str(value)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return f"{percent}".replace(".", ",") + " %"
    if cell.kind in (HOURS, EUR):
        return f"{Decimal(str(value)):.2f}".replace(".", ",")
    if cell.kind in (MINUTES, COUNT):
        return str(value).replace(".", ",")
    return inert_text(str(value))


def to_csv(header: list[tuple[str, str]], tables: list[Table]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for label, value in header:  # the values name centres and meeting points: text from people
        writer.writerow([inert_text(label), inert_text(value)])
    for table in tables:
        writer.writerow([])
        writer.writerow([inert_text(table.title)])
        writer.writerow([inert_text(column.title) for column in table.columns])
        for row in table.rows:
            writer.writerow([importable_german_number(cell) for cell in row])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")
