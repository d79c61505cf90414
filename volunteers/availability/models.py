"""When volunteers can usually help (weekly windows), when they cannot (absences), and the personal
requests of a coordinator to take a shift (invitations)."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from ..accounts.models import User
from ..core.time import UTCDateTime, now
from ..extensions import db
from ..shifts.models import Shift

MINUTES_PER_DAY = 24 * 60

OPEN, ACCEPTED, DECLINED, EXPIRED = "open", "accepted", "declined", "expired"
INVITATION_STATUSES = (OPEN, ACCEPTED, DECLINED, EXPIRED)


class WeeklyWindow(db.Model):
    """A weekday (ISO: Monday = 1) and a wall-clock window in Berlin, as minutes after midnight:
    `ends` may be 1440, so that a window can run until midnight and meet the next day's at 00:00."""

    __tablename__ = "weekly_availability"
    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 1 AND 7", name="iso_weekday"),
        sa.CheckConstraint(f"starts >= 0 AND ends > starts AND ends <= {MINUTES_PER_DAY}", name="window_in_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int]
    starts: Mapped[int]
    ends: Mapped[int]


class Absence(db.Model):
    """Days away (holidays, illness), both days included."""

    __tablename__ = "absences"
    __table_args__ = (sa.CheckConstraint("last_day >= first_day", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    first_day: Mapped[date] = mapped_column(sa.Date)
    last_day: Mapped[date] = mapped_column(sa.Date)


class Invitation(db.Model):
    """A coordinator's personal request to one volunteer to take one shift."""

    __tablename__ = "invitations"
    __table_args__ = (
        # One open request per person and shift; decided ones stay as history.
        sa.Index(
            "uq_invitations_open",
            "shift_id",
            "volunteer_id",
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        ),
        sa.Index("ix_invitations_volunteer_id", "volunteer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"), index=True)
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shifts.id", ondelete="CASCADE"))
    volunteer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(sa.String(10), default=OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # privacy.services erases personal rows by their user_id.
    user_id = synonym("volunteer_id")

    shift: Mapped[Shift] = relationship()
    volunteer: Mapped[User] = relationship(foreign_keys=[volunteer_id])
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def current_status(self) -> str:
        """Open requests expire when the shift starts (or is cancelled): read, not written, so
        that no job has to sweep them."""
        if self.status == OPEN and (self.shift.starts_at <= now() or self.shift.is_cancelled):
            return EXPIRED
        return self.status
