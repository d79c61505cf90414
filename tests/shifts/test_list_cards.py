"""The shift lists keep their cards per shift, change stamp, locale and the person's state
(shifts/listing.py): every kind of data a card shows moves the list, the person's own state and the
CSRF token are theirs, and a reader whose transaction changed a centre keeps nothing."""

import re
from datetime import datetime, timedelta
from datetime import time as clock

import pytest
import sqlalchemy as sa

from tests.helpers import login as sign_in
from volunteers.activities.models import CentreActivity
from volunteers.activities.services import add_centre_activity
from volunteers.centres.services import update_meeting_point
from volunteers.centres.stamp import current_stamps, touch_centres
from volunteers.core import time
from volunteers.extensions import db
from volunteers.shifts import listing
from volunteers.shifts.models import Shift
from volunteers.shifts.planning import ShiftValues, cancel_shift, update_shift
from volunteers.shifts.series import create_series, update_series_from
from volunteers.shifts.signups import sign_up


def _days_ahead_at(days: int, hour: int) -> datetime:
    day = time.to_berlin(time.now()).date() + timedelta(days=days)
    return time.berlin_local(datetime.combine(day, clock(hour)))


class Side:
    """A centre with its own activity, a shift, a series, and a volunteer signed up for one of them."""

    def __init__(self, make_centre, make_meeting_point, make_shift, make_user, name: str):
        self.centre = make_centre(name=f"KI {name}")
        self.activity = add_centre_activity(centre=self.centre, name=f"Nähcafé {name}", baustein="B")
        self.place = make_meeting_point(self.centre, name=f"Café {name}")
        self.shift = make_shift(self.place, activity=self.activity.slug, starts=_days_ahead_at(2, 10), capacity_max=3)
        values = ShiftValues(meeting_point=self.place, activity="sport-verein", capacity_min=1, capacity_max=4)
        first = time.to_berlin(_days_ahead_at(1, 14)).replace(tzinfo=None)
        self.series = create_series(
            centre=self.centre,
            values=values,
            first_start_local=first,
            duration_minutes=60,
            rule="FREQ=DAILY;COUNT=3",
            publish=True,
        )
        self.volunteer = make_user("volunteer", self.centre, name=f"Amal {name}")
        self.other = make_user("volunteer", self.centre, name=f"Olena {name}")
        self.signup = sign_up(shift=self.shift, volunteer=self.volunteer)
        db.session.commit()

    @property
    def occurrence(self) -> Shift:
        return db.session.scalar(sa.select(Shift).where(Shift.series_id == self.series.id).order_by(Shift.starts_at))


@pytest.fixture
def ours(make_centre, make_meeting_point, make_shift, make_user):
    return Side(make_centre, make_meeting_point, make_shift, make_user, "Mitte")


@pytest.fixture
def theirs(make_centre, make_meeting_point, make_shift, make_user):
    return Side(make_centre, make_meeting_point, make_shift, make_user, "Nord")


def _rename_activity(side):
    activity = db.session.scalar(sa.select(CentreActivity).where(CentreActivity.centre_id == side.centre.id))
    activity.name = "Reparaturcafé"


def _move_shift(side):
    shift = side.shift
    values = ShiftValues(meeting_point=shift.meeting_point, activity=shift.activity, capacity_max=3)
    update_shift(shift=shift, values=values, starts_at=shift.starts_at + timedelta(minutes=15), ends_at=shift.ends_at)


def _change_series(side):
    values = ShiftValues(meeting_point=side.place, activity="sport-verein", capacity_min=1, capacity_max=7)
    update_series_from(shift=side.occurrence, values=values, start_time=clock(14), duration_minutes=60)


def _bulk_capacity(side):
    db.session.execute(sa.update(Shift).where(Shift.id == side.shift.id).values(capacity_max=9))


def _late_cut_off(side):
    # The shift is 34-58 h ahead on any clock: inside 72 h, never inside the default 12 h (tomorrow
    # at 10 was, from 22:00 on).
    side.centre.cancel_cutoff_hours = 72


# What changes, and a text the lists then show: (in the open-shift list, in my shifts).
CHANGES = {
    "meeting point renamed": (
        lambda side: update_meeting_point(meeting_point=side.place, name="Café am Markt"),
        ("Café am Markt", "Café am Markt"),
    ),
    "meeting point moved": (
        lambda side: update_meeting_point(meeting_point=side.place, street="Marktplatz 9"),
        ("Marktplatz 9", "Marktplatz 9"),
    ),
    "activity renamed": (_rename_activity, ("Reparaturcafé", "Reparaturcafé")),
    "shift moved": (_move_shift, ("10:15", "10:15")),
    "capacity changed by a bulk UPDATE": (_bulk_capacity, ("1 von 9 Plätzen", None)),
    "another volunteer signs up": (lambda side: sign_up(shift=side.shift, volunteer=side.other), ("2 von 3", None)),
    "series changed": (_change_series, ("0 von 7 Plätzen", None)),
    "shift cancelled": (lambda side: cancel_shift(shift=side.shift, reason="Raum gesperrt"), (None, "Raum gesperrt")),
    "centre's cut-off changed": (_late_cut_off, (None, 'data-late="1"')),
}


