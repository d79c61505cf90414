"""Handing a confirmed shift to a colleague ("Ich kann nicht – wer übernimmt?").

The offerer keeps the seat until someone takes it: the first colleague to accept gets it and the
offerer is released in one transaction, without the seat ever being free (confirmed_count does not
move, so nobody can slip in between and the database's check still holds). Accepting takes the same
locks as a sign-up: the taker's person row, then the shift row, then the offer row (PostgreSQL; on
SQLite the write lock of the request). Where the centre asks for it, an acceptance waits for a
coordinator's approval. At the centre's cancellation cut-off an offer nobody took lapses into a
normal cancellation: the waitlist moves up, and an understaffed shift calls for help."""

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ..accounts.models import STAFF_ROLES, VOLUNTEER, Membership, User
from ..audit.services import record
from ..core import time
from ..core.database import begin_write
from ..core.errors import DomainError
from ..extensions import db
from ..reminders import notify
from . import handover_messages as messages
from .errors import SignupError
from .models import (
    ACTIVE_HANDOVER_STATUSES,
    CONFIRMED,
    HANDOVER_AWAITING_APPROVAL,
    HANDOVER_LAPSED,
    HANDOVER_OPEN,
    HANDOVER_TAKEN,
    HANDOVER_WITHDRAWN,
    PUBLISHED,
    SIGNUP_CANCELLED,
    Handover,
    Shift,
    Signup,
)
from .policy import cancel_blockers, cancellation_cutoff, raise_first, signup_blockers
from .signups import cancel_signup, lock_shift, needs_confirmation, previous_signup

# The longest cut-off a centre can set (centres.services.update_settings): the lapse pass looks this far ahead.
MAX_CUTOFF = timedelta(hours=168)


class HandoverError(DomainError):
    """A handover is not possible, e.g. code "taken", "lapsed", "overlap", "language_missing"."""

    status = 422


def _is_absent(user_id: int, shift: Shift) -> bool:
    """Whether the person said they are away on a day of the shift (availability's absences)."""
    from ..availability import is_absent, shift_days  # here, not at the top: availability imports from shifts

    return is_absent(user_id, *shift_days(shift))


# --- policy ------------------------------------------------------------------------------


def active_offer_of(signup: Signup) -> Handover | None:
    """The sign-up's offer while it is open or waits for approval."""
    return db.session.scalar(
        sa.select(Handover).where(Handover.signup_id == signup.id, Handover.status.in_(ACTIVE_HANDOVER_STATUSES))
    )


def active_offers_of_person(user_id: int) -> dict[int, Handover]:
    """The person's open offers by sign-up id: read once for a page of cards."""
    rows = db.session.scalars(
        sa.select(Handover).where(Handover.user_id == user_id, Handover.status.in_(ACTIVE_HANDOVER_STATUSES))
    )
    return {offer.signup_id: offer for offer in rows}


_UNREAD = object()


def offer_blockers(signup: Signup, *, active_offer=_UNREAD) -> list[HandoverError]:
    """Whether the volunteer may offer this sign-up for handover now: a confirmed seat, withdrawable,
    before the cut-off (after it, only "Ich kann nicht" is left), not offered already."""
    blockers = [HandoverError(e.message, code=e.code) for e in cancel_blockers(signup)]
    if not blockers and not signup.is_confirmed:
        blockers.append(HandoverError(_("Nur ein sicherer Platz kann übergeben werden."), code="not_confirmed"))
    if not blockers and time.now() >= cancellation_cutoff(signup.shift):
        message = _("Für eine Übergabe ist es zu spät; bitte sagen Sie ab.")
        blockers.append(HandoverError(message, code="past_cutoff"))
    if active_offer is _UNREAD and not blockers:
        active_offer = active_offer_of(signup)
    if not blockers and active_offer is not None:
        blockers.append(HandoverError(_("Diese Schicht ist schon zur Übernahme angeboten."), code="already_offered"))
    return blockers


def _offer_state_blockers(offer: Handover, *, approving: bool) -> list[HandoverError]:
    wanted = HANDOVER_AWAITING_APPROVAL if approving else HANDOVER_OPEN
    if offer.status == HANDOVER_TAKEN or (not approving and offer.is_awaiting_approval):
        return [HandoverError(_("Diese Schicht hat schon jemand übernommen."), code="taken")]
    if offer.status == HANDOVER_WITHDRAWN or not offer.signup.is_confirmed:
        return [HandoverError(_("Das Angebot wurde zurückgezogen."), code="withdrawn")]
    if offer.status == HANDOVER_LAPSED or time.now() >= cancellation_cutoff(offer.shift):
        return [HandoverError(_("Das Angebot ist abgelaufen."), code="lapsed")]
    if offer.status != wanted:
        return [HandoverError(_("Dieses Angebot wartet nicht auf eine Bestätigung."), code="not_awaiting_approval")]
    return []


