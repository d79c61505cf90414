"""What the pages and the API show of handovers: the offers a person may take, their own, a
shift's, one offer by id within the person's centres, and the DSGVO export's rows. The rules for
offering and taking live in handovers.py."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..core import time
from ..extensions import db
from .handovers import handover_blockers
from .models import ACTIVE_HANDOVER_STATUSES, CONFIRMED, HANDOVER_OPEN, PUBLISHED, Handover, Shift, Signup


def offers_for(person: User) -> list[Handover]:
    """Open offers in the person's centres that they may take now, soonest shift first."""
    offers = db.session.scalars(
        sa.select(Handover)
        .join(Handover.shift)
        .join(Handover.signup)
        .where(
            Handover.centre_id.in_([c.id for c in person.centres]),
            Handover.status == HANDOVER_OPEN,
            Signup.status == CONFIRMED,
            Shift.status == PUBLISHED,
            Shift.starts_at > time.now(),
        )
        .options(joinedload(Handover.shift).joinedload(Shift.meeting_point))
        .order_by(Shift.starts_at, Handover.id)
    )
    return [offer for offer in offers if not handover_blockers(offer, person)]


def my_offers(person: User) -> list[Handover]:
    """The person's own offers that still stand."""
    return list(
        db.session.scalars(
            sa.select(Handover)
            .join(Handover.shift)
            .where(
                Handover.user_id == person.id,
                Handover.status.in_(ACTIVE_HANDOVER_STATUSES),
                Shift.starts_at > time.now(),
            )
            .order_by(Shift.starts_at, Handover.id)
        )
    )


def offers_on_shift(shift: Shift) -> list[Handover]:
    """A shift's offers that still stand, for the coordination's shift page."""
    return list(
        db.session.scalars(
            sa.select(Handover)
            .where(
                Handover.shift_id == shift.id,
                Handover.centre_id == shift.centre_id,
                Handover.status.in_(ACTIVE_HANDOVER_STATUSES),
            )
            .order_by(Handover.id)
        )
    )


def handovers_export(user: User) -> list[dict]:
    """The person's offers and takings, for the DSGVO export."""
    rows = db.session.scalars(
        sa.select(Handover)
        .where(sa.or_(Handover.user_id == user.id, Handover.taker_id == user.id))
        .order_by(Handover.created_at)
    )
    return [
        {
            "shift_id": offer.shift_id,
            "role": "offered" if offer.user_id == user.id else "taker",
            "status": offer.status,
            "created_at": offer.created_at.isoformat(),
            "decided_at": offer.decided_at.isoformat() if offer.decided_at else None,
        }
        for offer in rows
    ]


def visible_offer_or_none(person: User, offer_id: int) -> Handover | None:
    """An offer in one of the person's centres; any other is as if it did not exist."""
    return db.session.scalar(
        sa.select(Handover).where(Handover.id == offer_id, Handover.centre_id.in_([c.id for c in person.centres]))
    )
