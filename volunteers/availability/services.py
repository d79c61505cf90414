"""Saving when a volunteer can help and when not, and the questions asked of it: is the person
away on a day, and do their usual windows cover a shift. All in Berlin wall-clock time."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ..accounts.models import User
from ..core import time
from ..core.limits import parse_day
from ..extensions import db
from ..shifts.models import Shift
from .errors import AvailabilityError
from .models import MINUTES_PER_DAY, Absence, WeeklyWindow

MAX_WINDOWS = 28  # four a day
MAX_ABSENCES = 50
MAX_ABSENCE_DAYS = 366
_CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)|24:00")


@dataclass(frozen=True)
class Window:
    weekday: int  # ISO, Monday = 1
    starts: int  # minutes after midnight
    ends: int


@dataclass(frozen=True)
class DaysAway:
    first_day: date
    last_day: date


# --- reading and checking input ---------------------------------------------------------


def parse_clock(text, field: str) -> int:
    """ "HH:MM" as minutes after midnight; "24:00" is the end of the day."""
    if not isinstance(text, str) or not _CLOCK.fullmatch(text):
        raise AvailabilityError(
            _("Bitte eine Uhrzeit als HH:MM angeben, z. B. 16:30."), code="invalid_time", field=field
        )
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_date(text, field: str) -> date:
    try:
        return parse_day(text) if isinstance(text, str) else parse_day("")
    except ValueError:
        raise AvailabilityError(
            _("Bitte ein Datum als JJJJ-MM-TT zwischen 2000 und 2100 angeben."), code="invalid_date", field=field
        ) from None


def check_window(window: Window, field: str) -> Window:
    if not 1 <= window.weekday <= 7:
        raise AvailabilityError(_("Der Wochentag ist 1 (Montag) bis 7 (Sonntag)."), code="invalid_weekday", field=field)
    if not 0 <= window.starts < window.ends <= MINUTES_PER_DAY:
        raise AvailabilityError(_("„Bis“ muss nach „von“ liegen."), code="invalid_window", field=field)
    return window


def check_absence(absence: DaysAway, field: str) -> DaysAway:
    if absence.last_day < absence.first_day:
        raise AvailabilityError(_("„Bis“ darf nicht vor „von“ liegen."), code="invalid_absence", field=field)
    if (absence.last_day - absence.first_day).days >= MAX_ABSENCE_DAYS:
        message = _("Eine Abwesenheit darf höchstens %(days)d Tage lang sein.", days=MAX_ABSENCE_DAYS)
        raise AvailabilityError(message, code="absence_too_long", field=field)
    return absence


def _check_counts(windows: list[Window], absences: list[DaysAway]) -> None:
    if len(windows) > MAX_WINDOWS:
        message = _("Höchstens %(max)d Zeitfenster.", max=MAX_WINDOWS)
        raise AvailabilityError(message, code="too_many_windows", field="weekly")
    if len(absences) > MAX_ABSENCES:
        message = _("Höchstens %(max)d Abwesenheiten.", max=MAX_ABSENCES)
        raise AvailabilityError(message, code="too_many_absences", field="absences")


# --- saving -----------------------------------------------------------------------------


def save_availability(*, user: User, windows: list[Window], absences: list[DaysAway]) -> None:
    """Replace the person's weekly windows and absences with the given ones."""
    _check_counts(windows, absences)
    for n, window in enumerate(windows):
        check_window(window, f"weekly[{n}]")
    for n, absence in enumerate(absences):
        check_absence(absence, f"absences[{n}]")
    db.session.execute(sa.delete(WeeklyWindow).where(WeeklyWindow.user_id == user.id))
    db.session.execute(sa.delete(Absence).where(Absence.user_id == user.id))
    db.session.add_all(WeeklyWindow(user_id=user.id, **vars(w)) for w in sorted(set(windows), key=_window_order))
    db.session.add_all(Absence(user_id=user.id, **vars(a)) for a in sorted(set(absences), key=lambda a: a.first_day))
    db.session.flush()


def _window_order(window: Window):
    return window.weekday, window.starts, window.ends


def windows_of(user: User) -> list[WeeklyWindow]:
    return list(
        db.session.scalars(
            sa.select(WeeklyWindow)
            .where(WeeklyWindow.user_id == user.id)
            .order_by(WeeklyWindow.weekday, WeeklyWindow.starts, WeeklyWindow.id)
        )
    )


def absences_of(user: User) -> list[Absence]:
    return list(
        db.session.scalars(sa.select(Absence).where(Absence.user_id == user.id).order_by(Absence.first_day, Absence.id))
    )


# --- questions ----------------------------------------------------------------------------


def is_absent(user_id: int, first: date, last: date | None = None) -> bool:
    """Whether the person said they are away on `first` or any Berlin day up to `last` (for a
    shift: `is_absent(user_id, *shift_days(shift))`, the rule of absent_during)."""
    return (
        db.session.scalar(
            sa.select(Absence.id)
            .where(Absence.user_id == user_id, Absence.first_day <= (last or first), Absence.last_day >= first)
            .limit(1)
        )
        is not None
    )


def shift_days(shift: Shift) -> tuple[date, date]:
    """The first and the last Berlin day the shift touches (an end at midnight touches no more)."""
    start, end = time.to_berlin(shift.starts_at), time.to_berlin(shift.ends_at)
    last = (end - timedelta(microseconds=1)).date()
    return start.date(), max(last, start.date())


def absent_during(absences, shift: Shift) -> bool:
    """Whether any of the given absences touches a day of the shift."""
    first, last = shift_days(shift)
    return any(a.first_day <= last and a.last_day >= first for a in absences)


def local_segments(shift: Shift) -> list[tuple[int, int, int]]:
    """The shift as (ISO weekday, start minute, end minute) pieces of Berlin days: a shift across
    midnight is two pieces, each to be covered by a window of its own day."""
    start, end = (
        time.to_berlin(shift.starts_at).replace(tzinfo=None),
        time.to_berlin(shift.ends_at).replace(tzinfo=None),
    )
    pieces, day = [], start.date()
    while datetime.combine(day, datetime.min.time()) < end:
        midnight = datetime.combine(day, datetime.min.time())
        piece_start, piece_end = max(start, midnight), min(end, midnight + timedelta(days=1))
        if piece_end > piece_start:
            pieces.append((day.isoweekday(), _minute_of(piece_start, midnight), _minute_of(piece_end, midnight)))
        day += timedelta(days=1)
    return pieces


def _minute_of(moment: datetime, midnight: datetime) -> int:
    return int((moment - midnight).total_seconds() // 60)


def covers(windows, shift: Shift) -> bool:
    """Whether the weekly windows cover the whole shift; windows of one day that meet join up."""
    for weekday, start, end in local_segments(shift):
        reached = start
        for window in sorted((w for w in windows if w.weekday == weekday), key=lambda w: w.starts):
            if window.starts <= reached < window.ends:
                reached = window.ends
        if reached < end:
            return False
    return True


def available_for(user: User, shift: Shift) -> bool | None:
    """Whether the person's usual windows cover the shift: None when they declared none (nobody
    knows), False when they are away on one of its days."""
    if absent_during(absences_of(user), shift):
        return False
    windows = windows_of(user)
    return covers(windows, shift) if windows else None
