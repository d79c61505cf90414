"""Reading the report downloads back, as a spreadsheet or a reader would: CSV, XLSX, PDF."""

import csv
import io
import re
from decimal import Decimal

import openpyxl
from pypdf import PdfReader


def read_csv(body: bytes) -> tuple[dict, dict]:
    """The header lines as a dict, and each table (by title) as its data rows."""
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    blank = rows.index([])
    header, tables = dict(rows[:blank]), {}
    index = blank
    while index < len(rows):
        title, index = rows[index + 1][0], index + 3  # blank line, title, column titles
        data = []
        while index < len(rows) and rows[index]:
            data.append(rows[index])
            index += 1
        tables[title] = data
    return header, tables


def read_xlsx(body: bytes):
    return openpyxl.load_workbook(io.BytesIO(body))


def overview(book) -> dict:
    return {row[0].value: row[1] for row in book["Übersicht"].iter_rows() if row[0].value}


def pdf_lines(body: bytes) -> list[str]:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    return [" ".join(line.replace("\u00a0", " ").split()) for line in text.splitlines() if line.strip()]


def has_run(lines: list[str], run: list[str]) -> bool:
    return any(lines[i : i + len(run)] == run for i in range(len(lines)))


def german(text: str):
    """A German number of any format as Decimal ("1.234,50 €" → 1234.50); text stays text."""
    bare = text.replace(" €", "").replace(" %", "").replace("\u00a0", " ").strip()
    if bare in ("", "–"):
        return None
    if re.fullmatch(r"-?[\d.]+(,\d+)?", bare):
        return Decimal(bare.replace(".", "").replace(",", "."))
    return text
