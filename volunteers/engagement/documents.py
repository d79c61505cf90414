"""The two PDFs of this domain, pure builders of their data (A4, reportlab): the certificate of
engagement with its verification code, URL and QR code, and the organisation's confirmation for an
Ehrenamtskarte application. German, as the offices that read them expect (the views force it).

The font is the bundled DejaVu Sans and every string goes through core/pdf_text.py: names such as
Олена or أمل print as letters, Arabic joined and in right-to-left order. Built in an Arabic locale,
the page is mirrored: paragraphs aligned right, table columns from the right."""

import io
from dataclasses import dataclass
from datetime import date

import segno
from flask_babel import format_date
from flask_babel import gettext as _
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as Grid

from ..core.pdf_text import (
    FONT,
    FONT_BOLD,
    in_reading_order,
    is_rtl,
    isolated,
    paragraph,
    pdf_language,
    register_fonts,
)
from ..hours.history import format_minutes

INK, MUTED, RULE = colors.HexColor("#1b1f24"), colors.HexColor("#555f6b"), colors.HexColor("#c5ccd3")
MARGIN = 20 * mm
QR_SIZE = 32 * mm


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, textColor=INK)
    return {
        "body": body,
        "muted": ParagraphStyle("muted", body, fontSize=8.5, leading=12, textColor=MUTED),
        "kicker": ParagraphStyle("kicker", body, textColor=MUTED, spaceAfter=2),
        "title": ParagraphStyle("title", body, fontName=FONT_BOLD, fontSize=18, leading=23, spaceAfter=10),
        "heading": ParagraphStyle("heading", body, fontName=FONT_BOLD, fontSize=11.5, spaceBefore=10, spaceAfter=4),
        "bold": ParagraphStyle("bold", body, fontName=FONT_BOLD),
    }


def hours_text(minutes: int) -> str:
    return _("%(duration)s Std.", duration=format_minutes(minutes))


def day_text(day: date) -> str:
    return format_date(day, "long")


@dataclass(frozen=True)
class ActivityLine:
    name: str
    minutes: int


@dataclass(frozen=True)
class CertificateSheet:
    holder_name: str
    centre_name: str
    centre_address: str
    leads: list[str]
    period_start: date
    period_end: date
    total_minutes: int
    activities: list[ActivityLine]
    meeting_points: list[str]
    issued_on: date
    code: str  # as printed, in groups
    verify_url: str


@dataclass(frozen=True)
class ConfirmationSheet:
    holder_name: str
    centre_name: str
    centre_address: str
    leads: list[str]
    first_day: date | None
    window_start: date
    window_end: date
    minutes_last_year: int
    weekly_minutes: int
    activities: list[ActivityLine]
    meeting_points: list[str]
    issued_on: date


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return paragraph(text, style)


def _grid(rows: list[list], col_widths: list, **kwargs) -> Grid:
    """A table laid out in reading order: its columns from the right in a right-to-left document."""
    rtl = is_rtl()
    grid = Grid(
        [in_reading_order(row, rtl) for row in rows],
        colWidths=in_reading_order(col_widths, rtl),
        hAlign="RIGHT" if rtl else "LEFT",
        **kwargs,
    )
    grid.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT)]))  # for plain cells: no Helvetica in the file
    return grid


def _facts_table(rows: list[tuple[str, str]], styles) -> Grid:
    grid = _grid([[_p(label, styles["bold"]), _p(value, styles["body"])] for label, value in rows], [55 * mm, None])
    grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    return grid


def _activities_table(activities: list[ActivityLine], total_minutes: int, styles) -> Grid:
    number = ParagraphStyle("number", styles["body"], alignment=2)
    rows = [[_p(_("Tätigkeit"), styles["bold"]), _p(_("Stunden"), ParagraphStyle("th", styles["bold"], alignment=2))]]
    rows += [[_p(a.name, styles["body"]), _p(hours_text(a.minutes), number)] for a in activities]
    rows.append(
        [
            _p(_("Zusammen"), styles["bold"]),
            _p(hours_text(total_minutes), ParagraphStyle("tn", number, fontName=FONT_BOLD)),
        ]
    )
    grid = _grid(rows, [None, 35 * mm], repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK),
                ("LINEBELOW", (0, 1), (-1, -2), 0.3, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return grid


def qr_drawing(url: str, size: float = QR_SIZE) -> Drawing:
    """The URL as a QR code drawn from rectangles: sharp at any zoom, no image library needed."""
    rows = list(segno.make(url, error="m").matrix_iter(border=2))
    cell = size / len(rows)
    drawing = Drawing(size, size, initialFontName=FONT)
    for y, row in enumerate(rows):
        for x, dark in enumerate(row):
            if dark:
                drawing.add(Rect(x * cell, size - (y + 1) * cell, cell, cell, fillColor=colors.black, strokeColor=None))
    return drawing


def _document(story: list, title: str) -> bytes:
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author="Treffpunkt",
        lang=pdf_language(),
        initialFontName=FONT,
    ).build(story)
    return buffer.getvalue()


def _listed(names: list[str]) -> str:
    return ", ".join(isolated(name) for name in names)


