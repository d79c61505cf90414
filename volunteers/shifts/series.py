"""Recurring plans: an RRULE (RFC 5545) from a first local start, with exception dates.

Each occurrence is a real Shift row keyed by (series, occurrence date), so that sign-ups attach to
it. Rules must end (UNTIL or COUNT) and yield at most MAX_OCCURRENCES, all within HORIZON of the
first; a COUNT is stored as the equivalent UNTIL so that a series can be split at any date ("this
and following")."""

import re
from datetime import MAXYEAR, date, datetime, timedelta
from datetime import time as clock

import sqlalchemy as sa
from dateutil.rrule import rrulestr
from flask_babel import gettext as _
from flask_babel import ngettext

from ..centres.models import Centre
from ..core import time
from ..core.templating import format_date
from ..extensions import db
from ..reminders import notify
from .errors import ShiftError
from .holidays import is_public_holiday, public_holidays
from .models import (
    ACTIVE_SIGNUP_STATUSES,
    CANCELLED,
    DRAFT,
    PUBLISHED,
    RRULE,
    SHARED_COLUMNS,
    Shift,
    ShiftSeries,
    Signup,
)
from .planning import ShiftValues, check_times, check_values
from .signups import lock_shift, promote_waitlist

MAX_OCCURRENCES = 366
# Every occurrence lies within this many years of the first: a rule with INTERVAL=1000000 makes no
# shift in the year 4764, and the expansion's work is bounded (_expand).
HORIZON = timedelta(days=731)  # two years, one of them a leap year
CYCLE_YEARS = 400  # after which the Gregorian calendar repeats itself exactly
_UNTIL_YEAR = re.compile(r"UNTIL=(\d{4})")
_UNTIL_DAY = re.compile(r"UNTIL=(\d{8})")
_COUNT = re.compile(r"COUNT=(\d+)")
_SUB_DAILY = re.compile(r"FREQ=(HOURLY|MINUTELY|SECONDLY)|BY(HOUR|MINUTE|SECOND)=", re.I)
_DATE_ONLY_UNTIL = re.compile(r"UNTIL=(\d{8})(?=;|$)")
_END_PART = re.compile(r";?(UNTIL|COUNT)=[^;]*", re.I)
# NAME=VALUE parts separated by semicolons, one of them FREQ: anything else is not a rule at all.
_RULE_SHAPE = re.compile(r"^(?=(.*;)?FREQ=)[A-Z-]+=[^;=]+(;[A-Z-]+=[^;=]+)*$")


def occurrence_dates(rule: str, first_start_local: datetime, exceptions=()) -> list[date]:
    """The local dates of a rule's occurrences, without exception dates. Raises ShiftError."""
    # A date-only UNTIL means "up to and including that day".
    text = _DATE_ONLY_UNTIL.sub(r"UNTIL=\1T235959", rule.strip().upper().removeprefix("RRULE:"))
    if not _RULE_SHAPE.match(text):
        raise ShiftError(_("Die Wiederholungsregel ist ungültig."), code="rrule_invalid", field="rrule")
    if _SUB_DAILY.search(text):
        raise ShiftError(
            _("Eine Serie hat höchstens einen Termin pro Tag (täglich, wöchentlich, monatlich oder jährlich)."),
            code="rrule_sub_daily",
            field="rrule",
        )
    if not re.search(r"\b(UNTIL|COUNT)=", text, re.I):
        raise ShiftError(
            _("Die Wiederholung braucht ein Ende (Enddatum oder Anzahl)."), code="rrule_unbounded", field="rrule"
        )
    try:
        starts, beyond = _expand(text, first_start_local)
    except (ValueError, TypeError, OverflowError):
        raise ShiftError(_("Die Wiederholungsregel ist ungültig."), code="rrule_invalid", field="rrule") from None
    if len(starts) > MAX_OCCURRENCES:
        raise ShiftError(
            _("Die Regel ergibt mehr als %(max)d Termine. Bitte kürzen Sie den Zeitraum.", max=MAX_OCCURRENCES),
            code="rrule_too_many",
            field="rrule",
        )
    if not starts:
        raise ShiftError(
            _("Die Regel ergibt innerhalb von zwei Jahren ab dem ersten Termin keinen einzigen Termin."),
            code="rrule_empty",
            field="rrule",
        )
    if beyond:
        raise ShiftError(
            _("Alle Termine einer Serie müssen innerhalb von zwei Jahren ab dem ersten Termin liegen."),
            code="rrule_beyond_horizon",
            field="rrule",
        )
    skipped = set(exceptions)
    return [start.date() for start in starts if start.date().isoformat() not in skipped]


