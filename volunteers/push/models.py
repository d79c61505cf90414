"""Web push: the browsers' subscriptions, the outbox of notifications and the delivery log."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.time import UTCDateTime, now
from ..extensions import db

# Notification.status: the outbox's life cycle.
PENDING, SENDING, SENT, FAILED, CANCELLED, NO_DEVICE = (
    "pending",
    "sending",
    "sent",
    "failed",
    "cancelled",
    "no_device",
)
NOTIFICATION_STATUSES = (PENDING, SENDING, SENT, FAILED, CANCELLED, NO_DEVICE)

# Notification.kind: what the message is about (free text; these are the ones we know).
KINDS = ("reminder", "shift_changed", "shift_cancelled", "waitlist_promoted", "staffing_call", "test")

# DeliveryAttempt.outcome: what one push to one device came to.
DELIVERED, GONE, RETRY, DEVICE_FAILED, REFUSED = "delivered", "gone", "retry", "failed", "refused"


class PushSubscription(db.Model):
    """One browser on one device that accepts pushes for a person (PushSubscription.toJSON())."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(sa.Text, unique=True)
    p256dh: Mapped[str] = mapped_column(sa.String(100))
    auth: Mapped[str] = mapped_column(sa.String(50))
    user_agent: Mapped[str] = mapped_column(sa.String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Failed pushes in a row (not counting "gone", which deletes the row); reset by a success.
    failure_count: Mapped[int] = mapped_column(default=0)

    user: Mapped[User] = relationship()


class Notification(db.Model):
    """One message to one person, written in the transaction that causes it and sent by a worker.

    `next_attempt_at` is when a pending row is due (first `due_at`, later the backoff);
    `locked_until` is the lease of the worker that claimed it while it is "sending": the claim's,
    then one for each push, renewed as each result is recorded (push/worker.py). Its value is the
    worker's token too: a worker writes to the row only while it still carries the lease it set."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_due", "status", "next_attempt_at"),
        sa.Index("ix_notifications_centre_created", "centre_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # For the coordinators' delivery log; None for personal messages such as the test push.
    centre_id: Mapped[int | None] = mapped_column(sa.ForeignKey("centres.id"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    # E.g. "reminder-24h:shift:12:user:7": at most one row per key, ever (see queue_notification).
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    url: Mapped[str] = mapped_column(sa.String(500), default="/")
    tag: Mapped[str] = mapped_column(sa.String(100), default="")
    # Buttons on the notification, in the recipient's language, each answered by a POST to its
    # `url` with its single-purpose `token` (availability/invitation_tokens.py) and, in a mail, a
    # `link` to a page that asks for confirmation: [{"action", "title", "url", "token", "link",
    # "failed"}]. None for messages that only open `url`.
    actions: Mapped[list | None] = mapped_column(sa.JSON)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # No use after this instant (a reminder once the shift has begun); sets the push TTL.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(sa.String(20), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A short reason for people reading the log: never a payload, key or full endpoint URL.
    last_error: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    user: Mapped[User] = relationship()
    deliveries: Mapped[list["DeliveryAttempt"]] = relationship(
        back_populates="notification", order_by="DeliveryAttempt.id", passive_deletes=True
    )


class DeliveryAttempt(db.Model):
    """One push of one notification to one device: the delivery log."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(sa.ForeignKey("notifications.id", ondelete="CASCADE"), index=True)
    subscription_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("push_subscriptions.id", ondelete="SET NULL"), index=True
    )
    # Only the push service's host name: the endpoint's path is a bearer secret.
    push_host: Mapped[str] = mapped_column(sa.String(255))
    status_code: Mapped[int | None]
    outcome: Mapped[str] = mapped_column(sa.String(20))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    notification: Mapped[Notification] = relationship(back_populates="deliveries")
