"""One claim of the push worker's pass, done in bulk: one transaction reads what all claimed rows
need, a few threads push (network waits overlap), one transaction records every result.

Per claim that is a handful of statements instead of two transactions and about nine statements
per notification (bench/results.md, "Push delivery"). The price is the window of a worker killed
after its pushes and before its record: all pushes of that claim go out again when its lease has
run out (same Topic, same tag: the device shows one notification), not just the one in flight.

Leases stay the guard against a second worker: a push begins only while the row's lease outlasts
the push by PUSH_RESERVE, and the record writes nothing for a row whose lease another worker took
over. Notifications that also go by email take the one-by-one path of worker.deliver_claimed,
after the batch (SMTP is slow and not something to run in a thread pool of pushes)."""

import logging
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from ..core.database import begin_write
from ..core.time import now
from ..extensions import db
from .client import PushClient
from .delivery import Device, Message, Result, build_message, push_to_device
from .email import email_for
from .endpoints import loopback_allowed
from .models import (
    DELIVERED,
    FAILED,
    NO_DEVICE,
    PENDING,
    SENDING,
    SENT,
    DeliveryAttempt,
    Notification,
    PushSubscription,
)
from .vapid import VapidTokens

log = logging.getLogger(__name__)

PUSH_THREADS = 8  # pushes in flight at once; a push mostly waits for its push service
LOST = "lost"  # the row's lease ran out and another worker took it over


@dataclass
class BatchJob:
    notification_id: int
    message: Message
    devices: list[Device]
    delivered_before: bool


@dataclass
class Claim:
    """A claim taken up: the jobs to push, the rows for one-by-one sending, the lease all now carry."""

    jobs: list[BatchJob]
    one_by_one: list[int]
    lease: datetime
    counts: Counter


@dataclass(frozen=True)
class Pusher:
    """What a push needs from the app, read in the app's thread: the pool's threads have no app context."""

    client: PushClient
    threads: ThreadPoolExecutor
    tokens: VapidTokens
    allow_loopback: bool

    @classmethod
    def for_app(cls, tokens: VapidTokens, *, timeout: float) -> "Pusher":
        """With the process's client and threads, kept across passes: connections to each push
        service stay open, and no thread is started per claim."""
        kept = current_app.extensions
        if "push_client" not in kept:
            proxy = current_app.config.get("PUSH_PROXY")
            kept["push_client"] = PushClient(connections_per_host=PUSH_THREADS, timeout=timeout, proxy=proxy)
            kept["push_threads"] = ThreadPoolExecutor(max_workers=PUSH_THREADS, thread_name_prefix="push")
        return cls(kept["push_client"], kept["push_threads"], tokens, loopback_allowed())

    def push(self, device: Device, message: Message) -> Result:
        result = push_to_device(
            device=device,
            message=message,
            vapid=self.tokens.key,
            subject="",
            allow_loopback=self.allow_loopback,
            client=self.client,
            tokens=self.tokens,
        )
        if result.outcome != DELIVERED:
            log.warning("push to %s: %s", result.push_host, result.error)
        return result


def take_up_claim(ids: list[int], lease: datetime, *, hold_for: timedelta, max_attempts: int) -> Claim:
    """In one transaction: the claimed rows still ours, what to push for each, rows that need no
    push settled, and the lease made to last at least `hold_for`; commits."""
    from .worker import _settle  # the one place that says what a settled row looks like

    begin_write(db.session)
    at = now()
    rows = _owned_rows(ids, lease)
    reached = _reached_devices([row.id for row in rows])
    devices = _devices_by_user({row.user_id for row in rows if row.user_id is not None})
    claim = Claim([], [], max(lease, at + hold_for), Counter({LOST: len(ids) - len(rows)}))
    for row in rows:
        if row.expires_at is not None and row.expires_at <= at:
            _settle(row, status=FAILED, error="expired before delivery", at=at)
        elif row.attempts > max_attempts:
            _settle(row, status=FAILED, error="given up after repeated worker failures", at=at)
        else:
            _plan(row, claim, devices, reached.get(row.id, set()), at)
            continue
        claim.counts[row.status] += 1
    if claim.lease != lease:
        _hold([job.notification_id for job in claim.jobs], claim.lease)
    db.session.commit()
    claim.counts = +claim.counts
    return claim


def _plan(row: Notification, claim: Claim, devices: dict[int, list[Device]], reached: set[int], at) -> None:
    from .worker import _settle

    wants_push = row.user is None or row.user.notify_channel in ("push", "both", None)
    to_reach = [d for d in devices.get(row.user_id, []) if d.subscription_id not in reached] if wants_push else []
    if email_for(row, has_devices=bool(to_reach)) is not None:
        claim.one_by_one.append(row.id)
    elif to_reach:
        message = build_message(notification=row, at=at)
        claim.jobs.append(BatchJob(row.id, message, to_reach, delivered_before=bool(reached)))
    else:
        _settle(row, status=SENT if reached else NO_DEVICE, at=at)
        claim.counts[row.status] += 1


