"""Text for every PDF the app makes: the bundled DejaVu Sans, and strings as reportlab must draw them.

DejaVu Sans (volunteers/fonts/, with its licence) has Latin, Cyrillic and Arabic letters, so
Олена Коваль and سارة الأحمد print as letters on any machine, with or without system fonts.
reportlab draws characters one after the other, left to right, as they come: it neither joins
Arabic letters nor reorders right-to-left text (its own RTL support needs rlbidi and uharfbuzz).
So every string passes through pdf_text(): arabic-reshaper turns Arabic letters into their joined
presentation forms, python-bidi puts the line into visual order (Unicode bidi algorithm), with the
document's base direction. A paragraph is broken into lines in logical order first and each line
reordered on its own, else the end of an Arabic sentence would print on its first line."""

import re
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape  # nosec B406: escaping, not parsing

import arabic_reshaper
from bidi import get_display
from flask_babel import get_locale
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import cleanBlockQuotedText

from .i18n import RTL_LOCALES

FONT, FONT_BOLD = "TreffpunktSans", "TreffpunktSans-Bold"
FONT_FOLDER = Path(__file__).resolve().parent.parent / "fonts"
FONT_FILES = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}
# Hebrew, Arabic, Syriac, Thaana, NKo, … and the Arabic presentation forms: text that needs the bidi pass.
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_LETTER = re.compile(r"[^\W\d_]")
# Marks and embeddings steer the bidi pass (Babel's Arabic dates carry them); once the line is in
# visual order they have done their work, and not every one has a glyph.
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_MIRRORED = {TA_LEFT: TA_RIGHT, TA_RIGHT: TA_LEFT}
# reportlab breaks a line that is wider than the frame; measured widths may differ in the last bit.
_SLACK = 0.5


@cache
def register_fonts() -> None:
    """Register the bundled fonts with reportlab, once per process (reading a TTF takes a while)."""
    for name, file in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_FOLDER / file)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


def is_rtl() -> bool:
    """Whether the current locale writes right to left (the PDF is then laid out mirrored)."""
    locale = get_locale()
    return locale is not None and locale.language in RTL_LOCALES


def pdf_language() -> str:
    """The document's language for its metadata (screen readers): de-DE unless built in another locale."""
    locale = get_locale()
    return "de-DE" if locale is None or locale.language == "de" else locale.language


def pdf_text(text: str, *, rtl: bool | None = None) -> str:
    """One line as reportlab must draw it: Arabic joined and the line in visual order, in a
    right-to-left document (rtl, by default the current locale's) or a left-to-right one. Text
    with letters but none written right to left (a German name) stays as it is, as in a browser's
    dir="auto" cell: in an Arabic document, too, "Treffpunkt (Nord)" keeps its brackets in place."""
    rtl = is_rtl() if rtl is None else rtl
    if not _needs_reordering(text, rtl):
        return _BIDI_CONTROLS.sub("", text)
    return _BIDI_CONTROLS.sub("", get_display(arabic_reshaper.reshape(text), base_dir="R" if rtl else "L"))


def _needs_reordering(text: str, rtl: bool) -> bool:
    if _RIGHT_TO_LEFT.search(text):
        return True
    return rtl and not _LETTER.search(text)  # numbers and signs take the document's direction: "% 12,5"


def isolated(value: str) -> str:
    """A name or other value put into a sentence, isolated for the bidi pass (as HTML's <bdi>): a
    Ukrainian place name in an Arabic sentence keeps its own order, brackets and quotes."""
    return f"\u2068{value}\u2069"


def mirrored(style: ParagraphStyle, rtl: bool) -> ParagraphStyle:
    """The style with left and right alignment swapped in a right-to-left document."""
    if not rtl or style.alignment not in _MIRRORED:
        return style
    return ParagraphStyle(f"{style.name}-rtl", style, alignment=_MIRRORED[style.alignment])


def in_reading_order(cells: list, rtl: bool) -> list:
    """A table row's cells from the first column on the reader's side: reversed right to left."""
    return cells[::-1] if rtl else cells


def paragraph(text: str, style: ParagraphStyle, *, rtl: bool | None = None) -> Paragraph:
    """The text (plain, not markup) as a paragraph; see pdf_text()."""
    rtl = is_rtl() if rtl is None else rtl
    if not (rtl or _RIGHT_TO_LEFT.search(text)):
        return Paragraph(escape(_BIDI_CONTROLS.sub("", text)), style)
    return BidiParagraph(text, mirrored(style, rtl), rtl=rtl)


def _lines(text: str, style: ParagraphStyle, width: float, rtl: bool) -> list[str]:
    """The text broken between words into lines that fit the width, in logical order."""
    lines: list[str] = []
    for words in (line.split() for line in text.splitlines() or [""]):
        current = ""
        for word in words:
            candidate = f"{current} {word}" if current else word
            measured = pdfmetrics.stringWidth(pdf_text(candidate, rtl=rtl), style.fontName, style.fontSize)
            if current and measured > width - _SLACK:
                lines.append(current)
                candidate = word
            current = candidate
        lines.append(current)
    return lines


class BidiParagraph(Paragraph):
    """A paragraph whose lines are each put in visual order once the width is known."""

    def __init__(self, text, style=None, bulletText=None, frags=None, *args, rtl: bool = False, **kwargs):
        # split() makes the two halves with frags of lines already in visual order: plain paragraphs.
        self._logical = None if frags is not None else text
        self._rtl, self._lines_for = rtl, None
        if self._logical is not None:
            text = escape(pdf_text(text, rtl=rtl))
        super().__init__(text, style, bulletText, frags, *args, **kwargs)

    def wrap(self, availWidth, availHeight):
        width = availWidth - self.style.leftIndent - self.style.rightIndent
        if self._logical is not None and width != self._lines_for:
            lines = _lines(self._logical, self.style, width, self._rtl)
            markup = "<br/>".join(escape(pdf_text(line, rtl=self._rtl)) for line in lines)
            self._setup(markup, self.style, self.bulletText, None, cleanBlockQuotedText)
            self._lines_for = width
        return super().wrap(availWidth, availHeight)
