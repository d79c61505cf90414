"""Who could cover a shift, best first, each with the reasons shown to the coordinator.

Whether someone may take the shift at all is the sign-up policy's call (shifts/policy.py:
certificate, overlap, already on it) plus two rules of this package: not away on one of its days,
and speaking one of the shift's languages when it has any (as the staffing call always asked).
Among those, interpreting counts most (the scarcest skill), then the person's usual windows, then
fairness: fewer shifts in the last four weeks first. Everything is read in a fixed number of
grouped queries, however many volunteers the centre has."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import contains_eager

from ..accounts.models import VOLUNTEER, Membership, User
from ..centres.languages import language_name
from ..core import time
from ..extensions import db
from ..shifts.errors import SignupError
from ..shifts.models import ACTIVE_SIGNUP_STATUSES, CANCELLED, CONFIRMED, NO_SHOW, Shift, Signup
from ..shifts.policy import Bookings, signup_blockers
from .models import OPEN, Absence, Invitation, WeeklyWindow
from .services import absent_during, covers, shift_days

FAIRNESS_WINDOW = timedelta(weeks=4)
# Points: a spoken language other than German weighs most, German (which nearly everyone speaks) little.
SCARCE_LANGUAGE, COMMON_LANGUAGE, AVAILABLE, UNAVAILABLE = 30, 5, 20, -20
FAIRNESS_START, FAIRNESS_STEP = 15, 5


@dataclass(frozen=True)
class Reason:
    code: str
    text: str


@dataclass(frozen=True)
class Candidate:
    volunteer: User
    score: int
    reasons: tuple[Reason, ...]
    recent_shifts: int
    is_invited: bool


@dataclass(frozen=True)
class _Facts:
    """What was read about the centre's volunteers, by user id."""

    bookings: dict
    absences: dict
    windows: dict
    recent: dict
    invited: set


# --- the rule -------------------------------------------------------------------------------


def speaks_shift_language(shift: Shift, languages) -> bool:
    return not shift.languages or bool(set(shift.languages) & set(languages or ()))


def cover_blockers(shift: Shift, volunteer: User, *, bookings: Bookings | None = None, absences=None) -> list:
    """Whether `volunteer` could be asked to cover `shift`: the sign-up policy's reasons against it,
    then being away or speaking none of its languages. `bookings` and `absences` may be read once
    for many people; without them they are read here."""
    blockers = signup_blockers(shift, volunteer, bookings=bookings)
    if absences is None:
        absences = _read_absences(sa.select(sa.literal(volunteer.id)), shift).get(volunteer.id, [])
    if absent_during(absences, shift):
        blockers.append(SignupError(_("Die Person ist zu dieser Zeit abwesend."), code="absent"))
    if not speaks_shift_language(shift, volunteer.languages):
        blockers.append(SignupError(_("Die Person spricht keine der Sprachen der Schicht."), code="language"))
    return blockers


# --- the ranked list ---------------------------------------------------------------------------


def candidates(shift: Shift) -> list[Candidate]:
    """The centre's volunteers who could cover the shift, best first."""
    people = _volunteer_ids(shift)
    volunteers = db.session.scalars(sa.select(User).where(User.id.in_(people)).order_by(User.name, User.id)).all()
    facts = _Facts(
        bookings=_read_bookings(people, shift),
        absences=_read_absences(people, shift),
        windows=_read_windows(people),
        recent=_read_recent_counts(people, shift),
        invited=_read_invited(shift),
    )
    ranked = [
        _rank(shift, person, facts)
        for person in volunteers
        if not cover_blockers(
            shift,
            person,
            bookings=facts.bookings.get(person.id, Bookings(())),
            absences=facts.absences.get(person.id, []),
        )
    ]
    return sorted(ranked, key=lambda c: (-c.score, c.recent_shifts, c.volunteer.name, c.volunteer.id))


def _rank(shift: Shift, person: User, facts: _Facts) -> Candidate:
    parts = [*_language_points(shift, person), _availability_points(shift, facts.windows.get(person.id))]
    recent = facts.recent.get(person.id, 0)
    parts.append(_fairness_points(recent))
    if shift.requires_police_certificate:
        parts.append((0, Reason("certificate", _("Erweitertes Führungszeugnis geprüft"))))
    parts.append((0, Reason("free", _("Keine andere Schicht zu dieser Zeit, nicht abwesend"))))
    return Candidate(
        volunteer=person,
        score=sum(points for points, _reason in parts),
        reasons=tuple(reason for _points, reason in parts),
        recent_shifts=recent,
        is_invited=person.id in facts.invited,
    )


