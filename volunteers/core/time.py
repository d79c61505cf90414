"""The one clock of the application, and conversions between UTC (stored) and Europe/Berlin (shown).

Tests move the clock with `freeze(...)`; code never calls datetime.now() directly."""
from contextlib import contextmanager
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa

BERLIN = ZoneInfo("Europe/Berlin")
_frozen: datetime | None = None


def now() -> datetime:
    """The current instant, timezone-aware in UTC."""
    return _frozen if _frozen is not None else datetime.now(timezone.utc)


@contextmanager
def freeze(instant: datetime):
    global _frozen
    previous, _frozen = _frozen, instant.astimezone(timezone.utc)
    try:
        yield
    finally:
        _frozen = previous


def to_berlin(instant: datetime) -> datetime:
    return instant.astimezone(BERLIN)


def berlin_local(naive: datetime) -> datetime:
    """Interpret a wall-clock time as Europe/Berlin; in the repeated autumn hour the earlier one."""
    return naive.replace(tzinfo=BERLIN, fold=0)


class UTCDateTime(sa.types.TypeDecorator):
    """Stores aware datetimes as UTC and always hands back aware UTC, on SQLite as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use core.time helpers")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
