"""The coordinator's first screen, "Braucht Aufmerksamkeit": what it lists for each centre they
coordinate or lead, each item with where it is done. Every query covers all those centres at once,
so the page runs the same statements for one centre as for several, for few rows as for many."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from ..accounts.models import VOLUNTEER, Membership, User
from ..centres.models import Centre
from ..core import time
from ..extensions import db
from ..hours.models import SUBMITTED, VOLUNTEER_HOURS, HoursEntry
from ..shifts.models import (
    ACTIVE_SIGNUP_STATUSES,
    CANCELLED,
    CONFIRMED,
    HANDOVER_AWAITING_APPROVAL,
    PUBLISHED,
    WAITLISTED,
    Handover,
    Shift,
    Signup,
)
from ..shifts.policy import CERTIFICATE_VALID_YEARS

UNDERSTAFFED_DAYS = 14
ATTENDANCE_DAYS = 30
CERTIFICATE_WARNING_DAYS = 60
# A volunteer with a sign-up this recent (or upcoming) is active: an expired certificate matters.
ACTIVE_WINDOW = timedelta(days=365)
SHOWN = 5  # items listed per kind and centre; the count says how many there are


@dataclass
class Listed:
    """Some of the items of one kind, and how many there are in all."""

    items: list = field(default_factory=list)
    total: int = 0

    def add(self, item) -> None:
        self.total += 1
        if len(self.items) < SHOWN:
            self.items.append(item)


@dataclass
class CertificateDue:
    membership: Membership
    expires_on: date  # the first day it no longer counts

    @property
    def is_expired(self) -> bool:
        return self.expires_on <= _today()

    @property
    def valid_until(self) -> date:
        return self.expires_on - timedelta(days=1)


@dataclass
class Attention:
    centre: Centre
    understaffed: Listed = field(default_factory=Listed)
    pending_hours: int = 0
    oldest_pending_on: date | None = None
    unmarked_attendance: Listed = field(default_factory=Listed)
    waitlisted: Listed = field(default_factory=Listed)  # shifts
    waiting_people: int = 0
    certificates: Listed = field(default_factory=Listed)
    handovers: Listed = field(default_factory=Listed)  # offers taken, waiting for approval
    oldest_handover_at: datetime | None = None  # when the oldest of them was offered

    @property
    def is_clear(self) -> bool:
        return not (
            self.understaffed.total
            or self.handovers.total
            or self.pending_hours
            or self.unmarked_attendance.total
            or self.waitlisted.total
            or self.certificates.total
        )


def _today() -> date:
    return time.to_berlin(time.now()).date()


def attention_for(person: User) -> list[Attention]:
    """One block per centre the person coordinates or leads, in the order of their memberships."""
    blocks = {centre.id: Attention(centre) for centre in person.staff_centres}
    if not blocks:
        return []
    for shift in understaffed_shifts(blocks):
        blocks[shift.centre_id].understaffed.add(shift)
    for centre_id, count, oldest in pending_hours(blocks):
        blocks[centre_id].pending_hours, blocks[centre_id].oldest_pending_on = count, oldest
    for shift in unmarked_attendance(blocks):
        blocks[shift.centre_id].unmarked_attendance.add(shift)
    for shift, waiting in waitlisted_shifts(blocks):
        blocks[shift.centre_id].waitlisted.add(shift)
        blocks[shift.centre_id].waiting_people += waiting
    for due in certificates_due(blocks):
        blocks[due.membership.centre_id].certificates.add(due)
    for offer in handovers_awaiting_approval(blocks):
        block = blocks[offer.centre_id]
        block.handovers.add(offer)
        block.oldest_handover_at = min(block.oldest_handover_at or offer.created_at, offer.created_at)
    return list(blocks.values())


def understaffed_shifts(centre_ids) -> list[Shift]:
    """Published shifts of the next two weeks with fewer confirmed people than their minimum."""
    now = time.now()
    return list(
        db.session.scalars(
            sa.select(Shift)
            .where(
                Shift.centre_id.in_(list(centre_ids)),
                Shift.status == PUBLISHED,
                Shift.starts_at > now,
                Shift.starts_at < now + timedelta(days=UNDERSTAFFED_DAYS),
                Shift.confirmed_count < Shift.capacity_min,
            )
            .options(joinedload(Shift.meeting_point))
            .order_by(Shift.starts_at, Shift.id)
        )
    )


def handovers_awaiting_approval(centre_ids) -> list[Handover]:
    """Offers a colleague took that wait for the coordination's approval, soonest shift first
    (the lapse pass ends those whose cut-off passed)."""
    return list(
        db.session.scalars(
            sa.select(Handover)
            .join(Handover.shift)
            .where(
                Handover.centre_id.in_(list(centre_ids)),
                Handover.status == HANDOVER_AWAITING_APPROVAL,
                Shift.status == PUBLISHED,
                Shift.starts_at > time.now(),
            )
            .options(contains_eager(Handover.shift).joinedload(Shift.meeting_point))
            .order_by(Shift.starts_at, Handover.id)
        )
    )


def pending_hours(centre_ids) -> list[tuple[int, int, date]]:
    """Per centre: how many volunteer entries wait for review, and the day of the oldest."""
    return list(
        db.session.execute(
            sa.select(HoursEntry.centre_id, sa.func.count(), sa.func.min(HoursEntry.work_date))
            .where(
                HoursEntry.centre_id.in_(list(centre_ids)),
                HoursEntry.kind == VOLUNTEER_HOURS,
                HoursEntry.status == SUBMITTED,
            )
            .group_by(HoursEntry.centre_id)
        )
    )


def unmarked_attendance(centre_ids) -> list[Shift]:
    """Shifts that ended in the last 30 days with a confirmed sign-up whose attendance is open."""
    now = time.now()
    unmarked = sa.select(Signup.shift_id).where(Signup.status == CONFIRMED, Signup.attendance.is_(None))
    return list(
        db.session.scalars(
            sa.select(Shift)
            .where(
                Shift.centre_id.in_(list(centre_ids)),
                Shift.status != CANCELLED,
                Shift.ends_at <= now,
                Shift.ends_at > now - timedelta(days=ATTENDANCE_DAYS),
                Shift.id.in_(unmarked),
            )
            .options(joinedload(Shift.meeting_point))
            .order_by(Shift.starts_at.desc(), Shift.id)
        )
    )


def waitlisted_shifts(centre_ids) -> list[tuple[Shift, int]]:
    """Shifts (not cancelled) with people waiting that still have free seats or lie ahead, and how
    many wait on each."""
    waiting = (
        sa.select(Signup.shift_id, sa.func.count().label("people"))
        .where(Signup.centre_id.in_(list(centre_ids)), Signup.status == WAITLISTED)
        .group_by(Signup.shift_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Shift, waiting.c.people)
        .join(waiting, waiting.c.shift_id == Shift.id)
        .where(
            Shift.status != CANCELLED,
            sa.or_(Shift.confirmed_count < Shift.capacity_max, Shift.starts_at > time.now()),
        )
        .options(joinedload(Shift.meeting_point))
        .order_by(Shift.starts_at, Shift.id)
    )
    return [(shift, people) for shift, people in rows]


def certificates_due(centre_ids) -> list[CertificateDue]:
    """Volunteers whose police certificate expires within 60 days, and those whose certificate has
    expired while they are active (a sign-up in the last twelve months or ahead). Valid means
    verified less than CERTIFICATE_VALID_YEARS ago, as shifts.policy.has_valid_certificate says."""
    today = _today()
    warn_before = time.years_before(today + timedelta(days=CERTIFICATE_WARNING_DAYS), CERTIFICATE_VALID_YEARS)
    expired_on_or_before = time.years_before(today, CERTIFICATE_VALID_YEARS)
    active = (
        sa.select(Signup.user_id)
        .join(Signup.shift)
        .where(
            Signup.centre_id == Membership.centre_id,
            Signup.status.in_(ACTIVE_SIGNUP_STATUSES),
            Shift.status != CANCELLED,
            Shift.starts_at > time.now() - ACTIVE_WINDOW,
        )
    )
    memberships = db.session.scalars(
        sa.select(Membership)
        .join(Membership.user)
        .where(
            Membership.centre_id.in_(list(centre_ids)),
            Membership.role == VOLUNTEER,
            User.deleted_at.is_(None),
            Membership.certificate_verified_on <= warn_before,
            sa.or_(Membership.certificate_verified_on > expired_on_or_before, Membership.user_id.in_(active)),
        )
        .options(contains_eager(Membership.user))
        .order_by(Membership.certificate_verified_on, Membership.id)
    )
    return [CertificateDue(m, _expiry(m.certificate_verified_on)) for m in memberships]


def _expiry(verified_on: date) -> date:
    """The first day the certificate no longer counts (it is valid while verified > today - 5 years)."""
    return _years_after(verified_on, CERTIFICATE_VALID_YEARS)


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # from 29 February: valid through the 28th (time.years_before), gone on 1 March
        return date(day.year + years, 3, 1)
