"""Small limits on actions that send something on a person's behalf (a mail, a push): one row per
use, counted over sliding windows. The key is a hash, so that the table holds no addresses in clear.

Take the lock before you check: two requests at the very same moment would otherwise both count
the hits before either has written its own, and both pass. PostgreSQL serialises the users of one
key with a transaction-level advisory lock; SQLite's writers already queue (core/database.py), and
every limited action is a write."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .errors import TooManyRequests
from .time import UTCDateTime, now
from .tokens import hash_token


class RateLimitHit(db.Model):
    """One use of a limited action by one key (e.g. a person, or an address)."""

    __tablename__ = "rate_limit_hits"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    hit_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


@dataclass(frozen=True)
class Limit:
    count: int
    within: timedelta


def count_use(*, key: str, limits: tuple[Limit, ...], message: str) -> None:
    """Record one use of `key` (flushes), or raise TooManyRequests (code "too_many_requests",
    with `message`) and record nothing when any of `limits` is already reached."""
    key_hash = hash_token(key)
    _lock_key(key_hash)
    at = now()
    longest = max(limit.within for limit in limits)
    db.session.execute(
        sa.delete(RateLimitHit).where(RateLimitHit.key_hash == key_hash, RateLimitHit.hit_at <= at - longest)
    )
    hits = list(db.session.scalars(sa.select(RateLimitHit.hit_at).where(RateLimitHit.key_hash == key_hash)))
    for limit in limits:
        if sum(1 for hit_at in hits if hit_at > at - limit.within) >= limit.count:
            raise TooManyRequests(message, code="too_many_requests")
    db.session.add(RateLimitHit(key_hash=key_hash, hit_at=at))
    db.session.flush()


def _lock_key(key_hash: str) -> None:
    """Held until the transaction ends, so that the next user of the key counts this one's hit."""
    if db.session.get_bind().dialect.name == "postgresql":
        # 15 hex digits: 60 bits, inside PostgreSQL's signed bigint.
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(int(key_hash[:15], 16))))
