"""Public holidays of North Rhine-Westphalia, named in the reader's language.

The dates and the German, English and Ukrainian names come from the maintained `holidays` library
(it knows moving feasts such as Fronleichnam and law changes). It has no Arabic names for Germany,
so those are ours, keyed by the library's German name; a holiday we have no name for falls back
to the English one rather than to nothing."""

from datetime import date, datetime
from functools import lru_cache

import holidays as holiday_calendar
from flask import has_request_context
from flask_babel import get_locale

from ..core.time import to_berlin

SUBDIVISION = "NW"
# Our locales → the library's languages for Germany (it offers de, en_US, th, uk).
LIBRARY_LANGUAGES = {"de": "de", "en": "en_US", "uk": "uk"}
FALLBACK_LANGUAGE = "en_US"
ARABIC_NAMES = {
    "Neujahr": "رأس السنة الميلادية",
    "Karfreitag": "الجمعة العظيمة",
    "Ostermontag": "اثنين الفصح",
    "Erster Mai": "عيد العمال",
    "Christi Himmelfahrt": "عيد الصعود",
    "Pfingstmontag": "اثنين العنصرة",
    "Fronleichnam": "عيد القربان المقدس",
    "Tag der Deutschen Einheit": "يوم الوحدة الألمانية",
    "Allerheiligen": "عيد جميع القديسين",
    "Erster Weihnachtstag": "عيد الميلاد (اليوم الأول)",
    "Zweiter Weihnachtstag": "عيد الميلاد (اليوم الثاني)",
}


def public_holidays(start: date, end: date, locale: str | None = None) -> dict[date, str]:
    """The NRW public holidays from `start` to `end` (both included), by date, named in `locale`
    (the reader's language when not given)."""
    if end < start:
        return {}
    code = locale or _reader_locale()
    years = tuple(range(start.year, end.year + 1))
    return {day: name for day, name in _named(years, code).items() if start <= day <= end}


def holiday_name(value: date | datetime | None) -> str:
    """The holiday's name on `value`'s Berlin day in the reader's language, or "" on other days."""
    if value is None:
        return ""
    day = to_berlin(value).date() if isinstance(value, datetime) else value
    return public_holidays(day, day).get(day, "")


def is_public_holiday(day: date) -> bool:
    return day in _calendar((day.year,), "de")


def _reader_locale() -> str:
    return str(get_locale() or "de") if has_request_context() else "de"


def _named(years: tuple[int, ...], locale: str) -> dict[date, str]:
    if locale in LIBRARY_LANGUAGES:
        return _calendar(years, LIBRARY_LANGUAGES[locale])
    german, fallback = _calendar(years, "de"), _calendar(years, FALLBACK_LANGUAGE)
    own = ARABIC_NAMES if locale == "ar" else {}
    return {day: own.get(name, fallback[day]) for day, name in german.items()}


@lru_cache(maxsize=64)
def _calendar(years: tuple[int, ...], language: str) -> dict[date, str]:
    # Cached: building a year's calendar takes about a millisecond, and a week plan asks on every view.
    return dict(holiday_calendar.country_holidays("DE", subdiv=SUBDIVISION, years=years, language=language))
