"""Report figures kept until the centre's change stamp moves: a repeat view is one statement for
the stamps, every kind of change shows at once in the centre's and the state report, another
centre's kept figures stay kept, and nothing kept is ever stale (time, locale, an open write).
The page's rendered part that depends on no person is kept as well: every kind of change shows in
it at once, a closed period shows its frozen figures, the person's own parts stay their own."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import g, template_rendered

from tests import helpers
from volunteers.activities.models import CentreActivity
from volunteers.activities.services import add_centre_activity
from volunteers.centres.services import update_meeting_point
from volunteers.core import time
from volunteers.extensions import db
from volunteers.grants.services import GrantValues, set_grant
from volunteers.hours.models import STAFF_HOURS, HoursEntry
from volunteers.hours.periods import close_period, create_period
from volunteers.hours.services import HoursInput, approve, book_correction, log_hours
from volunteers.reports.figures import Period
from volunteers.reports.kept import KeptFigures, kept_bodies, kept_figures
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


# --- the rendered page --------------------------------------------------------------------------

BODY = "reports/_centre_body.html"


def page(client, path: str, query: dict) -> str:
    """The HTML page, its CSRF tokens (signed anew with a timestamp) masked."""
    response = client.get(path, query_string={**query, "format": "html"})
    assert response.status_code == 200
    return re.sub(
        r'((?:csrf_token"|name="csrf-token")[^>]*(?:value|content)=")[^"]+', r"\1…", response.get_data(as_text=True)
    )


def fresh_page(app, client, path: str, query: dict) -> str:
    """The page rendered anew, as without anything kept."""
    app.config["REPORT_FIGURES_KEPT"] = False
    try:
        return page(client, path, query)
    finally:
        app.config["REPORT_FIGURES_KEPT"] = True


def bodies_rendered(app, send) -> int:
    seen = []

    def record(_app, template, **_extra):
        seen.append(template.name)

    with template_rendered.connected_to(record, app):
        send()
    return seen.count(BODY)


def figures_shown(html: str) -> list[str]:
    """The tables and charts of a page: the figures, without the period's status and links."""
    return re.findall(r"<table.*?</table>|<svg.*?</svg>", html, flags=re.S)


def test_a_repeat_view_renders_no_figures_and_the_switch_renders_them_each_time(app, client, login, ours, query):
    login(user=ours.lead)
    path = f"/reports/centre/{ours.centre.slug}"
    assert bodies_rendered(app, lambda: page(client, path, query)) == 1
    assert bodies_rendered(app, lambda: page(client, path, query)) == 0
    assert bodies_rendered(app, lambda: fresh_page(app, client, path, query)) == 1
    assert page(client, path, query) == fresh_page(app, client, path, query)


PAGE_CHANGES = {
    **CHANGES,
    "report period created": lambda side, _: create_period(
        centre=side.centre,
        label="Frühjahr 2020",
        starts_on=time.to_berlin(time.now()).date().replace(year=2020),
        ends_on=time.to_berlin(time.now()).date().replace(year=2020),
    ),
}


@pytest.mark.parametrize("change", PAGE_CHANGES.values(), ids=PAGE_CHANGES.keys())
def test_every_change_shows_at_once_in_the_page(app, client, login, ours, theirs, query, make_shift, change):
    login(user=ours.lead)
    path = f"/reports/centre/{ours.centre.slug}"
    before = page(client, path, query)
    assert page(client, path, query) == before  # kept
    theirs_kept = [key for key in kept_bodies()._items if key[0] == theirs.centre.id]

    change(ours, make_shift)
    db.session.commit()

    after = page(client, path, query)
    assert after != before and after == fresh_page(app, client, path, query)
    assert page(client, path, query) == after
    assert all(key in kept_bodies()._items for key in theirs_kept)


def test_a_period_renamed_shows_in_the_links(app, client, login, ours, query):
    period = create_period(
        centre=ours.centre,
        label="Altes Jahr",
        starts_on=time.now().date().replace(year=2020),
        ends_on=time.now().date().replace(year=2020, month=12, day=31),
    )
    db.session.commit()
    login(user=ours.lead)
    path = f"/reports/centre/{ours.centre.slug}"
    assert "Altes Jahr" in page(client, path, query)
    period.label = "Jahr 2020"
    db.session.commit()
    html = page(client, path, query)
    assert "Jahr 2020" in html and "Altes Jahr" not in html and html == fresh_page(app, client, path, query)


def test_a_closed_period_shows_the_same_figures_ever_after(app, client, login, ours, query):
    login(user=ours.lead)
    path = f"/reports/centre/{ours.centre.slug}"
    today = time.to_berlin(time.now()).date()
    closed_query = {"from": today.replace(day=1).isoformat(), "to": today.isoformat()}
    open_before = page(client, path, closed_query)
    entry = db.session.scalar(sa.select(HoursEntry).where(HoursEntry.centre_id == ours.centre.id))
    with time.travel(time.now() + timedelta(days=1)):
        period = create_period(centre=ours.centre, label="Bis gestern", starts_on=today.replace(day=1), ends_on=today)
        close_period(period=period, by=ours.lead)
        db.session.commit()
        closed = page(client, path, closed_query)
        assert "Bis gestern</strong>" not in open_before and "(Bis gestern)" in closed
        assert figures_shown(closed) == figures_shown(open_before)
        book_correction(original=entry, minutes=-60, by=ours.coordinator, reason="laut Liste 1 h")
        db.session.commit()
        assert page(client, path, closed_query) == closed == fresh_page(app, client, path, closed_query)
        later = {"from": (today + timedelta(days=1)).isoformat(), "to": (today + timedelta(days=1)).isoformat()}
        assert client.get(path, query_string={**later, "format": "json"}).get_json()["volunteer_minutes"] == -60
        assert "-1,00" in page(client, path, later) and page(client, path, later) == fresh_page(
            app, client, path, later
        )


def test_staff_and_state_viewers_share_the_figures_not_their_links(app, client, login, state_client, ours, query):
    login(user=ours.lead)
    path = f"/reports/centre/{ours.centre.slug}"
    staff = page(client, path, query)
    assert bodies_rendered(app, lambda: page(state_client, path, query)) == 0  # the lead's render, kept
    state = page(state_client, path, query)
    assert "room-use" in staff and "room-use" not in state
    assert state == fresh_page(app, state_client, path, query)
    assert figures_shown(state) == figures_shown(staff)


def test_a_reader_whose_transaction_touched_the_centre_keeps_nothing(app, ours, today):
    view = app.view_functions["reports.centre"]
    path = f"/reports/centre/{ours.centre.slug}"
    with app.test_request_context(path):
        g._login_user = ours.lead  # signed in for this request (Flask-Login's place)
        ours.hours(30)  # not committed: the stamp has not moved
        touched = view(ours.centre.slug)
        assert "2,50" in touched and not kept_bodies()._items  # 150 min, seen, not kept
        db.session.rollback()
    with app.test_request_context(path):
        g._login_user = ours.lead  # signed in for this request (Flask-Login's place)
        untouched = view(ours.centre.slug)
        assert "2,50" not in untouched and "2,00" in untouched and len(kept_bodies()._items) == 1
