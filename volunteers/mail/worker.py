"""The mail pass of the reminder worker (push/worker.py runs it with each pass): claim one due mail,
send it outside any transaction, then delete its row, or after a failure set it due again later.

Claiming works as for notifications: in a short write transaction (PostgreSQL: FOR UPDATE SKIP
LOCKED, so that concurrent workers take different rows; SQLite: the write lock of begin_write())
the row gets a lease, `locked_until`, and the claim commits. Only a worker whose lease the row
still carries settles it, so two workers never send one mail because both claimed it. The lease
is a minute: the rows of a worker that died are due again within it. One mail a claim, claimed
right before its send, so the send has the whole minute.

At least once, not exactly once: a worker killed after the mail server took a mail but before the
row was deleted leaves it claimed; it is sent again when the lease has run out. A send that
outlasts its lease is logged (another worker may have sent it too).

Logs name the row's id, never the address, the subject or the body: bodies hold links that open
accounts."""

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..core.database import begin_write
from ..core.mail import send_mail
from ..core.time import now
from ..extensions import db
from .models import OutgoingMail

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
# Tries, counting claims a dead worker left behind; then the mail is given up (and deleted).
MAX_ATTEMPTS = 6
# Retries after 1, 5, 25, 125 and 625 minutes.
BACKOFF_FIRST, BACKOFF_FACTOR = timedelta(minutes=1), 5
SENT, RETRY, GIVEN_UP = "mail_sent", "mail_retry", "mail_given_up"


@dataclass(frozen=True)
class Claim:
    """What a claimed mail needs for sending, read before the claim's transaction ends."""

    id: int
    to: str
    subject: str
    body: str
    attempts: int
    lease: datetime


def send_due_mails(*, limit: int = 20) -> Counter:
    """One pass: send up to `limit` due mails; returns counts by outcome (mail_sent, mail_retry,
    mail_given_up). Commits; call it with no transaction open. A database failure ends the pass
    with its exception; the claim in flight then comes back when its lease runs out."""
    counts = Counter()
    while counts.total() < limit and (claim := claim_mail()) is not None:
        counts[_deliver(claim)] += 1
    if counts:
        log.info("mail pass: %s", dict(counts))
    return counts


def claim_mail() -> Claim | None:
    """Take the next due mail for this worker until the returned claim's lease; commits."""
    begin_write(db.session)
    at = now()
    mail = db.session.scalar(due_mails(at).limit(1).with_for_update(skip_locked=True))
    claim = None
    if mail is not None:
        mail.locked_until, mail.attempts = at + LEASE, mail.attempts + 1
        claim = Claim(mail.id, mail.recipient, mail.subject, mail.body, mail.attempts, mail.locked_until)
    db.session.commit()
    return claim


def due_mails(at: datetime) -> sa.Select:
    """Unclaimed mails whose time has come, and claimed ones whose worker's lease ran out."""
    return (
        sa.select(OutgoingMail)
        .where(
            sa.or_(
                sa.and_(OutgoingMail.locked_until.is_(None), OutgoingMail.next_attempt_at <= at),
                OutgoingMail.locked_until < at,
            )
        )
        .order_by(OutgoingMail.next_attempt_at, OutgoingMail.id)
    )


def _deliver(claim: Claim) -> str:
    if claim.attempts > MAX_ATTEMPTS:  # claimed again and again: each time a worker died on it
        return _give_up(claim, "repeated worker failures")
    try:
        send_mail(to=claim.to, subject=claim.subject, body=claim.body)
    except Exception as error:  # any failure of the transport is retried, and logged below
        return _failed(claim, error)
    _settle(claim, delete=True)
    return SENT


def _failed(claim: Claim, error: Exception) -> str:
    # The class and SMTP code only: a server's message may quote the address.
    reason = type(error).__name__ + (f" {error.smtp_code}" if hasattr(error, "smtp_code") else "")
    if claim.attempts >= MAX_ATTEMPTS:
        return _give_up(claim, reason)
    log.warning("mail %s not sent (attempt %d): %s; trying again later", claim.id, claim.attempts, reason)
    _settle(claim, retry_at=now() + BACKOFF_FIRST * BACKOFF_FACTOR ** (claim.attempts - 1))
    return RETRY


def _give_up(claim: Claim, reason: str) -> str:
    log.error("mail %s given up after %d attempts: %s", claim.id, claim.attempts, reason)
    _settle(claim, delete=True)
    return GIVEN_UP


def _settle(claim: Claim, *, delete: bool = False, retry_at: datetime | None = None) -> None:
    """Delete the row, or make it due at `retry_at`, if it still carries our lease; commits."""
    begin_write(db.session)
    ours = sa.and_(OutgoingMail.id == claim.id, OutgoingMail.locked_until == claim.lease)
    if delete:
        statement = sa.delete(OutgoingMail).where(ours)
    else:
        statement = sa.update(OutgoingMail).where(ours).values(locked_until=None, next_attempt_at=retry_at)
    changed = db.session.execute(statement, execution_options={"synchronize_session": False}).rowcount
    db.session.commit()
    if not changed:
        log.warning("mail %s: lease ran out while sending; another worker may have sent it too", claim.id)