def _owned_rows(ids: list[int], lease: datetime) -> list[Notification]:
    """The rows that still carry our lease (locked on PostgreSQL until we commit), with their users."""
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.id.in_(ids), Notification.status == SENDING, Notification.locked_until == lease)
            .order_by(Notification.id)
            .options(selectinload(Notification.user))
            .with_for_update(of=Notification)
            .execution_options(populate_existing=True)
        )
    )


def _reached_devices(notification_ids: list[int]) -> dict[int, set[int | None]]:
    """Per notification, the devices (None: a device since removed) a push already reached."""
    reached = defaultdict(set)
    rows = db.session.execute(
        sa.select(DeliveryAttempt.notification_id, DeliveryAttempt.subscription_id).where(
            DeliveryAttempt.notification_id.in_(notification_ids), DeliveryAttempt.outcome == DELIVERED
        )
    )
    for notification_id, subscription_id in rows:
        reached[notification_id].add(subscription_id)
    return reached


def _devices_by_user(user_ids: set[int]) -> dict[int, list[Device]]:
    devices = defaultdict(list)
    rows = db.session.scalars(
        sa.select(PushSubscription).where(PushSubscription.user_id.in_(user_ids)).order_by(PushSubscription.id)
    )
    for row in rows:
        devices[row.user_id].append(Device(row.id, row.endpoint, row.p256dh, row.auth))
    return devices


def _hold(notification_ids: list[int], lease: datetime) -> None:
    if notification_ids:
        db.session.execute(
            sa.update(Notification).where(Notification.id.in_(notification_ids)).values(locked_until=lease),
            execution_options={"synchronize_session": False},
        )


def push_claim(claim: Claim, pusher: Pusher, *, reserve: timedelta) -> dict[int, list[Result]]:
    """Push every job, a job's devices one after the other, PUSH_THREADS jobs at once; outside any
    transaction. A push begins only while `reserve` is left of the lease: a job whose devices were
    not all pushed in time has a shorter result list."""

    def push_job(job: BatchJob) -> list[Result]:
        results = []
        for device in job.devices:
            if now() + reserve > claim.lease:
                break
            results.append(pusher.push(device, job.message))
        return results

    pushed = pusher.threads.map(push_job, claim.jobs)
    return dict(zip([job.notification_id for job in claim.jobs], pushed, strict=True))


def record_claim(claim: Claim, results: dict[int, list[Result]], *, settle_after_push) -> Counter:
    """In one transaction: log every push, update the devices, settle or give back each row; rows
    another worker took over meanwhile are left alone. Commits; returns counts by status."""
    from .worker import _log_attempts, _update_devices

    begin_write(db.session)
    at, counts = now(), Counter()
    jobs = {job.notification_id: job for job in claim.jobs}
    rows = _owned_outcomes(list(jobs), claim.lease)
    if lost := len(jobs) - len(rows):
        log.warning("%d notifications: lease ran out while sending; another worker has them", lost)
        counts[LOST] += lost
    _log_attempts([(row.id, result) for row in rows for result in results[row.id]], at)
    _update_devices([result for row in rows for result in results[row.id]], at)
    for row in rows:
        done, job = results[row.id], jobs[row.id]
        if len(done) == len(job.devices):
            settle_after_push(row, done, job.delivered_before, at)
            counts[row.status] += 1
        else:
            _give_back(row, pushed=bool(done), at=at)
            counts["released"] += 1
    _write_outcomes(rows)
    db.session.commit()
    return counts


@dataclass
class Outcome:
    """A claimed row's columns that recording changes: settled like a Notification, written in bulk."""

    id: int
    attempts: int
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str | None
    status: str = SENDING
    locked_until: datetime | None = None


OUTCOME_COLUMNS = ("attempts", "next_attempt_at", "sent_at", "last_error", "status", "locked_until")


def _owned_outcomes(ids: list[int], lease: datetime) -> list[Outcome]:
    table = Notification.__table__
    rows = db.session.execute(
        sa.select(table.c.id, *(table.c[name] for name in OUTCOME_COLUMNS[:4]))
        .where(table.c.id.in_(ids), table.c.status == SENDING, table.c.locked_until == lease)
        .with_for_update()
    )
    return [Outcome(*row) for row in rows]


def _give_back(row: Outcome, *, pushed: bool, at: datetime) -> None:
    """The lease ran short before all of the row's pushes began: due again at once, for the devices
    not reached yet (what went out is logged); untried, it is as if never claimed."""
    row.status, row.locked_until = PENDING, None
    if pushed:
        row.next_attempt_at = at
    else:
        row.attempts -= 1


def _write_outcomes(rows: list[Outcome]) -> None:
    """One executemany UPDATE (the ORM would send one UPDATE per row to SQLite and PostgreSQL)."""
    if not rows:
        return
    table = Notification.__table__
    values = [{"row_id": row.id, **{f"new_{name}": getattr(row, name) for name in OUTCOME_COLUMNS}} for row in rows]
    db.session.execute(
        sa.update(table)
        .where(table.c.id == sa.bindparam("row_id"))
        .values({name: sa.bindparam(f"new_{name}") for name in OUTCOME_COLUMNS}),
        values,
    )
