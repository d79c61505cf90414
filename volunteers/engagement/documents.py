"""The two PDFs of this domain, pure builders of their data (A4, reportlab): the certificate of
engagement with its verification code, URL and QR code, and the organisation's confirmation for an
Ehrenamtskarte application. German, as the offices that read them expect.

The font is DejaVu Sans where the system has it (Latin, Cyrillic and Arabic letters: names such as
Олена or أمل print as letters, not boxes), else Bitstream Vera from reportlab (Latin only).
reportlab does not join Arabic letters or reorder right-to-left text: an Arabic name prints in its
letters' isolated forms (docs/ehrenamtskarte.md)."""

import io
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape  # nosec B406: escaping, not parsing

import reportlab
import segno
from flask_babel import format_date
from flask_babel import gettext as _
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as Grid

from ..hours.history import format_minutes

FONT, FONT_BOLD = "EngagementSans", "EngagementSans-Bold"
SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")
INK, MUTED, RULE = colors.HexColor("#1b1f24"), colors.HexColor("#555f6b"), colors.HexColor("#c5ccd3")
MARGIN = 20 * mm
QR_SIZE = 32 * mm


@cache
def _register_fonts() -> None:
    regular, bold = SYSTEM_FONTS / "DejaVuSans.ttf", SYSTEM_FONTS / "DejaVuSans-Bold.ttf"
    if not (regular.exists() and bold.exists()):
        folder = Path(reportlab.__file__).parent / "fonts"
        regular, bold = folder / "Vera.ttf", folder / "VeraBd.ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(regular)))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(bold)))


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
    return Paragraph(escape(text), style)


def _facts_table(rows: list[tuple[str, str]], styles) -> Grid:
    grid = Grid(
        [[_p(label, styles["bold"]), _p(value, styles["body"])] for label, value in rows],
        colWidths=[55 * mm, None],
        hAlign="LEFT",
    )
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
    grid = Grid(rows, colWidths=[None, 35 * mm], hAlign="LEFT", repeatRows=1)
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
    drawing = Drawing(size, size)
    for y, row in enumerate(rows):
        for x, dark in enumerate(row):
            if dark:
                drawing.add(Rect(x * cell, size - (y + 1) * cell, cell, cell, fillColor=colors.black, strokeColor=None))
    return drawing


def _document(story: list, title: str) -> bytes:
    _register_fonts()
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
        lang="de-DE",
    ).build(story)
    return buffer.getvalue()


def _organisation(centre_name: str, centre_address: str, leads: list[str], styles) -> list:
    lines = [_p(centre_name, styles["kicker"])]
    if centre_address:
        lines.append(_p(centre_address, styles["kicker"]))
    if leads:
        lines.append(_p(_("Leitung: %(names)s", names=", ".join(leads)), styles["kicker"]))
    return lines


def certificate_pdf(sheet: CertificateSheet) -> bytes:
    _register_fonts()
    styles = _styles()
    title = _("Nachweis über ehrenamtliches Engagement")
    story = [
        *_organisation(sheet.centre_name, sheet.centre_address, sheet.leads, styles),
        Spacer(1, 8 * mm),
        _p(title, styles["title"]),
        _p(
            _(
                "%(name)s hat sich vom %(first)s bis zum %(last)s ehrenamtlich im %(centre)s engagiert.",
                name=sheet.holder_name,
                first=day_text(sheet.period_start),
                last=day_text(sheet.period_end),
                centre=sheet.centre_name,
            ),
            styles["body"],
        ),
        _p(_("Tätigkeiten und Stunden"), styles["heading"]),
        _activities_table(sheet.activities, sheet.total_minutes, styles),
    ]
    if sheet.meeting_points:
        story += [
            _p(_("Einsatzorte (Ankommenstreffpunkte)"), styles["heading"]),
            _p(", ".join(sheet.meeting_points), styles["body"]),
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
    grid = Grid([[qr_drawing(sheet.verify_url), text]], colWidths=[QR_SIZE + 6 * mm, None], hAlign="LEFT")
    grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0)]))
    return grid


def confirmation_pdf(sheet: ConfirmationSheet) -> bytes:
    _register_fonts()
    styles = _styles()
    title = _("Bestätigung über Art und Umfang der ehrenamtlichen Tätigkeit")
    facts = [
        (_("Name"), sheet.holder_name),
        (_("Organisation"), ", ".join(part for part in (sheet.centre_name, sheet.centre_address) if part)),
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
        facts.append((_("Einsatzorte"), ", ".join(sheet.meeting_points)))
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
    grid = Grid(
        [
            ["", ""],
            [
                _p(_("Ort, Datum (%(day)s)", day=day_text(sheet.issued_on)), styles["muted"]),
                _p(_("Unterschrift und Stempel der Organisation"), styles["muted"]),
            ],
        ],
        colWidths=[75 * mm, 80 * mm],
        hAlign="LEFT",
    )
    grid.setStyle(TableStyle([("LINEABOVE", (0, 1), (0, 1), 0.6, INK), ("LINEABOVE", (1, 1), (1, 1), 0.6, INK)]))
    return grid
