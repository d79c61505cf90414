"""Signing up for shifts, cancelling, the waitlist, and attendance.

Capacity is protected by the database: a slot is taken with one conditional UPDATE
(`confirmed_count = confirmed_count + 1 WHERE confirmed_count < capacity_max`) whose row count
says whether it worked, and a CHECK constraint refuses any overbooking. On PostgreSQL the shift row
is also locked (FOR UPDATE) for the whole transaction, so that cancellations and promotions from
the waitlist never interleave; SQLite gets the same from its database-wide write lock, which every
writing request takes when it begins (see core/database.py)."""

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ..accounts.models import User
from ..core import time
from ..extensions import db
from ..reminders import notify
from .errors import SignupError
from .models import (
    ATTENDED,
    CANCEL_REASON,
    CONFIRMED,
    NO_SHOW,
    PENDING,
    SIGNUP_CANCELLED,
    WAITLISTED,
    Shift,
    Signup,
)
from .policy import (
    bookable_blockers,
    cancel_blockers,
    has_valid_certificate,  # noqa: F401 -- re-exported: centres.views imports it from here
    is_late_cancellation,
    raise_first,
    signup_blockers,
)
from .waitlist import waitlist_order

NO_SHOW_WINDOW = timedelta(days=365)


# Row locks are FOR NO KEY UPDATE (key_share): they serialise writers of the row just the same, but
# leave alone the KEY SHARE lock that PostgreSQL takes on a row that a new foreign key points to. A
# full FOR UPDATE on a person deadlocked a second tap on "sign up" (person, then shift) against a
# cancellation that promoted that person (shift, then a notification referring to the person).


