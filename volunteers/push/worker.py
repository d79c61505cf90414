"""The reminder worker's pass over the outbox: claim due notifications, push them outside any
transaction, record what came of it. Several workers may run at once, on several machines.

Claiming: in one short write transaction a worker selects due rows (PostgreSQL: FOR UPDATE SKIP
LOCKED, so that concurrent workers take different rows instead of waiting; SQLite: the write lock
that begin_write() takes serializes the claims), sets them to "sending" with a lease
(`locked_until`) and commits. Only then does it push, and it records the result only if the
row still carries its lease.

At least once, not exactly once: a worker killed after a push reached the push service but before
the result was committed leaves the row in "sending"; when the lease has run out the next pass
claims it again and pushes a second time. That window is the time of one HTTP request per
device. The repeat is harmless: it carries the same Topic header, so a push service that still
holds the first replaces it, and the same notification tag, so the device shows one
notification, not two. A worker also stops taking up claimed rows when its lease is nearly over
and gives them back, so that a slow push service cannot make two workers send the same row."""

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
import sqlalchemy as sa

from ..core.database import begin_write
from ..core.time import now
from ..extensions import db
from .delivery import Device, Message, NoRedirectSession, Result, build_message, push_to_device
from .email import Email, email_for, send_email
from .endpoints import loopback_allowed
from .models import (
    DELIVERED,
    DEVICE_FAILED,
    FAILED,
    GONE,
    NO_DEVICE,
    PENDING,
    REFUSED,
    RETRY,
    SENDING,
    SENT,
    DeliveryAttempt,
    Notification,
    PushSubscription,
)
from .vapid import vapid_key, vapid_subject

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
# Stop starting on claimed rows when less than this is left of the lease.
LEASE_RESERVE = timedelta(minutes=1)
MAX_ATTEMPTS = 6
# Retries after 1, 5, 25, 125 and 625 minutes; a Retry-After header may ask for longer.
BACKOFF_FIRST, BACKOFF_FACTOR = timedelta(minutes=1), 5
PUSH_TIMEOUT_SECONDS = 10
LOST = "lost"  # the row's lease ran out and another worker took it over


@dataclass
class Job:
    """What a claimed notification needs for sending, read before the transaction ends."""

    message: Message
    devices: list[Device]
    delivered_before: bool
    email: Email | None = None


def send_due(*, limit: int = 100) -> Counter:
    """One pass: deliver up to `limit` due notifications; returns counts by resulting status.
    Commits (it is a unit of work of its own, like a CLI command); call it with no transaction open."""
    vapid_key()  # a broken key setting fails here, before anything is claimed
    ids, lease = claim_due(limit=limit)
    counts = Counter()
    with NoRedirectSession() as http:
        for position, notification_id in enumerate(ids):
            if now() > lease - LEASE_RESERVE:
                release_claims(ids=ids[position:], lease=lease)
                counts["released"] += len(ids) - position
                break
            counts[_deliver_one(notification_id, lease, http)] += 1
    if ids:
        log.info("push pass: %s", dict(counts))
    return counts


def _deliver_one(notification_id: int, lease: datetime, http: requests.Session) -> str:
    # One broken notification must not hold up the others; its lease runs out, and after
    # MAX_ATTEMPTS claims it is given up (see _prepare).
    try:
        return deliver_claimed(notification_id=notification_id, lease=lease, http=http)
    except Exception:
        db.session.rollback()
        log.exception("notification %s could not be delivered", notification_id)
        return "error"


def claim_due(*, limit: int) -> tuple[list[int], datetime]:
    """Mark up to `limit` due notifications as this worker's until the returned lease; commits."""
    begin_write(db.session)
    at = now()
    lease = at + LEASE
    rows = db.session.scalars(due_notifications(at).limit(limit).with_for_update(skip_locked=True)).all()
    ids = [row.id for row in rows]
    for row in rows:
        row.status, row.locked_until, row.attempts = SENDING, lease, row.attempts + 1
    db.session.commit()
    return ids, lease


def due_notifications(at: datetime) -> sa.Select:
    """Pending rows whose time has come, and rows whose sending worker's lease ran out."""
    return (
        sa.select(Notification)
        .where(
            sa.or_(
                sa.and_(Notification.status == PENDING, Notification.next_attempt_at <= at),
                sa.and_(Notification.status == SENDING, Notification.locked_until < at),
            )
        )
        .order_by(Notification.next_attempt_at, Notification.id)
    )


