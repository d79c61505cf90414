"""Report figures kept until the centre's change stamp moves: a repeat view is one statement for
the stamps, every kind of change shows at once in the centre's and the state report, another
centre's kept figures stay kept, and nothing kept is ever stale (time, locale, an open write)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests import helpers
from volunteers.activities.models import CentreActivity
from volunteers.activities.services import add_centre_activity
from volunteers.centres.services import update_meeting_point
from volunteers.core import time
from volunteers.extensions import db
from volunteers.grants.services import GrantValues, set_grant
from volunteers.hours.models import STAFF_HOURS
from volunteers.hours.services import HoursInput, approve, log_hours
from volunteers.reports.figures import Period
from volunteers.reports.kept import KeptFigures, kept_figures
from volunteers.reports.services import centre_report, state_report
from volunteers.shifts.signups import record_attendance, sign_up


class Side:
    def __init__(self, make_centre, make_meeting_point, make_user, region: str):
        self.centre = make_centre(regierungsbezirk=region)
        self.place = make_meeting_point(self.centre, name=f"Treffpunkt {region}")
        self.volunteer = make_user("volunteer", self.centre)
        self.coordinator = make_user("coordinator", self.centre)
        self.lead = make_user("lead", self.centre)

    def hours(self, minutes: int, *, activity: str = "sprachcafe", decide: bool = True, kind: str = "volunteer"):
        person = self.coordinator if kind == STAFF_HOURS else self.volunteer
        values = HoursInput(
            work_date=time.to_berlin(time.now()).date(), minutes=minutes, activity=activity, meeting_point=self.place
        )
        entry, _ = log_hours(centre=self.centre, person=person, values=values, kind=kind)
        if decide and kind != STAFF_HOURS:
            approve(entry=entry, by=self.coordinator)
        return entry


@pytest.fixture
def ours(make_centre, make_meeting_point, make_user):
    side = Side(make_centre, make_meeting_point, make_user, "Arnsberg")
    side.hours(120)
    db.session.commit()
    return side


@pytest.fixture
def theirs(make_centre, make_meeting_point, make_user):
    side = Side(make_centre, make_meeting_point, make_user, "Köln")
    side.hours(60)
    db.session.commit()
    return side


@pytest.fixture
def query(today):
    return {"from": today.replace(month=1, day=1).isoformat(), "to": today.isoformat(), "format": "json"}


@pytest.fixture
def state_client(app, make_user):
    client = app.test_client()
    helpers.login(client, make_user("state"))
    return client


def fresh(app, path: str, client, query: dict) -> dict:
    """The report computed anew, as without kept figures."""
    app.config["REPORT_FIGURES_KEPT"] = False
    try:
        return client.get(path, query_string=query).get_json()
    finally:
        app.config["REPORT_FIGURES_KEPT"] = True


def counted(client, path: str, query: dict):
    seen = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(path, query_string=query)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200
    return response.get_json(), [s for s in seen if not s.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK"))]


def test_a_repeat_view_reads_the_stamp_and_computes_nothing(client, login, ours, query):
    login(user=ours.lead)
    path = f"/reports/centre/{ours.centre.slug}"
    first, computed = counted(client, path, query)
    again, kept = counted(client, path, query)
    assert again == first and first["volunteer_minutes"] == 120
    assert not [s for s in kept if "hours_entries" in s]
    assert len([s for s in kept if "centre_stamps" in s]) == 1
    assert len(kept) <= len(computed) - 5


def _grant(side):
    set_grant(
        centre=side.centre,
        year=time.to_berlin(time.now()).year,
        values=GrantValues(amount_eur=Decimal("12000"), valuation_rate_eur=Decimal("15")),
        by=side.lead,
    )


def _held_shift(side, make_shift):
    starts = time.now() - timedelta(hours=3)
    if time.to_berlin(starts).date() != time.to_berlin(time.now()).date():  # just after midnight
        starts = time.now() - timedelta(minutes=50)
    with time.freeze(starts - timedelta(minutes=10)):
        shift = make_shift(side.place, starts=starts, hours=0.5, capacity_max=3)
        signup = sign_up(shift=shift, volunteer=side.volunteer)
    record_attendance(shift=shift, marks={signup.id: "attended"}, participants_count=9)


def _renamed_activity(side):
    activity = add_centre_activity(centre=side.centre, name="Nähcafé", baustein="B")
    side.hours(30, activity=activity.slug)
    db.session.commit()
    own = db.session.scalar(sa.select(CentreActivity).where(CentreActivity.centre_id == side.centre.id))
    own.name = "Nähwerkstatt"


CHANGES = {
    "approved hours": lambda side, _: side.hours(45),
    "submitted hours (pending)": lambda side, _: side.hours(15, decide=False),
    "staff hours": lambda side, _: side.hours(200, kind=STAFF_HOURS),
    "grant": lambda side, _: _grant(side),
    "shift held and attended": lambda side, make_shift: _held_shift(side, make_shift),
    "meeting point renamed": lambda side, _: update_meeting_point(meeting_point=side.place, name="Café am Markt"),
    "own activity renamed": lambda side, _: _renamed_activity(side),
    "centre renamed": lambda side, _: setattr(side.centre, "name", "KI Neustadt"),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_every_change_shows_at_once_and_the_other_centre_stays_kept(
    app, client, login, state_client, ours, theirs, query, make_shift, change
):
    login(user=ours.lead)
    path = f"/reports/centre/{ours.centre.slug}"
    before, state_before = (
        client.get(path, query_string=query).get_json(),
        state_client.get("/reports/state", query_string=query).get_json(),
    )
    their_entries = {key: value for key, value in kept_figures()._items.items() if key[0] == theirs.centre.id}
    assert their_entries

    change(ours, make_shift)
    db.session.commit()

    after = client.get(path, query_string=query).get_json()
    state_after = state_client.get("/reports/state", query_string=query).get_json()
    assert after != before and after == fresh(app, path, client, query)
    assert state_after != state_before
    assert state_after == fresh(app, "/reports/state", state_client, query)
    rows = {row["centre"]: row for row in state_after["centres"]}
    assert {k: v for k, v in after.items() if k not in ("checksum", "period_label")} == rows[ours.centre.slug]
    for key, (figures, _until) in their_entries.items():  # the very objects: not computed again
        assert kept_figures()._items[key][0] is figures


def test_a_shift_that_ends_counts_as_held_without_any_write(client, login, ours, query, make_shift):
    starts = time.now() - timedelta(minutes=30)
    if time.to_berlin(starts).date() != time.to_berlin(time.now()).date():
        starts = time.now()
    make_shift(ours.place, starts=starts, hours=1)
    login(user=ours.lead)
    path = f"/reports/centre/{ours.centre.slug}"
    assert client.get(path, query_string=query).get_json()["shifts_held"] == 0
    with time.travel(starts + timedelta(hours=1)):
        assert client.get(path, query_string=query).get_json()["shifts_held"] == 1


def test_names_are_kept_per_language(client, login, ours, query):
    login(user=ours.lead)
    path = f"/reports/centre/{ours.centre.slug}"
    german = client.get(path, query_string=query).get_json()["by_activity"][0]["activity_name"]
    client.set_cookie("locale", "en")
    english = client.get(path, query_string=query).get_json()["by_activity"][0]["activity_name"]
    client.set_cookie("locale", "de")
    assert german != english
    assert client.get(path, query_string=query).get_json()["by_activity"][0]["activity_name"] == german


def test_a_write_not_yet_committed_is_neither_kept_nor_hidden(app, ours, today):
    period = Period(today.replace(month=1, day=1), today)
    with app.test_request_context():
        assert centre_report(ours.centre, period)["volunteer_minutes"] == 120
        ours.hours(30)
        assert centre_report(ours.centre, period)["volunteer_minutes"] == 150  # its own write, seen
        assert state_report(period)["nrw"]["volunteer_minutes"] == 150
        db.session.rollback()
        assert centre_report(ours.centre, period)["volunteer_minutes"] == 120  # and never kept


def test_rendering_every_format_leaves_the_kept_figures_as_they_were(app, client, login, ours, query):
    login(user=ours.lead)
    path = f"/reports/centre/{ours.centre.slug}"
    for output in ("html", "csv", "xlsx", "pdf", "json"):
        assert client.get(path, query_string={**query, "format": output}).status_code == 200
    assert client.get(path, query_string=query).get_json() == fresh(app, path, client, query)


def test_the_store_is_bounded_and_forgets_the_least_recently_used():
    kept, at = KeptFigures(size=2), time.now()
    kept.put(("a",), {"a": 1}, None)
    kept.put(("b",), {"b": 1}, at + timedelta(minutes=5))
    assert kept.get(("a",), at) == {"a": 1}
    kept.put(("c",), {"c": 1}, None)
    assert kept.get(("b",), at) is None and len(kept) == 2
    kept.put(("d",), {"d": 1}, at)
    assert kept.get(("d",), at) is None  # valid until that instant, not at it