def _expand(text: str, first_start_local: datetime) -> tuple[list[datetime], bool]:
    """The rule's starts within HORIZON of the first (at most MAX_OCCURRENCES + 1 of them), and
    whether the rule goes on after the horizon: an occurrence later, a COUNT not reached within
    it, or an UNTIL after it.

    dateutil searches for the next match period by period up to the year 9999, and a rule that
    matches no day at all (BYMONTH=2;BYMONTHDAY=30) makes it search all of them: seconds of CPU
    for a daily rule. The Gregorian calendar repeats exactly every 400 years (leap days and
    weekdays alike), so the rule is expanded as many 400-year cycles later as keep the horizon
    before 9999, where at most one cycle is left to search, and its dates are moved back."""
    shift = CYCLE_YEARS * ((MAXYEAR - 3 - first_start_local.year) // CYCLE_YEARS)  # 3: HORIZON and UNTIL's day
    later = _UNTIL_YEAR.sub(lambda m: f"UNTIL={min(int(m.group(1)) + shift, MAXYEAR):04d}", text)
    start = first_start_local.replace(year=first_start_local.year + shift)
    starts, beyond = [], False
    for occurrence in rrulestr(later, dtstart=start):
        if occurrence > start + HORIZON:
            beyond = True
            break
        starts.append(occurrence.replace(year=occurrence.year - shift))
        if len(starts) > MAX_OCCURRENCES:
            break
    count, until = _COUNT.search(text), _UNTIL_DAY.search(text)
    if count and len(starts) < int(count.group(1)):
        beyond = True  # what is left lies beyond the year 9999 of the later cycle
    if until and datetime.strptime(until.group(1), "%Y%m%d") > first_start_local + HORIZON:
        beyond = True
    return starts, beyond


def _with_until(rule: str, last: date) -> str:
    base = _END_PART.sub("", rule.strip().removeprefix("RRULE:")).strip(";")
    return f"{base};UNTIL={last:%Y%m%d}T235959"


def occurrence_times(series: ShiftSeries, day: date) -> tuple[datetime, datetime]:
    """Start and end instants of the occurrence on `day`: the series' wall-clock times in Berlin
    (16–18 h stays 16–18 h after a DST change)."""
    local_start = datetime.combine(day, series.first_start_local.time())
    local_end = local_start + timedelta(minutes=series.duration_minutes)
    return time.berlin_local_lenient(local_start), time.berlin_local_lenient(local_end)


def create_series(
    *,
    centre: Centre,
    values: ShiftValues,
    first_start_local: datetime,
    duration_minutes: int,
    rule: str,
    publish: bool = False,
    skip_public_holidays: bool = False,
) -> ShiftSeries:
    """A new series and all its occurrences (none on NRW public holidays if `skip_public_holidays`)."""
    check_values(centre, values)
    _check_duration(first_start_local, duration_minutes)
    dates = occurrence_dates(RRULE.check(rule, "rrule"), first_start_local)
    series = ShiftSeries(
        centre_id=centre.id,
        first_start_local=first_start_local,
        duration_minutes=duration_minutes,
        rrule=_with_until(rule, dates[-1]),
        exception_dates=[],
        publish_occurrences=publish,
        skip_public_holidays=skip_public_holidays,
        **values.columns(),
    )
    db.session.add(series)
    db.session.flush()
    apply_series(series)
    return series


def _check_duration(first_start_local: datetime, minutes: int) -> None:
    start = time.berlin_local_lenient(first_start_local)
    check_times(start, start + timedelta(minutes=minutes))


def apply_series(series: ShiftSeries, from_date: date | None = None) -> None:
    """Bring the series' future occurrences (from `from_date` on) in line with its rule and fields:
    create missing ones, update existing ones, and remove those the rule no longer yields
    (deleted if nobody signed up, else cancelled so that volunteers learn of it)."""
    today = time.to_berlin(time.now()).date()
    start_from = max(from_date or today, today)
    wanted = [d for d in series_dates(series) if d >= start_from]
    existing = {
        s.occurrence_date: s
        for s in db.session.scalars(
            sa.select(Shift).where(Shift.series_id == series.id, Shift.occurrence_date >= start_from)
        )
    }
    for day in wanted:
        shift = existing.pop(day, None)
        if shift is None:
            _add_occurrence(series, day)
        elif not shift.is_detached and shift.starts_at > time.now():
            _update_occurrence(series, shift)
    for shift in existing.values():
        if not shift.is_detached and shift.starts_at > time.now():
            _remove_occurrence(shift)
    db.session.flush()


def series_dates(series: ShiftSeries) -> list[date]:
    """The dates the series has a shift on: its rule's, without exceptions and, if it skips them,
    without public holidays."""
    dates = occurrence_dates(series.rrule, series.first_start_local, series.exception_dates)
    return [d for d in dates if not (series.skip_public_holidays and is_public_holiday(d))]


def holidays_in_rule(rule: str, first_start_local: datetime, exceptions=()) -> dict[date, str]:
    """The rule's dates that are NRW public holidays, with their names (reader's language); for
    the series form and page, which show what the option skips or keeps. Raises ShiftError."""
    dates = occurrence_dates(rule, first_start_local, exceptions)
    if not dates:
        return {}
    named = public_holidays(dates[0], dates[-1])
    return {d: named[d] for d in dates if d in named}


def series_holidays(series: ShiftSeries) -> dict[date, str]:
    """The public holidays among a stored series' rule dates, for its page (which says whether they
    are skipped); a series that a split left without dates has none."""
    try:
        return holidays_in_rule(series.rrule, series.first_start_local)
    except ShiftError:
        return {}


def _add_occurrence(series: ShiftSeries, day: date) -> None:
    starts_at, ends_at = occurrence_times(series, day)
    db.session.add(
        Shift(
            centre_id=series.centre_id,
            series_id=series.id,
            occurrence_date=day,
            starts_at=starts_at,
            ends_at=ends_at,
            status=PUBLISHED if series.publish_occurrences else DRAFT,
            **_shared(series),
        )
    )


def _shared(series: ShiftSeries) -> dict:
    return {key: getattr(series, key) for key in SHARED_COLUMNS}


def _update_occurrence(series: ShiftSeries, shift: Shift) -> None:
    shift = lock_shift(shift)
    if shift.is_cancelled:
        return
    starts_at, ends_at = occurrence_times(series, shift.occurrence_date)
    fields = _shared(series)
    if fields["capacity_max"] < shift.confirmed_count:
        raise ShiftError(
            ngettext(
                "Am %(day)s ist schon %(num)d Person bestätigt; die Höchstzahl kann nicht darunter liegen.",
                "Am %(day)s sind schon %(num)d Personen bestätigt; die Höchstzahl kann nicht darunter liegen.",
                shift.confirmed_count,
                day=format_date(shift.occurrence_date, "long"),
            ),
            code="capacity_below_confirmed",
            field="capacity_max",
        )
    moved = (starts_at, ends_at, fields["meeting_point_id"]) != (shift.starts_at, shift.ends_at, shift.meeting_point_id)
    if moved:
        shift.sequence += 1
    for key, value in fields.items():
        setattr(shift, key, value)
    shift.starts_at, shift.ends_at, shift.updated_at = starts_at, ends_at, time.now()
    if series.publish_occurrences and shift.is_draft:
        shift.status = PUBLISHED
    if moved and shift.is_published:
        db.session.flush()
        notify.shift_changed(shift)
    promote_waitlist(shift)


def _remove_occurrence(shift: Shift) -> None:
    has_people = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Signup)
        .where(Signup.shift_id == shift.id, Signup.status.in_(ACTIVE_SIGNUP_STATUSES))
    )
    if has_people:
        shift.status, shift.cancel_reason = CANCELLED, _("Termin entfällt")
        shift.sequence += 1
        shift.updated_at = time.now()
        notify.shift_cancelled(shift)
    else:
        db.session.execute(sa.delete(Signup).where(Signup.shift_id == shift.id))
        db.session.delete(shift)


