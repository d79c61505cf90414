"""A series' recurrence in words ("jeden Dienstag, 16–18 Uhr, vom 1. Dezember 2026 bis 26. Januar
2027"), in the reader's language: what people read instead of an RRULE.

It knows what the series form makes (daily, weekly with interval and weekdays, monthly on the n-th
weekday; ending by UNTIL or COUNT). Any other rule is called "eigene Wiederholungsregel": an honest
fallback, never the raw string. Weekday names, lists, dates and times come from Babel (CLDR); the
frames around them are translatable strings, so that each language can put them in its own order."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from babel import Locale, dates, lists
from dateutil.rrule import rrulestr
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _

from .models import ShiftSeries

RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # Babel's day names count from Monday = 0 too
UNDERSTOOD_PARTS = {"FREQ", "INTERVAL", "BYDAY", "UNTIL", "COUNT", "WKST"}


@dataclass(frozen=True)
class Rule:
    """The parts of an RRULE this module can put into words."""

    frequency: str
    interval: int = 1
    weekdays: tuple[int, ...] = ()  # 0 = Monday
    nth: int | None = None  # monthly: the n-th weekday (-1: the last)
    until: date | None = None
    count: int | None = None


def describe_series(series_or_rrule: ShiftSeries | str, locale: str | None = None) -> str:
    """The recurrence in words in `locale` (the reader's language when not given)."""
    code = locale or str(get_locale() or "de")
    with force_locale(code):
        return _describe(series_or_rrule, Locale.parse(code))


def _describe(series_or_rrule, locale: Locale) -> str:
    series = series_or_rrule if isinstance(series_or_rrule, ShiftSeries) else None
    text = series.rrule if series else str(series_or_rrule)
    first = series.first_start_local if series else None
    rule = parse_rule(text)
    if rule and first:
        first = _first_occurrence(text, first)
    parts = [_pattern(rule, first, locale) if rule else _("eigene Wiederholungsregel")]
    if series:
        parts.append(_hours(first, series.duration_minutes, locale))
    if span := _span(rule or _end_only(text), first, locale):
        parts.append(span)
    return list_separator(locale).join(parts)


def _first_occurrence(text: str, first_start_local: datetime) -> datetime:
    """The first date the rule really gives: a series starting on a Tuesday "every Saturday" begins
    on the Saturday. Only for rules parse_rule understood, which always match within a fortnight."""
    until_day = re.sub(r"UNTIL=(\d{8})(?=;|$)", r"UNTIL=\1T235959", text.upper())
    return rrulestr(until_day, dtstart=first_start_local).after(first_start_local, inc=True) or first_start_local


def list_separator(locale: Locale) -> str:
    return "، " if locale.language == "ar" else ", "  # Arabic writes its own comma


def parse_rule(text: str) -> Rule | None:
    """The rule's parts, or None when it uses anything the words cannot say (or is not a rule)."""
    try:
        parts = dict(part.split("=", 1) for part in text.strip().upper().removeprefix("RRULE:").split(";") if part)
        if not set(parts) <= UNDERSTOOD_PARTS:
            return None
        frequency, interval = parts["FREQ"], int(parts.get("INTERVAL", "1"))
        weekdays, nth = _weekdays(parts.get("BYDAY", ""))
        rule = Rule(frequency, interval, weekdays, nth, _until(parts.get("UNTIL")), _count(parts.get("COUNT")))
    except (KeyError, ValueError):
        return None
    return rule if interval >= 1 and _sayable(rule) else None


def _weekdays(byday: str) -> tuple[tuple[int, ...], int | None]:
    days, nths = [], set()
    for item in filter(None, byday.split(",")):
        prefix, code = item[:-2], item[-2:]
        days.append(RRULE_DAYS.index(code))  # ValueError for an unknown day
        nths.add(int(prefix) if prefix else None)
    if len(nths) > 1:
        raise ValueError("mixed ordinals")
    return tuple(sorted(set(days))), nths.pop() if nths else None


def _until(value: str | None) -> date | None:
    return datetime.strptime(value[:8], "%Y%m%d").date() if value else None


def _count(value: str | None) -> int | None:
    return int(value) if value else None


def _sayable(rule: Rule) -> bool:
    if rule.frequency == "WEEKLY":
        return rule.nth is None
    if rule.frequency == "DAILY":
        return not rule.weekdays
    if rule.frequency == "MONTHLY":
        return rule.interval == 1 and len(rule.weekdays) == 1 and rule.nth in (1, 2, 3, 4, 5, -1)
    return False


def _end_only(text: str) -> Rule | None:
    """For a rule the words cannot say: its end, if that can be read."""
    try:
        parts = dict(p.split("=", 1) for p in text.strip().upper().removeprefix("RRULE:").split(";") if "=" in p)
        return Rule("", until=_until(parts.get("UNTIL")), count=_count(parts.get("COUNT")))
    except ValueError:
        return None


def _pattern(rule: Rule, first: datetime | None, locale: Locale) -> str:
    if rule.frequency == "DAILY":
        if rule.interval == 1:
            return _("jeden Tag")
        return ngettext("alle %(num)d Tag", "alle %(num)d Tage", rule.interval)
    weekdays = rule.weekdays or ((first.weekday(),) if first else ())
    if rule.frequency == "MONTHLY":
        return _monthly(rule.nth, _day_name(weekdays[0], locale))
    if not weekdays:
        return (
            _("jede Woche")
            if rule.interval == 1
            else ngettext("alle %(num)d Woche", "alle %(num)d Wochen", rule.interval)
        )
    names = lists.format_list([_day_name(day, locale) for day in weekdays], locale=locale)
    if rule.interval == 1:
        return _("jeden %(weekdays)s", weekdays=names)
    if rule.interval == 2:
        return _("jeden zweiten %(weekdays)s", weekdays=names)
    return ngettext(
        "alle %(num)d Woche: %(weekdays)s", "alle %(num)d Wochen: %(weekdays)s", rule.interval, weekdays=names
    )


def _monthly(nth: int, weekday: str) -> str:
    frames = {
        1: _("jeden ersten %(weekday)s im Monat", weekday=weekday),
        2: _("jeden zweiten %(weekday)s im Monat", weekday=weekday),
        3: _("jeden dritten %(weekday)s im Monat", weekday=weekday),
        4: _("jeden vierten %(weekday)s im Monat", weekday=weekday),
        5: _("jeden fünften %(weekday)s im Monat", weekday=weekday),
        -1: _("jeden letzten %(weekday)s im Monat", weekday=weekday),
    }
    return frames[nth]


def _day_name(day: int, locale: Locale) -> str:
    return dates.get_day_names("wide", locale=locale)[day]


def _hours(first: datetime, minutes: int, locale: Locale) -> str:
    """The wall-clock span ("16–18 Uhr", "4 – 6 PM"), the same on every occurrence across DST."""
    start, end = first.time(), (first + timedelta(minutes=minutes)).time()
    hour = "h" if "h" in locale.time_formats["short"].pattern else "H"
    skeleton = hour if start.minute == end.minute == 0 else hour + "m"
    return dates.format_interval(start, end, skeleton, locale=locale)


def _span(rule: Rule | None, first: datetime | None, locale: Locale) -> str | None:
    if rule is None:
        return None
    start = dates.format_date(first.date(), "long", locale=locale) if first else None
    if rule.until:
        end = dates.format_date(rule.until, "long", locale=locale)
        return _("vom %(start)s bis %(end)s", start=start, end=end) if start else _("bis %(end)s", end=end)
    if rule.count:
        if start:
            return ngettext("%(num)d Termin ab %(start)s", "%(num)d Termine ab %(start)s", rule.count, start=start)
        return ngettext("%(num)d Termin", "%(num)d Termine", rule.count)
    return _("ab %(start)s", start=start) if start else None
