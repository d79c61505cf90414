"""A feed's 304 reads no rows of the feed, only its token (or slug) and the change stamps of the
centres it shows: every kind of change a feed shows must move its ETag. Each change below changes
the ETag and the body, the old ETag no longer gives a 304, the new one does from one statement, and
another centre's feeds keep their ETags. What the stamps do not carry is read with the token: the
owner's settings, a revoked token or a lost role (404 at once, whatever the client sends), the
centres of sign-ups in a centre the volunteer has left, and the day (the window moves at midnight,
never in between)."""

import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from volunteers.accounts.services import set_centre_role, update_profile
from volunteers.activities.models import CentreActivity
from volunteers.activities.services import add_centre_activity
from volunteers.centres.services import update_meeting_point
from volunteers.core import time
from volunteers.extensions import db
from volunteers.feeds.models import CENTRE, PERSONAL
from volunteers.feeds.tokens import feed_token, regenerate_token, revoke_token
from volunteers.privacy.services import delete_account
from volunteers.shifts.planning import ShiftValues, cancel_shift, update_shift
from volunteers.shifts.signups import cancel_signup, sign_up


class Side:
    """A centre whose volunteer is signed up for a shift, with a personal and a centre feed."""

    def __init__(self, make_centre, make_meeting_point, make_shift, make_user, name: str):
        self.centre = make_centre(name=f"KI {name}")
        activity = add_centre_activity(centre=self.centre, name=f"Nähcafé {name}", baustein="B")
        self.place = make_meeting_point(self.centre, name=f"Café {name}")
        self.shift = make_shift(self.place, activity=activity.slug)
        self.volunteer = make_user("volunteer", self.centre, name=f"Amal {name}")
        self.coordinator = coordinator = make_user("coordinator", self.centre)
        self.other = make_user("volunteer", self.centre, name=f"Olena {name}")
        self.signup = sign_up(shift=self.shift, volunteer=self.volunteer)
        regenerate_token(kind=PERSONAL, user_id=self.volunteer.id)
        regenerate_token(kind=CENTRE, user_id=coordinator.id, centre_id=self.centre.id)
        db.session.commit()
        self.urls = {
            "personal": f"/calendar/u/{feed_token(kind=PERSONAL, user_id=self.volunteer.id)}.ics",
            "public": f"/calendar/p/{self.place.slug}.ics",
            "centre": f"/calendar/c/{feed_token(kind=CENTRE, user_id=coordinator.id, centre_id=self.centre.id)}.ics",
        }


@pytest.fixture
def ours(make_centre, make_meeting_point, make_shift, make_user):
    return Side(make_centre, make_meeting_point, make_shift, make_user, "Mitte")


@pytest.fixture
def theirs(make_centre, make_meeting_point, make_shift, make_user):
    return Side(make_centre, make_meeting_point, make_shift, make_user, "Nord")


def _rename_activity(side):
    activity = db.session.scalar(sa.select(CentreActivity).where(CentreActivity.centre_id == side.centre.id))
    activity.name = "Reparaturcafé"


def _rename_volunteer(side):
    person = side.volunteer
    update_profile(user=person, name="Amal Neu", phone="", shares_phone=False, languages=[], locale=None)


def _change_notes(side):
    shift = side.shift
    values = ShiftValues(meeting_point=shift.meeting_point, activity=shift.activity, capacity_max=2)
    values.notes = "Bitte Ausweis mitbringen"
    update_shift(shift=shift, values=values, starts_at=shift.starts_at, ends_at=shift.ends_at)


def _move_shift(side):
    shift = side.shift
    values = ShiftValues(meeting_point=shift.meeting_point, activity=shift.activity, capacity_max=2)
    update_shift(shift=shift, values=values, starts_at=shift.starts_at + timedelta(hours=1), ends_at=shift.ends_at)


def _rename_centre(side):
    side.centre.name = "KI Neustadt"


