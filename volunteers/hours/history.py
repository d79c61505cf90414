"""A volunteer's own hours: history and running totals per month and year."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..core import time
from ..extensions import db
from .models import APPROVED, SUBMITTED, HoursEntry


@dataclass
class Totals:
    month_approved: int
    month_submitted: int
    year_approved: int
    year_submitted: int


def my_entries(user: User, limit: int = 100) -> list[HoursEntry]:
    return list(
        db.session.scalars(
            sa.select(HoursEntry)
            .where(HoursEntry.user_id == user.id)
            .options(joinedload(HoursEntry.meeting_point), joinedload(HoursEntry.shift))
            .order_by(HoursEntry.work_date.desc(), HoursEntry.id.desc())
            .limit(limit)
        )
    )


def my_totals(user: User, today: date | None = None) -> Totals:
    """Minutes this month and this year, approved and still waiting, in one query."""
    today = today or time.to_berlin(time.now()).date()
    month_start, year_start = today.replace(day=1), today.replace(month=1, day=1)

    def total(since, status):
        return sa.func.coalesce(
            sa.func.sum(HoursEntry.minutes).filter(HoursEntry.work_date >= since, HoursEntry.status == status), 0
        )

    row = db.session.execute(
        sa.select(
            total(month_start, APPROVED),
            total(month_start, SUBMITTED),
            total(year_start, APPROVED),
            total(year_start, SUBMITTED),
        ).where(HoursEntry.user_id == user.id, HoursEntry.work_date >= year_start)
    ).one()
    return Totals(*row)


def format_minutes(minutes: int) -> str:
    """1:30 for 90 minutes; a minus sign for corrections that take time back."""
    sign = "−" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours}:{rest:02d}"
