"""The mail outbox: one row per mail not yet sent. A row is deleted as soon as its mail went
out (or was given up), because bodies hold reset and confirmation links."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.time import UTCDateTime, now
from ..extensions import db


class OutgoingMail(db.Model):
    """A mail waiting for the worker (mail/worker.py).

    `next_attempt_at` is when it is due (at once, later the backoff); `locked_until` is the lease
    of the worker that claimed it, and that worker's token: it settles the row only while the row
    still carries the lease it set. A claim that ran out (the worker died) is due again."""

    __tablename__ = "outgoing_mails"
    __table_args__ = (sa.Index("ix_outgoing_mails_due", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254), index=True)
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Claims so far: each try to send, and each claim a dead worker left behind.
    attempts: Mapped[int] = mapped_column(default=0)
