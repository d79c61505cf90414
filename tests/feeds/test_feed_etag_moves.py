"""A feed's ETag carries the change stamps of the centres it shows: what the rows' own stamps do
not see (a renamed meeting point or volunteer, a centre's renamed activity) changes the ETag and
the body, the old ETag no longer gives a 304, the new one does from one statement, and another
centre's feeds keep their ETags."""

import pytest
import sqlalchemy as sa

from volunteers.accounts.services import update_profile
from volunteers.activities.models import CentreActivity
from volunteers.activities.services import add_centre_activity
from volunteers.centres.services import update_meeting_point
from volunteers.extensions import db
from volunteers.feeds.models import CENTRE, PERSONAL
from volunteers.feeds.tokens import feed_token, regenerate_token
from volunteers.shifts.signups import sign_up


class Side:
    """A centre whose volunteer is signed up for a shift, with a personal and a centre feed."""

    def __init__(self, make_centre, make_meeting_point, make_shift, make_user, name: str):
        self.centre = make_centre(name=f"KI {name}")
        activity = add_centre_activity(centre=self.centre, name=f"Nähcafé {name}", baustein="B")
        self.place = make_meeting_point(self.centre, name=f"Café {name}")
        self.shift = make_shift(self.place, activity=activity.slug)
        self.volunteer = make_user("volunteer", self.centre, name=f"Amal {name}")
        coordinator = make_user("coordinator", self.centre)
        sign_up(shift=self.shift, volunteer=self.volunteer)
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
