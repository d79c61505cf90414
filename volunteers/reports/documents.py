"""Supporting documents of the Verwendungsnachweis: the room-use plan per meeting point, the
hours list per volunteer for signing (Stundennachweis), and participant counts per session."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..centres.models import Centre, MeetingPoint
from ..core import time
from ..core.tenancy import in_centre
from ..extensions import db
from ..hours.models import APPROVED, VOLUNTEER_HOURS, HoursEntry
from ..shifts.models import PUBLISHED, Shift
from .figures import Period

ONE_THIRD = 1 / 3


@dataclass
class RoomUse:
    meeting_point: MeetingPoint
    booked_hours: float | None
    used_hours: float

    @property
    def used_share(self) -> float | None:
        return round(self.used_hours / self.booked_hours, 4) if self.booked_hours else None

    @property
    def below_one_third(self) -> bool:
        return self.used_share is not None and self.used_share < ONE_THIRD


def _union_hours(intervals) -> float:
    """Hours covered by possibly overlapping intervals: two shifts at once use the room once."""
    total, current_start, current_end = 0.0, None, None
    for start, end in sorted(intervals):
        if current_end is None or start > current_end:
            if current_end is not None:
                total += (current_end - current_start).total_seconds()
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += (current_end - current_start).total_seconds()
    return round(total / 3600, 2)


def room_use(centre: Centre, period: Period) -> list[RoomUse]:
    start, end = period.instants()
    weeks = ((period.end - period.start).days + 1) / 7
    intervals: dict[int, list] = {}
    for meeting_point_id, starts_at, ends_at in db.session.execute(
        sa.select(Shift.meeting_point_id, Shift.starts_at, Shift.ends_at).where(
            Shift.centre_id == centre.id, Shift.status == PUBLISHED, Shift.starts_at >= start, Shift.starts_at < end
        )
    ):
        intervals.setdefault(meeting_point_id, []).append((starts_at, ends_at))
    meeting_points = db.session.scalars(in_centre(MeetingPoint, centre).order_by(MeetingPoint.name))
    return [
        RoomUse(
            mp,
            round(mp.booked_hours_per_week * weeks, 2) if mp.booked_hours_per_week else None,
            _union_hours(intervals.get(mp.id, [])),
        )
        for mp in meeting_points
    ]


def hours_list(centre: Centre, volunteer: User, period: Period) -> list[HoursEntry]:
    """A volunteer's approved hours in the period, for the Stundennachweis they sign."""
    return list(
        db.session.scalars(
            in_centre(HoursEntry, centre)
            .where(
                HoursEntry.user_id == volunteer.id,
                HoursEntry.status == APPROVED,
                HoursEntry.kind == VOLUNTEER_HOURS,
                HoursEntry.work_date.between(period.start, period.end),
            )
            .options(joinedload(HoursEntry.meeting_point))
            .order_by(HoursEntry.work_date, HoursEntry.id)
        )
    )


def participant_counts(centre: Centre, period: Period) -> list[Shift]:
    """Held sessions with the number of people reached, where the coordinators counted them."""
    start, end = period.instants()
    return list(
        db.session.scalars(
            in_centre(Shift, centre)
            .where(
                Shift.status == PUBLISHED, Shift.starts_at >= start, Shift.starts_at < end, Shift.ends_at <= time.now()
            )
            .options(joinedload(Shift.meeting_point))
            .order_by(Shift.starts_at)
        )
    )


def volunteers_with_hours(centre: Centre, period: Period) -> list[User]:
    with_hours = sa.select(HoursEntry.user_id).where(
        HoursEntry.centre_id == centre.id,
        HoursEntry.status == APPROVED,
        HoursEntry.kind == VOLUNTEER_HOURS,
        HoursEntry.work_date.between(period.start, period.end),
    )
    return list(db.session.scalars(sa.select(User).where(User.id.in_(with_hours)).order_by(User.name)))