def _language_points(shift: Shift, person: User) -> list[tuple[int, Reason]]:
    spoken = [code for code in shift.languages if code in (person.languages or ())]
    return [
        (
            COMMON_LANGUAGE if code == "de" else SCARCE_LANGUAGE,
            Reason("language", _("Spricht %(language)s", language=language_name(code))),
        )
        for code in spoken
    ]


def _availability_points(shift: Shift, windows) -> tuple[int, Reason]:
    if not windows:
        return 0, Reason("no_windows", _("Hat keine festen Zeiten angegeben"))
    if covers(windows, shift):
        return AVAILABLE, Reason("available", _("Kann laut eigenen Angaben zu dieser Zeit"))
    return UNAVAILABLE, Reason("outside_windows", _("Hilft sonst zu anderen Zeiten"))


def _fairness_points(recent: int) -> tuple[int, Reason]:
    text = ngettext("%(num)d Schicht in den letzten 4 Wochen", "%(num)d Schichten in den letzten 4 Wochen", recent)
    return max(FAIRNESS_START - FAIRNESS_STEP * recent, 0), Reason("recent_shifts", text)


# --- reading, one grouped query each ------------------------------------------------------------


def _volunteer_ids(shift: Shift) -> sa.Select:
    return (
        sa.select(User.id)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.centre_id == shift.centre_id, Membership.role == VOLUNTEER, User.deleted_at.is_(None))
    )


def _read_bookings(people: sa.Select, shift: Shift) -> dict[int, Bookings]:
    """policy.bookings_of for many people at once: active sign-ups around the shift."""
    signups = db.session.scalars(
        sa.select(Signup)
        .join(Signup.shift)
        .where(
            Signup.user_id.in_(people),
            Signup.status.in_(ACTIVE_SIGNUP_STATUSES),
            Shift.status != CANCELLED,
            Shift.starts_at < shift.ends_at,
            Shift.ends_at > shift.starts_at,
        )
        .options(contains_eager(Signup.shift).joinedload(Shift.meeting_point))
        .order_by(Shift.starts_at, Signup.id)
    )
    grouped = defaultdict(list)
    for signup in signups:
        grouped[signup.user_id].append(signup)
    return {user_id: Bookings(tuple(found)) for user_id, found in grouped.items()}


def _read_absences(people: sa.Select, shift: Shift) -> dict[int, list[Absence]]:
    first, last = shift_days(shift)
    rows = db.session.scalars(
        sa.select(Absence).where(Absence.user_id.in_(people), Absence.first_day <= last, Absence.last_day >= first)
    )
    grouped = defaultdict(list)
    for absence in rows:
        grouped[absence.user_id].append(absence)
    return grouped


def _read_windows(people: sa.Select) -> dict[int, list[WeeklyWindow]]:
    grouped = defaultdict(list)
    for window in db.session.scalars(sa.select(WeeklyWindow).where(WeeklyWindow.user_id.in_(people))):
        grouped[window.user_id].append(window)
    return grouped


def _read_recent_counts(people: sa.Select, shift: Shift) -> dict[int, int]:
    """Confirmed shifts in the centre during the last four weeks, no-shows not counted."""
    since = time.now() - FAIRNESS_WINDOW
    rows = db.session.execute(
        sa.select(Signup.user_id, sa.func.count())
        .join(Signup.shift)
        .where(
            Signup.user_id.in_(people),
            Signup.centre_id == shift.centre_id,
            Signup.status == CONFIRMED,
            sa.or_(Signup.attendance.is_(None), Signup.attendance != NO_SHOW),
            Shift.status != CANCELLED,
            Shift.starts_at >= since,
            Shift.starts_at <= time.now(),
        )
        .group_by(Signup.user_id)
    )
    return dict(rows.all())


def _read_invited(shift: Shift) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(Invitation.volunteer_id).where(Invitation.shift_id == shift.id, Invitation.status == OPEN)
        )
    )
