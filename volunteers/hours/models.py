"""Hours given by volunteers (and staff hours spent supporting them), and report periods."""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..centres.models import MeetingPoint
from ..core.time import UTCDateTime, now
from ..extensions import db
from ..shifts.models import Shift, Signup

SUBMITTED, APPROVED, REJECTED = "submitted", "approved", "rejected"
VOLUNTEER_HOURS, STAFF_HOURS = "volunteer", "staff"
OPEN, CLOSED = "open", "closed"
HOURS_STATUS_NAMES = {SUBMITTED: _l("wartet auf Freigabe"), APPROVED: _l("freigegeben"), REJECTED: _l("abgelehnt")}


class HoursEntry(db.Model):
    __tablename__ = "hours_entries"
    __table_args__ = (
        # A retried offline submission carries the same client id and is stored once.
        sa.UniqueConstraint("user_id", "client_id"),
        sa.CheckConstraint("minutes <> 0", name="minutes_not_zero"),
        sa.Index("ix_hours_entries_centre_date", "centre_id", "work_date"),
        sa.Index("ix_hours_entries_user_date", "user_id", "work_date"),
        # An entry's corrections (its page; the sum a new correction is checked against, under the
        # original's lock): without it a scan of every entry. Few rows correct one: only those.
        sa.Index(
            "ix_hours_entries_corrects",
            "corrects_id",
            postgresql_where=sa.text("corrects_id IS NOT NULL"),
            sqlite_where=sa.text("corrects_id IS NOT NULL"),
        ),
        # Holds every column the report's aggregates read, so they scan only this index
        # (PostgreSQL: index-only scan; SQLite: covering index) and not one heap page per row.
        sa.Index(
            "ix_hours_entries_report",
            "centre_id",
            "status",
            "work_date",
            "kind",
            "user_id",
            "minutes",
            "baustein",
            "meeting_point_id",
            "activity",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(10), default=VOLUNTEER_HOURS)
    client_id: Mapped[str | None] = mapped_column(sa.String(36))
    work_date: Mapped[date] = mapped_column(sa.Date)
    # Negative only in a correction entry that takes hours back.
    minutes: Mapped[int]
    activity: Mapped[str] = mapped_column(sa.String(60))
    baustein: Mapped[str] = mapped_column(sa.String(1))
    meeting_point_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meeting_points.id"))
    shift_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shifts.id", ondelete="SET NULL"), index=True)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[str] = mapped_column(sa.String(10), default=SUBMITTED)
    review_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    corrects_id: Mapped[int | None] = mapped_column(sa.ForeignKey("hours_entries.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    meeting_point: Mapped[MeetingPoint | None] = relationship()
    shift: Mapped[Shift | None] = relationship()
    corrects: Mapped["HoursEntry | None"] = relationship(remote_side=[id])

    @property
    def is_submitted(self) -> bool:
        return self.status == SUBMITTED

    @property
    def is_approved(self) -> bool:
        return self.status == APPROVED

    @property
    def is_rejected(self) -> bool:
        return self.status == REJECTED

    @property
    def is_staff_hours(self) -> bool:
        return self.kind == STAFF_HOURS

    @property
    def is_correction(self) -> bool:
        return self.corrects_id is not None

    def snapshot(self) -> dict:
        """The fields the audit trail records before and after a change."""
        return {
            "work_date": self.work_date.isoformat(),
            "minutes": self.minutes,
            "activity": self.activity,
            "baustein": self.baustein,
            "meeting_point_id": self.meeting_point_id,
            "shift_id": self.shift_id,
            "note": self.note,
            "status": self.status,
            "kind": self.kind,
        }


class ReportPeriod(db.Model):
    """A stretch of days whose figures a centre lead can close: then they never change again."""

    __tablename__ = "report_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"), index=True)
    label: Mapped[str] = mapped_column(sa.String(100))
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(10), default=OPEN)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Figures frozen at closing (and their checksum), so that a later export gives the same numbers.
    frozen_figures: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    closed_by: Mapped[User | None] = relationship()

    @property
    def is_closed(self) -> bool:
        return self.status == CLOSED


class CheckinScan(db.Model):
    """One tap on the meeting point's poster, as the phone saw it: the sign-up's check-in and
    check-out are the earliest and the latest scan. Its client id makes a scan queued offline and
    sent twice count once."""

    __tablename__ = "checkin_scans"
    __table_args__ = (sa.UniqueConstraint("user_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    # None for a scan sent without one (a caller other than the page or the API).
    client_id: Mapped[str | None] = mapped_column(sa.String(64))
    signup_id: Mapped[int] = mapped_column(sa.ForeignKey("signups.id", ondelete="CASCADE"), index=True)
    # What the first answer said ("in" or "out"); a replay of the client id answers the same.
    direction: Mapped[str] = mapped_column(sa.String(3))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    signup: Mapped[Signup] = relationship()
