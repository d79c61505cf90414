"""A series in words, never as an RRULE: in German, English, Arabic and Ukrainian, with Babel's
dates, weekdays and times, counted texts by plural rule, and an honest fallback."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from tests.helpers import clock_frozen_at, post_form
from volunteers.core import time
from volunteers.extensions import db
from volunteers.shifts.models import Shift, ShiftSeries
from volunteers.shifts.planning import ShiftValues
from volunteers.shifts.series import create_series
from volunteers.shifts.words import describe_series, parse_rule

NOW = time.berlin_local(datetime(2026, 10, 1, 9, 0))
frozen_clock = clock_frozen_at(NOW)

NNBSP, THIN = "\u202f", "\u2009"  # CLDR's spaces around "PM" and the en dash of a time range


def series(rule: str, first: datetime, minutes: int) -> ShiftSeries:
    return ShiftSeries(rrule=rule, first_start_local=first, duration_minutes=minutes)


TUESDAYS = series("FREQ=WEEKLY;BYDAY=TU;UNTIL=20270126T235959", datetime(2026, 12, 1, 16), 120)
EVERY_SECOND_SATURDAY = series("FREQ=WEEKLY;INTERVAL=2;BYDAY=SA;COUNT=4", datetime(2026, 12, 5, 10), 180)
FIRST_TUESDAY = series("FREQ=MONTHLY;BYDAY=1TU;UNTIL=20270601T235959", datetime(2026, 12, 1, 9, 30), 90)

EXPECTED = {
    "de": [
        "jeden Dienstag, 16–18 Uhr, vom 1. Dezember 2026 bis 26. Januar 2027",
        "jeden zweiten Samstag, 10–13 Uhr, 4 Termine ab 5. Dezember 2026",
        "jeden ersten Dienstag im Monat, 09:30–11:00 Uhr, vom 1. Dezember 2026 bis 1. Juni 2027",
    ],
    "en": [
        f"every Tuesday, 4{THIN}–{THIN}6{NNBSP}PM, from December 1, 2026 to January 26, 2027",
        f"every other Saturday, 10{NNBSP}AM{THIN}–{THIN}1{NNBSP}PM, 4 dates from December 5, 2026",
        f"the first Tuesday of every month, 9:30{THIN}–{THIN}11:00{NNBSP}AM, from December 1, 2026 to June 1, 2027",
    ],
    "ar": [
        f"كل أسبوع (الثلاثاء)، 4–6{NNBSP}م، من 1 ديسمبر 2026 إلى 26 يناير 2027",
        f"كل أسبوعين (السبت)، 10{NNBSP}ص{THIN}–{THIN}1{NNBSP}م، 4 مواعيد ابتداءً من 5 ديسمبر 2026",
        "يوم الثلاثاء الأول من كل شهر، 9:30–11:00 ص، من 1 ديسمبر 2026 إلى 1 يونيو 2027",
    ],
    "uk": [
        f"щотижня (вівторок), 16–18, з 1 грудня 2026{NNBSP}р. до 26 січня 2027{NNBSP}р.",
        f"кожні два тижні (субота), 10–13, 4 дати з 5 грудня 2026{NNBSP}р.",
        "щомісяця, перший у місяці день тижня «вівторок», 09:30–11:00, "
        f"з 1 грудня 2026{NNBSP}р. до 1 червня 2027{NNBSP}р.",
    ],
}


@pytest.mark.parametrize("locale", EXPECTED)
def test_the_series_the_form_makes_read_as_words_in_each_language(app, locale):
    described = [describe_series(s, locale) for s in (TUESDAYS, EVERY_SECOND_SATURDAY, FIRST_TUESDAY)]
    assert described == EXPECTED[locale]


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("de", "jeden Montag und Mittwoch, bis 19. Dezember 2026"),
        ("en", "every Monday and Wednesday, until December 19, 2026"),
        ("ar", "كل أسبوع (الاثنين والأربعاء)، حتى 19 ديسمبر 2026"),
        ("uk", f"щотижня (понеділок і середа), до 19 грудня 2026{NNBSP}р."),
    ],
)
def test_a_rule_alone_names_its_weekdays_and_its_end(app, locale, words):
    assert describe_series("FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20261219", locale) == words


@pytest.mark.parametrize(
    ("locale", "count", "words"),
    [
        ("de", 1, "jeden Tag, 1 Termin"),
        ("de", 21, "jeden Tag, 21 Termine"),
        ("en", 1, "every day, 1 date"),
        ("ar", 2, "كل يوم، موعدان"),
        ("ar", 3, "كل يوم، 3 مواعيد"),
        ("ar", 21, "كل يوم، 21 موعدًا"),
        ("ar", 100, "كل يوم، 100 موعد"),
        ("uk", 21, "щодня, 21 дата"),
        ("uk", 22, "щодня, 22 дати"),
        ("uk", 25, "щодня, 25 дат"),
    ],
)
def test_counts_follow_each_languages_plural_rules(app, locale, count, words):
    assert describe_series(f"FREQ=DAILY;COUNT={count}", locale) == words


@pytest.mark.parametrize(
    ("rule", "locale", "words"),
    [
        ("FREQ=DAILY;INTERVAL=3;UNTIL=20261231", "de", "alle 3 Tage, bis 31. Dezember 2026"),
        ("FREQ=WEEKLY;INTERVAL=3;BYDAY=FR;COUNT=2", "de", "alle 3 Wochen: Freitag, 2 Termine"),
        ("FREQ=WEEKLY;INTERVAL=3;BYDAY=FR;COUNT=2", "uk", "кожні 3 тижні (пʼятниця), 2 дати"),
        ("FREQ=MONTHLY;BYDAY=-1FR;COUNT=3", "de", "jeden letzten Freitag im Monat, 3 Termine"),
        ("FREQ=MONTHLY;BYDAY=-1FR;COUNT=3", "en", "the last Friday of every month, 3 dates"),
    ],
)
def test_intervals_and_the_last_weekday_of_a_month(app, rule, locale, words):
    assert describe_series(rule, locale) == words


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY;BYMONTH=3;UNTIL=20271231",
        "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=3",
        "FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=1;COUNT=3",
        "FREQ=WEEKLY;BYDAY=XX;COUNT=3",
        "kein Regeltext",
        "",
    ],
)
def test_a_rule_the_words_cannot_say_is_called_a_custom_rule_never_shown_raw(app, rule):
    for locale in ("de", "en", "ar", "uk"):
        words = describe_series(rule, locale)
        assert "FREQ" not in words and "BY" not in words and "=" not in words
    assert describe_series(rule, "de").startswith("eigene Wiederholungsregel")
    assert parse_rule(rule) is None


def test_a_custom_rule_still_tells_its_end(app):
    assert (
        describe_series("FREQ=YEARLY;BYMONTH=3;UNTIL=20271231", "en")
        == "custom recurrence rule, until December 31, 2027"
    )


@pytest.fixture
def point(make_centre, make_meeting_point):
    return make_meeting_point(make_centre())


def test_a_weekly_series_across_the_dst_change_keeps_16_to_18_in_its_words_and_shifts(point):
    created = create_series(
        centre=point.centre,
        values=ShiftValues(meeting_point=point, activity="sprachcafe", capacity_min=1, capacity_max=2),
        first_start_local=datetime(2026, 10, 20, 16, 0),
        duration_minutes=120,
        rule="FREQ=WEEKLY;BYDAY=TU;COUNT=3",
    )
    db.session.commit()
    assert describe_series(created, "de") == "jeden Dienstag, 16–18 Uhr, vom 20. Oktober 2026 bis 3. November 2026"
    shifts = db.session.scalars(sa.select(Shift).where(Shift.series_id == created.id).order_by(Shift.starts_at))
    assert [time.to_berlin(s.starts_at).strftime("%d.%m. %H:%M") for s in shifts] == [
        "20.10. 16:00",
        "27.10. 16:00",  # winter time since 25 October
        "03.11. 16:00",
    ]


def _form(point, rule):
    return {
        "meeting_point": point.slug,
        "activity": "sprachcafe",
        "first_day": "2026-10-06",
        "start_time": "16:00",
        "end_time": "18:00",
        "capacity_min": "1",
        "capacity_max": "2",
        "frequency": "weekly",
        "rrule": rule,
    }


@pytest.mark.parametrize("rule", ["kein Regeltext", "FREQ=WEEKLY;BYDAY=XX;COUNT=3", "FREQ=WEEKLY;INTERVAL=x;COUNT=3"])
def test_an_invalid_rule_gets_a_german_form_error_and_stores_nothing(client, login, point, rule):
    login("coordinator", point.centre)
    response = post_form(client, f"/centres/{point.centre.slug}/series/new", _form(point, rule))
    assert response.status_code == 422
    assert "Die Wiederholungsregel ist ungültig." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ShiftSeries)) == 0


def test_the_series_page_says_the_rule_in_words(client, login, point):
    login("coordinator", point.centre)
    response = post_form(
        client, f"/centres/{point.centre.slug}/series/new", _form(point, "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA;COUNT=3")
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "jeden zweiten Samstag, 16–18 Uhr, vom 10. Oktober 2026 bis 7. November 2026" in page
    assert "FREQ=" not in page and "<code>" not in page
