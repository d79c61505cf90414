"""The week plan's grid kept rendered until the centre's change stamp moves (shifts/week_plan.py):
a repeat view runs fewer statements, every kind of data the plan shows moves it at once, another
centre's change leaves it kept, and what is the person's own stays per request."""

import re
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from markupsafe import Markup

from tests import helpers
from tests.helpers import clock_frozen_at
from volunteers.activities.models import CentreActivity
from volunteers.centres.services import update_meeting_point
from volunteers.core import time
from volunteers.extensions import db
from volunteers.shifts.models import Shift
from volunteers.shifts.planning import ShiftValues, cancel_shift, create_shift, publish_shift, update_shift
from volunteers.shifts.signups import sign_up
from volunteers.shifts.week_plan import KeptGrid, kept_weeks

NOW = time.berlin_local(datetime(2026, 11, 2, 9, 0))  # a Monday: the plan shows 2 to 8 November
TOKENS = re.compile(r'(name="csrf[-_]token"[^>]*(?:value|content)=")[^"]+"')

frozen_clock = clock_frozen_at(NOW)


def at(day: int, hour: int) -> datetime:
    return time.berlin_local(datetime(2026, 11, day, hour, 0))


class Side:
    """A centre with a meeting point, a shift on Tuesday and its own activity on Thursday (a
    draft), a volunteer, a coordinator signed in on `client`."""

    def __init__(self, app, make_centre, make_meeting_point, make_user, make_shift):
        self.centre = make_centre()
        self.place = make_meeting_point(self.centre, name="Bürgerhaus")
        db.session.add(CentreActivity(centre_id=self.centre.id, slug="naehcafe", name="Nähcafé", baustein="B"))
        db.session.commit()
        self.shift = make_shift(self.place, starts=at(3, 16), capacity_max=1)
        self.draft = make_shift(self.place, starts=at(5, 10), publish=False, activity="naehcafe")
        self.volunteers = [make_user("volunteer", self.centre) for _ in range(2)]
        self.coordinator = make_user("coordinator", self.centre)
        self.client = app.test_client()
        helpers.login(self.client, self.coordinator)

    def page(self, path: str = "", **headers) -> str:
        response = self.client.get(f"/centres/{self.centre.slug}/plan{path}", headers=headers)
        assert response.status_code == 200
        return TOKENS.sub(r'\1"', response.get_data(as_text=True))


@pytest.fixture
def ours(app, make_centre, make_meeting_point, make_user, make_shift):
    return Side(app, make_centre, make_meeting_point, make_user, make_shift)


@pytest.fixture
def theirs(app, make_centre, make_meeting_point, make_user, make_shift):
    return Side(app, make_centre, make_meeting_point, make_user, make_shift)


def fresh(app, side: Side, path: str = "") -> str:
    """The page rendered anew, as without kept grids."""
    app.config["WEEK_PLAN_KEPT"] = False
    try:
        return side.page(path)
    finally:
        app.config["WEEK_PLAN_KEPT"] = True


def _move(side):
    values = ShiftValues(meeting_point=side.place, activity="sprachcafe", capacity_max=1)
    update_shift(shift=side.shift, values=values, starts_at=at(4, 12), ends_at=at(4, 14))


def _new_shift(side):
    values = ShiftValues(meeting_point=side.place, activity="sport-verein", capacity_max=3)
    create_shift(centre=side.centre, values=values, starts_at=at(6, 10), ends_at=at(6, 12), publish=True)


def _sign_up(side):
    sign_up(shift=side.shift, volunteer=side.volunteers[0])


def _waitlist(side):
    sign_up(shift=side.shift, volunteer=side.volunteers[0])
    db.session.commit()
    sign_up(shift=side.shift, volunteer=side.volunteers[1])


def _rename_place(side):
    update_meeting_point(meeting_point=side.place, name="Rathaus")


def _rename_activity(side):
    activity = db.session.scalar(sa.select(CentreActivity).where(CentreActivity.centre_id == side.centre.id))
    activity.name = "Nähstube"