def pages(client, side) -> tuple[str, str]:
    """Both lists as the side's volunteer sees them, with the CSRF tokens (new at each login) blanked."""
    sign_in(client, side.volunteer)
    return tuple(_blanked(client.get(url).get_data(as_text=True)) for url in ("/shifts", "/my/shifts"))


def _blanked(page: str) -> str:
    page = re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value=""', page)
    return re.sub(r'name="csrf-token" content="[^"]+"', 'name="csrf-token" content=""', page)


@pytest.mark.parametrize(("change", "texts"), CHANGES.values(), ids=CHANGES.keys())
def test_every_kind_of_change_a_card_shows_moves_the_lists_of_its_centre_only(client, ours, theirs, change, texts):
    before, their_before = pages(client, ours), pages(client, theirs)
    assert pages(client, ours) == before  # kept, and the same
    change(ours)
    db.session.commit()
    after = pages(client, ours)
    for page, old, text in zip(after, before, texts, strict=True):
        if text is not None:
            assert text in page and text not in old
    assert pages(client, theirs) == their_before


def test_a_cancelled_shift_leaves_the_open_list(client, ours):
    link = f'href="/shifts/{ours.shift.id}"'
    assert link in pages(client, ours)[0]
    cancel_shift(shift=ours.shift, reason="Raum gesperrt")
    db.session.commit()
    assert link not in pages(client, ours)[0]


def test_the_buttons_and_the_token_are_the_persons_own(app, client, ours):
    sign_in(client, ours.volunteer)
    mine = client.get("/shifts").get_data(as_text=True)
    other_client = app.test_client()
    sign_in(other_client, ours.other)
    theirs = other_client.get("/shifts").get_data(as_text=True)
    card = f'action="/shifts/{ours.shift.id}/'
    assert card + 'cancel"' in mine and card + 'signup"' not in mine  # signed up: "Ich kann nicht"
    assert card + 'signup"' in theirs and card + 'cancel"' not in theirs
    tokens = {_tokens(page) for page in (mine, theirs)}
    assert len(tokens) == 2 and all(len(t) == 1 for t in tokens)  # one token per page, each its own


def _tokens(page: str) -> frozenset:
    return frozenset(re.findall(r'name="csrf_token" value="([^"]+)"', page))


def test_the_page_address_is_put_in_escaped(client, ours):
    sign_in(client, ours.other)
    page = client.get("/shifts?language=&meeting_point=").get_data(as_text=True)
    assert 'name="next" value="/shifts?language=&amp;meeting_point="' in page
    assert "\x1e" not in page


def test_kept_cards_are_the_cards_rendered_anew(client, ours):
    first = pages(client, ours)
    listing.kept_cards().clear()
    assert pages(client, ours) == first


def test_a_reader_whose_transaction_changed_the_centre_keeps_nothing(app, ours):
    listing.kept_cards().clear()
    with app.test_request_context("/shifts"):
        volunteer = db.session.merge(ours.volunteer)
        stamps = current_stamps([ours.centre.id])
        touch_centres(db.session, [ours.centre.id])
        shifts = listing.published_rows(volunteer, _window(), limit=10)
        assert listing.open_cards(shifts, volunteer, "/shifts", stamps)
        assert len(listing.kept_cards()) == 0  # neither the rows nor the cards
        db.session.rollback()


def _window():
    from volunteers.shifts.queries import ShiftFilter

    return ShiftFilter(start=time.now(), end=time.now() + timedelta(weeks=4))


def test_kept_rows_of_the_open_list_follow_the_clock(client, ours, make_shift):
    """Rows from now on are kept until the first of them starts and for at most a minute: a shift
    that began leaves the list with no write, and one that comes into the four weeks shows within
    a minute."""
    now = time.now().replace(microsecond=0)
    soon = make_shift(ours.place, starts=now + timedelta(seconds=20))
    far = make_shift(ours.place, starts=now + timedelta(weeks=4, seconds=30))
    db.session.commit()
    shown = [f'href="/shifts/{shift.id}"' for shift in (soon, ours.shift, far)]
    for seconds, expected in (
        (0, [True, True, False]),
        (21, [False, True, False]),  # the first of the kept rows has begun: read again
        (50, [False, True, False]),  # kept since then: the far end lags, by less than a minute
        (82, [False, True, True]),  # a minute after they were read
    ):
        with time.freeze(now + timedelta(seconds=seconds)):
            page = pages(client, ours)[0]
        assert [link in page for link in shown] == expected, seconds
