"""Turning shifts into iCalendar (RFC 5545 / 7986): a pure function of data, no HTTP, no database.

icalendar writes the calendar's header and the Europe/Berlin VTIMEZONE, both cached since they
hardly ever change; the events, a fixed set of properties, are written here line by line, because
icalendar's object model and generic serialiser cost about 0.35 ms per event (bench/results.md)."""

import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Timezone, vDuration

from ..core.time import BERLIN

REFRESH = timedelta(hours=1)
# VTIMEZONE rules are generated for this range only (the library's default spans 1970–2038).
TIMEZONE_YEARS = (2020, 2040)
TZID = "Europe/Berlin"
LINE_OCTETS = 75  # RFC 5545 3.1: longer content lines are folded, the CRLF not counted
END = b"END:VCALENDAR\r\n"
# TEXT may hold no control characters but HTAB (RFC 5545 3.3.11); line breaks are escaped.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    starts_at: datetime  # aware
    ends_at: datetime
    summary: str
    location: str
    description: str
    url: str
    stamp: datetime  # when the event last changed, for DTSTAMP and LAST-MODIFIED
    sequence: int = 0
    status: str = "CONFIRMED"  # CONFIRMED, TENTATIVE or CANCELLED
    geo: tuple[float, float] | None = None
    alarm_minutes: int | None = None


def _local(instant: datetime) -> datetime:
    """Berlin time for the calendar, except in the repeated autumn hour, which only UTC can name."""
    local = instant.astimezone(BERLIN)
    return instant.astimezone(UTC) if local.fold else local


def escape_text(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash first, then ; and , and every kind of line break;
    control characters other than TAB are dropped."""
    text = (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )
    return _CONTROL.sub("", text) if not text.isprintable() else text


def one_line(text: str) -> str:
    """A text for a calendar property the library writes (the calendar's name, description, UID):
    line breaks become spaces and other control characters go. icalendar refuses an unescaped line
    break and passes NUL through; a meeting point's name from before names were checked at input
    must not break its feed for every subscriber."""
    return _CONTROL.sub("", re.sub(r"[\r\n\t]+", " ", text))


def fold(line: str) -> str:
    """One content line folded to at most 75 octets of UTF-8 a physical line (a continuation starts
    with a space), never inside a UTF-8 sequence nor between a backslash and what it escapes."""
    if len(line) <= LINE_OCTETS and line.isascii():
        return line
    data = line.encode()
    if len(data) <= LINE_OCTETS:
        return line
    parts, start, room = [], 0, LINE_OCTETS
    while len(data) - start > room:
        end = start + room
        while data[end] & 0xC0 == 0x80:  # a continuation byte: the character began before
            end -= 1
        run = 0  # backslashes before the cut: an odd run ends in one that escapes data[end]
        while run < end - start and data[end - run - 1] == 0x5C:
            run += 1
        end -= run % 2
        parts.append(data[start:end])
        start, room = end, LINE_OCTETS - 1
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode()


def _stamp(instant: datetime) -> str:
    return f"{instant.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _when(name: str, instant: datetime) -> str:
    local = _local(instant)
    if local.tzinfo is UTC:
        return f"{name}:{local:%Y%m%dT%H%M%SZ}"
    return f"{name};TZID={TZID}:{local:%Y%m%dT%H%M%S}"


def _float(value: float) -> str:
    # FLOAT (RFC 5545 3.3.7) has no exponent: never repr's 1e-05.
    return f"{value:.6f}".rstrip("0").rstrip(".")


@functools.lru_cache(maxsize=1024)
def _geo(position: tuple[float, float]) -> str:
    return f"GEO:{_float(position[0])};{_float(position[1])}"


@functools.lru_cache(maxsize=64)
def _trigger(minutes: int) -> str:
    return vDuration(timedelta(minutes=-minutes)).to_ical().decode()


@functools.lru_cache(maxsize=2048)
def _text(name: str, value: str) -> str:
    # Cached: in a feed most places, titles and many descriptions come again and again.
    return fold(f"{name}:{escape_text(value)}")


def _event(item: FeedEvent) -> str:
    """One VEVENT, its lines joined by CRLF; only lines that can be long are folded."""
    stamp = _stamp(item.stamp)
    lines = [
        "BEGIN:VEVENT",
        _text("SUMMARY", item.summary),
        _when("DTSTART", item.starts_at),
        _when("DTEND", item.ends_at),
        "DTSTAMP:" + stamp,
        _text("UID", item.uid),
        f"SEQUENCE:{item.sequence}",
    ]
    if item.description:
        lines.append(_text("DESCRIPTION", item.description))
    if item.geo:
        lines.append(_geo(item.geo))
    lines.append("LAST-MODIFIED:" + stamp)
    if item.location:
        lines.append(_text("LOCATION", item.location))
    lines += ["STATUS:" + item.status, fold("URL:" + item.url)]
    if item.alarm_minutes is not None and item.status != "CANCELLED":
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            _text("DESCRIPTION", item.summary),
            "TRIGGER:" + _trigger(item.alarm_minutes),
            "END:VALARM",
        ]
    lines.append("END:VEVENT")
    return "\r\n".join(lines)


@functools.lru_cache(maxsize=256)
def _header(name: str, uid: str, description: str) -> bytes:
    """BEGIN:VCALENDAR and the calendar's properties, without its END."""
    calendar = Calendar.new(
        name=name,
        refresh_interval=REFRESH,
        method="PUBLISH",
        uid=uid,
        description=description or None,
        prodid="-//Treffpunkt//Ehrenamt NRW//DE",
    )
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"  # RFC 7986 wants it; the library omits it
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    calendar.add("X-WR-TIMEZONE", TZID)
    return calendar.to_ical().removesuffix(END)


@functools.cache
def _vtimezone() -> bytes:
    first, last = (date(year, 1, 1) for year in TIMEZONE_YEARS)
    return Timezone.from_tzid(TZID, first_date=first, last_date=last).to_ical()


def _names_zone(item: FeedEvent) -> bool:
    return _local(item.starts_at).tzinfo is not UTC or _local(item.ends_at).tzinfo is not UTC


def build_calendar(*, name: str, uid: str, events: list[FeedEvent], description: str = "") -> bytes:
    body = "\r\n".join(_event(item) for item in events).encode()
    zone = _vtimezone() if any(_names_zone(item) for item in events) else b""
    header = _header(one_line(name), one_line(uid), one_line(description))
    return b"".join((header, zone, body, b"\r\n" if body else b"", END))
