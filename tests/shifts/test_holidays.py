"""Public holidays of NRW: named in the reader's language, shown in the week plan, and left out of
series that ask for it."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from tests.helpers import clock_frozen_at, post_form
from volunteers.core import time
from volunteers.extensions import db
from volunteers.shifts.holidays import public_holidays
from volunteers.shifts.models import Shift, ShiftSeries
from volunteers.shifts.planning import ShiftValues
from volunteers.shifts.series import create_series

NOW = time.berlin_local(datetime(2026, 11, 18, 10, 0))
frozen_clock = clock_frozen_at(NOW)

CHRISTMAS_AND_NEW_YEAR = {
    "de": ["Erster Weihnachtstag", "Zweiter Weihnachtstag", "Neujahr"],
    "en": ["Christmas Day", "Second Day of Christmas", "New Year's Day"],
    "ar": ["عيد الميلاد (اليوم الأول)", "عيد الميلاد (اليوم الثاني)", "رأس السنة الميلادية"],
    "uk": ["Перший день Різдва", "Другий день Різдва", "Новий рік"],
}


@pytest.mark.parametrize("locale", CHRISTMAS_AND_NEW_YEAR)
def test_christmas_and_new_year_are_named_in_each_language(app, locale):
    found = public_holidays(date(2026, 12, 20), date(2027, 1, 3), locale)
    assert list(found) == [date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1)]
    assert list(found.values()) == CHRISTMAS_AND_NEW_YEAR[locale]


def test_the_nrw_holidays_of_2026_include_corpus_christi_but_not_reformation_day(app):
    found = public_holidays(date(2026, 1, 1), date(2026, 12, 31), "de")
    assert len(found) == 11
    assert found[date(2026, 6, 4)] == "Fronleichnam"  # NRW, not Berlin
    assert found[date(2026, 11, 1)] == "Allerheiligen"
    assert date(2026, 10, 31) not in found  # Reformationstag is a holiday in the north, not in NRW


def test_every_nrw_holiday_has_an_arabic_name_of_its_own(app):
    found = public_holidays(date(2026, 1, 1), date(2027, 12, 31), "ar")
    english = public_holidays(date(2026, 1, 1), date(2027, 12, 31), "en")
    assert len(found) == 22
    assert all(found[day] != english[day] for day in found)


def test_an_empty_or_reversed_range_has_no_holidays(app):
    assert public_holidays(date(2026, 12, 27), date(2026, 12, 31), "de") == {}
    assert public_holidays(date(2026, 12, 26), date(2026, 12, 25), "de") == {}


@pytest.fixture
def centre_and_point(make_centre, make_meeting_point):
    centre = make_centre()
    return centre, make_meeting_point(centre)


@pytest.mark.parametrize(
    ("locale", "name"),
    [("de", "Erster Weihnachtstag"), ("en", "Christmas Day"), ("ar", "عيد الميلاد (اليوم الأول)")],
)
def test_the_week_plan_marks_the_holiday_on_its_day_heading(client, login, centre_and_point, locale, name):
    centre, _point = centre_and_point
    coordinator = login("coordinator", centre)
    coordinator.locale = locale
    db.session.commit()
    page = client.get(f"/centres/{centre.slug}/plan?week=2026-12-21").get_data(as_text=True)
    heading = page.split('id="day-2026-12-25"', 1)[1].split("</h2>", 1)[0]
    assert f"</span>{name}</span>" in heading
    assert 'class="badge badge-holiday"' in heading
    monday = page.split('id="day-2026-12-21"', 1)[1].split("</h2>", 1)[0]
    assert "badge-holiday" not in monday


def test_a_week_without_holidays_has_no_badge(client, login, centre_and_point):
    centre, _point = centre_and_point
    login("coordinator", centre)
    page = client.get(f"/centres/{centre.slug}/plan?week=2026-11-23").get_data(as_text=True)
    assert "badge-holiday" not in page


def _friday_and_saturday_series(point, *, skip: bool) -> ShiftSeries:
    series = create_series(
        centre=point.centre,
        values=ShiftValues(meeting_point=point, activity="sprachcafe", capacity_min=1, capacity_max=3),
        first_start_local=datetime(2026, 12, 18, 16, 0),
        duration_minutes=120,
        rule="FREQ=WEEKLY;BYDAY=FR,SA;UNTIL=20270109",
        publish=True,
        skip_public_holidays=skip,
    )
    db.session.commit()
    return series


def _dates_of(series) -> list[date]:
    return list(db.session.scalars(sa.select(Shift.occurrence_date).where(Shift.series_id == series.id)))


def test_a_series_that_skips_holidays_has_no_shift_on_christmas_or_new_year(centre_and_point):
    _centre, point = centre_and_point
    series = _friday_and_saturday_series(point, skip=True)
    assert sorted(_dates_of(series)) == [
        date(2026, 12, 18),
        date(2026, 12, 19),
        date(2027, 1, 2),
        date(2027, 1, 8),
        date(2027, 1, 9),
    ]


def test_a_series_that_keeps_holidays_has_shifts_on_them(centre_and_point):
    _centre, point = centre_and_point
    dates = _dates_of(_friday_and_saturday_series(point, skip=False))
    assert {date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1)} <= set(dates)
    assert len(dates) == 8


def _series_form(point, **extra):
    return {
        "meeting_point": point.slug,
        "activity": "sprachcafe",
        "first_day": "2026-12-18",
        "start_time": "16:00",
        "end_time": "18:00",
        "capacity_min": "1",
        "capacity_max": "2",
        "frequency": "weekly",
        "weekdays": ["FR", "SA"],
        "until": "2027-01-09",
        **extra,
    }


def test_the_series_form_lists_the_holidays_it_would_skip_and_creates_nothing(client, login, centre_and_point):
    centre, point = centre_and_point
    login("coordinator", centre)
    response = post_form(
        client, f"/centres/{centre.slug}/series/new", _series_form(point, skip_public_holidays="y", preview="1")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    holidays = page.split('id="series-holidays-title"', 1)[1].split("</section>", 1)[0]
    assert holidays.count("keine Schicht") == 3
    assert "Die Serie: jeden Freitag und Samstag, 16–18 Uhr, vom 18. Dezember 2026 bis 9. Januar 2027" in holidays
    for name in ("Erster Weihnachtstag", "Zweiter Weihnachtstag", "Neujahr"):
        assert name in holidays
    assert "25.12.2026" not in holidays and "2026-12-25" not in holidays  # dates in words
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ShiftSeries)) == 0


def test_the_series_form_says_the_holidays_are_kept_without_the_option(client, login, centre_and_point):
    centre, point = centre_and_point
    login("coordinator", centre)
    page = post_form(client, f"/centres/{centre.slug}/series/new", _series_form(point, preview="1")).get_data(
        as_text=True
    )
    assert page.count("Schicht findet statt") == 3


def test_the_series_form_stores_the_option_and_the_page_shows_the_skipped_days(client, login, centre_and_point):
    centre, point = centre_and_point
    login("coordinator", centre)
    response = post_form(client, f"/centres/{centre.slug}/series/new", _series_form(point, skip_public_holidays="y"))
    assert response.status_code == 302
    series = db.session.scalar(sa.select(ShiftSeries))
    assert series.skip_public_holidays is True
    assert date(2026, 12, 25) not in _dates_of(series)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "An diesen Tagen hat die Serie keine Schicht:" in page
    assert "Erster Weihnachtstag" in page
    assert "FREQ=" not in page and "UNTIL" not in page


def test_the_series_page_of_another_centre_is_not_found(client, login, centre_and_point, make_centre):
    _centre, point = centre_and_point
    series = _friday_and_saturday_series(point, skip=True)
    other = make_centre()
    login("coordinator", other)
    assert client.get(f"/centres/{other.slug}/series/{series.id}").status_code == 404


@pytest.mark.slow
@pytest.mark.database("sqlite")
@pytest.mark.parametrize("local", [datetime(2026, 12, 14, 10, 0), datetime(2027, 1, 4, 10, 0)], ids=str)
def test_the_demo_plans_no_shift_on_a_public_holiday(app, local):
    from volunteers.demo.services import seed_demo

    with time.freeze(time.berlin_local(local)):
        seed_demo()
    days = {time.to_berlin(start).date() for start in db.session.scalars(sa.select(Shift.starts_at))}
    assert days, "the demo has shifts"
    assert not days & {date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1)}
    assert date(2026, 12, 24) in days  # Heiligabend is no public holiday: the Thursday shift stays


def test_the_series_page_says_the_holidays_are_kept(client, login, centre_and_point):
    centre, point = centre_and_point
    series = _friday_and_saturday_series(point, skip=False)
    login("coordinator", centre)
    page = client.get(f"/centres/{centre.slug}/series/{series.id}").get_data(as_text=True)
    kept = page.split("An diesen Tagen findet die Schicht trotzdem statt:", 1)[1].split("</ul>", 1)[0]
    assert kept.count("<li>") == 3 and "Neujahr" in kept
    assert "keine Schicht:" not in page


@pytest.mark.parametrize(("locale", "name"), [("de", "Erster Weihnachtstag"), ("uk", "Перший день Різдва")])
def test_the_volunteers_open_shifts_mark_a_shift_on_a_holiday(
    client, login, centre_and_point, make_shift, locale, name
):
    centre, point = centre_and_point
    make_shift(point, starts=time.berlin_local(datetime(2026, 12, 25, 10, 0)))
    make_shift(point, starts=time.berlin_local(datetime(2026, 12, 23, 10, 0)))
    volunteer = login("volunteer", centre)
    volunteer.locale = locale
    db.session.commit()
    page = client.get("/shifts?from=2026-12-21").get_data(as_text=True)
    cards = page.split('class="card shift-card"')[1:]
    assert len(cards) == 2
    assert f'<span class="badge badge-holiday">{name}</span>' in cards[1]
    assert "badge-holiday" not in cards[0]