def _organisation(centre_name: str, centre_address: str, leads: list[str], styles) -> list:
    lines = [_p(centre_name, styles["kicker"])]
    if centre_address:
        lines.append(_p(centre_address, styles["kicker"]))
    if leads:
        lines.append(_p(_("Leitung: %(names)s", names=_listed(leads)), styles["kicker"]))
    return lines


def certificate_pdf(sheet: CertificateSheet) -> bytes:
    register_fonts()
    styles = _styles()
    title = _("Nachweis über ehrenamtliches Engagement")
    story = [
        *_organisation(sheet.centre_name, sheet.centre_address, sheet.leads, styles),
        Spacer(1, 8 * mm),
        _p(title, styles["title"]),
        _p(
            _(
                "%(name)s hat sich vom %(first)s bis zum %(last)s ehrenamtlich im %(centre)s engagiert.",
                name=isolated(sheet.holder_name),
                first=day_text(sheet.period_start),
                last=day_text(sheet.period_end),
                centre=isolated(sheet.centre_name),
            ),
            styles["body"],
        ),
        _p(_("Tätigkeiten und Stunden"), styles["heading"]),
        _activities_table(sheet.activities, sheet.total_minutes, styles),
    ]
    if sheet.meeting_points:
        story += [
            _p(_("Einsatzorte (Ankommenstreffpunkte)"), styles["heading"]),
            _p(_listed(sheet.meeting_points), styles["body"]),
        ]
    story += [
        _p(_("Gezählt sind die von der Koordination freigegebenen Stunden."), styles["muted"]),
        Spacer(1, 8 * mm),
        _p(_("Ausgestellt am %(day)s", day=day_text(sheet.issued_on)), styles["body"]),
        _p(_("Echtheit prüfen"), styles["heading"]),
        _verification(sheet, styles),
    ]
    return _document(story, title)


def _verification(sheet: CertificateSheet, styles) -> Grid:
    text = [
        _p(_("Prüfcode: %(code)s", code=sheet.code), styles["bold"]),
        _p(_("Unter dieser Adresse bestätigt das Zentrum, dass es diesen Nachweis ausgestellt hat:"), styles["body"]),
        _p(sheet.verify_url, styles["body"]),
    ]
    grid = _grid([[qr_drawing(sheet.verify_url), text]], [QR_SIZE + 6 * mm, None])
    # The code flush with the margin: the first column's outer padding, on the right when mirrored.
    outer = ("RIGHTPADDING", (-1, 0), (-1, 0), 0) if is_rtl() else ("LEFTPADDING", (0, 0), (0, 0), 0)
    grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), outer]))
    return grid


def confirmation_pdf(sheet: ConfirmationSheet) -> bytes:
    register_fonts()
    styles = _styles()
    title = _("Bestätigung über Art und Umfang der ehrenamtlichen Tätigkeit")
    facts = [
        (_("Name"), sheet.holder_name),
        (_("Organisation"), _listed([part for part in (sheet.centre_name, sheet.centre_address) if part])),
        (_("Ehrenamtlich tätig seit"), day_text(sheet.first_day) if sheet.first_day else "–"),
        (
            _("Stunden in den letzten 12 Monaten"),
            _(
                "%(hours)s (%(first)s bis %(last)s)",
                hours=hours_text(sheet.minutes_last_year),
                first=day_text(sheet.window_start),
                last=day_text(sheet.window_end),
            ),
        ),
        (_("Durchschnitt pro Woche"), hours_text(sheet.weekly_minutes)),
    ]
    if sheet.meeting_points:
        facts.append((_("Einsatzorte"), _listed(sheet.meeting_points)))
    story = [
        *_organisation(sheet.centre_name, sheet.centre_address, sheet.leads, styles),
        Spacer(1, 8 * mm),
        _p(_("für den Antrag auf die Ehrenamtskarte NRW"), styles["kicker"]),
        _p(title, styles["title"]),
        _facts_table(facts, styles),
        _p(_("Art der Tätigkeit (letzte 12 Monate)"), styles["heading"]),
        _activities_table(sheet.activities, sheet.minutes_last_year, styles),
        _p(
            _(
                "Gezählt sind die von der Koordination freigegebenen Stunden in diesem Zentrum. Stunden bei "
                "anderen Organisationen können hinzukommen; über den Antrag entscheidet die Kommune."
            ),
            styles["muted"],
        ),
        Spacer(1, 18 * mm),
        _signature_lines(sheet, styles),
    ]
    return _document(story, title)


def _signature_lines(sheet: ConfirmationSheet, styles) -> Grid:
    grid = _grid(
        [
            ["", ""],
            [
                _p(_("Ort, Datum (%(day)s)", day=day_text(sheet.issued_on)), styles["muted"]),
                _p(_("Unterschrift und Stempel der Organisation"), styles["muted"]),
            ],
        ],
        [75 * mm, 80 * mm],
    )
    grid.setStyle(TableStyle([("LINEABOVE", (0, 1), (0, 1), 0.6, INK), ("LINEABOVE", (1, 1), (1, 1), 0.6, INK)]))
    return grid
