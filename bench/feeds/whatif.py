"""What the proposed feed fixes would gain, measured in-process on the benchmark data, without
changing the app: each fix is a prototype here, checked to give the same output as the app.

    DATABASE_URL=sqlite:////tmp/feeds.sqlite SECRET_KEY=… python bench/feeds/whatif.py /tmp/feeds.json

1. activity names: `activity_name` (activities/services.py) builds and translates all nine default
   activities for every event; looking up the one that is needed.
2. lean 304: the personal feed's 304 path loads the token row, the User entity (whose
   `lazy="selectin"` memberships add a query with a join) and then the fingerprint: four statements,
   each built as an expression per request; the public feed loads the MeetingPoint entity, then the
   fingerprint. The prototypes answer from one statement built once (`register` mounts them at
   /whatif/…, for whatif_app.py under gunicorn).
3. direct writer: `ical.build_calendar` goes through icalendar's object model (an Event with
   typed properties per event, then a generic serialiser that folds lines character by character).
   The prototype writes the same bytes for the events directly (folding on bytes) and keeps icalendar for the
   calendar header and the VTIMEZONE (built once per process).
Then 1 and 3 together on whole requests through the test client.
Prints a markdown table (ms, median of N)."""
import argparse
import functools
import json
import os
import statistics
import sys
import time
from datetime import date, timedelta, timezone
from pathlib import Path

sys.path.insert(0, os.environ.get("TREFFPUNKT_ROOT") or str(Path(__file__).resolve().parents[2]))

import sqlalchemy as sa  # noqa: E402
from flask import abort, request  # noqa: E402
from flask_babel import force_locale  # noqa: E402
from flask_babel import gettext  # noqa: E402
from icalendar import Timezone, vDuration  # noqa: E402
from icalendar.parser.string import _escape_char  # noqa: E402

from volunteers import create_app  # noqa: E402
from volunteers.accounts.models import User  # noqa: E402
from volunteers.activities.models import DEFAULT_ACTIVITIES  # noqa: E402
from volunteers.centres.models import MeetingPoint  # noqa: E402
from volunteers.core import time as app_time  # noqa: E402
from volunteers.core.tokens import hash_token  # noqa: E402
from volunteers.extensions import db  # noqa: E402
from volunteers.feeds import events as feed_events  # noqa: E402
from volunteers.feeds import ical, queries, views  # noqa: E402
from volunteers.feeds.models import PERSONAL, CalendarToken  # noqa: E402
from volunteers.feeds.views import serve_feed  # noqa: E402
from volunteers.shifts.models import (ACTIVE_SIGNUP_STATUSES, CANCELLED, DRAFT, PUBLISHED, Shift,  # noqa: E402
                                      Signup)


def median_ms(function, runs: int) -> float:
    function()  # warm-up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


# --- 1. one activity name instead of nine ----------------------------------------------------

DEFAULT_NAMES = {slug: name for slug, name, _ in DEFAULT_ACTIVITIES}


def one_activity_name(original):
    def activity_name(centre_id: int, slug: str) -> str:
        return str(DEFAULT_NAMES[slug]) if slug in DEFAULT_NAMES else original(centre_id, slug)
    return activity_name


def activity_names(app, slug: str, runs: int) -> list[tuple]:
    with app.test_request_context("/"), force_locale("de"):
        meeting_point = db.session.scalar(sa.select(MeetingPoint).where(MeetingPoint.slug == slug))
        shifts = queries.public_shifts(meeting_point)
        build = lambda: [feed_events.public_event(s) for s in shifts]  # noqa: E731
        before, expected = median_ms(build, runs), build()
        original, feed_events.activity_name = feed_events.activity_name, one_activity_name(feed_events.activity_name)
        try:
            after, same = median_ms(build, runs), build() == expected
        finally:
            feed_events.activity_name = original
    return [("FeedEvents for the public feed (366)", before, after, same)]


# --- 2. the 304 path in one prebuilt statement -------------------------------------------------
# Token (or slug), owner and fingerprint in one statement built once at import, so that a request
# neither builds SQL expressions nor loads ORM entities (a User brings its memberships along).

def _lingering():
    return sa.or_(Shift.status != CANCELLED, Shift.updated_at >= sa.bindparam("linger"))


PERSONAL_FINGERPRINT = (
    sa.select(User.id, User.calendar_alarm_minutes, User.locale, sa.func.count(Signup.id),
              sa.func.max(Shift.updated_at), sa.func.max(Signup.updated_at))
    .select_from(CalendarToken).join(User, User.id == CalendarToken.user_id)
    .outerjoin(sa.join(Signup, Shift, Shift.id == Signup.shift_id), sa.and_(
        Signup.user_id == User.id, Signup.status.in_(ACTIVE_SIGNUP_STATUSES), Shift.status != DRAFT,
        Shift.starts_at >= sa.bindparam("since"), _lingering()))
    .where(CalendarToken.kind == PERSONAL, CalendarToken.token_hash == sa.bindparam("token_hash"))
    .group_by(User.id, User.calendar_alarm_minutes, User.locale))

