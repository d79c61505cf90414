"""The push worker as it was before the batched pass (commit HEAD), kept so that bench/push/run.py
can measure old and new in one run. Not app code: nothing imports it but the bench.

The reminder worker's pass over the outbox: claim due notifications, push them outside any
transaction, record what came of each push right after it. Several workers may run at once, on
several machines.

Claiming: in one short write transaction a worker selects up to CLAIM_SIZE due rows (PostgreSQL:
FOR UPDATE SKIP LOCKED, so that concurrent workers take different rows instead of waiting; SQLite:
the write lock that begin_write() takes serializes the claims), sets them to "sending" with a
lease (`locked_until`) and commits; a pass claims again until it has done `limit` rows. Leases are
short, so that the rows of a worker that died (kill -9, a lost machine) are due again soon:
- a claimed row waits under the claim's LEASE, a minute: a claim of 20 rows takes a few seconds
  when the push services answer (one push 0.1–0.3 s), and a slow pass gives back what it has not
  begun when the lease is nearly over;
- taking a row up for sending checks that it still carries the claim's lease and, when less than
  one send's time is left of it (SEND_LEASE: a push's connect and read timeouts), extends it to
  that; so does each transaction that records a push's result before the next push. So a worker
  never pushes a row it may have lost, and a row in flight is free again when the claim's minute
  is over or, in a slow pass, 30 s after its last push began. (Extending only when needed saves
  a write per notification: about 15 % of the worker's CPU time, bench/push.)

At least once, not exactly once: a worker killed after a push reached the push service but before
its result was committed leaves the row in "sending"; when its lease has run out the next pass
claims it again and pushes to that device a second time. That window is one commit after one
HTTP request: each result is recorded right after its push, and devices already reached are not
pushed again. The repeat is harmless: it carries the same Topic header (derived from the dedupe
key), so a push service that still holds the first replaces it, and the same notification tag, so
the device shows one notification, not two.

When the database fails during a pass (down, restarting, cut off), a result that could not be
written is tried once more in a fresh transaction: the push went out, and without its record it
would be pushed again. If that fails too, or the failure came before the push, the pass ends
(raising): the rows it had not begun are given back in a fresh transaction if the database answers
again, else their lease runs out; the row in flight keeps its lease."""

import logging
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

import sqlalchemy as sa

