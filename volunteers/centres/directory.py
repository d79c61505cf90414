"""The coordinators' volunteer directory: search and filters (GET parameters), and the filtered
list as a CSV file for the centre's own use.

"Active" means a confirmed sign-up to a shift of the centre that was not cancelled and starts from
six months ago on (upcoming ones count: who signed up for next week is active), or hours for the
centre that were not rejected, worked in the last six months. Filters are applied in Python after
the centre's list is read: a centre has hundreds of volunteers, not millions, and Python's casefold
compares "Müller" and "MÜLLER" as the people reading it do, which SQLite's lower() does not."""

import csv
import io
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask_babel import gettext as _

from ..activities.services import activities_for
from ..core import time
from ..extensions import db
from ..hours.models import APPROVED, REJECTED, VOLUNTEER_HOURS, HoursEntry
from ..reports.tables import hours, inert_text
from ..shifts.models import CANCELLED, CONFIRMED, Shift, Signup
from ..shifts.policy import CERTIFICATE_VALID_YEARS, has_valid_certificate
from ..shifts.queries import DirectoryEntry, volunteer_directory
from .languages import LANGUAGE_CODES, language_name
from .models import Centre

MAX_NAME_SEARCH = 100
ACTIVE_MONTHS = 6
CERTIFICATE_WARNING_DAYS = 60  # as the overview's attention list warns (pages/attention.py)
CERTIFICATE_STATES = ("valid", "expiring", "missing")
ACTIVITY_STATES = ("active", "inactive")


@dataclass(frozen=True)
class DirectoryFilter:
    name: str = ""
    language: str | None = None
    certificate: str | None = None  # one of CERTIFICATE_STATES
    activity: str | None = None  # an activity slug of the centre
    state: str | None = None  # one of ACTIVITY_STATES

    def as_params(self) -> dict[str, str]:
        """The filter as GET parameters again, for the CSV link."""
        params = {
            "q": self.name,
            "language": self.language,
            "certificate": self.certificate,
            "activity": self.activity,
            "state": self.state,
        }
        return {key: value for key, value in params.items() if value}


@dataclass
class DirectoryRow:
    entry: DirectoryEntry
    certificate: str  # one of CERTIFICATE_STATES
    is_active: bool
    activities: set[str] = field(default_factory=set)
    minutes_this_year: int = 0


def parse_filter(args, centre: Centre) -> tuple[DirectoryFilter, list[str]]:
    """The filter the GET parameters ask for, and a message for each one that was left out because
    it is not a choice the page offers (a typed URL, an old bookmark)."""
    problems, found = [], DirectoryFilter()
    name = (args.get("q") or "").strip()
    if len(name) > MAX_NAME_SEARCH:
        problems.append(_("Der Suchbegriff ist zu lang (höchstens %(max)d Zeichen).", max=MAX_NAME_SEARCH))
    else:
        found = replace(found, name=name)
    choices = {
        "language": LANGUAGE_CODES,
        "certificate": CERTIFICATE_STATES,
        "activity": [a.slug for a in activities_for(centre)],
        "state": ACTIVITY_STATES,
    }
    for key, allowed in choices.items():
        value = args.get(key) or None
        if value is not None and value not in allowed:
            problems.append(_("Der Filter „%(value)s“ ist unbekannt und wurde nicht angewandt.", value=value[:40]))
        elif value is not None:
            found = replace(found, **{key: value})
    return found, problems


def directory_rows(centre: Centre, wanted: DirectoryFilter) -> list[DirectoryRow]:
    """The centre's volunteers that match every part of `wanted`, by name."""
    return [row for row in _rows(centre) if _matches(row, wanted)]


def _matches(row: DirectoryRow, wanted: DirectoryFilter) -> bool:
    user = row.entry.user
    return (
        (not wanted.name or wanted.name.casefold() in user.name.casefold())
        and (wanted.language is None or wanted.language in (user.languages or []))
        and (wanted.certificate is None or row.certificate == wanted.certificate)
        and (wanted.activity is None or wanted.activity in row.activities)
        and (wanted.state is None or row.is_active == (wanted.state == "active"))
    )