def _rename_centre(side):
    side.centre.name = "KI Umbenannt"


CHANGES = {
    "shift moved": _move,
    "new shift": _new_shift,
    "published": lambda side: publish_shift(shift=side.draft),
    "cancelled": lambda side: cancel_shift(shift=side.shift, reason="Krank"),
    "sign-up": _sign_up,
    "waiting list": _waitlist,
    "meeting point renamed": _rename_place,
    "activity renamed": _rename_activity,
    "centre renamed": _rename_centre,
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_each_kind_of_change_shows_at_once(app, ours, theirs, change):
    before, theirs_before = ours.page(), theirs.page()
    change(ours)
    db.session.commit()
    after = ours.page()
    assert after != before
    assert after == fresh(app, ours)
    assert theirs.page() == theirs_before == fresh(app, theirs)


def test_a_filtered_week_moves_too_and_an_unknown_meeting_point_is_404(app, ours):
    path = f"?meeting_point={ours.place.slug}"
    before = ours.page(path)
    _rename_place(ours)
    db.session.commit()
    assert ours.page(path) != before
    assert ours.page(path) == fresh(app, ours, path)
    missing = ours.client.get(f"/centres/{ours.centre.slug}/plan?meeting_point=nirgendwo")
    assert missing.status_code == 404


def test_a_repeat_view_is_kept_and_runs_fewer_statements(app, ours):
    first, seen_first = counted_page(ours)
    again, seen_again = counted_page(ours)
    assert again == first
    assert len(seen_again) < len(seen_first)
    assert not any("FROM shifts" in statement for statement in seen_again)


def counted_page(side: Side) -> tuple[str, list[str]]:
    seen = []

    def record(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            seen.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        return side.page(), seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def test_each_locale_and_each_day_has_its_own_grid(app, ours):
    german, english = ours.page(), ours.page(**{"Accept-Language": "en"})
    assert "Vorige Woche" in german and "Previous week" in english and "Vorige Woche" not in english
    assert ours.page() == german
    with time.freeze(NOW + timedelta(days=1)):  # Tuesday: "heute" moves
        tuesday = ours.page("?week=2026-11-02")
    assert tuesday != german
    assert 'class="day day-today" aria-labelledby="day-2026-11-03"' in tuesday


def test_what_is_the_persons_own_stays_per_request(app, ours, make_user):
    other = app.test_client()
    helpers.login(other, make_user("coordinator", ours.centre))
    mine = ours.client.get(f"/centres/{ours.centre.slug}/plan").get_data(as_text=True)
    theirs = other.get(f"/centres/{ours.centre.slug}/plan").get_data(as_text=True)
    token = re.compile(r'name="csrf_token" value="([^"]+)"')
    assert token.findall(mine) and set(token.findall(mine)).isdisjoint(token.findall(theirs))
    assert len(kept_weeks()) == 1  # both saw the same kept grid


def test_a_reader_whose_transaction_changed_the_centre_neither_uses_nor_keeps(app, ours):
    ours.page()  # kept
    with app.test_request_context(f"/centres/{ours.centre.slug}/plan"):
        kept = len(kept_weeks())
        ours.shift.capacity_max = 5
        db.session.flush()  # the stamp moves only at the commit
        grid = KeptGrid(ours.centre, NOW.date(), None, NOW.date())
        html = grid.html(lambda g: Markup(str(next(s.capacity_max for s in g.days[date(2026, 11, 3)]))))
        assert html == "5"
        assert len(kept_weeks()) == kept
        db.session.rollback()


def test_the_plain_rows_read_like_the_model(app, ours):
    """The plain row borrows the model's rules: understaffed, cancelled, published."""
    page = ours.page()
    assert page.count('<li class="plan-shift plan-shift-low">') == 1  # Tuesday's, nobody signed up
    assert db.session.get(Shift, ours.draft.id).is_draft and "badge-draft" in page
