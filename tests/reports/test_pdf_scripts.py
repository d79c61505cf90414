"""PDFs in the scripts of the app's languages: Cyrillic and Arabic names print as letters in the
bundled, embedded DejaVu Sans; Arabic joined and in right-to-left order; an Arabic report mirrored.
The helpers here read PDFs back for tests/engagement/test_pdf_scripts.py as well."""

import io
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale
from pypdf import PdfReader

from tests.helpers import clock_frozen_at
from volunteers.core.pdf_text import FONT, FONT_BOLD, FONT_FOLDER, paragraph, pdf_text, register_fonts
from volunteers.extensions import db
from volunteers.hours.services import HoursInput, approve, log_hours
from volunteers.reports.charts import bar_chart, share_line
from volunteers.reports.pdf_export import to_pdf
from volunteers.reports.tables import HOURS, TEXT, Column, Table

# Names that reportlab's own fonts cannot print. Arabic as pypdf extracts it: in the joined
# (presentation) forms it is drawn in, in logical order (pypdf puts right-to-left runs back in
# reading order). Written out by hand so that the tests do not use the code they check.
ARABIC_NAME = "سارة الأحمد"
ARABIC_NAME_DRAWN = "\ufeb3\ufe8e\ufead\ufe93 \ufe8d\ufef7\ufea3\ufee4\ufeaa"
ARABIC_PLACE = "ملتقى الوصول"
ARABIC_PLACE_DRAWN = "\ufee3\ufee0\ufe98\ufed8\ufef0 \ufe8d\ufedf\ufeee\ufebb\ufeee\ufedd"
CYRILLIC_NAME = "Олена Коваль"
CYRILLIC_PLACE = "Точка зустрічі «Їжак»"
LOCALES = ["de", "uk", "ar"]
TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
BERLIN = ZoneInfo("Europe/Berlin")
OCTOBER = "from=2026-10-01&to=2026-10-31"
SVG = "{http://www.w3.org/2000/svg}"

frozen_clock = clock_frozen_at(datetime(2026, 11, 20, 18, 0, tzinfo=BERLIN))


# --- reading PDFs back --------------------------------------------------------------------------


def pdf_words(body: bytes) -> str:
    """All pages' text as one line of words (the PDF wraps wherever the page ends)."""
    pages = PdfReader(io.BytesIO(body)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).replace("\u00a0", " ").split())


def placed(body: bytes) -> list[tuple[float, tuple[int, float], str]]:
    """(x, (page, y), text) of each piece of text, in the order drawn: on one line, left to right.
    x and y are where the piece's line starts, from the page's lower left corner."""
    pieces = []
    for number, page in enumerate(PdfReader(io.BytesIO(body)).pages):

        def visit(text, cm, tm, _font, _size, number=number):
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                pieces.append((x, (number, round(y, 1)), text.strip()))

        page.extract_text(visitor_text=visit)
    return pieces


def row_of(body: bytes, fragment: str) -> list[tuple[float, str]]:
    """The pieces of text on the line (or table row) that holds `fragment`: (x, text)."""
    pieces = placed(body)
    line = next(at for _x, at, piece in pieces if fragment in piece)
    return [(x, piece) for x, at, piece in pieces if at == line]


