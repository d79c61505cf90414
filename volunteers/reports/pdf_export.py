"""The Sachbericht as a PDF (A4): the export header, the report's tables and its charts.

reportlab lays it out; svglib turns the report's own SVG charts into reportlab drawings, so the
PDF shows the same charts as the HTML page. The font is the bundled DejaVu Sans, embedded, and
every string goes through core/pdf_text.py: ä ö ü ß – € „ “, Cyrillic and Arabic (joined, right to
left) render on any machine, no system font needed; in an Arabic locale the page is mirrored.
Numbers are German (1.234,50 €; 12,5 %) and rounded exactly as in the CSV. reportlab's
invariant mode fixes the document's internal dates and id, so the same report gives the same
bytes; when it was made is printed on the page (the header's creation date)."""

import io
import xml.etree.ElementTree as ElementTree  # nosec B405: parses only our own chart SVG
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from reportlab.graphics.shapes import Drawing, Group, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import KeepTogether, SimpleDocTemplate, TableStyle
from reportlab.platypus import Table as Grid
from svglib.svglib import svg2rlg

from ..core.pdf_text import (
    FONT,
    FONT_BOLD,
    in_reading_order,
    is_rtl,
    paragraph,
    pdf_language,
    pdf_text,
    register_fonts,
)
from .tables import COUNT, EUR, HOURS, MINUTES, PERCENT, TEXT, Cell, Table

INK, MUTED = colors.HexColor("#1b1f24"), colors.HexColor("#555f6b")
RULE, SHADE = colors.HexColor("#c5ccd3"), colors.HexColor("#eef2f5")
MARGIN = 18 * mm
PORTRAIT_WIDTH = A4[0] - 2 * MARGIN
CHART_WIDTH = 0.9 * PORTRAIT_WIDTH  # labels then come out about as large as the text
BODY_SIZE = 8.5
# A table wider than the page is set smaller, down to this size, rather than run off the page.
TABLE_SIZES = (BODY_SIZE, 8, 7.5, 7, 6.5)
CELL_PADDING = 4
MIN_TEXT_WIDTH = 110  # names of centres and meeting points wrap, but not letter by letter
SVG_NS = "{http://www.w3.org/2000/svg}"
NBSP = "\u00a0"
_GERMAN_SEPARATORS = str.maketrans(",.", ".,")


def _styles(size: float = BODY_SIZE) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=size, leading=size * 1.3, textColor=INK)
    return {
        "body": base,
        "kicker": ParagraphStyle("kicker", base, fontSize=9, textColor=MUTED, spaceAfter=2),
        "title": ParagraphStyle("title", base, fontName=FONT_BOLD, fontSize=17, leading=21, spaceAfter=8),
        "heading": ParagraphStyle(
            "heading", base, fontName=FONT_BOLD, fontSize=11.5, leading=15, spaceBefore=12, spaceAfter=5
        ),
        "th": ParagraphStyle("th", base, fontName=FONT_BOLD),
        "th_number": ParagraphStyle("th_number", base, fontName=FONT_BOLD, alignment=2),
        "note": ParagraphStyle("note", base, textColor=MUTED),
    }


def _grouped(value: Decimal, places: int) -> str:
    # Rounded half up like the CSV (and spreadsheets), with German thousands dots.
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{rounded:,.{places}f}".translate(_GERMAN_SEPARATORS)


def readable_german_number(cell: Cell) -> str:
    """A cell as a German reader expects it: 1.234,50 (hours), 1.234,50 €, 12,5 %, 1.234. Unlike
    the CSV's importable_german_number, thousands are grouped: this is for the eye, not for import."""
    value = cell.value
    if value is None:
        return "–"
    if cell.kind == PERCENT:
        return _grouped(Decimal(str(value)) * 100, 1) + NBSP + "%"
    if cell.kind in (HOURS, EUR):
        return _grouped(Decimal(str(value)), 2) + (NBSP + "€" if cell.kind == EUR else "")
    if cell.kind in (MINUTES, COUNT):
        return _grouped(Decimal(value), 0)
    return str(value)


def _is_number_column(table: Table, index: int) -> bool:
    """Numbers are right-aligned; the summary's value column holds numbers with their own kinds."""
    return table.columns[index].kind != TEXT or any(row[index].kind != TEXT for row in table.rows)


def _texts(table: Table) -> list[list[str]]:
    return [[readable_german_number(cell) for cell in row] for row in table.rows]


def _number_widths(table: Table, texts: list[list[str]], size: float = BODY_SIZE) -> list[float | None]:
    """Number columns as wide as their widest value or the longest word of their title (titles
    wrap between words); None for text columns, which share the rest and wrap long names."""
    widths: list[float | None] = []
    for index, column in enumerate(table.columns):
        if not _is_number_column(table, index):
            widths.append(None)
            continue
        values = [pdfmetrics.stringWidth(pdf_text(row[index]), FONT, size) for row in texts]
        words = [pdfmetrics.stringWidth(pdf_text(word), FONT_BOLD, size) for word in column.title.split()]
        widths.append(max(values + words + [30]) + 2 * CELL_PADDING + 2)
    return widths


def _needed_width(table: Table, size: float = BODY_SIZE) -> float:
    return sum(w if w is not None else MIN_TEXT_WIDTH for w in _number_widths(table, _texts(table), size))


def _fitting_size(table: Table, width: float) -> float:
    """The largest of the table sizes at which the table fits the width (else the smallest)."""
    return next((size for size in TABLE_SIZES if _needed_width(table, size) <= width), TABLE_SIZES[-1])


def _column_widths(table: Table, texts: list[list[str]], width: float, size: float) -> list[float]:
    widths = _number_widths(table, texts, size)
    rest = width - sum(w for w in widths if w is not None)
    text_columns = widths.count(None) or 1
    return [w if w is not None else max(rest / text_columns, MIN_TEXT_WIDTH) for w in widths]