from volunteers.core.database import begin_write
from volunteers.core.error_pages import is_database_unavailable
from volunteers.core.time import now
from volunteers.extensions import db
from volunteers.mail.worker import send_due_mails
from volunteers.push.client import PushClient
from volunteers.push.delivery import Device, Message, Result, build_message, push_to_device
from volunteers.push.email import Email, email_for, send_email
from volunteers.push.endpoints import loopback_allowed
from volunteers.push.models import (
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
from volunteers.push.vapid import vapid_key, vapid_subject

log = logging.getLogger(__name__)

# Rows per claim; a pass claims again until it has done `limit` rows.
CLAIM_SIZE = 20
# How long a claimed row waits for its worker before any worker may take it.
LEASE = timedelta(seconds=60)
# Stop taking up claimed rows when less than this is left of the claim's lease, and give them back.
LEASE_RESERVE = timedelta(seconds=20)
PUSH_TIMEOUT_SECONDS = 10  # requests' connect timeout, and again its read timeout
# A row being sent is held for its next push (both timeouts, the DNS check, the commit) or for its
# email (smtplib waits up to core.mail.SMTP_TIMEOUT for each of a handful of steps).
SEND_LEASE = timedelta(seconds=2 * PUSH_TIMEOUT_SECONDS + 10)
EMAIL_LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 6
# Retries after 1, 5, 25, 125 and 625 minutes; a Retry-After header may ask for longer.
BACKOFF_FIRST, BACKOFF_FACTOR = timedelta(minutes=1), 5
LOST = "lost"  # the row's lease ran out and another worker took it over

Send = tuple[Callable[[], Result], timedelta]  # one push or the email, and the lease it needs


class SentButNotRecorded(Exception):
    """The database failed after a push or an email of this notification may have gone out."""


@dataclass
class Job:
    """What a claimed notification needs for sending, read before the transaction ends."""

    message: Message
    devices: list[Device]
    delivered_before: bool
    email: Email | None
    lease: datetime  # the row's lease now: for its next send


def send_due(*, limit: int = 100) -> Counter:
    """One pass: deliver up to `limit` due notifications; returns counts by resulting status.
    Commits (it is a unit of work of its own, like a CLI command); call it with no transaction open.
    A database failure ends the pass with its exception, after giving back what it had not begun."""
    mailed = send_due_mails(limit=limit)  # the mail outbox first: a broken push setting must not hold it up
    vapid_key()  # a broken key setting fails here, before anything is claimed
    counts = Counter()
    with PushClient(timeout=PUSH_TIMEOUT_SECONDS) as http:
        while (wanted := limit - counts.total()) > 0:
            ids, lease = claim_due(limit=min(CLAIM_SIZE, wanted))
            if not ids:
                break
            counts += _deliver_claims(ids, lease, http)
            if counts["released"]:
                break  # this pass is slow: let other workers have the rest
    if counts:
        log.info("push pass: %s", dict(counts))
    return counts + mailed


def _deliver_claims(ids: list[int], lease: datetime, http: PushClient) -> Counter:
    counts = Counter()
    for position, notification_id in enumerate(ids):
        if now() > lease - LEASE_RESERVE:
            release_claims(ids=ids[position:], lease=lease)
            counts["released"] += len(ids) - position
            break
        try:
            counts[_deliver_one(notification_id, lease, http)] += 1
        except SentButNotRecorded:
            _give_back(ids[position + 1 :], lease)
            raise
        except Exception as error:
            if is_database_unavailable(error):  # before its send: nothing of this row changed
                _give_back(ids[position:], lease)
            raise
    return counts


def _deliver_one(notification_id: int, lease: datetime, http: PushClient) -> str:
    # One broken notification must not hold up the others; its lease runs out, and after
    # MAX_ATTEMPTS claims it is given up (see _prepare). A database failure ends the pass.
    try:
        return deliver_claimed(notification_id=notification_id, lease=lease, http=http)
    except SentButNotRecorded:
        raise
    except Exception as error:
        _forget_transaction()
        if is_database_unavailable(error):
            raise
        log.exception("notification %s could not be delivered", notification_id)
        return "error"


def _give_back(ids: list[int], lease: datetime) -> None:
    """Release claims not begun, if the database answers again; otherwise their lease runs out."""
    if not ids:
        return
    try:
        release_claims(ids=ids, lease=lease)
    except Exception as error:
        _forget_transaction()
        if not is_database_unavailable(error):
            raise
        log.warning("database failure: %d claims not given back, due again at %s", len(ids), lease)
    else:
        log.warning("database failure: %d claims given back", len(ids))


def _forget_transaction() -> None:
    # With the connection gone the rollback may fail as well; the pool throws the connection away.
    with suppress(sa.exc.SQLAlchemyError):
        db.session.rollback()


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


def deliver_claimed(*, notification_id: int, lease: datetime, http: PushClient) -> str:
    """Push one claimed notification to its recipient's devices (and email it if wanted), recording
    each result right after it; commits. Raises SentButNotRecorded when a result could not be
    written even on a second try."""
    job, status = _take_up(notification_id, lease)
    if job is None:
        return status
    sends, results = _sends(job, http), []
    for position, (send, _) in enumerate(sends):
        results.append(send())
        hold_for = sends[position + 1][1] if position + 1 < len(sends) else None
        status = _record_or_retry(notification_id, job, results, hold_for=hold_for)
        if status == LOST:
            break
    return status


def _sends(job: Job, http: PushClient) -> list[Send]:
    sends: list[Send] = [(partial(_push, device, job.message, http), SEND_LEASE) for device in job.devices]
    if job.email is not None:
        sends.append((partial(send_email, job.email), EMAIL_LEASE))
    return sends


def _take_up(notification_id: int, lease: datetime) -> tuple[Job | None, str]:
    """Read what to send and hold the row for the first send, or settle a notification that needs
    no push at all; commits."""
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
    _hold(notification, SEND_LEASE if devices else EMAIL_LEASE, at)
    message = build_message(notification=notification, at=at)
    return Job(message, devices, delivered_before, email, lease=notification.locked_until)


def _hold(notification: Notification, duration: timedelta, at: datetime) -> None:
    """Make the row's lease last for the next send (it may already: then no write)."""
    if notification.locked_until < at + duration:
        notification.locked_until = at + duration


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


def _push(device: Device, message: Message, http: PushClient) -> Result:
    result = push_to_device(
        device=device,
        message=message,
        vapid=vapid_key(),
        subject=vapid_subject(),
        allow_loopback=loopback_allowed(),
        client=http,
    )
    if result.outcome != DELIVERED:
        log.warning("push to %s: %s", result.push_host, result.error)
    return result


def _record_or_retry(notification_id: int, job: Job, results: list[Result], *, hold_for: timedelta | None) -> str:
    # Once more in a fresh transaction when the database failed: the push went out, and without
    # its record it would be pushed again. (A commit that failed may have happened after all: then
    # the second try finds the row settled and answers LOST, or logs that push twice.)
    record = partial(_record, notification_id, job, results, hold_for=hold_for)
    try:
        return record()
    except Exception as error:
        _reraise_unless_database_failed(error)
        reason = getattr(error, "orig", None) or error  # not the statement: its parameters
        log.warning("notification %s: recording a result failed (%r); trying again", notification_id, reason)
    try:
        return record()
    except Exception as error:
        _reraise_unless_database_failed(error)
        raise SentButNotRecorded(f"notification {notification_id}") from error


def _reraise_unless_database_failed(error: Exception) -> None:
    _forget_transaction()
    if not is_database_unavailable(error):
        raise error


def _record(notification_id: int, job: Job, results: list[Result], *, hold_for: timedelta | None) -> str:
    """Log the newest result; then hold the row for its next send, or settle it after the last.
    Commits; returns the notification's status, or LOST if another worker has it now."""
    begin_write(db.session)
    notification = _owned(notification_id, job.lease)
    if notification is None:
        db.session.rollback()
        log.warning("notification %s: lease ran out while sending; another worker has it", notification_id)
        return LOST
    at = now()
    _log_attempts(notification, results[-1:], at)
    _update_devices(results[-1:], at)
    if hold_for is None:
        _settle_after_push(notification, results, job.delivered_before, at)
    else:
        _hold(notification, hold_for, at)
    status, lease = notification.status, notification.locked_until
    db.session.commit()
    job.lease = lease
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
