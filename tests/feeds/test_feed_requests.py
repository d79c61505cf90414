"""What a feed request costs and when it may reuse work: the 304 from one statement, the cache of
rendered bodies, and ETags that name everything that shapes a feed."""

from contextlib import contextmanager
from datetime import datetime

import pytest
import sqlalchemy as sa

from tests.helpers import clock_frozen_at
from volunteers.accounts.models import COORDINATOR, VOLUNTEER
from volunteers.core import time
from volunteers.extensions import db
from volunteers.feeds import cache as feed_cache
from volunteers.feeds.cache import BodyCache
from volunteers.feeds.models import CENTRE, PERSONAL
from volunteers.feeds.tokens import feed_token, regenerate_token
from volunteers.shifts.planning import cancel_shift
from volunteers.shifts.signups import sign_up

NOW = time.berlin_local(datetime(2026, 10, 20, 9, 0))


frozen_clock = clock_frozen_at(NOW)


@pytest.fixture
def feeds(make_centre, make_meeting_point, make_shift, make_user):
    centre = make_centre("feeds-centre")
    place = make_meeting_point(centre, name="Café Mitte")
    shift = make_shift(place, starts=time.berlin_local(datetime(2026, 10, 27, 16, 0)))
    volunteer, coordinator = make_user("volunteer", centre), make_user("coordinator", centre)
    sign_up(shift=shift, volunteer=volunteer)
    regenerate_token(kind=PERSONAL, user_id=volunteer.id)
    regenerate_token(kind=CENTRE, user_id=coordinator.id, centre_id=centre.id)
    db.session.commit()
    return {
        "centre": centre,
        "place": place,
        "shift": shift,
        "coordinator": coordinator,
        "urls": {
            "personal": f"/calendar/u/{feed_token(kind=PERSONAL, user_id=volunteer.id)}.ics",
            "public": f"/calendar/p/{place.slug}.ics",
            "centre": f"/calendar/c/{feed_token(kind=CENTRE, user_id=coordinator.id, centre_id=centre.id)}.ics",
        },
    }


@contextmanager
def statements():
    """The SQL statements run meanwhile, without transaction control."""
    seen = []

    def record(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


@pytest.mark.parametrize("feed", ["personal", "public", "centre"])
def test_not_modified_and_cached_answers_take_one_statement(client, feeds, feed):
    url = feeds["urls"][feed]
    first = client.get(url)
    assert first.status_code == 200
    with statements() as seen:
        assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert len(seen) == 1, seen
    with statements() as seen:
        again = client.get(url)
    assert again.get_data() == first.get_data() and again.headers["ETag"] == first.headers["ETag"]
    assert len(seen) == 1, seen


def test_cached_body_follows_the_content_and_links_the_public_address(client, feeds):
    url = feeds["urls"]["public"]
    here = client.get(url).get_data()
    there = client.get(url, base_url="http://127.0.0.1:8000").get_data()
    assert b"URL:http://localhost/shifts/" in here and there == here  # PUBLIC_BASE_URL, whatever the Host
    cancel_shift(shift=feeds["shift"], reason="Wasserschaden")
    db.session.commit()
    assert b"Wasserschaden" in client.get(url).get_data()


def test_cached_body_lives_no_longer_than_max_age(client, feeds, monkeypatch):
    url, clock = feeds["urls"]["public"], [1000.0]
    monkeypatch.setattr(feed_cache.time, "monotonic", lambda: clock[0])
    assert b"Noch 1 Platz von 2 frei" in client.get(url).get_data()
    # A change that bypasses the shift's stamp, as the fingerprint cannot see every change.
    db.session.execute(sa.text("UPDATE shifts SET capacity_max = 7"))
    db.session.commit()
    clock[0] += 899
    assert b"Noch 1 Platz von 2 frei" in client.get(url).get_data()
    clock[0] += 2
    assert b"Noch 6 von 7 Pl" in client.get(url).get_data()


def test_body_cache_keeps_the_most_recently_used():
    bodies = BodyCache(max_age=900, size=2)
    for key in ("a", "b"):
        bodies.put((key,), key.encode(), 1)
    bodies.get(("a",))
    bodies.put(("c",), b"c", 1)
    assert bodies.get(("a",)) == (b"a", 1) and bodies.get(("b",)) is None and bodies.get(("c",)) == (b"c", 1)


def test_etags_name_the_feed_and_what_is_shown_of_its_place(client, feeds, make_meeting_point):
    def etag(place, **query):
        return client.get(f"/calendar/p/{place.slug}.ics", query_string=query).headers["ETag"]

    empty_a, empty_b = (make_meeting_point(feeds["centre"]) for _ in range(2))
    assert etag(empty_a) != etag(empty_b)  # no rows in either, still two feeds
    assert etag(empty_a) != etag(empty_a, lang="uk")
    before = etag(feeds["place"])
    feeds["place"].name = "Café am Markt"
    db.session.commit()
    assert etag(feeds["place"]) != before
    assert "Café am Markt" in client.get(feeds["urls"]["public"]).get_data(as_text=True)


@pytest.mark.parametrize("role, status", [(VOLUNTEER, 404), (COORDINATOR, 200)])
def test_centre_feed_needs_a_staff_role(client, feeds, role, status):
    feeds["coordinator"].memberships[0].role = role
    db.session.commit()
    assert client.get(feeds["urls"]["centre"]).status_code == status


def test_a_malformed_token_is_404_without_a_query(client, feeds):
    with statements() as seen:
        assert client.get("/calendar/u/short.ics").status_code == 404
        assert client.get("/calendar/c/" + "x" * 101 + ".ics").status_code == 404
    assert seen == []
