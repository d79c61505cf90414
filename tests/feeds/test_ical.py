"""The direct event writer (feeds/ical.py) against icalendar's own serialisation of the same
events: parsed back, both must give the same values, and ours the texts as they were."""

import random
from datetime import UTC, date, datetime, timedelta

import ics
import pytest
from icalendar import Alarm, Calendar, Event, vText

from volunteers.core import time
from volunteers.feeds.ical import FeedEvent, build_calendar, fold

# Pieces that text in the feeds is made of, and that escaping and folding could get wrong.
PIECES = [
    "Begegnungscafé Bad Berleburg",
    "مرحبا بكم في نقطة اللقاء",
    "Ласкаво просимо до Треффпункту",
    "Ґанок, їжак; Євген",
    "Straße",
    ",",
    ";",
    "\\",
    "\\\\",
    "\\n",
    "\\,",
    ":",
    '"',
    "^",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "€",
    "🙂",
    "👩🏽‍🏫",
    "ا" * 41,
    "ї" * 39,
    "x" * 73,
    "\\" * 37,
    "  ",
    "'",
    "<b>&amp;</b>",
]
FIELDS = (
    "SUMMARY",
    "DESCRIPTION",
    "LOCATION",
    "UID",
    "DTSTART",
    "DTEND",
    "DTSTAMP",
    "LAST-MODIFIED",
    "SEQUENCE",
    "STATUS",
    "URL",
)
UTC = UTC


def feed_event(text: str, *, offset: int = 0, alarm: int | None = 30, **changes) -> FeedEvent:
    starts = time.berlin_local(datetime(2026, 10, 24, 22)) + timedelta(hours=offset)
    values = {
        "uid": f"shift-{offset}@treffpunkt",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=3),
        "summary": text,
        "location": text[::-1],
        "description": f"{text}\n{text}",
        "url": f"https://treffpunkt.example/shifts/{offset}",
        "stamp": datetime(2026, 10, 1, 8, 30, 5, tzinfo=UTC),
        "sequence": offset % 3,
        "status": "CONFIRMED",
        "geo": (51.05, 8.39),
        "alarm_minutes": alarm,
    }
    return FeedEvent(**{**values, **changes})


def reference_event(item: FeedEvent) -> Event:
    """The event as icalendar builds it (how ical.py wrote events before the direct writer)."""

    def local(instant):
        berlin = instant.astimezone(time.BERLIN)
        return instant.astimezone(UTC) if berlin.fold else berlin

    event = Event.new(
        uid=item.uid,
        summary=item.summary,
        start=local(item.starts_at),
        end=local(item.ends_at),
        stamp=item.stamp.astimezone(UTC),
        sequence=item.sequence,
        status=item.status,
        location=item.location or None,
        description=item.description or None,
        url=item.url,
    )
    event.add("last-modified", item.stamp.astimezone(UTC))
    if item.geo:
        event.add("geo", item.geo)
    if item.alarm_minutes is not None and item.status != "CANCELLED":
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", item.summary)
        alarm.add("trigger", timedelta(minutes=-item.alarm_minutes))
        event.add_component(alarm)
    return event


def reference_calendar(events: list[FeedEvent]) -> bytes:
    calendar = Calendar.new(name="Treffpunkt", uid="u", prodid="-//Treffpunkt//Ehrenamt NRW//DE")
    for item in events:
        calendar.add_component(reference_event(item))
    calendar.add_missing_timezones(first_date=date(2020, 1, 1), last_date=date(2040, 1, 1))
    return calendar.to_ical()


def parsed(body: bytes) -> dict:
    """Each event's values as icalendar parses them back, with its alarms."""
    events = {}
    for event in Calendar.from_ical(body).walk("VEVENT"):
        values = {name: event.decoded(name) for name in FIELDS if name in event}
        values["GEO"] = (event["GEO"].latitude, event["GEO"].longitude) if "GEO" in event else None
        values["VALARM"] = [
            (str(alarm["ACTION"]), alarm.decoded("DESCRIPTION"), alarm.decoded("TRIGGER"))
            for alarm in event.walk("VALARM")
        ]
        events[str(event["UID"])] = values
    return events