def release_claims(*, ids: list[int], lease: datetime) -> None:
    """Give claimed rows back untried, so that another pass can take them at once; commits."""
    begin_write(db.session)
    db.session.execute(
        sa.update(Notification)
        .where(Notification.id.in_(ids), Notification.locked_until == lease)
        .values(status=PENDING, locked_until=None, attempts=Notification.attempts - 1),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()


def deliver_claimed(*, notification_id: int, lease: datetime, http: requests.Session | None) -> str:
    """Push one claimed notification to its recipient's devices and record the results; commits."""
    job, status = _take_up(notification_id, lease)
    if job is None:
        return status
    results = [_push(device, job.message, http) for device in job.devices]
    if job.email is not None:
        results.append(send_email(job.email))
    return _record_results(notification_id, lease, job, results)


def _take_up(notification_id: int, lease: datetime) -> tuple[Job | None, str]:
    """Read what to send, or settle a notification that needs no push at all; commits."""
    begin_write(db.session)
    notification = _owned(notification_id, lease)
    job = _prepare(notification) if notification is not None else None
    status = LOST if notification is None else notification.status
    db.session.commit()
    return job, status


def _owned(notification_id: int, lease: datetime) -> Notification | None:
    """The row if it still carries our lease (locked on PostgreSQL until we commit), else None."""
    notification = db.session.get(Notification, notification_id, populate_existing=True, with_for_update=True)
    if notification is None or notification.status != SENDING or notification.locked_until != lease:
        return None
    return notification


def _prepare(notification: Notification) -> Job | None:
    """The job to do, or None after settling a notification that needs no push (flushes)."""
    at = now()
    if notification.expires_at is not None and notification.expires_at <= at:
        _settle(notification, status=FAILED, error="expired before delivery", at=at)
        return None
    if notification.attempts > MAX_ATTEMPTS:  # claimed again and again: each time a worker died on it
        _settle(notification, status=FAILED, error="given up after repeated worker failures", at=at)
        return None
    delivered_before = _was_delivered(notification)
    wants_push = notification.user is None or notification.user.notify_channel in ("push", "both", None)
    devices = _devices_to_reach(notification) if wants_push else []
    email = email_for(notification, has_devices=bool(devices))
    if not devices and email is None:
        _settle(notification, status=SENT if delivered_before else NO_DEVICE, at=at)
        return None
    return Job(build_message(notification=notification, at=at), devices, delivered_before, email)


def _was_delivered(notification: Notification) -> bool:
    return db.session.scalar(
        sa.select(
            sa.exists().where(DeliveryAttempt.notification_id == notification.id, DeliveryAttempt.outcome == DELIVERED)
        )
    )


def _devices_to_reach(notification: Notification) -> list[Device]:
    # On a retry, devices that already have the message are left out.
    reached = sa.select(DeliveryAttempt.subscription_id).where(
        DeliveryAttempt.notification_id == notification.id,
        DeliveryAttempt.outcome == DELIVERED,
        DeliveryAttempt.subscription_id.is_not(None),
    )
    rows = db.session.scalars(
        sa.select(PushSubscription)
        .where(PushSubscription.user_id == notification.user_id, PushSubscription.id.not_in(reached))
        .order_by(PushSubscription.id)
    )
    return [Device(row.id, row.endpoint, row.p256dh, row.auth) for row in rows]


def _push(device: Device, message: Message, http: requests.Session | None) -> Result:
    result = push_to_device(
        device=device,
        message=message,
        vapid=vapid_key(),
        subject=vapid_subject(),
        allow_loopback=loopback_allowed(),
        timeout=PUSH_TIMEOUT_SECONDS,
        session=http,
    )
    if result.outcome != DELIVERED:
        log.warning("push to %s: %s", result.push_host, result.error)
    return result


def _record_results(notification_id: int, lease: datetime, job: Job, results: list[Result]) -> str:
    begin_write(db.session)
    notification = _owned(notification_id, lease)
    if notification is None:
        db.session.rollback()
        log.warning("notification %s: lease ran out while sending; another worker has it", notification_id)
        return LOST
    at = now()
    _log_attempts(notification, results, at)
    _update_devices(results, at)
    _settle_after_push(notification, results, job.delivered_before, at)
    status = notification.status
    db.session.commit()
    return status


def _log_attempts(notification: Notification, results: list[Result], at: datetime) -> None:
    # The person may have switched a device off while we were sending: log it without the link.
    # FOR KEY SHARE keeps the others from being deleted until we commit (PostgreSQL).
    still_there = set(
        db.session.scalars(
            sa.select(PushSubscription.id)
            .where(PushSubscription.id.in_([r.subscription_id for r in results]))
            .with_for_update(key_share=True)
        )
    )
    for result in results:
        subscription_id = result.subscription_id if result.subscription_id in still_there else None
        db.session.add(
            DeliveryAttempt(
                notification_id=notification.id,
                subscription_id=subscription_id,
                push_host=result.push_host,
                status_code=result.status_code,
                outcome=result.outcome,
                attempted_at=at,
            )
        )
    db.session.flush()


def _update_devices(results: list[Result], at: datetime) -> None:
    def ids(*outcomes):
        return [r.subscription_id for r in results if r.outcome in outcomes]

    table = PushSubscription
    if delivered := ids(DELIVERED):
        db.session.execute(sa.update(table).where(table.id.in_(delivered)).values(last_success_at=at, failure_count=0))
    if failing := ids(RETRY, DEVICE_FAILED, REFUSED):
        db.session.execute(sa.update(table).where(table.id.in_(failing)).values(failure_count=table.failure_count + 1))
    if gone := ids(GONE):
        # The browser dropped the subscription: it will never work again. The log keeps the host.
        db.session.execute(sa.delete(table).where(table.id.in_(gone)))


def _settle_after_push(notification: Notification, results: list[Result], delivered_before: bool, at: datetime) -> None:
    error = next((r.error for r in results if r.error), None)
    retry_later = [r for r in results if r.outcome == RETRY]
    if retry_later and notification.attempts < MAX_ATTEMPTS:
        notification.status = PENDING
        notification.next_attempt_at = at + _retry_delay(notification.attempts, retry_later)
        notification.locked_until, notification.last_error = None, error
    elif delivered_before or any(r.outcome == DELIVERED for r in results):
        _settle(notification, status=SENT, error=error, at=at)
    elif all(r.outcome == GONE for r in results):
        _settle(notification, status=NO_DEVICE, error=error, at=at)
    else:
        _settle(notification, status=FAILED, error=error, at=at)


def _retry_delay(attempts: int, retry_later: list[Result]) -> timedelta:
    backoff = BACKOFF_FIRST * BACKOFF_FACTOR ** (attempts - 1)
    asked = [r.retry_after for r in retry_later if r.retry_after is not None]
    return max([backoff, *asked])


def _settle(notification: Notification, *, status: str, at: datetime, error: str | None = None) -> None:
    notification.status, notification.locked_until = status, None
    notification.last_error = error[:200] if error else None
    if status == SENT:
        notification.sent_at = at
    db.session.flush()