PUBLIC_FINGERPRINT = (
    sa.select(MeetingPoint.id, sa.func.count(Shift.id), sa.func.max(Shift.updated_at))
    .select_from(MeetingPoint)
    .outerjoin(Shift, sa.and_(Shift.meeting_point_id == MeetingPoint.id, Shift.status.in_((PUBLISHED, CANCELLED)),
                              Shift.starts_at >= sa.bindparam("since"), _lingering()))
    .where(MeetingPoint.slug == sa.bindparam("slug")).group_by(MeetingPoint.id))


def _window_params() -> dict:
    now = app_time.now()
    return {"since": now - queries.HISTORY, "linger": now - queries.CANCELLED_LINGER}


def lean_personal_feed(token: str):
    row = db.session.execute(PERSONAL_FINGERPRINT, {**_window_params(), "token_hash": hash_token(token)}).one_or_none()
    if row is None:
        abort(404)
    fingerprint = queries._fingerprint(row[3:], queries._window()[1], row.calendar_alarm_minutes, row.locale)

    def render():
        user = db.session.get(User, row.id)
        with force_locale(user.locale or "de"):
            events = [feed_events.personal_event(s, user.calendar_alarm_minutes)
                      for s in queries.personal_signups(user)]
            return views.build_calendar(name=gettext("Treffpunkt – Meine Schichten"),
                                        uid=f"treffpunkt-user-{user.id}", events=events)
    return serve_feed(fingerprint, render, filename="meine-schichten.ics")


def lean_public_feed(slug: str):
    locale = request.args.get("lang") if request.args.get("lang") in ("de", "en", "ar", "uk") else "de"
    row = db.session.execute(PUBLIC_FINGERPRINT, {**_window_params(), "slug": slug}).one_or_none()
    if row is None:
        abort(404)

    def render():
        meeting_point = db.session.get(MeetingPoint, row.id)
        with force_locale(locale):
            events = [feed_events.public_event(s) for s in queries.public_shifts(meeting_point)]
            return views.build_calendar(name=f"Treffpunkt – {meeting_point.name}", uid=f"treffpunkt-place-{slug}",
                                        events=events, description=meeting_point.address)
    fingerprint = queries._fingerprint(row[1:], queries._window()[1], locale)
    return serve_feed(fingerprint, render, public=True, filename=f"{slug}.ics")


def register(app) -> None:
    """The prototype feeds at /whatif/u/<token>.ics and /whatif/p/<slug>.ics."""
    app.add_url_rule("/whatif/u/<token>.ics", "whatif_personal", lean_personal_feed)
    app.add_url_rule("/whatif/p/<slug>.ics", "whatif_public", lean_public_feed)


def whatif_path(path: str) -> str:
    return path.replace("/calendar/", "/whatif/")


def lean_not_modified(app, paths: dict, runs: int) -> list[tuple]:
    client, rows = app.test_client(), []
    for feed in ("personal", "public"):
        path = paths[feed]
        etag = client.get(path).headers["ETag"]
        current = median_ms(lambda: client.get(path, headers={"If-None-Match": etag}), runs)
        lean_response = client.get(whatif_path(path), headers={"If-None-Match": etag})
        lean = median_ms(lambda: client.get(whatif_path(path), headers={"If-None-Match": etag}), runs)
        rows.append((f"{feed} feed 304, whole request", current, lean,
                     lean_response.status_code == 304 and lean_response.headers["ETag"] == etag))
    return rows


def references(app, runs: int) -> list[tuple]:
    """What a request costs that does (almost) nothing, for scale."""
    from bare import app as bare_app
    client, bare_client = app.test_client(), bare_app.test_client()
    return [("reference: bare Flask /hello", median_ms(lambda: bare_client.get("/hello"), runs), None, None),
            ("reference: Treffpunkt /healthz", median_ms(lambda: client.get("/healthz"), runs), None, None)]


# --- 3. writing the events directly -------------------------------------------------------------

def _line(text: str) -> str:
    """RFC 5545 folding as icalendar does it (at most 74 octets a line, never inside a UTF-8
    sequence, a trailing backslash or caret moved on), on bytes instead of character by character."""
    data = text.encode()
    if len(data) < 75:
        return text
    parts, start = [], 0
    while len(data) - start >= 75:
        end = start + 74
        while data[end] & 0xC0 == 0x80:  # a continuation byte: the character started before
            end -= 1
        if data[end - 1] in b"\\^":
            end -= 1
        parts.append(data[start:end])
        start = end
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode()


def _when(name: str, instant) -> str:
    local = ical._local(instant)
    if local.tzinfo is timezone.utc:
        return f"{name}:{local:%Y%m%dT%H%M%S}Z"
    return f"{name};TZID=Europe/Berlin:{local:%Y%m%dT%H%M%S}"


