"""The certificate and the Ehrenamtskarte confirmation for people and places with Arabic and
Ukrainian names: letters in the bundled, embedded font, Arabic joined and right to left; built in
Arabic, the page is mirrored (the views print German for the offices, the builders follow the locale)."""

import unicodedata
from datetime import date, timedelta

import pytest
from flask_babel import force_locale

from tests.helpers import login, post_form
from tests.reports.test_pdf_scripts import (
    ARABIC_NAME,
    ARABIC_NAME_DRAWN,
    ARABIC_PLACE,
    ARABIC_PLACE_DRAWN,
    CYRILLIC_NAME,
    CYRILLIC_PLACE,
    only_bundled_fonts,
    pdf_words,
    placed,
    row_of,
)
from volunteers.engagement.documents import (
    ActivityLine,
    CertificateSheet,
    ConfirmationSheet,
    certificate_pdf,
    confirmation_pdf,
)

DAY = date(2026, 11, 18)
ACTIVITIES = [ActivityLine("Sprachcafé / Begegnung", 150), ActivityLine("Dolmetschen", 90)]
TITLES = {
    "de": ("Nachweis über ehrenamtliches Engagement", "Bestätigung über Art und Umfang der ehrenamtlichen Tätigkeit"),
    "uk": ("Довідка про волонтерську діяльність", "Підтвердження характеру та обсягу волонтерської діяльності"),
    "ar": ("شهادة بالعمل التطوعي", "إفادة بنوع ونطاق العمل التطوعي"),
}
TOTALS = {"de": "Zusammen", "uk": "Разом", "ar": "المجموع"}


def certificate(holder: str = ARABIC_NAME) -> CertificateSheet:
    return CertificateSheet(
        holder_name=holder,
        centre_name="KI Kreis Siegen-Wittgenstein",
        centre_address="Koblenzer Straße 73, 57072 Siegen",
        leads=[CYRILLIC_NAME],
        period_start=DAY - timedelta(days=364),
        period_end=DAY,
        total_minutes=240,
        activities=ACTIVITIES,
        meeting_points=[ARABIC_PLACE, CYRILLIC_PLACE],
        issued_on=DAY,
        code="ABCD-EFGH-JKLM-NPQR",
        verify_url="http://localhost/verify/ABCD-EFGH-JKLM-NPQR",
    )


def confirmation(holder: str = ARABIC_NAME) -> ConfirmationSheet:
    return ConfirmationSheet(
        holder_name=holder,
        centre_name="KI Kreis Siegen-Wittgenstein",
        centre_address="Koblenzer Straße 73, 57072 Siegen",
        leads=[CYRILLIC_NAME],
        first_day=date(2024, 3, 1),
        window_start=DAY - timedelta(days=364),
        window_end=DAY,
        minutes_last_year=240,
        weekly_minutes=5,
        activities=ACTIVITIES,
        meeting_points=[ARABIC_PLACE, CYRILLIC_PLACE],
        issued_on=DAY,
    )


def letters(words: str) -> str:
    """The text with Arabic presentation forms folded back to plain letters (NFKC), to find a
    translated sentence in it; the order was put back by the PDF reader already."""
    return unicodedata.normalize("NFKC", words)


BUILDERS = {"certificate": (certificate, certificate_pdf, 0), "confirmation": (confirmation, confirmation_pdf, 1)}


@pytest.mark.parametrize("document", BUILDERS)
@pytest.mark.parametrize("locale", ["de", "uk", "ar"])
def test_names_and_places_in_both_scripts_print_in_the_embedded_font(app, document, locale):
    sheet, build, title = BUILDERS[document]
    with force_locale(locale):
        body = build(sheet())
    words = pdf_words(body)
    assert ARABIC_NAME_DRAWN in words and ARABIC_PLACE_DRAWN in words
    assert ARABIC_NAME not in words and ARABIC_PLACE not in words  # joined letters, not the bare ones
    assert CYRILLIC_NAME in words and CYRILLIC_PLACE in words
    assert TITLES[locale][title] in letters(words)
    assert only_bundled_fonts(body)


@pytest.mark.parametrize("document", BUILDERS)
@pytest.mark.parametrize(("locale", "is_mirrored"), [("de", False), ("uk", False), ("ar", True)])
def test_in_arabic_the_tables_run_from_the_right(app, document, locale, is_mirrored):
    sheet, build, _title = BUILDERS[document]
    with force_locale(locale):
        body = build(sheet())
    pieces = placed(body)
    for label, hours in (("Dolmetschen", "1:30"), (TOTALS[locale], "4:00")):
        label_x, line = next((x, at) for x, at, piece in pieces if letters(piece) == label)
        hours_x = next(x for x, at, piece in pieces if at == line and hours in piece)
        assert (label_x > hours_x) is is_mirrored


def test_an_arabic_paragraph_is_aligned_right(app):
    with force_locale("ar"):
        arabic = certificate_pdf(certificate())
    with force_locale("de"):
        german = certificate_pdf(certificate())
    # The place names' line: at the left margin (20 mm and the frame's 6 pt) in German, further
    # right in Arabic, where it ends at the right margin.
    assert row_of(german, CYRILLIC_PLACE)[0][0] == pytest.approx(20 / 25.4 * 72 + 6, abs=0.5)
    assert row_of(arabic, CYRILLIC_PLACE)[0][0] > 150


# --- through the pages -------------------------------------------------------------------------


@pytest.fixture
def sara(world, make_user, make_meeting_point):
    """A volunteer with an Arabic name and hours at a meeting point with an Arabic name."""
    volunteer = make_user("volunteer", world.centre, name=ARABIC_NAME, email="sara@example.org")
    place = make_meeting_point(world.centre, name=ARABIC_PLACE)
    world.hours(volunteer, 3, 120, activity="sprachcafe", meeting_point=place)
    world.hours(volunteer, 5, 60, activity="dolmetschen", meeting_point=world.place)
    return volunteer


@pytest.mark.parametrize("locale", ["uk", "ar"])
def test_the_downloaded_certificate_prints_the_arabic_name_and_place(world, sara, client, locale):
    login(client, sara)
    client.set_cookie("locale", locale)
    start = world.today - timedelta(days=364)
    response = post_form(client, "/engagement/certificates", {"start": start.isoformat(), "end": world.today})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    words = pdf_words(response.data)
    assert "Nachweis über ehrenamtliches Engagement" in words  # German for the office, whatever the page's language
    assert ARABIC_NAME_DRAWN in words and ARABIC_PLACE_DRAWN in words and "Treffpunkt Kreishaus" in words
    assert only_bundled_fonts(response.data)


@pytest.mark.parametrize("locale", ["uk", "ar"])
def test_the_confirmation_prints_the_arabic_name_and_place(world, sara, client, locale):
    login(client, world.coordinator)
    client.set_cookie("locale", locale)
    response = client.get(f"/centres/{world.centre.slug}/ehrenamtskarte/{sara.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    words = pdf_words(response.data)
    assert "Bestätigung über Art und Umfang der ehrenamtlichen Tätigkeit" in words
    assert ARABIC_NAME_DRAWN in words and ARABIC_PLACE_DRAWN in words and "3:00 Std." in words
    assert only_bundled_fonts(response.data)