def lock_shift(shift: Shift) -> Shift:
    """Lock the shift row until the transaction ends (PostgreSQL) and reload its counters."""
    return db.session.scalars(
        sa.select(Shift)
        .where(Shift.id == shift.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).one()


def _lock_person(user: User) -> None:
    # Serialises one person's sign-ups, so two taps on overlapping shifts cannot both succeed.
    db.session.execute(sa.select(User.id).where(User.id == user.id).with_for_update(key_share=True))


def _take_slot(shift: Shift) -> bool:
    taken = (
        db.session.execute(
            sa.update(Shift)
            .where(Shift.id == shift.id, Shift.confirmed_count < Shift.capacity_max)
            .values(confirmed_count=Shift.confirmed_count + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )
    db.session.expire(shift, ["confirmed_count"])
    return taken


def take_walk_in_slot(shift: Shift) -> bool:
    """A place for someone who was there without a sign-up (walk_ins.py): a free one, else the
    maximum rises with them, since they really came; returns whether it had to rise. The counter
    never passes the maximum, so the database's check still holds."""
    if _take_slot(shift):
        return False
    db.session.execute(
        sa.update(Shift)
        .where(Shift.id == shift.id)
        .values(capacity_max=Shift.confirmed_count + 1, confirmed_count=Shift.confirmed_count + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(shift, ["confirmed_count", "capacity_max"])
    return True


def _release_slot(shift: Shift) -> None:
    db.session.execute(
        sa.update(Shift)
        .where(Shift.id == shift.id, Shift.confirmed_count > 0)
        .values(confirmed_count=Shift.confirmed_count - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(shift, ["confirmed_count"])


def sign_up(*, shift: Shift, volunteer: User, assigned_by: User | None = None) -> Signup:
    """Sign `volunteer` up: confirmed while there is room, else on the waitlist. Volunteers over
    their centre's no-show limit wait for a coordinator (pending) unless a coordinator assigns them."""
    _lock_person(volunteer)
    shift = lock_shift(shift)
    raise_first(signup_blockers(shift, volunteer))
    signup = previous_signup(shift, volunteer)
    # Decided before a new row joins the session: the queries it runs would autoflush it without one.
    status = _new_signup_status(shift, volunteer, assigned_by)
    if signup is None:
        signup = Signup(centre_id=shift.centre_id, shift_id=shift.id, user_id=volunteer.id)
        db.session.add(signup)
    signup.status = status
    signup.assigned_by_id = assigned_by.id if assigned_by else None
    signup.requested_at = signup.updated_at = time.now()
    signup.cancelled_at, signup.is_late_cancellation, signup.attendance = None, False, None
    signup.cancel_reason = None
    db.session.flush()
    notify.schedule_reminders(signup)
    return signup


def previous_signup(shift: Shift, volunteer: User) -> Signup | None:
    # A withdrawn sign-up is reused: there is one row per person and shift.
    return db.session.scalar(sa.select(Signup).where(Signup.shift_id == shift.id, Signup.user_id == volunteer.id))


def _new_signup_status(shift: Shift, volunteer: User, assigned_by: User | None) -> str:
    if assigned_by is None and needs_confirmation(volunteer, shift.centre):
        return PENDING
    return CONFIRMED if _take_slot(shift) else WAITLISTED


def check_bookable(person: User | None) -> None:
    """Refuse a deleted account (see policy.bookable_blockers)."""
    raise_first(bookable_blockers(person))


def reliability_strikes(volunteer: User, centre) -> int:
    """No-shows and late cancellations in the centre during the last twelve months."""
    since = time.now() - NO_SHOW_WINDOW
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Signup)
        .join(Signup.shift)
        .where(
            Signup.user_id == volunteer.id,
            Signup.centre_id == centre.id,
            Shift.starts_at >= since,
            sa.or_(Signup.attendance == NO_SHOW, Signup.is_late_cancellation.is_(True)),
        )
    )


def needs_confirmation(volunteer: User, centre) -> bool:
    return centre.no_show_limit > 0 and reliability_strikes(volunteer, centre) >= centre.no_show_limit


def cancel_signup(*, signup: Signup, by_volunteer: bool = True, reason: str | None = None) -> list[Signup]:
    """Withdraw a sign-up, with the volunteer's optional reason for the coordination. Whether it
    counts as late is policy.is_late_cancellation's call. A freed place goes to the first on the
    waitlist; returns those promoted."""
    reason = CANCEL_REASON.check((reason or "").strip(), "reason") or None
    shift = lock_shift(signup.shift)
    db.session.refresh(signup)  # read under the lock: a parallel request may have changed it
    raise_first(cancel_blockers(signup))
    was_confirmed = signup.is_confirmed
    signup.is_late_cancellation = is_late_cancellation(signup, by_volunteer=by_volunteer)
    signup.status, signup.cancelled_at, signup.cancel_reason = SIGNUP_CANCELLED, time.now(), reason
    signup.updated_at = time.now()
    if was_confirmed:
        _release_slot(shift)
    db.session.flush()
    notify.withdraw_reminders(signup)
    return promote_waitlist(shift)


def promote_waitlist(shift: Shift) -> list[Signup]:
    """Confirm people from the waitlist, earliest first, while there is room."""
    if not shift.is_published:
        return []
    promoted = []
    waiting = db.session.scalars(
        sa.select(Signup).where(Signup.shift_id == shift.id, Signup.status == WAITLISTED).order_by(*waitlist_order())
    )
    for signup in waiting:
        if not _take_slot(shift):
            break
        signup.status, signup.updated_at = CONFIRMED, time.now()
        promoted.append(signup)
    db.session.flush()
    for signup in promoted:
        notify.promoted(signup)
    return promoted


def confirm_pending(*, signup: Signup, by: User) -> Signup:
    """A coordinator accepts a pending sign-up: confirmed if there is room, else waitlisted."""
    shift = lock_shift(signup.shift)
    db.session.refresh(signup)
    if not signup.is_pending:
        raise SignupError(_("Diese Anmeldung wartet nicht auf eine Bestätigung."), code="not_pending")
    check_bookable(signup.user)
    signup.status = CONFIRMED if _take_slot(shift) else WAITLISTED
    signup.assigned_by_id, signup.updated_at = by.id, time.now()
    db.session.flush()
    notify.schedule_reminders(signup)
    return signup


def record_attendance(*, shift: Shift, marks: dict[int, str], participants_count: int | None) -> None:
    """After the shift has begun: who came (attended / no_show) and how many people were reached."""
    if shift.starts_at > time.now():
        raise SignupError(_("Die Anwesenheit kann erst ab Beginn der Schicht erfasst werden."), code="not_started")
    if participants_count is not None and not 0 <= participants_count <= 10000:
        raise SignupError(_("Die Zahl der Teilnehmenden ist ungültig."), code="invalid", field="participants_count")
    confirmed = {s.id: s for s in shift.signups if s.is_confirmed}
    for signup_id, mark in marks.items():
        if signup_id not in confirmed or mark not in (ATTENDED, NO_SHOW, None):
            raise SignupError(_("Ungültige Angabe zur Anwesenheit."), code="invalid", field="attendance")
        confirmed[signup_id].attendance = mark
    shift.participants_count = participants_count
    shift.updated_at = time.now()
    db.session.flush()