def as_written(text: str) -> str:
    """A text as it should come back: every kind of line break is a newline."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def assert_well_formed(body: bytes) -> None:
    """CRLF only, at most 75 octets a physical line, no UTF-8 sequence nor backslash escape
    split by a fold."""
    bare = body.replace(b"\r\n", b"")
    assert body.endswith(b"\r\n") and b"\n" not in bare and b"\r" not in bare
    for physical in body.split(b"\r\n"):
        assert len(physical) <= 75, physical
        physical.decode()  # a split character would not decode
    for line in body.replace(b"\r\n ", b"\x00").split(b"\r\n"):  # \x00 marks where a fold was
        for cut in (i for i, byte in enumerate(line) if byte == 0):
            before = line[:cut].replace(b"\x00", b"")
            assert (len(before) - len(before.rstrip(b"\\"))) % 2 == 0, line


def texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 12))) for _ in range(count)]


@pytest.mark.parametrize("seed", range(20))
def test_writer_matches_icalendar_on_tricky_texts(seed):
    events = [feed_event(text, offset=i) for i, text in enumerate(texts(seed, 15))]
    body = build_calendar(name="Treffpunkt", uid="u", events=events)
    assert_well_formed(body)
    ours, reference = parsed(body), parsed(reference_calendar(events))
    assert ours == reference
    unfolded = body.replace(b"\r\n ", b"").decode()
    for item in events:
        # Escaped as icalendar escapes them, which is what RFC 5545 asks for these texts.
        assert f"\r\nSUMMARY:{vText(item.summary).to_ical().decode()}\r\n" in unfolded
        assert f"\r\nLOCATION:{vText(item.location).to_ical().decode()}\r\n" in unfolded
        assert ours[item.uid]["SUMMARY"] == as_written(item.summary)
        assert ours[item.uid]["DESCRIPTION"] == as_written(item.description)
        assert ours[item.uid]["LOCATION"] == as_written(item.location)


@pytest.mark.parametrize(
    "text",
    [
        "ب" * 100,  # two octets each: the 75th octet is inside a character
        "x" + "ب" * 100,
        "🙂" * 40 + "x",  # four octets each
        "x" * 72 + "\\;" * 10,  # an escape where the line is cut
        "x" * 71 + "\\" * 9 + ",",
        "Olena Kovalenko, Amal Haddad; " * 20,
    ],
)
def test_long_names_fold_between_characters_and_escapes(text):
    events = [feed_event(text, alarm=None)]
    body = build_calendar(name="Treffpunkt", uid="u", events=events)
    assert_well_formed(body)
    assert parsed(body) == parsed(reference_calendar(events))
    assert parsed(body)[events[0].uid]["SUMMARY"] == text


def test_fold_keeps_short_lines_and_cuts_long_ones_at_75_octets():
    assert fold("SUMMARY:" + "x" * 67) == "SUMMARY:" + "x" * 67
    folded = fold("SUMMARY:" + "x" * 200).split("\r\n")
    assert [len(line) for line in folded] == [75, 75, 60] and all(line.startswith(" ") for line in folded[1:])
    assert fold("SUMMARY:" + "ї" * 40).encode().split(b"\r\n") == [
        ("SUMMARY:" + "ї" * 33).encode(),
        (" " + "ї" * 7).encode(),
    ]


def test_a_backslash_n_stays_text_and_control_characters_are_dropped():
    # icalendar would turn a literal \N into a line break; RFC 5545 TEXT has no control characters.
    item = feed_event("C:\\Nutzer\\neu,\x07 Ende\x00")
    event = parsed(build_calendar(name="Treffpunkt", uid="u", events=[item]))[item.uid]
    assert event["SUMMARY"] == "C:\\Nutzer\\neu, Ende"


def test_repeated_autumn_hour_is_written_in_utc_and_the_rest_in_berlin_time():
    first = time.berlin_local(datetime(2026, 10, 25, 2, 30))  # summer time: +02:00
    second = first + timedelta(hours=1)  # the same wall clock again: +01:00
    events = [
        feed_event("Nacht", offset=0, starts_at=second, ends_at=second + timedelta(hours=2)),
        feed_event("Tag", offset=1, starts_at=first, ends_at=first + timedelta(hours=1)),
    ]
    body = build_calendar(name="Treffpunkt", uid="u", events=events)
    assert b"DTSTART:20261025T013000Z" in body and b"DTEND;TZID=Europe/Berlin:20261025T043000" in body
    assert b"DTSTART;TZID=Europe/Berlin:20261025T023000" in body and b"BEGIN:VTIMEZONE" in body
    assert parsed(body) == parsed(reference_calendar(events))
    for event in ics.Calendar(body.decode()).events:  # a parser with its own time zone database
        item = next(i for i in events if i.uid == event.uid)
        # In UTC: Python never finds an instant in the repeated hour equal to one in another zone.
        assert (event.begin.datetime.astimezone(UTC), event.end.datetime.astimezone(UTC)) == (
            item.starts_at,
            item.ends_at,
        )


def test_an_empty_calendar_has_no_time_zone():
    body = build_calendar(name="Treffpunkt", uid="u", events=[])
    assert b"VTIMEZONE" not in body and body.endswith(b"END:VCALENDAR\r\n")
    assert Calendar.from_ical(body)["X-WR-CALNAME"] == "Treffpunkt"
