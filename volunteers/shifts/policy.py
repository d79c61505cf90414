"""Whether a person may sign up for a shift or withdraw a sign-up now, and why not: one function
per action, like ephios' sign-up checkers and hours.policy. Each returns the reasons against it as
coded SignupErrors, the most basic first; an empty list means the action may happen. The services
lock the rows, ask and raise the first reason; the volunteers' pages ask the same functions to
decide what to offer. A full shift is no reason against signing up: it means the waitlist, and the
database keeps the count (see signups.py)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager

from ..accounts.models import User
from ..core import time
from ..extensions import db
from .errors import SignupError
from .models import ACTIVE_SIGNUP_STATUSES, CANCELLED, Shift, Signup

CERTIFICATE_VALID_YEARS = 5


@dataclass(frozen=True)
class Bookings:
    """A person's active sign-ups on shifts that are not cancelled, in a time window: read once,
    for the questions about every shift of a page (or the one shift of a sign-up, under its lock)."""

    signups: tuple[Signup, ...]

    def on(self, shift: Shift) -> Signup | None:
        return next((s for s in self.signups if s.shift_id == shift.id), None)

    def clashing_with(self, shift: Shift) -> Signup | None:
        return next(
            (
                s
                for s in self.signups
                if s.shift_id != shift.id and s.shift.starts_at < shift.ends_at and s.shift.ends_at > shift.starts_at
            ),
            None,
        )


def bookings_of(person: User, start: datetime, end: datetime) -> Bookings:
    """The person's active sign-ups on shifts that are not cancelled and overlap [start, end)."""
    signups = db.session.scalars(
        sa.select(Signup)
        .join(Signup.shift)
        .where(*booked_between(person, start, end))
        .options(contains_eager(Signup.shift).joinedload(Shift.meeting_point))
        .order_by(Shift.starts_at, Signup.id)
    )
    return Bookings(tuple(signups))


def booked_between(person: User, start: datetime, end: datetime) -> tuple:
    """What makes a sign-up one of the person's bookings in [start, end), as SQL conditions on
    signups and shifts: bookings_of reads them as objects, shifts.listing as rows."""
    return (
        Signup.user_id == person.id,
        Signup.status.in_(ACTIVE_SIGNUP_STATUSES),
        Shift.status != CANCELLED,
        Shift.starts_at < end,
        Shift.ends_at > start,
    )


def has_valid_certificate(membership) -> bool:
    verified = membership.certificate_verified_on
    today = time.to_berlin(time.now()).date()
    return verified is not None and verified > time.years_before(today, CERTIFICATE_VALID_YEARS)


def bookable_blockers(person: User | None) -> list[SignupError]:
    """A deleted account stays only as the pseudonym under its hours: it never takes a place again,
    whether it signs up, a coordinator assigns it or confirms its pending sign-up."""
    if person is None or person.is_deleted:
        message = _("Dieses Konto ist gelöscht; die Person kann nicht eingetragen werden.")
        return [SignupError(message, code="account_deleted")]
    return []


def signup_blockers(shift: Shift, volunteer: User | None, *, bookings: Bookings | None = None) -> list[SignupError]:
    """Whether `volunteer` may be signed up for `shift` now (confirmed, waitlisted or pending).
    `bookings` may hold the volunteer's sign-ups around the shift, read once for a whole page;
    without it they are read here."""
    if denied := bookable_blockers(volunteer):
        return denied
    membership = volunteer.membership_in(shift.centre)
    if membership is None:
        return [SignupError(_("Sie gehören nicht zu diesem Zentrum."), code="not_member")]
    blockers = []
    if not shift.is_published:
        blockers.append(SignupError(_("Diese Schicht ist nicht (mehr) ausgeschrieben."), code="not_published"))
    if shift.starts_at <= time.now():
        blockers.append(SignupError(_("Die Schicht hat schon begonnen."), code="started"))
    if shift.requires_police_certificate and not has_valid_certificate(membership):
        message = _(
            "Für diese Schicht ist ein erweitertes Führungszeugnis nötig, das die Koordination "
            "geprüft hat. Bitte sprechen Sie die Koordination Ihres Zentrums an."
        )
        blockers.append(SignupError(message, code="certificate_required"))
    if bookings is None:
        bookings = bookings_of(volunteer, shift.starts_at, shift.ends_at)
    clash = bookings.clashing_with(shift)
    if clash is not None:
        message = _("Sie haben zu dieser Zeit schon eine Schicht (%(place)s).", place=clash.shift.meeting_point.name)
        blockers.append(SignupError(message, code="overlap"))
    if bookings.on(shift) is not None:
        blockers.append(SignupError(_("Sie sind für diese Schicht schon eingetragen."), code="already_signed_up"))
    return blockers


def cancel_blockers(signup: Signup) -> list[SignupError]:
    """Whether the sign-up may be withdrawn now ("Ich kann nicht", "Von der Warteliste nehmen"), by
    the volunteer or the coordination alike: while it is active, the shift not cancelled (its
    sign-ups stay so that everyone sees the cancellation; there is nothing to free) and before the
    shift begins (after that, attendance is recorded instead)."""
    blockers = []
    if signup.status not in ACTIVE_SIGNUP_STATUSES:
        blockers.append(SignupError(_("Diese Anmeldung ist schon storniert."), code="not_signed_up"))
    if signup.shift.is_cancelled:
        message = _("Die Schicht ist abgesagt; Sie müssen sich nicht abmelden.")
        blockers.append(SignupError(message, code="shift_cancelled"))
    if signup.shift.starts_at <= time.now():
        message = _("Die Schicht hat schon begonnen; bitte melden Sie sich bei der Koordination.")
        blockers.append(SignupError(message, code="started"))
    return blockers


def cancellation_cutoff(shift: Shift) -> datetime:
    """Until this instant a volunteer may withdraw without it being noted as late."""
    return shift.starts_at - timedelta(hours=shift.centre.cancel_cutoff_hours)


def is_late_cancellation(signup: Signup, *, by_volunteer: bool = True) -> bool:
    """Whether withdrawing the sign-up now counts as a late cancellation (a strike towards the
    no-show limit): a volunteer's own, of a confirmed place, after the centre's cut-off. Leaving
    the waitlist never is: nobody counted on that person."""
    return by_volunteer and signup.is_confirmed and time.now() > cancellation_cutoff(signup.shift)


def raise_first(blockers: list) -> None:
    """Raise the first reason against an action, if there is one."""
    if blockers:
        raise blockers[0]
