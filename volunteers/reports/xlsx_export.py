"""The report as an Excel workbook: a sheet "Übersicht" with the export header and the summary,
then one sheet per other table. Numbers are stored as numbers (hours as the rounded Decimal of
the CSV) with a number format, so spreadsheets can sum them and show them in the reader's locale.

The output is deterministic: the document properties and the zip entries carry a fixed
timestamp instead of the clock, so the same report gives the same bytes; when it was made is in
the header rows (the creation date)."""

import io
import re
from datetime import datetime
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from .tables import COUNT, EUR, HOURS, MINUTES, PERCENT, TEXT, Cell, Table, inert_text

NUMBER_FORMATS = {HOURS: "#,##0.00", MINUTES: "#,##0", COUNT: "#,##0", PERCENT: "0.0%", EUR: '#,##0.00 "€"'}
# Where the formats above put thousands separators and units: to size columns by what they show.
SHOWN_WIDTH = {
    HOURS: lambda v: len(f"{v:,.2f}"),
    EUR: lambda v: len(f"{v:,.2f}") + 2,
    PERCENT: lambda v: len(f"{v * 100:.1f}") + 1,
    MINUTES: lambda v: len(f"{v:,}"),
    COUNT: lambda v: len(f"{v:,}"),
}
FIXED_TIME = datetime(2000, 1, 1)  # as reportlab's invariant mode, for the PDF
BOLD = Font(bold=True)
FORBIDDEN_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


def sheet_name(title: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = FORBIDDEN_IN_SHEET_NAMES.sub("-", title).strip("' ")[:31] or "Tabelle"
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.lower())
    return name


def _write_text(sheet, row: int, column: int, text: str):
    """A text cell that stays text: openpyxl would store a text starting with "=" as a formula.
    Characters XML cannot hold (control characters) are left out instead of failing the file."""
    written = sheet.cell(row=row, column=column, value=ILLEGAL_CHARACTERS_RE.sub("", inert_text(text)))
    written.data_type = "s"
    return written


def _write_cell(sheet, row: int, column: int, cell: Cell) -> None:
    if not cell.is_number:
        if cell.value is not None:
            _write_text(sheet, row, column, str(cell.value))
        return
    written = sheet.cell(row=row, column=column, value=cell.value)
    written.number_format = NUMBER_FORMATS[cell.kind]


def _shown_length(cell: Cell) -> int:
    if cell.value is None:
        return 0
    if cell.kind in SHOWN_WIDTH:
        return SHOWN_WIDTH[cell.kind](cell.value)
    return len(str(cell.value))


def _write_table(sheet, table: Table, first_row: int) -> int:
    """Column titles in bold, then the rows; returns the row of the titles."""
    for column_index, column in enumerate(table.columns, start=1):
        cell = _write_text(sheet, first_row, column_index, column.title)
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row_index, row in enumerate(table.rows, start=first_row + 1):
        for column_index, cell in enumerate(row, start=1):
            _write_cell(sheet, row_index, column_index, cell)
    return first_row


def _fit_columns(sheet, table: Table) -> None:
    for index, column in enumerate(table.columns):
        lengths = [_shown_length(row[index]) for row in table.rows]
        words = [len(word) for word in column.title.split()]  # titles wrap between words
        limit = 70 if column.kind == TEXT else 20
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(max(lengths + words + [8]) + 2, limit)


def _overview(sheet, header: list[tuple[str, str]], summary: Table | None) -> None:
    for row, (label, value) in enumerate(header, start=1):
        _write_text(sheet, row, 1, label).font = BOLD
        _write_text(sheet, row, 2, value)  # long values (the checksum) run over into empty cells
    if summary is not None:
        titles_row = _write_table(sheet, summary, len(header) + 2)
        sheet.freeze_panes = sheet.cell(row=titles_row + 1, column=1)
        _fit_columns(sheet, summary)
    else:
        sheet.column_dimensions["A"].width = max(len(label) for label, _value in header) + 2


def _detail_sheet(sheet, table: Table) -> None:
    _write_table(sheet, table, 1)
    sheet.freeze_panes = "B2"  # titles and the first column (month, meeting point, …) stay in view
    if table.rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"
    _fit_columns(sheet, table)


def _deterministic_zip(data: bytes) -> bytes:
    """The same zip with a fixed timestamp on every entry (zipfile stamps them with the clock)."""
    out = io.BytesIO()
    with ZipFile(io.BytesIO(data)) as source, ZipFile(out, "w", ZIP_DEFLATED) as target:
        for entry in source.infolist():
            fixed = ZipInfo(entry.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type, fixed.external_attr = ZIP_DEFLATED, entry.external_attr
            target.writestr(fixed, source.read(entry))
    return out.getvalue()


def to_xlsx(header: list[tuple[str, str]], tables: list[Table]) -> bytes:
    workbook = Workbook()
    workbook.properties.title = f"{header[0][0]}: {header[0][1]}"
    workbook.properties.creator = "Treffpunkt"
    workbook.properties.language = "de-DE"
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    overview = workbook.active
    taken: set[str] = set()
    overview.title = sheet_name(_("Übersicht"), taken)
    summary = tables[0] if tables and tables[0].key == "summary" else None
    _overview(overview, header, summary)
    for table in tables[1:] if summary else tables:
        _detail_sheet(workbook.create_sheet(sheet_name(table.title, taken)), table)
    raw = io.BytesIO()
    # ExcelWriter rather than workbook.save(): save() stamps the modification time with the clock.
    ExcelWriter(workbook, ZipFile(raw, "w", ZIP_DEFLATED, allowZip64=True)).save()
    return _deterministic_zip(raw.getvalue())
