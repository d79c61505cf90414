"""The three feeds over HTTP, parsed back with icalendar and two independent parsers."""

import gzip
from datetime import UTC, datetime, timedelta

import ics
import pytest
import recurring_ical_events
from icalendar import Calendar

from tests import helpers
from tests.helpers import clock_frozen_at, post_form
from volunteers.core import time
from volunteers.extensions import db
from volunteers.feeds.models import CENTRE, PERSONAL
from volunteers.feeds.tokens import feed_token, regenerate_token
from volunteers.shifts.planning import cancel_shift
from volunteers.shifts.signups import cancel_signup, sign_up

NOW = time.berlin_local(datetime(2026, 10, 20, 9, 0))


frozen_clock = clock_frozen_at(NOW)


@pytest.fixture
def plan(make_centre, make_meeting_point, make_shift, make_user):
    centre = make_centre("siegen-wittgenstein", name="KI Kreis Siegen-Wittgenstein")
    place = make_meeting_point(centre, name="Begegnungscafé Bad Berleburg; Poststraße", latitude=51.05, longitude=8.39)
    night = make_shift(place, starts=time.berlin_local(datetime(2026, 10, 25, 1, 0)), hours=3)  # over DST
    tuesday = make_shift(place, starts=time.berlin_local(datetime(2026, 10, 27, 16, 0)), capacity_max=1)
    volunteer = make_user("volunteer", centre, name="Amal Haddad", email="amal@example.org")
    waiting = make_user("volunteer", centre, name="Olena Kovalenko", email="olena@example.org")
    for shift in (night, tuesday):
        sign_up(shift=shift, volunteer=volunteer)
    sign_up(shift=tuesday, volunteer=waiting)
    coordinator = make_user("coordinator", centre)
    regenerate_token(kind=PERSONAL, user_id=volunteer.id)
    regenerate_token(kind=CENTRE, user_id=coordinator.id, centre_id=centre.id)
    db.session.commit()
    return {
        "centre": centre,
        "place": place,
        "night": night,
        "tuesday": tuesday,
        "volunteer": volunteer,
        "waiting": waiting,
        "coordinator": coordinator,
    }


def personal_feed_url(user) -> str:
    return f"/calendar/u/{feed_token(kind=PERSONAL, user_id=user.id)}.ics"


def centre_feed_url(user, centre) -> str:
    return f"/calendar/c/{feed_token(kind=CENTRE, user_id=user.id, centre_id=centre.id)}.ics"


def fetch(client, url, **headers):
    return client.get(url, headers=headers)


