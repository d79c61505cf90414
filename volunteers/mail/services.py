"""Queue a mail in the outbox, in the caller's transaction; the worker sends it after the commit."""

import sqlalchemy as sa

from ..core.time import now
from ..extensions import db
from .models import OutgoingMail


def queue_mail(*, to: str, subject: str, body: str) -> OutgoingMail:
    """Add a mail to the outbox (flushes). It goes out only if the transaction commits, and no
    request waits for the mail server: whether a mail is sent cannot be told from the answer's time."""
    at = now()
    mail = OutgoingMail(recipient=to, subject=str(subject)[:200], body=str(body), created_at=at, next_attempt_at=at)
    db.session.add(mail)
    db.session.flush()
    return mail


def forget_mails_to(*, address: str) -> int:
    """Delete the unsent mails to `address` (account deletion); returns how many."""
    return db.session.execute(sa.delete(OutgoingMail).where(OutgoingMail.recipient == address)).rowcount