def _grid(table: Table, width: float):
    rtl, texts = is_rtl(), _texts(table)
    size = _fitting_size(table, width)
    styles = _styles(size)
    numeric = [_is_number_column(table, i) for i in range(len(table.columns))]
    head = [
        paragraph(column.title, styles["th_number" if numeric[i] else "th"]) for i, column in enumerate(table.columns)
    ]
    body = [
        [pdf_text(text) if numeric[i] else paragraph(text, styles["body"]) for i, text in enumerate(row)]
        for row in texts
    ]
    grid = Grid(
        [in_reading_order(row, rtl) for row in [head, *body]],
        colWidths=in_reading_order(_column_widths(table, texts, width, size), rtl),
        repeatRows=1,
        hAlign="RIGHT" if rtl else "LEFT",
    )
    commands = [
        ("FONT", (0, 0), (-1, -1), FONT, size),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ]
    # Numbers at the end of their cells: on the right, on the left when the table is mirrored.
    last = len(numeric) - 1
    commands += [
        ("ALIGN", (last - i, 1), (last - i, -1), "LEFT") if rtl else ("ALIGN", (i, 1), (i, -1), "RIGHT")
        for i, is_number in enumerate(numeric)
        if is_number
    ]
    return grid, commands


def _table_block(table: Table, styles: dict, width: float) -> list:
    heading = paragraph(table.title, styles["heading"])
    if not table.rows:
        return [KeepTogether([heading, paragraph(_("Keine Daten im Zeitraum."), styles["note"])])]
    grid, commands = _grid(table, width)
    grid.setStyle(TableStyle(commands))
    return [heading, grid]


def _header_block(header: list[tuple[str, str]], styles: dict, width: float) -> list:
    """The first header line is the report's title; the others (period, date, status, checksum)
    follow as label and value."""
    (kicker, title), details = header[0], header[1:]
    rtl = is_rtl()
    rows = [
        in_reading_order([paragraph(label, styles["th"]), paragraph(str(value), styles["body"])], rtl)
        for label, value in details
    ]
    grid = Grid(rows, colWidths=in_reading_order([42 * mm, width - 42 * mm], rtl), hAlign="RIGHT" if rtl else "LEFT")
    grid.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, BODY_SIZE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("RIGHTPADDING" if rtl else "LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return [paragraph(kicker, styles["kicker"]), paragraph(title, styles["title"]), grid]


def _use_embedded_font(node) -> None:
    """The SVG names no font, so svglib picks Helvetica: use the embedded one like the text around
    it (the labels' numbers are already in the reader's locale, see charts.py); labels drawn as
    every other string (core/pdf_text.py)."""
    if isinstance(node, String):
        node.fontName = FONT
        node.text = pdf_text(node.text)
    for child in getattr(node, "contents", []):
        _use_embedded_font(child)


def _chart_block(svg: str, styles: dict, width: float) -> list:
    """One chart, scaled to the text width, under its own title. A chart without data (its text
    description is empty) is left out; the tables say that there is nothing."""
    root = ElementTree.fromstring(svg)  # nosec B314: our own SVG from charts.py, labels escaped
    if not (root.findtext(f"{SVG_NS}desc") or "").strip():
        return []
    drawing = svg2rlg(io.BytesIO(svg.encode()))
    _use_embedded_font(drawing)
    scale = width / drawing.width
    scaled = Drawing(width, drawing.height * scale, initialFontName=FONT)
    scaled.add(Group(*drawing.contents, transform=(scale, 0, 0, scale, 0, 0)))
    title = root.findtext(f"{SVG_NS}title") or ""
    return [KeepTogether([paragraph(title, styles["heading"]), scaled])]


def _footer(text: str):
    # The title at the start of the line, the page number at its end: swapped when mirrored.
    rtl, text = is_rtl(), pdf_text(text)

    def draw(canvas, document) -> None:
        start, end = MARGIN, document.pagesize[0] - MARGIN
        page = pdf_text(_("Seite %(page)d", page=document.page), rtl=rtl)
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(MUTED)
        if rtl:
            canvas.drawRightString(end, 10 * mm, text)
            canvas.drawString(start, 10 * mm, page)
        else:
            canvas.drawString(start, 10 * mm, text)
            canvas.drawRightString(end, 10 * mm, page)
        canvas.restoreState()

    return draw


def _page_size(tables: list[Table]) -> tuple[float, float]:
    """Portrait A4; landscape A4 when a table needs more width (the state's eight columns)."""
    return landscape(A4) if any(_needed_width(table) > PORTRAIT_WIDTH for table in tables) else A4


def to_pdf(header: list[tuple[str, str]], tables: list[Table], charts_svg: dict[str, str]) -> bytes:
    """The report as an A4 PDF: header, the first table (the summary), the charts, then the
    other tables, in the order of the HTML page."""
    register_fonts()
    styles, out = _styles(), io.BytesIO()
    (kicker, title), period = header[0], header[1][1] if len(header) > 1 else ""
    document = SimpleDocTemplate(
        out,
        pagesize=_page_size(tables),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{kicker}: {title}",
        subject=period,
        author="Treffpunkt",
        creator="Treffpunkt",
        lang=pdf_language(),
        invariant=1,
        initialFontName=FONT,
        initialFontSize=BODY_SIZE,
    )
    story = _header_block(header, styles, document.width)
    for index, table in enumerate(tables):
        story += _table_block(table, styles, document.width)
        if index == 0:
            for svg in charts_svg.values():
                story += _chart_block(str(svg), styles, CHART_WIDTH)
    footer = _footer(f"{title} · {period}")
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
