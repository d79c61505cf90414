"""The shift pages resolve their reader's language once per request and keep labels, dates and
texts per locale (core.templating.reading): force_locale, which mails and pushes in another
language use inside a request, must still get its own language, and the page's afterwards."""

from datetime import datetime

from flask_babel import force_locale

from volunteers.activities.services import activity_name
from volunteers.centres.languages import language_choices, language_name
from volunteers.core import time
from volunteers.core.templating import format_datetime, format_day, format_time, list_comma
from volunteers.reports.formatting import format_cell
from volunteers.reports.tables import EUR
from volunteers.shifts.cards import card_links, card_texts

# A winter evening: the Berlin wall clock is an hour ahead of UTC.
INSTANT = time.berlin_local(datetime(2027, 1, 12, 18, 30))


def shown():
    return {
        "day": format_day(INSTANT),
        "datetime": format_datetime(INSTANT, "short"),
        "time": format_time(INSTANT),
        "language": language_name("uk"),
        "activity": activity_name(0, "sprachcafe"),
        "cannot": str(card_texts()["cannot"]),
        "status": str(card_texts()["status"]["waitlisted"]),
        "comma": list_comma(),
        "euros": format_cell(1234.5, EUR),
    }


def test_force_locale_inside_a_request_gets_its_language_and_the_page_keeps_its_own(app):
    with app.test_request_context("/shifts", headers={"Accept-Language": "de"}):
        german = shown()
        with force_locale("en"):
            english = shown()
        with force_locale("ar"):
            arabic = shown()
        again = shown()
    assert german == {
        "day": "Di., 12. Januar",
        "datetime": "12.01.27, 18:30",
        "time": "18:30",
        "language": "Ukrainisch",
        "activity": "Sprachcafé / Begegnung",
        "cannot": "Ich kann nicht",
        "status": "Warteliste",
        "comma": ", ",
        "euros": "1.234,50\xa0€",
    }
    assert english["day"] == "Tue, Jan 12" and english["language"] == "Ukrainian"
    assert english["time"] == "6:30\u202fPM" and english["cannot"] != german["cannot"]
    assert english["euros"] == "€1,234.50"
    assert arabic["comma"] == "، " and arabic["language"] not in (german["language"], english["language"])
    assert again == german


def test_a_request_in_another_language_does_not_take_over_the_kept_labels(app):
    # Each request its own app context, as in production (the fixture's own one would share `g`).
    with app.app_context(), app.test_request_context("/shifts", headers={"Accept-Language": "en"}):
        english = dict(language_choices())
    with app.app_context(), app.test_request_context("/shifts", headers={"Accept-Language": "de"}):
        german = dict(language_choices())
    assert english["ar"] == "Arabic" and german["ar"] == "Arabisch"


def test_the_cards_links_are_the_routes_with_the_id_put_in(app):
    with app.test_request_context("/shifts"):
        links = card_links()
        assert links.sign_up.format(42) == "/shifts/42/signup"
        assert links.cancel.format(42) == "/shifts/42/cancel"
        assert links.withdraw_handover.format(7) == "/handovers/7/withdraw"
        assert links.csrf and card_links() is links  # one token and one set of links per request
