"""The order of a shift's waitlist: the earliest request first. Promotion (signups.py) and the
places shown to volunteers both read it here, so that "Platz 2" is the place that moves up next."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager

from ..accounts.models import User
from ..core import time
from ..extensions import db
from .models import CANCELLED, WAITLISTED, Shift, Signup


def waitlist_order(signup=Signup) -> tuple:
    """The ORDER BY of a waitlist (of `signup`, the model or an alias of it)."""
    return (signup.requested_at, signup.id)


@dataclass(frozen=True)
class WaitlistPlace:
    signup: Signup
    position: int  # 1 is the next to move up

    @property
    def shift(self) -> Shift:
        return self.signup.shift


def waitlist_places(person: User, centre_ids) -> list[WaitlistPlace]:
    """The person's places on the waitlists of upcoming shifts of the given centres, soonest shift
    first, in one statement."""
    waiting = aliased(Signup)
    ranked = (
        sa.select(
            waiting.id.label("signup_id"),
            sa.func.row_number()
            .over(partition_by=waiting.shift_id, order_by=waitlist_order(waiting))
            .label("position"),
        )
        .where(waiting.status == WAITLISTED)
        .where(
            waiting.shift_id.in_(
                sa.select(Signup.shift_id).where(Signup.user_id == person.id, Signup.status == WAITLISTED)
            )
        )
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Signup, ranked.c.position)
        .join(ranked, ranked.c.signup_id == Signup.id)
        .join(Signup.shift)
        .where(
            Signup.user_id == person.id,
            Signup.centre_id.in_(list(centre_ids)),
            Shift.status != CANCELLED,
            Shift.starts_at > time.now(),
        )
        .options(contains_eager(Signup.shift).joinedload(Shift.meeting_point))
        .order_by(Shift.starts_at, Shift.id)
    )
    return [WaitlistPlace(signup, position) for signup, position in rows]
