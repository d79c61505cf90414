"""Every route, walked from app.url_map, answers 404 to the staff of another centre.
A route added later is covered automatically; one with an argument this test does not know fails
until a value is added below, so nobody can forget."""
import re

import pytest

from tests.helpers import csrf_token, login

# Routes that are public or personal by design: no centre's data hangs on their arguments.
NOT_CENTRE_SCOPED = {"static", "accounts.reset_password", "accounts.set_language"}


@pytest.fixture
def world(make_centre, make_meeting_point, make_user):
    home = make_centre("heimat")
    other = make_centre("nachbar")
    return {
        "home": home,
        "meeting_point": make_meeting_point(home),
        "home_lead": make_user("lead", home),
        "home_coordinator": make_user("coordinator", home),
        "other_lead": make_user("lead", other),
    }


def argument_values(world) -> dict:
    """A value from the home centre for every URL argument name that routes use."""
    return {
        "slug": world["home"].slug,
        "meeting_point_id": world["meeting_point"].id,
        "user_id": world["home_coordinator"].id,
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
        path = re.sub(r"<(?:[^:<>]+:)?%s>" % name, str(values[name]), path)
    return path


def call(client, method: str, path: str):
    if method in ("GET", "HEAD"):
        return client.open(path, method=method)
    headers = {"X-CSRFToken": csrf_token(client)}
    return client.open(path, method=method, data={"csrf_token": headers["X-CSRFToken"]}, headers=headers)


def test_other_centres_staff_get_404_on_every_centre_route(app, client, world):
    login(client, world["other_lead"])
    values = argument_values(world)
    checked = 0
    for rule in centre_routes(app):
        path = build_path(rule, values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = call(client, method, path)
            assert response.status_code == 404, f"{method} {path} gave {response.status_code}"
            checked += 1
    assert checked >= 5


def test_the_home_centres_lead_reaches_the_same_routes(app, client, world):
    """The positive control: the 404s above come from tenancy, not from broken URLs."""
    login(client, world["home_lead"])
    values = argument_values(world)
    for rule in centre_routes(app):
        if "GET" in rule.methods and not rule.rule.startswith("/admin"):
            path = build_path(rule, values)
            assert client.get(path).status_code in (200, 302), path