def add_exception(*, series: ShiftSeries, day: date) -> None:
    """Skip one date (e.g. a public holiday)."""
    if day.isoformat() not in series.exception_dates:
        series.exception_dates = sorted([*series.exception_dates, day.isoformat()])
    apply_series(series, from_date=day)


def remove_exception(*, series: ShiftSeries, day: date) -> None:
    series.exception_dates = [d for d in series.exception_dates if d != day.isoformat()]
    apply_series(series, from_date=day)


def update_series_from(
    *, shift: Shift, values: ShiftValues, start_time: clock, duration_minutes: int, rule: str | None = None
) -> ShiftSeries:
    """Change "this and following": the occurrences from `shift` on get the new values (and rule).
    Earlier ones stay with the old series, which now ends the day before."""
    old = shift.series
    if old is None:
        raise ShiftError(_("Diese Schicht gehört zu keiner Serie."), code="not_in_series")
    centre = shift.centre
    check_values(centre, values)
    first_start = datetime.combine(shift.occurrence_date, start_time)
    _check_duration(first_start, duration_minutes)
    new_rule = RRULE.check(rule, "rrule") or old.rrule
    dates = occurrence_dates(new_rule, first_start)
    series = old if shift.occurrence_date <= _first_date(old) else _split(old, shift.occurrence_date)
    series.first_start_local, series.duration_minutes = first_start, duration_minutes
    series.rrule = _with_until(new_rule, dates[-1])
    for key, value in values.columns().items():
        setattr(series, key, value)
    apply_series(series, from_date=shift.occurrence_date)
    return series