# What changes, and the feeds whose body then shows the new text.
CHANGES = {
    "meeting point renamed": (
        lambda side: update_meeting_point(meeting_point=side.place, name="Café am Markt"),
        "Café am Markt",
        ("personal", "public", "centre"),
    ),
    "meeting point moved": (
        lambda side: update_meeting_point(meeting_point=side.place, street="Marktplatz 9"),
        "Marktplatz 9",
        ("personal", "public", "centre"),
    ),
    "volunteer renamed": (_rename_volunteer, "Amal Neu", ("centre",)),
    "activity renamed": (_rename_activity, "Reparaturcafé", ("personal", "public", "centre")),
    "shift notes changed": (_change_notes, "Bitte Ausweis mitbringen", ("personal",)),
    "shift moved by an hour": (_move_shift, "SEQUENCE:1", ("personal", "public", "centre")),
    "shift cancelled": (
        lambda side: cancel_shift(shift=side.shift, reason="Raum gesperrt"),
        "Raum gesperrt",
        ("personal", "public", "centre"),
    ),
    "another volunteer signs up": (lambda side: sign_up(shift=side.shift, volunteer=side.other), "Olena", ("centre",)),
    "the volunteer cancels": (
        lambda side: cancel_signup(signup=side.signup),
        "Ihr Status",  # the one event of the personal feed is gone
        (),
    ),
    "centre renamed": (_rename_centre, "KI Neustadt", ("centre",)),
}


def etags(client, side) -> dict[str, str]:
    answers = {feed: client.get(url) for feed, url in side.urls.items()}
    assert all(answer.status_code == 200 for answer in answers.values())
    return {feed: answer.headers["ETag"] for feed, answer in answers.items()}


@pytest.mark.parametrize(("change", "text", "shown_in"), CHANGES.values(), ids=CHANGES.keys())
def test_a_change_the_rows_do_not_stamp_moves_the_etags_of_its_centre_only(
    client, ours, theirs, change, text, shown_in
):
    before, their_before = etags(client, ours), etags(client, theirs)
    change(ours)
    db.session.commit()
    after = etags(client, ours)
    assert all(after[feed] != before[feed] for feed in before)
    assert etags(client, theirs) == their_before
    for feed, url in ours.urls.items():
        assert client.get(url, headers={"If-None-Match": before[feed]}).status_code == 200
        assert client.get(url, headers={"If-None-Match": after[feed]}).status_code == 304
        assert (text in client.get(url).get_data(as_text=True)) == (feed in shown_in)


