"""Turning shifts into iCalendar (RFC 5545 / 7986): a pure function of data, no HTTP, no database."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from icalendar import Alarm, Calendar, Event, vDuration

from ..core.time import BERLIN

REFRESH = timedelta(hours=1)
# VTIMEZONE rules are generated for this range only (the library's default spans 1970–2038).
TIMEZONE_YEARS = (2020, 2040)


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
    return instant.astimezone(timezone.utc) if local.fold else local


def _event(item: FeedEvent) -> Event:
    event = Event.new(uid=item.uid, summary=item.summary, start=_local(item.starts_at), end=_local(item.ends_at),
                      stamp=item.stamp.astimezone(timezone.utc), sequence=item.sequence, status=item.status,
                      location=item.location or None, description=item.description or None, url=item.url)
    event.add("last-modified", item.stamp.astimezone(timezone.utc))
    if item.geo:
        event.add("geo", item.geo)
    if item.alarm_minutes is not None and item.status != "CANCELLED":
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", item.summary)
        alarm.add("trigger", timedelta(minutes=-item.alarm_minutes))
        event.add_component(alarm)
    return event


def build_calendar(*, name: str, uid: str, events: list[FeedEvent], description: str = "") -> bytes:
    calendar = Calendar.new(name=name, refresh_interval=REFRESH, method="PUBLISH", uid=uid,
                            description=description or None, prodid="-//Treffpunkt//Ehrenamt NRW//DE")
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"  # RFC 7986 wants it; the library omits it
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    calendar.add("X-WR-TIMEZONE", "Europe/Berlin")
    for item in events:
        calendar.add_component(_event(item))
    calendar.add_missing_timezones(first_date=date(TIMEZONE_YEARS[0], 1, 1), last_date=date(TIMEZONE_YEARS[1], 1, 1))
    return calendar.to_ical()