def _utc(instant) -> str:
    return f"{instant.astimezone(timezone.utc):%Y%m%dT%H%M%S}Z"


def _event_lines(item: ical.FeedEvent) -> list[str]:
    lines = ["BEGIN:VEVENT", "SUMMARY:" + _escape_char(item.summary), _when("DTSTART", item.starts_at),
             _when("DTEND", item.ends_at), "DTSTAMP:" + _utc(item.stamp), "UID:" + _escape_char(item.uid),
             f"SEQUENCE:{item.sequence}"]
    if item.description:
        lines.append("DESCRIPTION:" + _escape_char(item.description))
    if item.geo:
        lines.append(f"GEO:{item.geo[0]};{item.geo[1]}")
    lines.append("LAST-MODIFIED:" + _utc(item.stamp))
    if item.location:
        lines.append("LOCATION:" + _escape_char(item.location))
    lines += ["STATUS:" + item.status, "URL:" + item.url]
    if item.alarm_minutes is not None and item.status != "CANCELLED":
        lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:" + _escape_char(item.summary),
                  "TRIGGER:" + vDuration(timedelta(minutes=-item.alarm_minutes)).to_ical().decode(), "END:VALARM"]
    lines.append("END:VEVENT")
    return lines


@functools.cache
def _vtimezone() -> bytes:
    first, last = (date(year, 1, 1) for year in ical.TIMEZONE_YEARS)
    return Timezone.from_tzid("Europe/Berlin", first_date=first, last_date=last).to_ical()


def direct_calendar(*, name: str, uid: str, events: list, description: str = "") -> bytes:
    header = ical.build_calendar(name=name, uid=uid, events=[], description=description)
    head, end = header.removesuffix(b"END:VCALENDAR\r\n"), b"END:VCALENDAR\r\n"
    body = "".join(_line(text) + "\r\n" for item in events for text in _event_lines(item)).encode()
    return head + (_vtimezone() if events else b"") + body + end


def direct_writer(app, paths: dict, slug: str, runs: int) -> list[tuple]:
    rows = []
    with app.test_request_context("/"), force_locale("de"):
        point = db.session.scalar(sa.select(MeetingPoint).where(MeetingPoint.slug == slug))
        token = db.session.scalar(sa.select(CalendarToken).where(CalendarToken.kind == PERSONAL))
        user = db.session.get(User, token.user_id)
        feeds = {"public (366)": [feed_events.public_event(s) for s in queries.public_shifts(point)],
                 "personal (150)": [feed_events.personal_event(s, user.calendar_alarm_minutes)
                                    for s in queries.personal_signups(user)]}
        for label, events in feeds.items():
            build = functools.partial(ical.build_calendar, name="Treffpunkt", uid="u", events=events)
            direct = functools.partial(direct_calendar, name="Treffpunkt", uid="u", events=events)
            rows.append((f"calendar bytes from FeedEvents, {label}", median_ms(build, runs),
                         median_ms(direct, runs), build() == direct()))
    return rows


# --- 1 and 3 together, whole requests ----------------------------------------------------------

def apply_render_fixes() -> tuple:
    """Fixes 1 and 3 in place, for this process; returns what to put back."""
    originals = feed_events.activity_name, views.build_calendar
    feed_events.activity_name = one_activity_name(originals[0])
    views.build_calendar = direct_calendar
    return originals


def full_requests(app, paths: dict, runs: int) -> list[tuple]:
    client, rows = app.test_client(), []
    before = {feed: (median_ms(lambda: client.get(paths[feed]), runs), client.get(paths[feed]).data)
              for feed in ("public", "centre", "personal")}
    originals = apply_render_fixes()
    try:
        for feed, (ms, body) in before.items():
            rows.append((f"{feed} feed, whole request (200)", ms, median_ms(lambda: client.get(paths[feed]), runs),
                         client.get(paths[feed]).data == body))
    finally:
        feed_events.activity_name, views.build_calendar = originals
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths_json", type=Path, help="the file make_data.py wrote")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    paths = json.loads(args.paths_json.read_text())
    app = create_app({"SERVER_NAME": None})
    register(app)
    slug = paths["public"].removeprefix("/calendar/p/").removesuffix(".ics")
    rows = [*references(app, args.runs * 10), *activity_names(app, slug, args.runs),
            *lean_not_modified(app, paths, args.runs * 10), *direct_writer(app, paths, slug, args.runs),
            *full_requests(app, paths, args.runs)]
    print("| step | now ms | prototype ms | same output |\n| --- | ---: | ---: | --- |")
    for label, before, after, same in rows:
        after, same = ("", "") if after is None else (f"{after:.2f}", "yes" if same else "NO")
        print(f"| {label} | {before:.2f} | {after} | {same} |")


if __name__ == "__main__":
    main()