@pytest.mark.parametrize("feed", ["personal", "public", "centre"])
def test_the_not_modified_answer_stays_one_statement(client, ours, feed):
    url = ours.urls[feed]
    etag = client.get(url).headers["ETag"]
    seen = []

    def record(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert len(seen) == 1 and "centre_stamps" in seen[0]
    assert not re.search(r"\bshifts\b", seen[0]), "a 304 reads the stamps, not the feed's shifts"


def _set_alarm(side):
    side.volunteer.calendar_alarm_minutes = 60


def _volunteer_reads_english(side):
    side.volunteer.locale = "en"


def _coordinator_reads_english(side):
    side.coordinator.locale = "en"


# Settings of a feed's owner: read with the token, not stamped. The change, the feed whose ETag
# moves, a text its body then has.
OWN_SETTINGS = {
    "alarm set": (_set_alarm, "personal", "TRIGGER:-PT1H"),
    "volunteer's language": (_volunteer_reads_english, "personal", "Your status"),
    "coordinator's language": (_coordinator_reads_english, "centre", "Waiting list"),
}


@pytest.mark.parametrize(("change", "feed", "text"), OWN_SETTINGS.values(), ids=OWN_SETTINGS.keys())
def test_the_owners_own_settings_move_their_feed_only(client, ours, theirs, change, feed, text):
    before, their_before = etags(client, ours), etags(client, theirs)
    change(ours)
    db.session.commit()
    after = etags(client, ours)
    assert {name for name in before if after[name] != before[name]} == {feed}
    assert etags(client, theirs) == their_before
    url = ours.urls[feed]
    assert client.get(url, headers={"If-None-Match": before[feed]}).status_code == 200
    assert client.get(url, headers={"If-None-Match": after[feed]}).status_code == 304
    assert text in client.get(url).get_data(as_text=True)


def _revoke_personal(side):
    revoke_token(kind=PERSONAL, user_id=side.volunteer.id)


def _renew_personal(side):
    regenerate_token(kind=PERSONAL, user_id=side.volunteer.id)


def _coordinator_leaves(side):
    set_centre_role(user=side.coordinator, centre=side.centre, role=None)


def _coordinator_becomes_volunteer(side):
    set_centre_role(user=side.coordinator, centre=side.centre, role="volunteer")


def _revoke_centre(side):
    revoke_token(kind=CENTRE, user_id=side.coordinator.id, centre_id=side.centre.id)


GONE = {
    "personal link revoked": (_revoke_personal, "personal"),
    "personal link renewed": (_renew_personal, "personal"),
    "volunteer deleted their account": (lambda side: delete_account(user=side.volunteer), "personal"),
    "centre link revoked": (_revoke_centre, "centre"),
    "coordinator left the centre": (_coordinator_leaves, "centre"),
    "coordinator is a volunteer now": (_coordinator_becomes_volunteer, "centre"),
}


@pytest.mark.parametrize(("change", "feed"), GONE.values(), ids=GONE.keys())
def test_a_dead_link_is_404_at_once_also_for_a_client_with_the_etag(client, ours, change, feed):
    url = ours.urls[feed]
    etag = client.get(url).headers["ETag"]
    change(ours)
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 404
    assert client.get(url).status_code == 404


def test_a_deleted_volunteer_leaves_the_centre_feed(client, ours):
    before = etags(client, ours)
    delete_account(user=ours.volunteer)
    db.session.commit()
    answer = client.get(ours.urls["centre"], headers={"If-None-Match": before["centre"]})
    assert answer.status_code == 200 and "Amal" not in answer.get_data(as_text=True)


def test_a_volunteer_who_left_the_centre_still_sees_its_changes(client, ours, theirs, make_shift):
    """Their sign-ups stay, and so do the shifts in their feed: the feed reads the stamps of the
    centres of their sign-ups, not of their memberships."""
    set_centre_role(user=ours.volunteer, centre=theirs.centre, role="volunteer")
    sign_up(shift=make_shift(theirs.place, starts=ours.shift.starts_at + timedelta(days=1)), volunteer=ours.volunteer)
    for side in (ours, theirs):
        set_centre_role(user=ours.volunteer, centre=side.centre, role=None)
    db.session.commit()
    url = ours.urls["personal"]
    for side, name in ((ours, "Café am Markt"), (theirs, "Café am Hafen")):
        etag = client.get(url).headers["ETag"]
        update_meeting_point(meeting_point=side.place, name=name)
        db.session.commit()
        answer = client.get(url, headers={"If-None-Match": etag})
        assert answer.status_code == 200 and name in answer.get_data(as_text=True)


def test_a_rename_after_leaving_moves_the_feed_of_the_centre_they_are_signed_up_in(client, ours):
    set_centre_role(user=ours.volunteer, centre=ours.centre, role=None)
    db.session.commit()
    url = ours.urls["centre"]
    etag = client.get(url).headers["ETag"]
    _rename_volunteer(ours)
    db.session.commit()
    answer = client.get(url, headers={"If-None-Match": etag})
    assert answer.status_code == 200 and "Amal Neu" in answer.get_data(as_text=True)


def test_the_window_moves_at_midnight_and_not_in_between(client, ours):
    """A shift leaves the feeds 90 days after its day, at a Berlin midnight: all day long before
    that the ETag and the body stay the same, so that a 304 from the stamps is never stale."""
    day = time.to_berlin(ours.shift.starts_at).date() + timedelta(days=90)
    uid = f"shift-{ours.shift.id}@"
    seen = {}
    for when in (datetime.combine(day, datetime.min.time()) + timedelta(minutes=m) for m in (30, 1410, 1470)):
        with time.travel(time.berlin_local(when)):
            seen[when] = {feed: client.get(url) for feed, url in ours.urls.items() if feed != "centre"}
    early, late, next_day = seen.values()
    for feed in early:
        assert early[feed].headers["ETag"] == late[feed].headers["ETag"] != next_day[feed].headers["ETag"]
        assert uid in early[feed].get_data(as_text=True) and uid in late[feed].get_data(as_text=True)
        assert uid not in next_day[feed].get_data(as_text=True)


def test_last_modified_moves_with_the_stamp(client, ours, clock):
    from datetime import timedelta

    from volunteers.core import time

    url = ours.urls["personal"]
    first = client.get(url).headers["Last-Modified"]
    with time.travel(clock + timedelta(hours=2)):
        update_meeting_point(meeting_point=ours.place, name="Café am Markt")
        db.session.commit()
        answer = client.get(url, headers={"If-Modified-Since": first})
    assert answer.status_code == 200 and answer.headers["Last-Modified"] != first
