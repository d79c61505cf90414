"""Reminders by email: for volunteers who chose email (or both), and as the fallback for those who
chose push but have no working device (many iPhones until the app is on the home screen) —
the latter only where the centre configured a mail server."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from ..core.mail import send_mail
from ..extensions import db
from .delivery import Result
from .models import DELIVERED, DEVICE_FAILED, DeliveryAttempt, Notification

EMAIL_HOST = "email"  # stands for the channel in the delivery log, where push hosts stand


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str


def email_for(notification: Notification, *, has_devices: bool) -> Email | None:
    """The email to send with this notification, or None."""
    user = notification.user
    if user is None or user.deleted_at is not None:
        return None
    channel = user.notify_channel or "push"
    fallback = channel == "push" and not has_devices and bool(current_app.config.get("MAIL_SERVER"))
    # The channel first: push-only people cost no query here (the worker's hot path).
    if (channel not in ("email", "both") and not fallback) or _already_emailed(notification):
        return None
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    # The notification's buttons as links to pages that ask to confirm (a GET changes nothing).
    buttons = "".join(f"{a['title']}: {base}{a['link']}\n" for a in notification.actions or () if a.get("link"))
    body = f"{notification.title}\n\n{notification.body}\n\n{buttons}{base}{notification.url}\n"
    return Email(user.email, f"Treffpunkt: {notification.title}", body)


def _already_emailed(notification: Notification) -> bool:
    return db.session.scalar(
        sa.select(
            sa.exists().where(
                DeliveryAttempt.notification_id == notification.id,
                DeliveryAttempt.push_host == EMAIL_HOST,
                DeliveryAttempt.outcome == DELIVERED,
            )
        )
    )


def send_email(email: Email) -> Result:
    """Outside any transaction, like a push. A failure is logged as a failed delivery."""
    try:
        send_mail(to=email.to, subject=email.subject, body=email.body)
    except OSError as error:
        return Result(subscription_id=None, push_host=EMAIL_HOST, outcome=DEVICE_FAILED, error=f"mail: {error}"[:200])
    return Result(subscription_id=None, push_host=EMAIL_HOST, outcome=DELIVERED)
