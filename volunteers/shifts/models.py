"""Shifts (Schichten) at meeting points, recurring series of them, and volunteers' sign-ups."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..centres.models import Centre, MeetingPoint
from ..core.limits import TextLimit
from ..core.time import UTCDateTime, now
from ..extensions import db

DRAFT, PUBLISHED, CANCELLED = "draft", "published", "cancelled"
SHIFT_STATUSES = (DRAFT, PUBLISHED, CANCELLED)

# Sign-up states. PENDING waits for a coordinator (volunteers over the no-show limit).
# SIGNUP_CANCELLED has the same value as the shift status CANCELLED, but means a withdrawn sign-up.
CONFIRMED, WAITLISTED, PENDING, SIGNUP_CANCELLED = "confirmed", "waitlisted", "pending", "cancelled"
ACTIVE_SIGNUP_STATUSES = (CONFIRMED, WAITLISTED, PENDING)
ATTENDED, NO_SHOW = "attended", "no_show"

# How long the free texts on shifts may be; forms, services and columns read these.
NOTES = TextLimit(2000)  # a shift's or series' notes for volunteers
CANCEL_REASON = TextLimit(300)
# A rule typed in by hand; the column leaves room for the UNTIL that the series service writes in.
RRULE = TextLimit(250)
# "We still need people": not stored as such, it goes into each notification's body.
STAFFING_CALL_MESSAGE = TextLimit(300)


class ShiftFields:
    """Columns that a series and each of its occurrences share."""

    activity: Mapped[str] = mapped_column(sa.String(60))
    baustein: Mapped[str] = mapped_column(sa.String(1))
    capacity_min: Mapped[int] = mapped_column(default=1)
    capacity_max: Mapped[int] = mapped_column(default=1)
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    requires_police_certificate: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(sa.Text, default="")  # up to NOTES, checked by planning


# What a copy of a shift and each occurrence of a series take over: the place and the shared columns.
SHARED_COLUMNS = ("meeting_point_id", *ShiftFields.__annotations__)


class ShiftSeries(ShiftFields, db.Model):
    """A recurring plan: an RFC 5545 RRULE from a first local start, with exception dates.
    Its occurrences are real Shift rows, so that sign-ups attach to them."""

    __tablename__ = "shift_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"), index=True)
    meeting_point_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting_points.id"))
    # Wall-clock start in Europe/Berlin; each occurrence keeps this local time across DST.
    first_start_local: Mapped[datetime] = mapped_column(sa.DateTime)
    duration_minutes: Mapped[int]
    rrule: Mapped[str] = mapped_column(sa.String(RRULE.max_length + 50))
    exception_dates: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # ISO dates
    publish_occurrences: Mapped[bool] = mapped_column(default=False)
    # No occurrence on an NRW public holiday (the dates come from shifts/holidays.py).
    skip_public_holidays: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    meeting_point: Mapped[MeetingPoint] = relationship()


class Shift(ShiftFields, db.Model):
    __tablename__ = "shifts"
    __table_args__ = (
        sa.UniqueConstraint("series_id", "occurrence_date"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity_min >= 0 AND capacity_max >= capacity_min", name="capacity_range"),
        # The database itself refuses to overbook, whatever the code above it does.
        sa.CheckConstraint("confirmed_count >= 0 AND confirmed_count <= capacity_max", name="not_overbooked"),
        sa.Index("ix_shifts_centre_starts", "centre_id", "starts_at"),
        sa.Index("ix_shifts_meeting_point_starts", "meeting_point_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"))
    meeting_point_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting_points.id"))
    series_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shift_series.id", ondelete="SET NULL"))
    # The local date this occurrence has in its series (stable even if it is moved).
    occurrence_date: Mapped[date | None] = mapped_column(sa.Date)
    # Edited on its own ("only this one"): later changes to the series leave it alone.
    is_detached: Mapped[bool] = mapped_column(default=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(sa.String(12), default=DRAFT)
    cancel_reason: Mapped[str] = mapped_column(sa.String(CANCEL_REASON.max_length), default="")
    confirmed_count: Mapped[int] = mapped_column(default=0)
    participants_count: Mapped[int | None]
    # iCalendar SEQUENCE: goes up with every change that matters to a calendar.
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    centre: Mapped[Centre] = relationship()
    meeting_point: Mapped[MeetingPoint] = relationship()
    series: Mapped[ShiftSeries | None] = relationship()
    signups: Mapped[list["Signup"]] = relationship(back_populates="shift", order_by="Signup.created_at")

    @property
    def duration_minutes(self) -> int:
        # Subtract instants in UTC: wall-clock subtraction is wrong across a DST change.
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def free_slots(self) -> int:
        return max(self.capacity_max - self.confirmed_count, 0)

    @property
    def is_draft(self) -> bool:
        return self.status == DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == PUBLISHED

    @property
    def is_cancelled(self) -> bool:
        return self.status == CANCELLED

    @property
    def is_understaffed(self) -> bool:
        # Reads columns only: feeds.queries.FeedShift, a plain row, borrows this property.
        return self.status == PUBLISHED and self.confirmed_count < self.capacity_min


class Signup(db.Model):
    __tablename__ = "signups"
    __table_args__ = (
        # One row per person and shift; signing up again reuses it.
        sa.UniqueConstraint("shift_id", "user_id"),
        sa.Index("ix_signups_user_status", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"), index=True)
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shifts.id"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(sa.String(12))
    # Waitlist order: the earliest request comes first.
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_late_cancellation: Mapped[bool] = mapped_column(default=False)
    # What the volunteer told the coordination with "Ich kann nicht" (optional, up to CANCEL_REASON).
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(CANCEL_REASON.max_length))
    attendance: Mapped[str | None] = mapped_column(sa.String(10))
    # Scanned at the meeting point's poster on arrival and departure; they propose the hours.
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    shift: Mapped[Shift] = relationship(back_populates="signups")
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    @property
    def is_confirmed(self) -> bool:
        return self.status == CONFIRMED

    @property
    def is_waitlisted(self) -> bool:
        return self.status == WAITLISTED

    @property
    def is_pending(self) -> bool:
        return self.status == PENDING

    @property
    def is_cancelled(self) -> bool:
        return self.status == SIGNUP_CANCELLED


# Handover offers ("Ich kann nicht – wer übernimmt?", shifts/handovers.py).
HANDOVER_OPEN, HANDOVER_AWAITING_APPROVAL = "open", "awaiting_approval"
HANDOVER_TAKEN, HANDOVER_WITHDRAWN, HANDOVER_LAPSED = "taken", "withdrawn", "lapsed"
ACTIVE_HANDOVER_STATUSES = (HANDOVER_OPEN, HANDOVER_AWAITING_APPROVAL)


class Handover(db.Model):
    """A confirmed sign-up offered to colleagues: the first to accept gets the seat (after the
    coordination's approval where the centre asks for it); at the cut-off it lapses into a cancellation."""

    __tablename__ = "handovers"
    # One row per sign-up: offering it again reopens the row, so two open offers of a seat cannot exist.
    __table_args__ = (sa.UniqueConstraint("signup_id"), sa.Index("ix_handovers_centre_status", "centre_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"))
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shifts.id"), index=True)
    signup_id: Mapped[int] = mapped_column(sa.ForeignKey("signups.id", ondelete="CASCADE"))
    # The person who offers (the sign-up's); named user_id so that account erasure finds the row.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default=HANDOVER_OPEN)
    taker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    shift: Mapped[Shift] = relationship()
    signup: Mapped[Signup] = relationship()
    offered_by: Mapped[User | None] = relationship(foreign_keys=[user_id])
    taker: Mapped[User | None] = relationship(foreign_keys=[taker_id])

    @property
    def is_open(self) -> bool:
        return self.status == HANDOVER_OPEN

    @property
    def is_awaiting_approval(self) -> bool:
        return self.status == HANDOVER_AWAITING_APPROVAL
