"""The one clock of the application, and conversions between UTC (stored) and Europe/Berlin (shown).

Tests move the clock with `travel(...)` (it runs on from there) or `freeze(...)` (it stands still);
code never calls datetime.now() directly."""

from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

BERLIN = ZoneInfo("Europe/Berlin")
_frozen: datetime | None = None
_offset = timedelta(0)


def now() -> datetime:
    """The current instant, timezone-aware in UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC) + _offset


@contextmanager
def travel(instant: datetime):
    """Let the clock run on from `instant`, at the real pace."""
    global _offset
    previous, _offset = _offset, instant.astimezone(UTC) - datetime.now(UTC)
    try:
        yield
    finally:
        _offset = previous


@contextmanager
def freeze(instant: datetime):
    global _frozen
    previous, _frozen = _frozen, instant.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = previous


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def to_berlin(instant: datetime) -> datetime:
    return instant.astimezone(BERLIN)


class NonexistentLocalTime(ValueError):
    """A wall-clock time skipped by the spring DST change (e.g. 02:30 on the last Sunday of March)."""


def berlin_local(naive: datetime) -> datetime:
    """Interpret a wall-clock time as Europe/Berlin, as an aware UTC instant. In the repeated autumn
    hour the earlier of the two instants is meant; a time skipped in spring is refused."""
    local = naive.replace(tzinfo=BERLIN, fold=0)
    instant = local.astimezone(UTC)
    if instant.astimezone(BERLIN).replace(tzinfo=None) != naive.replace(tzinfo=None):
        raise NonexistentLocalTime(naive.isoformat())
    return instant


def berlin_local_lenient(naive: datetime) -> datetime:
    """Like berlin_local, but a skipped spring time moves on by the hour that was skipped."""
    return naive.replace(tzinfo=BERLIN, fold=0).astimezone(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """Stores aware datetimes as UTC and always hands back aware UTC, on SQLite as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use core.time helpers")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