def handover_blockers(offer: Handover, taker: User | None, *, approving: bool = False) -> list[HandoverError]:
    """Whether `taker` may take the offered seat now (or, `approving`, be given it by the coordination):
    the offer still stands, and the taker could sign up for the shift (membership, certificate, no
    overlap: shifts.policy), speaks one of its languages, is not absent that day. Someone waiting on
    the shift's own waitlist may take it: their place there becomes the seat."""
    if blockers := _offer_state_blockers(offer, approving=approving):
        return blockers
    if taker is not None and taker.id == offer.user_id:
        return [HandoverError(_("Das ist Ihr eigenes Angebot."), code="own_offer")]
    blockers = [
        HandoverError(e.message, code=e.code)
        for e in signup_blockers(offer.shift, taker)
        if not (e.code == "already_signed_up" and _waits_on(offer.shift, taker))
    ]
    if taker is None or taker.is_deleted or blockers and blockers[0].code == "not_member":
        return blockers
    shift = offer.shift
    if shift.languages and not set(shift.languages) & set(taker.languages or ()):
        message = _("Für diese Schicht fehlt Ihnen eine der verlangten Sprachen.")
        blockers.append(HandoverError(message, code="language_missing"))
    if _is_absent(taker.id, shift):
        blockers.append(HandoverError(_("Sie haben sich für diesen Tag abwesend gemeldet."), code="absent"))
    return blockers


def _waits_on(shift: Shift, person: User | None) -> bool:
    signup = previous_signup(shift, person) if person is not None else None
    return signup is not None and (signup.is_waitlisted or signup.is_pending)


# --- services ----------------------------------------------------------------------------


def _lock_person(user: User) -> None:
    # As signups.sign_up does: serialises one person's bookings, so an overlapping sign-up cannot slip in.
    db.session.execute(sa.select(User.id).where(User.id == user.id).with_for_update(key_share=True))


def _lock_offer(offer: Handover) -> Handover:
    return db.session.scalars(
        sa.select(Handover)
        .where(Handover.id == offer.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).one()


def _audited(offer: Handover) -> dict:
    """What every handover event records; the action stays at each call, where tests/audit reads it."""
    after = {"shift_id": offer.shift_id, "user_id": offer.user_id, "taker_id": offer.taker_id, "status": offer.status}
    return {"centre_id": offer.centre_id, "entity_id": offer.id, "after": after}


def offer_handover(*, signup: Signup, by: User) -> Handover:
    """Offer the confirmed sign-up to colleagues; those who may take it are told. The seat stays the
    offerer's until someone takes it."""
    lock_shift(signup.shift)
    db.session.refresh(signup)
    raise_first(offer_blockers(signup))
    offer = db.session.scalar(sa.select(Handover).where(Handover.signup_id == signup.id))
    if offer is None:
        offer = Handover(centre_id=signup.centre_id, shift_id=signup.shift_id, signup_id=signup.id)
        db.session.add(offer)
    offer.user_id, offer.status, offer.taker_id = signup.user_id, HANDOVER_OPEN, None
    offer.created_at, offer.decided_at = time.now(), None
    db.session.flush()
    record(**_audited(offer), entity="handover", action="offered", actor=by)
    messages.offered(offer, eligible_takers(offer))
    return offer


def eligible_takers(offer: Handover) -> list[User]:
    """The centre's volunteers who may take the offer now."""
    volunteers = db.session.scalars(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.centre_id == offer.centre_id, Membership.role == VOLUNTEER, User.deleted_at.is_(None))
        .order_by(User.id)
    )
    return [person for person in volunteers if not handover_blockers(offer, person)]


def accept_handover(*, offer: Handover, taker: User) -> Signup | Handover:
    """The first colleague to accept gets the seat and the offerer is released; returns the taker's
    sign-up. Where the centre (or the taker's no-show record) asks for approval, the offer waits for
    the coordination instead and is returned."""
    _lock_person(taker)
    shift = lock_shift(offer.shift)
    offer = _lock_offer(offer)
    db.session.refresh(offer.signup)
    raise_first(handover_blockers(offer, taker))
    offer.taker_id = taker.id
    if shift.centre.handover_needs_approval or needs_confirmation(taker, shift.centre):
        offer.status, offer.decided_at = HANDOVER_AWAITING_APPROVAL, None
        db.session.flush()
        record(**_audited(offer), entity="handover", action="requested", actor=taker)
        messages.awaiting_approval(offer, approvers(offer))
        return offer
    return _hand_over(offer, shift, taker, actor=taker)


