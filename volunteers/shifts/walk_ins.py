"""Walk-ins ("Spontan da gewesen"): someone came to a shift without being signed up. The
coordination records them in one step, after the shift has begun: an attended sign-up and the
hours entry for the shift's time, made through the hours service as any coordinator-made entry, so
that they go through review and count in the KommAn figures like every other attended shift."""

from dataclasses import dataclass

from flask_babel import gettext as _

from ..accounts.models import VOLUNTEER, User
from ..audit.services import record
from ..core import time
from ..core.errors import DomainError
from ..extensions import db
from ..hours.locks import lock_periods, lock_person
from ..hours.models import HoursEntry
from ..hours.policy import PeriodCalendar, day_blockers
from ..hours.services import HoursInput, log_hours
from .errors import SignupError
from .models import ATTENDED, CONFIRMED, Shift, Signup
from .policy import bookable_blockers, raise_first
from .signups import lock_shift, previous_signup, take_walk_in_slot


@dataclass
class WalkIn:
    signup: Signup
    entry: HoursEntry
    raised_capacity: bool  # the shift was full: its maximum rose with the walk-in


def walk_in_blockers(
    shift: Shift, *, by: User, volunteer: User | None = None, periods: PeriodCalendar | None = None
) -> list[DomainError]:
    """Whether a walk-in may be recorded for `shift` now (and for `volunteer`, if given): a
    published shift that has begun, whose day the hours rules still take (not in a closed report
    period, not too far back). A full shift is no reason against: the person really was there."""
    if shift.is_cancelled:
        return [SignupError(_("Die Schicht ist abgesagt."), code="cancelled")]
    if not shift.is_published:
        return [SignupError(_("Die Schicht ist nicht veröffentlicht."), code="not_published")]
    if shift.starts_at > time.now():
        message = _("Spontan Dagewesene lassen sich erst ab Beginn der Schicht erfassen.")
        return [SignupError(message, code="not_started")]
    day = time.to_berlin(shift.starts_at).date()
    if blockers := day_blockers(shift.centre_id, day, by=by, periods=periods):
        return blockers
    return _person_blockers(shift, volunteer) if volunteer is not None else []


def _person_blockers(shift: Shift, volunteer: User) -> list[DomainError]:
    if denied := bookable_blockers(volunteer):
        return denied
    if volunteer.role_in(shift.centre) != VOLUNTEER:
        return [SignupError(_("Diese Person ist keine Ehrenamtliche des Zentrums."), code="not_member")]
    signup = previous_signup(shift, volunteer)
    if signup is not None and signup.is_confirmed:
        message = _("%(name)s ist schon bestätigt eingetragen; bitte die Anwesenheit erfassen.", name=volunteer.name)
        return [SignupError(message, code="already_signed_up")]
    return []


def record_walk_in(*, shift: Shift, volunteer: User, by: User) -> WalkIn:
    """An attended sign-up (a waitlisted, pending or withdrawn one is reused) and a submitted hours
    entry for the shift's time, in the caller's transaction, audited."""
    lock_periods(shift.centre_id)  # the hours locks' order first: periods, person; then the shift
    lock_person(volunteer.id)
    shift = lock_shift(shift)
    raise_first(walk_in_blockers(shift, by=by, volunteer=volunteer))
    signup = previous_signup(shift, volunteer)
    # Before a new row joins the session: the UPDATE would autoflush it without a status.
    raised = take_walk_in_slot(shift)
    if signup is None:
        signup = Signup(centre_id=shift.centre_id, shift_id=shift.id, user_id=volunteer.id)
        db.session.add(signup)
    signup.status, signup.attendance, signup.assigned_by_id = CONFIRMED, ATTENDED, by.id
    signup.requested_at = signup.updated_at = time.now()
    signup.cancelled_at, signup.is_late_cancellation, signup.cancel_reason = None, False, None
    db.session.flush()
    entry, _created = log_hours(centre=shift.centre, person=volunteer, values=_hours_of(shift), by=by)
    record(
        centre_id=shift.centre_id,
        actor=by,
        entity="signup",
        entity_id=signup.id,
        action="walk_in",
        after={"shift_id": shift.id, "user_id": volunteer.id, "hours_entry_id": entry.id, "raised_capacity": raised},
    )
    return WalkIn(signup, entry, raised)


def _hours_of(shift: Shift) -> HoursInput:
    return HoursInput(
        work_date=time.to_berlin(shift.starts_at).date(),
        minutes=shift.duration_minutes,
        activity=shift.activity,
        meeting_point=shift.meeting_point,
        shift=shift,
        note=_("Spontan da gewesen, von der Koordination erfasst."),
    )