def _first_date(series: ShiftSeries) -> date:
    return series.first_start_local.date()


def _split(old: ShiftSeries, from_date: date) -> ShiftSeries:
    """End `old` the day before `from_date` and hand its later occurrences to a new series."""
    new = ShiftSeries(
        centre_id=old.centre_id,
        first_start_local=old.first_start_local,
        duration_minutes=old.duration_minutes,
        rrule=old.rrule,
        publish_occurrences=old.publish_occurrences,
        skip_public_holidays=old.skip_public_holidays,
        exception_dates=[d for d in old.exception_dates if d >= from_date.isoformat()],
        **{k: getattr(old, k) for k in ("meeting_point_id", *_SERIES_FIELDS)},
    )
    db.session.add(new)
    db.session.flush()
    old.rrule = _with_until(old.rrule, from_date - timedelta(days=1))
    old.exception_dates = [d for d in old.exception_dates if d < from_date.isoformat()]
    db.session.execute(
        sa.update(Shift)
        .where(Shift.series_id == old.id, Shift.occurrence_date >= from_date)
        .values(series_id=new.id)
        .execution_options(synchronize_session="fetch")
    )
    return new


_SERIES_FIELDS = (
    "activity",
    "baustein",
    "capacity_min",
    "capacity_max",
    "languages",
    "requires_police_certificate",
    "notes",
)
