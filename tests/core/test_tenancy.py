"""Every route, walked from app.url_map, answers 404 to the staff of another centre.
A route added later is covered automatically; one with an argument this test does not know fails
until a value is added below, so nobody can forget."""

import re
from datetime import date, datetime, timedelta

import pytest

from tests.helpers import csrf_token, statements_of
from volunteers.extensions import db
from volunteers.hours.periods import create_period
from volunteers.hours.services import HoursInput, log_hours
from volunteers.shifts.handovers import offer_handover
from volunteers.shifts.planning import ShiftValues
from volunteers.shifts.series import create_series
from volunteers.shifts.signups import sign_up

# Routes that are public or personal by design: no centre's data hangs on their arguments.
# Secret-token routes are tested in their own domains (unknown or revoked token: 404).
NOT_CENTRE_SCOPED = {
    "static",
    "accounts.reset_password",
    "accounts.confirm_registration",
    "accounts.set_language",
    "feeds.public_feed",
    "feeds.personal_feed",
    "feeds.centre_feed",
    "hours.check_in",
    # Personal: a handover offer taken or withdrawn, an invitation answered, a certificate of
    # engagement: by that one person only, whatever centre (others get 404: tests/shifts/
    # test_handovers*.py, tests/availability/test_pages.py, tests/engagement/).
    "handovers.accept",
    "handovers.withdraw",
    "api.accept_handover",
    "api.withdraw_handover",
    "availability.invitation",
    "availability.accept_invitation",
    "availability.decline_invitation",
    "api.accept_invitation",
    "api.decline_invitation",
    "engagement.download",
    "engagement.revoke",
    "engagement.verify",
}


@pytest.fixture
def world(make_centre, make_meeting_point, make_user, make_shift, today):
    home = make_centre("heimat")
    other = make_centre("nachbar")
    meeting_point = make_meeting_point(home)
    shift = make_shift(meeting_point)
    volunteer = make_user("volunteer", home)
    signup = sign_up(shift=shift, volunteer=volunteer)
    series = create_series(
        centre=home,
        values=ShiftValues(meeting_point=meeting_point, activity="sprachcafe"),
        first_start_local=datetime(2030, 1, 8, 16),
        duration_minutes=120,
        rule="FREQ=WEEKLY;COUNT=2",
    )
    entry, _ = log_hours(
        centre=home,
        person=volunteer,
        values=HoursInput(work_date=today - timedelta(days=3), minutes=60, activity="dolmetschen"),
    )
    period = create_period(centre=home, label="2025", starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31))
    offer = offer_handover(signup=signup, by=volunteer)
    db.session.commit()
    return {
        "home": home,
        "entry": entry,
        "period": period,
        "offer": offer,
        "volunteer": volunteer,
        "meeting_point": meeting_point,
        "shift": shift,
        "signup": signup,
        "series": series,
        "home_lead": make_user("lead", home),
        "home_coordinator": make_user("coordinator", home),
        "other_lead": make_user("lead", other),
    }


def argument_values(world) -> dict:
    """A value from the home centre for every URL argument name that routes use."""
    return {
        "slug": world["home"].slug,
        "meeting_point_id": world["meeting_point"].id,
        "user_id": world["volunteer"].id,
        "shift_id": world["shift"].id,
        "signup_id": world["signup"].id,
        "series_id": world["series"].id,
        "entry_id": world["entry"].id,
        "period_id": world["period"].id,
        "offer_id": world["offer"].id,
        "year": 2026,
    }


def centre_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.arguments and rule.endpoint not in NOT_CENTRE_SCOPED:
            yield rule


def build_path(rule, values: dict) -> str:
    missing = rule.arguments - values.keys()
    assert not missing, f"{rule.rule}: add a home-centre value for {missing} in argument_values()"
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(values[name]), path)
    return path


def call(client, method: str, path: str):
    if method in ("GET", "HEAD"):
        return client.open(path, method=method)
    headers = {"X-CSRFToken": csrf_token(client)}
    return client.open(path, method=method, data={"csrf_token": headers["X-CSRFToken"]}, headers=headers)


def test_other_centres_staff_get_404_on_every_centre_route(app, client, login, world):
    login(user=world["other_lead"])
    values = argument_values(world)
    checked = 0
    for rule in centre_routes(app):
        path = build_path(rule, values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = call(client, method, path)
            assert response.status_code == 404, f"{method} {path} gave {response.status_code}"
            checked += 1
    assert checked >= 5


def test_the_home_centres_lead_reaches_the_same_routes(app, client, login, world):
    """The positive control: the 404s above come from tenancy, not from broken URLs."""
    login(user=world["home_lead"])
    values = argument_values(world)
    for rule in centre_routes(app):
        if "GET" in rule.methods and not rule.rule.startswith("/admin"):
            path = build_path(rule, values)
            assert client.get(path).status_code in (200, 302), path


def test_a_staff_page_finds_its_centre_among_the_persons_memberships(client, login, make_centre):
    """The login read the person's memberships with their centres: a coordinator's page needs no
    statement of its own to find the centre its address names (core/tenancy.own_centre)."""
    centre = make_centre()
    login("coordinator", centre)
    path = f"/centres/{centre.slug}/plan"
    client.get(path)  # warm-up
    responses = []
    seen = statements_of(lambda: responses.append(client.get(path)))
    assert responses[0].status_code == 200
    assert not [s for s in seen if re.search(r"FROM centres\s+WHERE centres\.slug", s)], seen