def approvers(offer: Handover) -> list[User]:
    """Who may approve a handover: the coordinators and leads of its centre."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.centre_id == offer.centre_id, Membership.role.in_(STAFF_ROLES), User.deleted_at.is_(None))
            .order_by(User.id)
        )
    )


def approve_handover(*, offer: Handover, by: User) -> Signup:
    """The coordination lets the waiting colleague take the seat."""
    taker = _require_taker(offer)
    _lock_person(taker)
    shift = lock_shift(offer.shift)
    offer = _lock_offer(offer)
    db.session.refresh(offer.signup)
    raise_first(handover_blockers(offer, taker, approving=True))
    return _hand_over(offer, shift, taker, actor=by)


def decline_handover(*, offer: Handover, by: User) -> Handover:
    """The coordination says no to the waiting colleague: the offer is open again for others."""
    lock_shift(offer.shift)
    offer = _lock_offer(offer)
    if not offer.is_awaiting_approval:
        raise HandoverError(_("Dieses Angebot wartet nicht auf eine Bestätigung."), code="not_awaiting_approval")
    taker = offer.taker
    offer.status, offer.taker_id = HANDOVER_OPEN, None
    db.session.flush()
    record(**_audited(offer), entity="handover", action="declined", actor=by)
    if taker is not None:
        messages.declined(offer, taker)
    return offer


def _require_taker(offer: Handover) -> User:
    if offer.taker is None:
        raise HandoverError(_("Dieses Angebot wartet nicht auf eine Bestätigung."), code="not_awaiting_approval")
    return offer.taker


def _hand_over(offer: Handover, shift: Shift, taker: User, *, actor: User) -> Signup:
    # The seat moves: one sign-up cancelled, one confirmed, confirmed_count untouched.
    giver = offer.signup
    giver.status, giver.cancelled_at, giver.updated_at = SIGNUP_CANCELLED, time.now(), time.now()
    giver.is_late_cancellation, giver.cancel_reason = False, None  # handed over, not dropped
    signup = previous_signup(shift, taker)
    if signup is None:
        signup = Signup(centre_id=shift.centre_id, shift_id=shift.id, user_id=taker.id)
        db.session.add(signup)
    signup.status, signup.assigned_by_id = CONFIRMED, None
    signup.requested_at = signup.updated_at = time.now()
    signup.cancelled_at, signup.is_late_cancellation, signup.attendance, signup.cancel_reason = None, False, None, None
    offer.status, offer.taker_id, offer.decided_at = HANDOVER_TAKEN, taker.id, time.now()
    db.session.flush()
    notify.withdraw_reminders(giver)
    notify.schedule_reminders(signup)
    record(**_audited(offer), entity="handover", action="taken", actor=actor)
    messages.taken(offer)
    return signup


def withdraw_handover(*, offer: Handover, by: User) -> Handover:
    """The offerer keeps the shift after all (while nobody has taken it)."""
    lock_shift(offer.shift)
    offer = _lock_offer(offer)
    if offer.status not in ACTIVE_HANDOVER_STATUSES:
        raise_first(_offer_state_blockers(offer, approving=False))
    offer.status, offer.decided_at = HANDOVER_WITHDRAWN, time.now()
    db.session.flush()
    record(**_audited(offer), entity="handover", action="withdrawn", actor=by)
    return offer


def lapse_handovers() -> int:
    """The worker's pass: offers nobody took by the cut-off become normal cancellations (waitlist
    promotion; a staffing call if the shift is then understaffed). Commits each; returns how many."""
    begin_write(db.session)
    candidates = db.session.scalars(
        sa.select(Handover.id)
        .join(Handover.shift)
        .where(Handover.status.in_(ACTIVE_HANDOVER_STATUSES), Shift.starts_at <= time.now() + MAX_CUTOFF)
        .order_by(Handover.id)
    ).all()
    lapsed = 0
    for offer_id in candidates:
        lapsed += _lapse_one(db.session.get(Handover, offer_id))
        db.session.commit()
        begin_write(db.session)
    db.session.commit()
    return lapsed


def _lapse_one(offer: Handover) -> int:
    shift = lock_shift(offer.shift)
    offer = _lock_offer(offer)
    if offer.status not in ACTIVE_HANDOVER_STATUSES or time.now() < cancellation_cutoff(shift):
        return 0
    offer.status, offer.decided_at = HANDOVER_LAPSED, time.now()
    db.session.flush()
    record(**_audited(offer), entity="handover", action="lapsed", actor=None)
    try:
        # Not late: the volunteer said in time that they cannot come.
        cancel_signup(signup=offer.signup, by_volunteer=False)
    except SignupError:
        return 1  # already withdrawn, or the shift was cancelled: nothing left to free
    messages.lapsed(offer)
    if shift.status == PUBLISHED and shift.is_understaffed:
        notify.staffing_call(shift=shift, message="")
    return 1


def forget_taker(user: User) -> None:
    """Account erasure: the person no longer waits for approval anywhere, and no offer names them."""
    db.session.execute(
        sa.update(Handover)
        .where(Handover.taker_id == user.id, Handover.status == HANDOVER_AWAITING_APPROVAL)
        .values(status=HANDOVER_OPEN)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(Handover)
        .where(Handover.taker_id == user.id)
        .values(taker_id=None)
        .execution_options(synchronize_session=False)
    )