def font_files(body: bytes) -> dict[str, bool]:
    """The pages' fonts by base name, and whether each is embedded (its descriptor holds a font file)."""
    found = {}
    for page in PdfReader(io.BytesIO(body)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/FontDescriptor"].get_object() if "/FontDescriptor" in font else {}
            found[str(font["/BaseFont"])] = any(key in descriptor for key in ("/FontFile", "/FontFile2"))
    return found


def only_bundled_fonts(body: bytes) -> bool:
    fonts = font_files(body)
    # Subset names look like AAAAAA+DejaVuSans-Bold: the bundled files, embedded, and nothing else.
    return bool(fonts) and all(re.fullmatch(r"/[A-Z]{6}\+DejaVuSans(-Bold)?", n) and e for n, e in fonts.items())


# --- the report, downloaded -----------------------------------------------------------------------


@pytest.fixture
def places(make_centre, make_meeting_point, make_user):
    """A centre whose two meeting points have an Arabic and a Ukrainian name, with approved hours."""
    centre = make_centre("duesseldorf", name="KI Düsseldorf")
    arabic = make_meeting_point(centre, name=ARABIC_PLACE)
    cyrillic = make_meeting_point(centre, name=CYRILLIC_PLACE)
    coordinator = make_user("coordinator", centre)
    for place, name, minutes in ((arabic, ARABIC_NAME, 150), (cyrillic, CYRILLIC_NAME, 90)):
        volunteer = make_user("volunteer", centre, name=name)
        values = HoursInput(work_date=date(2026, 10, 5), minutes=minutes, activity="sprachcafe", meeting_point=place)
        entry, _new = log_hours(centre=centre, person=volunteer, values=values)
        approve(entry=entry, by=coordinator)
    db.session.commit()
    return coordinator


def report_pdf(client, login, coordinator, locale: str) -> bytes:
    login(user=coordinator)
    client.set_cookie("locale", locale)
    response = client.get(f"/reports/centre/duesseldorf?{OCTOBER}&format=pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return response.data


@pytest.mark.parametrize("locale", LOCALES)
def test_the_report_prints_arabic_and_ukrainian_place_names_in_the_embedded_font(client, login, places, locale):
    body = report_pdf(client, login, places, locale)
    words = pdf_words(body)
    assert CYRILLIC_PLACE in words
    assert ARABIC_PLACE_DRAWN in words and ARABIC_PLACE not in words  # joined letters, not the bare ones
    assert "2,50" in words and "1,50" in words  # the places' hours beside them
    assert only_bundled_fonts(body)


@pytest.mark.parametrize(("locale", "name_is_right_of_hours"), [("de", False), ("uk", False), ("ar", True)])
def test_an_arabic_report_lays_its_tables_out_from_the_right(client, login, places, locale, name_is_right_of_hours):
    body = report_pdf(client, login, places, locale)
    row = row_of(body, "Їжак")
    name_x = next(x for x, piece in row if "Їжак" in piece)
    hours_x = next(x for x, piece in row if piece == "1,50")
    assert (name_x > hours_x) is name_is_right_of_hours


# --- the builder ---------------------------------------------------------------------------------

HEADER = [("Bericht", f"{ARABIC_NAME} 12 KI Düsseldorf"), ("Zeitraum", "2026-10-01 – 2026-10-31")]


def places_table() -> Table:
    columns = [Column("Treffpunkt", TEXT), Column("Stunden", HOURS)]
    rows = [[ARABIC_PLACE, Decimal("2.5")], [CYRILLIC_PLACE, Decimal("1.5")]]
    return Table.of_values("meeting_point", "Nach Treffpunkt", columns, rows)


@pytest.mark.parametrize("locale", LOCALES)
def test_mixed_text_comes_out_in_reading_order(app, locale):
    with force_locale(locale):
        body = to_pdf(HEADER, [places_table()], {})
    line = " ".join(piece for _x, piece in row_of(body, "KI Düsseldorf"))
    drawn = sorted(("KI Düsseldorf", "12", ARABIC_NAME_DRAWN), key=line.index)  # left to right on the page
    # Right to left, the line starts with the name on the right and ends with the Latin on the left.
    # Left to right, the Arabic name and the number after it are one right-to-left run (Unicode bidi
    # rule W2: digits after Arabic letters are Arabic numbers), as a browser shows them too.
    expected = (
        ["KI Düsseldorf", "12", ARABIC_NAME_DRAWN] if locale == "ar" else ["12", ARABIC_NAME_DRAWN, "KI Düsseldorf"]
    )
    assert drawn == expected


def test_an_arabic_paragraph_wraps_with_its_first_words_on_the_first_line(app):
    register_fonts()
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import SimpleDocTemplate

    words = [ARABIC_NAME] + [f"{ARABIC_PLACE} {n}" for n in range(1, 25)]
    out = io.BytesIO()
    style = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13)
    SimpleDocTemplate(out).build([paragraph(" ".join(words), style, rtl=True)])
    lines = {}
    for x, (_page, y), piece in placed(out.getvalue()):
        lines.setdefault(y, []).append((x, piece))
    assert len(lines) > 2
    first, *_middle, last = [lines[y] for y in sorted(lines, reverse=True)]
    assert ARABIC_NAME_DRAWN in " ".join(piece for _x, piece in first)
    assert "24" in " ".join(piece for _x, piece in last)
    # Right-aligned: the shorter last line starts further right than the full first line.
    assert min(x for x, _p in last) > min(x for x, _p in first)


@pytest.mark.database("sqlite")  # no database: the app for its locale only
@pytest.mark.parametrize(("locale", "mirrored"), [("de", False), ("uk", False), ("ar", True)])
def test_charts_are_mirrored_in_arabic_on_the_page_and_in_the_pdf(app, locale, mirrored):
    rows = [("Monat A", Decimal("12.5")), ("Monat B", Decimal("1"))]
    with force_locale(locale):
        bars = bar_chart("chart-month", rows, title="Stunden", unit="h")
        line = share_line("chart-share", [("2026-10", 0.5), ("2026-11", 0.7)], title="Anteil", reference=0.59,
                          reference_label="Programm")  # fmt: skip
        body = to_pdf(HEADER, [places_table()], {"month": bars})
    # The page's SVG: label, bar and value of the first row; the months of the line.
    svg = ElementTree.fromstring(str(bars))
    label, bar, value = (svg.find(f"{SVG}{tag}") for tag in ("text", "rect", "text[2]"))
    bar_left, bar_right = float(bar.get("x")), float(bar.get("x")) + float(bar.get("width"))
    if mirrored:
        assert float(value.get("x")) < bar_left < bar_right < float(label.get("x"))
        assert (label.get("text-anchor"), value.get("text-anchor")) == ("start", "end")
    else:
        assert float(label.get("x")) < bar_left < bar_right < float(value.get("x"))
    first, second = (float(p.split(",")[0]) for p in ElementTree.fromstring(str(line)).find(f"{SVG}polyline")
                     .get("points").split())  # fmt: skip
    assert (first > second) is mirrored  # October right of November in Arabic
    # The PDF, drawn from the same SVG: the label right of its value in Arabic.
    row = dict((piece, x) for x, piece in row_of(body, "Monat A"))
    value_x = next(x for piece, x in row.items() if piece.endswith("h"))
    assert (row["Monat A"] > value_x) is mirrored


def test_text_without_right_to_left_letters_is_left_as_it_is_in_a_left_to_right_document():
    assert pdf_text("Олена Коваль – 1.234,50 €", rtl=False) == "Олена Коваль – 1.234,50 €"
    assert pdf_text(ARABIC_NAME, rtl=False) == ARABIC_NAME_DRAWN[::-1]


# --- glyphs ---------------------------------------------------------------------------------------


def pdf_strings(locale: str) -> list[str]:
    """The translations of every msgid that Python code uses: report titles, columns, activity
    names, the certificate's sentences (templates are pages, not PDFs)."""
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as file:
        catalog = read_po(file)
    strings = []
    for message in catalog:
        if message.id and any(path.startswith("volunteers/") for path, _line in message.locations):
            strings += [message.id] if isinstance(message.id, str) else list(message.id)
            strings += [message.string] if isinstance(message.string, str) else list(message.string)
    return [s for s in strings if s]


@pytest.mark.parametrize("locale", ["ar", "uk"])
@pytest.mark.parametrize("font", [FONT, FONT_BOLD])
def test_the_bundled_font_has_a_glyph_for_every_character_of_the_translations(locale, font):
    from reportlab.pdfbase import pdfmetrics

    register_fonts()
    glyphs = pdfmetrics.getFont(font).face.charToGlyph
    strings = pdf_strings(locale)
    assert len(strings) > 500 and ("النشاط" in strings or "Години" in strings)
    drawn = {char for s in strings for char in pdf_text(s, rtl=locale == "ar")}
    assert {char for char in drawn if ord(char) not in glyphs and char not in "\n\t"} == set()


def test_the_fonts_are_bundled_with_their_licence():
    assert FONT_FOLDER.is_relative_to(Path(__file__).resolve().parents[2] / "volunteers")
    assert {p.name for p in FONT_FOLDER.iterdir()} >= {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE"}
    assert "Bitstream Vera" in (FONT_FOLDER / "LICENSE").read_text()
