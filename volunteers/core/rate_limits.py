"""Small limits on actions that send something on a person's behalf (a mail, a push): one row per
use, counted over sliding windows. The key is a hash, so that the table holds no addresses in clear.

Two requests at the very same moment may both pass a limit; that is fine for what these protect
(a mailbox or a push service from a flood), not for capacity, which the database protects."""

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
    key_hash, at = hash_token(key), now()
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
