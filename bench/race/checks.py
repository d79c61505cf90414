"""What the race benchmark checks once the load is over and the reminder workers have settled
everything that was due: read from the database (in the app context) and from the push service."""

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from volunteers.extensions import db
from volunteers.push.delivery import topic
from volunteers.push.models import DELIVERED, PENDING, SENDING, SENT, DeliveryAttempt, Notification
from volunteers.shifts.models import CONFIRMED, WAITLISTED, Shift, Signup


@dataclass
class Check:
    name: str
    value: str
    ok: bool


def unsettled_due(at) -> int:
    """Notifications that are due (or being sent) and not yet settled."""
    count = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(
            sa.or_(
                Notification.status == SENDING,
                sa.and_(Notification.status == PENDING, Notification.next_attempt_at <= at),
            )
        )
    )
    db.session.rollback()
    return count


def shift_rows(groups: dict[int, str]) -> list[dict]:
    """Per shift: capacity, the counter, the confirmed and waitlisted rows, how often it was moved."""
    by_status = Counter(
        db.session.execute(
            sa.select(Signup.shift_id, Signup.status).where(Signup.status.in_((CONFIRMED, WAITLISTED)))
        ).all()
    )
    rows = []
    for shift in db.session.scalars(sa.select(Shift).order_by(Shift.id)):
        confirmed = by_status[shift.id, CONFIRMED]
        rows.append(
            {
                "id": shift.id,
                "group": groups.get(shift.id, "?"),
                "capacity": shift.capacity_max,
                "confirmed_count": shift.confirmed_count,
                "confirmed_rows": confirmed,
                "waitlisted": by_status[shift.id, WAITLISTED],
                "moves": shift.sequence,
                "ok": confirmed == shift.confirmed_count <= shift.capacity_max,
            }
        )
    db.session.rollback()
    return rows


def duplicate_signups() -> int:
    pairs = (
        sa.select(Signup.shift_id, Signup.user_id)
        .group_by(Signup.shift_id, Signup.user_id)
        .having(sa.func.count() > 1)
        .subquery()
    )
    count = db.session.scalar(sa.select(sa.func.count()).select_from(pairs))
    db.session.rollback()
    return count


def notification_rows() -> list[dict]:
    rows = (
        db.session.execute(
            sa.select(
                Notification.id,
                Notification.user_id,
                Notification.kind,
                Notification.status,
                Notification.tag,
                Notification.dedupe_key,
                Notification.due_at,
                Notification.sent_at,
            )
        )
        .mappings()
        .all()
    )
    db.session.rollback()
    return [dict(row) for row in rows]


def delivered_attempts() -> Counter:
    """Notification id -> number of delivery attempts that reached the push service."""
    counts = Counter(
        dict(
            db.session.execute(
                sa.select(DeliveryAttempt.notification_id, sa.func.count())
                .where(DeliveryAttempt.outcome == DELIVERED)
                .group_by(DeliveryAttempt.notification_id)
            ).all()
        )
    )
    db.session.rollback()
    return counts


def by_kind(notifications: list[dict]) -> dict[str, Counter]:
    table: dict[str, Counter] = {}
    for row in notifications:
        table.setdefault(row["kind"], Counter())[row["status"]] += 1
    return table


def received_per_key(messages: list[dict], user_of_browser: dict) -> Counter:
    """(recipient, tag) -> how often the push service received it."""
    return Counter((user_of_browser.get(m["browser"]), m["tag"]) for m in messages)


def match_pushes(notifications: list[dict], messages: list[dict], user_of_browser: dict) -> dict:
    """Tie every push received to its notification row by (recipient, tag): the payload carries the
    tag, which is the notification's dedupe key, and the Topic header is derived from that key."""

    def key_of(message: dict) -> tuple:
        return user_of_browser.get(message["browser"]), message["tag"]

    received = Counter(key_of(m) for m in messages)
    sent: dict[tuple, list[dict]] = {}
    for row in notifications:
        if row["status"] == SENT:
            sent.setdefault((row["user_id"], row["tag"]), []).append(row)
    wrong_topic = sum(
        1
        for m in messages
        for row in sent.get(key_of(m), [])
        if m["topic"] != topic(row["dedupe_key"] or f"notification:{row['id']}")
    )
    return {
        "received": len(messages),
        "distinct": len(received),
        "duplicates": sum(count - 1 for count in received.values() if count > 1),
        "duplicate_examples": [key for key, count in received.items() if count > 1][:5],
        "unmatched": sum(count for key, count in received.items() if key not in sent),
        "missing": sum(1 for key in sent if key not in received),
        "same_key_sent_twice": sum(1 for rows in sent.values() if len(rows) > 1),
        "wrong_topic": wrong_topic,
    }


def delivery_lags(notifications: list[dict]) -> list[float]:
    return sorted(
        (row["sent_at"] - row["due_at"]).total_seconds()
        for row in notifications
        if row["status"] == SENT and row["sent_at"] is not None
    )


def log_counts(path: Path, patterns: dict[str, str]) -> Counter:
    text = path.read_text(errors="replace") if path.exists() else ""
    return Counter({name: len(re.findall(pattern, text)) for name, pattern in patterns.items()})


def exceptions_logged(path: Path) -> Counter:
    """The exception lines of the tracebacks in a log ("module.Class: message"), chained causes included."""
    text = path.read_text(errors="replace") if path.exists() else ""
    return Counter(line[:200] for line in re.findall(r"^(?:[a-z_]+\.)+[A-Z]\w*: .*$", text, re.M))


def worker_sent(path: Path) -> Counter:
    """What one `flask reminders run` logged it did, summed over its passes ("push pass: {...}")."""
    totals = Counter()
    text = path.read_text(errors="replace") if path.exists() else ""
    for counts in re.findall(r"push pass: \{([^}]*)\}", text):
        for status, count in re.findall(r"'(\w+)': (\d+)", counts):
            totals[status] += int(count)
        totals["passes with work"] += 1
    return totals