def events_by_uid(body: bytes) -> dict:
    return {str(e["UID"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


def assert_instants_match_database(body: bytes, shifts):
    """icalendar, recurring-ical-events (using the file's VTIMEZONE) and ics agree with the DB."""
    by_uid = events_by_uid(body)
    expanded = {
        str(e["UID"]): e
        for e in recurring_ical_events.of(Calendar.from_ical(body)).between(datetime(2026, 1, 1), datetime(2028, 1, 1))
    }
    independent = {e.uid: e for e in ics.Calendar(body.decode()).events}
    for shift in shifts:
        uid = f"shift-{shift.id}@treffpunkt"
        for start, end in (
            (by_uid[uid].decoded("DTSTART"), by_uid[uid].decoded("DTEND")),
            (expanded[uid]["DTSTART"].dt, expanded[uid]["DTEND"].dt),
            (independent[uid].begin.datetime, independent[uid].end.datetime),
        ):
            assert (start, end) == (shift.starts_at, shift.ends_at), uid


def test_personal_feed_carries_my_shifts_right_across_dst(client, plan):
    response = fetch(client, personal_feed_url(plan["volunteer"]))
    assert response.status_code == 200
    assert response.mimetype == "text/calendar" and response.mimetype_params["charset"] == "utf-8"
    body = response.get_data()
    assert_instants_match_database(body, [plan["night"], plan["tuesday"]])
    night = events_by_uid(body)[f"shift-{plan['night'].id}@treffpunkt"]
    # Subtract in UTC: the same-zone difference would be wall-clock time (2 h here).
    utc = UTC
    assert night.decoded("DTEND").astimezone(utc) - night.decoded("DTSTART").astimezone(utc) == timedelta(hours=3)
    assert night.decoded("DTSTART").astimezone(UTC).hour == 23  # 01:00 summer time
    calendar = Calendar.from_ical(body)
    assert str(calendar["X-WR-CALNAME"]) == "Treffpunkt – Meine Schichten"
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert "X-PUBLISHED-TTL" in calendar and calendar.walk("VTIMEZONE")
    assert str(night["LOCATION"]).startswith("Hauptstraße") and night["GEO"].latitude == 51.05
    assert not night.walk("VALARM")  # the volunteer has not asked for one


def test_waitlisted_is_tentative_and_alarm_only_when_wanted(client, plan):
    plan["waiting"].calendar_alarm_minutes = 60
    regenerate_token(kind=PERSONAL, user_id=plan["waiting"].id)
    db.session.commit()
    body = fetch(client, personal_feed_url(plan["waiting"])).get_data()
    event = events_by_uid(body)[f"shift-{plan['tuesday'].id}@treffpunkt"]
    assert str(event["STATUS"]) == "TENTATIVE"
    assert event.walk("VALARM")[0].decoded("TRIGGER") == timedelta(minutes=-60)


def test_cancelled_shift_stays_cancelled_and_withdrawn_signup_disappears(client, plan):
    url = personal_feed_url(plan["volunteer"])
    cancel_shift(shift=plan["tuesday"], reason="Raum gesperrt, Kita-Fest")
    cancel_signup(signup=plan["night"].signups[0])
    db.session.commit()
    events = events_by_uid(fetch(client, url).get_data())
    tuesday = events[f"shift-{plan['tuesday'].id}@treffpunkt"]
    assert str(tuesday["STATUS"]) == "CANCELLED" and tuesday["SEQUENCE"] == 1
    assert "Raum gesperrt, Kita-Fest" in str(tuesday["DESCRIPTION"])
    assert f"shift-{plan['night'].id}@treffpunkt" not in events
    with time.freeze(NOW + timedelta(days=31)):
        events = events_by_uid(fetch(client, url).get_data())
    assert f"shift-{plan['tuesday'].id}@treffpunkt" not in events


def test_public_feed_has_no_personal_data(client, plan):
    body = fetch(client, f"/calendar/p/{plan['place'].slug}.ics").get_data()
    text = body.decode()
    for secret in ("Amal", "Haddad", "Olena", "amal@example.org", "olena@example.org"):
        assert secret not in text
    assert_instants_match_database(body, [plan["night"], plan["tuesday"]])
    # Escaping of ; and , in names, and line folding at 75 octets.
    assert "Begegnungscafé Bad Berleburg\\; Poststraße" in text.replace("\r\n ", "")
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))


def test_centre_feed_lists_who_is_signed_up_for_its_staff_only(client, plan):
    url = centre_feed_url(plan["coordinator"], plan["centre"])
    event = events_by_uid(fetch(client, url).get_data())[f"shift-{plan['tuesday'].id}@treffpunkt"]
    assert "Amal Haddad" in str(event["DESCRIPTION"]) and "Olena Kovalenko" in str(event["DESCRIPTION"])
    plan["coordinator"].memberships.clear()  # leaves the centre
    db.session.commit()
    assert fetch(client, url).status_code == 404


def test_unchanged_feed_answers_304_and_a_change_shows(client, plan):
    url = personal_feed_url(plan["volunteer"])
    first = fetch(client, url)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"') and "Last-Modified" in first.headers
    assert fetch(client, url, **{"If-None-Match": etag}).status_code == 304
    assert fetch(client, url, **{"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    cancel_signup(signup=plan["tuesday"].signups[0])
    db.session.commit()
    assert fetch(client, url, **{"If-None-Match": etag}).status_code == 200


def test_gzip_when_accepted(client, make_shift, plan):
    for day in range(30):
        make_shift(plan["place"], starts=time.berlin_local(datetime(2026, 11, 1, 10)) + timedelta(days=day))
    response = fetch(client, f"/calendar/p/{plan['place'].slug}.ics", **{"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert len(Calendar.from_ical(gzip.decompress(response.get_data())).walk("VEVENT")) == 32


def test_unknown_and_revoked_tokens_are_404(app, client, login, plan):
    url = personal_feed_url(plan["volunteer"])
    assert fetch(client, "/calendar/u/" + "x" * 43 + ".ics").status_code == 404
    login(user=plan["volunteer"])
    post_form(client, "/calendar/personal", {"action": "revoke"})
    assert fetch(client, url).status_code == 404
    post_form(client, "/calendar/personal", {"action": "create"})
    new_url = personal_feed_url(plan["volunteer"])
    assert new_url != url and fetch(client, new_url).status_code == 200


def test_my_shifts_page_offers_webcal_link_and_qr_code(client, login, plan):
    login(user=plan["volunteer"])
    page = client.get("/my/shifts").get_data(as_text=True)
    assert 'href="webcal://localhost/calendar/u/' in page
    assert 'src="data:image/svg+xml' in page


def test_single_shift_download(client, login, plan, make_user):
    login(user=plan["volunteer"])
    response = client.get(f"/shifts/{plan['night'].id}.ics")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert_instants_match_database(response.get_data(), [plan["night"]])
    stranger = make_user("volunteer")
    other = client.application.test_client()
    helpers.login(other, stranger)
    assert other.get(f"/shifts/{plan['night'].id}.ics").status_code == 404