def certificate_state(membership, today: date) -> str:
    """valid, expiring (valid, but not for CERTIFICATE_WARNING_DAYS more) or missing (never
    verified, or expired): validity as shifts.policy.has_valid_certificate says."""
    if not has_valid_certificate(membership):
        return "missing"
    soon = time.years_before(today + timedelta(days=CERTIFICATE_WARNING_DAYS), CERTIFICATE_VALID_YEARS)
    return "expiring" if membership.certificate_verified_on <= soon else "valid"


def _rows(centre: Centre) -> list[DirectoryRow]:
    today = time.to_berlin(time.now()).date()
    since = today - relativedelta(months=ACTIVE_MONTHS)
    rows = {
        e.user.id: DirectoryRow(e, certificate_state(e.membership, today), False) for e in volunteer_directory(centre)
    }
    _add_shifts(centre, rows, since)
    _add_hours(centre, rows, since, today)
    return list(rows.values())


def _add_shifts(centre: Centre, rows: dict[int, DirectoryRow], since: date) -> None:
    since_at = time.berlin_local_lenient(datetime.combine(since, datetime.min.time()))
    found = db.session.execute(
        sa.select(Signup.user_id, Shift.activity, sa.func.max(Shift.starts_at))
        .join(Signup.shift)
        .where(Signup.centre_id == centre.id, Signup.status == CONFIRMED, Shift.status != CANCELLED)
        .group_by(Signup.user_id, Shift.activity)
    )
    for user_id, activity, last_start in found:
        if row := rows.get(user_id):
            row.activities.add(activity)
            row.is_active = row.is_active or last_start >= since_at


def _add_hours(centre: Centre, rows: dict[int, DirectoryRow], since: date, today: date) -> None:
    first_of_year = date(today.year, 1, 1)
    this_year = sa.and_(HoursEntry.status == APPROVED, HoursEntry.work_date >= first_of_year)
    found = db.session.execute(
        sa.select(
            HoursEntry.user_id,
            HoursEntry.activity,
            sa.func.max(HoursEntry.work_date),
            sa.func.coalesce(sa.func.sum(sa.case((this_year, HoursEntry.minutes), else_=0)), 0),
        )
        .where(
            HoursEntry.centre_id == centre.id,
            HoursEntry.kind == VOLUNTEER_HOURS,
            HoursEntry.status != REJECTED,
        )
        .group_by(HoursEntry.user_id, HoursEntry.activity)
    )
    for user_id, activity, last_day, minutes in found:
        if row := rows.get(user_id):
            row.activities.add(activity)
            row.is_active = row.is_active or last_day >= since
            row.minutes_this_year += int(minutes)


# --- the CSV file ---------------------------------------------------------------------------


def directory_csv(rows: list[DirectoryRow]) -> bytes:
    """The rows as CSV as German spreadsheets read it (semicolons, UTF-8 with BOM, decimal comma);
    a phone number only where its owner shares it; no text cell can run as a formula."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            _("Name"),
            _("E-Mail"),
            _("Telefon"),
            _("Sprachen"),
            _("Führungszeugnis geprüft am"),
            _("Letzte Schicht"),
            _("Stunden in diesem Jahr"),
        ]
    )
    for row in rows:
        user, membership = row.entry.user, row.entry.membership
        texts = [
            user.name,
            user.email,
            user.phone if user.shares_phone else "",
            ", ".join(language_name(code) for code in user.languages or []),
            _day(membership.certificate_verified_on),
            _day(row.entry.last_shift_at and time.to_berlin(row.entry.last_shift_at)),
        ]
        writer.writerow([inert_text(text or "") for text in texts] + [_hours_text(row.minutes_this_year)])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def _day(value) -> str:
    # Day.month.year: what a German spreadsheet reads as a date (an ISO date it may keep as text).
    return f"{value:%d.%m.%Y}" if value else ""


def _hours_text(minutes: int) -> str:
    return f"{hours(minutes):.2f}".replace(".", ",")
