"""What a client may send: how long a text may be, how large a number, which days, which characters.

Each text field has one TextLimit, declared beside its model's column; the column's size, the
form's validator (which WTForms also writes into the page as `maxlength`), the service's check and
so the API all read it there: the page offers exactly what the server accepts, and a client that
skips the browser's check gets the same German message. The bounds below hold for every form
(core/forms.py), every JSON field (api/helpers.py) and every path and query (core/intake.py)."""

import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from wtforms.validators import Length

from .errors import DomainError

TOO_LONG = _l("Höchstens %(max)d Zeichen.")


class TooLong(DomainError):
    status = 422  # what the API answers for any value that does not fit


@dataclass(frozen=True, eq=False)
class TextLimit:
    max_length: int
    message: str = TOO_LONG  # translatable; "%(max)d" is filled in

    def error_message(self) -> str:
        return str(self.message) % {"max": self.max_length}

    def length(self) -> Length:
        """The form's validator, with the same message as the server's check."""
        return Length(max=self.max_length, message=self.message)

    def check(self, value: str | None, field: str) -> str | None:
        """`value` unchanged if it fits, else TooLong (code "too_long") naming `field`."""
        if value is not None and len(value) > self.max_length:
            raise TooLong(self.error_message(), code="too_long", field=field)
        return value


def check_texts(values: dict, limits: dict[str, TextLimit]) -> None:
    """Check each of `values` that has a limit; the first one too long raises TooLong."""
    for name, limit in limits.items():
        limit.check(values.get(name), name)


# --- numbers and days ---------------------------------------------------------------------

# The largest integer any column holds (PostgreSQL's integer, int4): every id, count and amount a
# client sends must fit, or the database raises instead of answering "not found" or "invalid".
MAX_INT = 2**31 - 1

# The calendar the app serves. A day outside it is refused at input: no shift, hours entry or report
# lies there, and a day inside it plus the few weeks or offsets the code adds never leaves what
# Python's datetime can hold (year 1 to 9999), which would raise OverflowError.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
OUT_OF_RANGE = _l("Bitte eine Zahl bis %(max)d angeben.")
OUTSIDE_CALENDAR = _l("Bitte ein Datum zwischen %(first)d und %(last)d angeben.")


def out_of_range_message() -> str:
    return str(OUT_OF_RANGE) % {"max": MAX_INT}


def within_calendar(day: date) -> bool:
    day = day.date() if isinstance(day, datetime) else day
    return FIRST_DAY <= day <= LAST_DAY


def outside_calendar_message() -> str:
    return str(OUTSIDE_CALENDAR) % {"first": FIRST_DAY.year, "last": LAST_DAY.year}


def parse_day(text: str) -> date:
    """A YYYY-MM-DD day within the calendar; ValueError otherwise."""
    day = date.fromisoformat(text)
    if len(text) != 10 or not within_calendar(day):
        raise ValueError(outside_calendar_message())
    return day


def parse_month(text: str) -> date:
    """The first day of a YYYY-MM month within the calendar; ValueError otherwise."""
    return parse_day(f"{text}-01")


def parse_datetime(text: str) -> datetime:
    """An ISO 8601 date and time (with or without an offset) within the calendar; ValueError
    otherwise. Bounded before any conversion: 9999-12-31T23:00-05:00 is year 10000 in UTC."""
    moment = datetime.fromisoformat(text)
    if not within_calendar(moment):
        raise ValueError(outside_calendar_message())
    return moment


# --- control characters ------------------------------------------------------------------

# Every C0 control character and DEL. NUL cannot be stored by PostgreSQL at all; the others have no
# business in a name or a note and break what the text goes into (iCal lines, headers, CSV cells).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
# What a multi-line text (a textarea) may hold besides: tabs and line breaks.
MULTI_LINE_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
NO_CONTROL_CHARACTERS = _l("Dieser Text enthält unzulässige Steuerzeichen (etwa Zeilenumbrüche).")


class InvalidText(DomainError):
    status = 422


def clean_text(value: str, field: str | None = None, *, multiline: bool = False) -> str:
    """The one rule for text a client sends, in forms and in the API: line breaks become "\\n" and
    are kept only in multi-line texts; any other control character is InvalidText (code
    "control_character") naming `field`."""
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if (MULTI_LINE_CONTROLS if multiline else CONTROL_CHARACTERS).search(value):
        raise InvalidText(str(NO_CONTROL_CHARACTERS), code="control_character", field=field)
    return value
