"""Grants through the JSON API: GET the list, PUT a year's grant (201 new, 200 changed), 422 with
a code for values that do not fit, 403 for coordinators, 404 for everyone else."""

import threading

import pytest
import sqlalchemy as sa

from tests import helpers
from tests.grants.records import grant_events, stored_grants
from tests.helpers import PASSWORD, csrf_token
from volunteers.extensions import db

BODY = {
    "programme": "KommAn-NRW",
    "amount_eur": 223000,
    "valuation_rate_eur": 15,
    "in_kind_cap_eur": None,
    "in_kind_cap_percent": 20,
    "eligible_costs_eur": 150000.5,
    "note": "Bescheid der Bezirksregierung Arnsberg",
}
MISSING = object()


def bearer(client, user) -> dict:
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def url(world, year: int | None = None) -> str:
    return f"/api/v1/centres/{world.home.slug}/grants" + ("" if year is None else f"/{year}")


def test_a_lead_puts_a_grant_and_gets_it_back(client, world):
    headers = bearer(client, world.lead)
    created = client.put(url(world, 2026), headers=headers, json=BODY)
    assert created.status_code == 201, created.get_json()
    assert created.get_json() == {
        "year": 2026,
        "programme": "KommAn-NRW",
        "amount_eur": 223000.0,
        "valuation_rate_eur": 15.0,
        "in_kind_cap_eur": None,
        "in_kind_cap_percent": 20.0,
        "eligible_costs_eur": 150000.5,
        "effective_in_kind_cap_eur": 30000.1,
        "note": "Bescheid der Bezirksregierung Arnsberg",
    }
    changed = client.put(
        url(world, 2026), headers=headers, json={**BODY, "in_kind_cap_percent": None, "in_kind_cap_eur": 5000}
    )
    assert changed.status_code == 200
    assert (changed.get_json()["in_kind_cap_eur"], changed.get_json()["effective_in_kind_cap_eur"]) == (5000.0, 5000.0)
    client.put(url(world, 2025), headers=headers, json={"amount_eur": 100000, "valuation_rate_eur": 10})

    listing = client.get(url(world), headers=headers)
    assert listing.status_code == 200
    assert [(item["year"], item["programme"]) for item in listing.get_json()["items"]] == [
        (2026, "KommAn-NRW"),
        (2025, "KommAn-NRW"),
    ]
    assert [(e.action, e.after["year"]) for e in grant_events()] == [
        ("created", 2026),
        ("updated", 2026),
        ("created", 2025),
    ]
    assert grant_events()[1].before["in_kind_cap_percent"] == "20.00"
    assert all(event.actor_id == world.lead.id for event in grant_events())


def test_the_pwa_uses_the_session_cookie_with_the_csrf_header(client, world):
    helpers.login(client, world.lead)
    without = client.put(url(world, 2026), json=BODY)
    assert without.status_code == 400 and stored_grants() == []
    response = client.put(url(world, 2026), headers={"X-CSRFToken": csrf_token(client)}, json=BODY)
    assert response.status_code == 201


def test_the_admin_may_put_any_centres_grant(client, make_user, world):
    response = client.put(url(world, 2026), headers=bearer(client, make_user("admin")), json=BODY)
    assert response.status_code == 201


@pytest.mark.parametrize(
    "changes, code, field",
    [
        ({"in_kind_cap_eur": 1000}, "both_caps", None),
        ({"amount_eur": MISSING}, "required", "amount_eur"),
        ({"amount_eur": "223000"}, "invalid", "amount_eur"),
        ({"amount_eur": True}, "invalid", "amount_eur"),
        ({"amount_eur": -1}, "negative", "amount_eur"),
        ({"amount_eur": 100000000.01}, "too_large", "amount_eur"),
        ({"amount_eur": 1e400}, "not_a_number", "amount_eur"),
        ({"amount_eur": 12.345}, "too_precise", "amount_eur"),
        ({"valuation_rate_eur": 0}, "not_positive", "valuation_rate_eur"),
        ({"valuation_rate_eur": 500.01}, "too_large", "valuation_rate_eur"),
        ({"valuation_rate_eur": None}, "required", "valuation_rate_eur"),
        ({"in_kind_cap_percent": 100.5}, "out_of_range", "in_kind_cap_percent"),
        ({"in_kind_cap_percent": -1}, "out_of_range", "in_kind_cap_percent"),
        ({"in_kind_cap_percent": None, "in_kind_cap_eur": 0.001}, "too_precise", "in_kind_cap_eur"),
        ({"eligible_costs_eur": -0.01}, "negative", "eligible_costs_eur"),
        ({"programme": ""}, "required", "programme"),
        ({"programme": 7}, "invalid", "programme"),
        ({"note": "x" * 501}, "too_long", "note"),
    ],
)
def test_values_that_do_not_fit_answer_422_with_a_code_and_change_nothing(client, world, changes, code, field):
    body = {key: value for key, value in {**BODY, **changes}.items() if value is not MISSING}
    response = client.put(url(world, 2026), headers=bearer(client, world.lead), json=body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert (error["code"], error.get("field")) == (code, field) and error["message"]
    assert stored_grants() == [] and grant_events() == []


@pytest.mark.parametrize("year", ["1999", "six years ahead", "0"])
def test_years_out_of_range_answer_422(client, world, today, year):
    year = today.year + 6 if year == "six years ahead" else int(year)
    response = client.put(url(world, year), headers=bearer(client, world.lead), json=BODY)
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "year"


def test_a_body_that_is_no_json_object_is_refused(client, world):
    headers = bearer(client, world.lead)
    assert client.put(url(world, 2026), headers=headers, data="amount=1").status_code == 415
    assert client.put(url(world, 2026), headers=headers, json=[1, 2]).status_code == 400
    assert stored_grants() == []


@pytest.mark.parametrize(
    "who, status, code",
    [("coordinator", 403, "forbidden"), ("volunteer", 404, "not_found"), ("other_lead", 404, "not_found")],
)
def test_only_the_lead_and_the_admin_see_and_set_grants(client, world, who, status, code):
    headers = bearer(client, getattr(world, who))
    for response in (client.get(url(world), headers=headers), client.put(url(world, 2026), headers=headers, json=BODY)):
        assert response.status_code == status
        assert response.get_json()["error"]["code"] == code
    assert stored_grants() == []


def test_without_credentials_the_api_answers_401(client, world):
    assert client.get(url(world)).status_code == 401
    assert client.put(url(world, 2026), json=BODY).status_code == 401


def test_an_unknown_centre_is_not_found(client, world):
    response = client.get("/api/v1/centres/nirgendwo/grants", headers=bearer(client, world.lead))
    assert response.status_code == 404


def test_the_same_new_grant_twice_at_once_is_stored_once(app, client, world, today):
    """Two clients create the year's grant at the same moment: 201 and 200, one row, never a 500.
    Several years, so that on PostgreSQL the inserts really collide."""
    tokens = [bearer(client, world.lead) for _ in range(2)]
    years = range(today.year - 5, today.year + 1)
    collisions = []

    def listener(context):
        collisions.append(isinstance(context.sqlalchemy_exception, sa.exc.IntegrityError))

    sa.event.listen(db.engine, "handle_error", listener)
    try:
        for year in years:
            answers = put_at_once(app, tokens, url(world, year))
            assert sorted(answer.status_code for answer in answers) == [200, 201], [a.get_json() for a in answers]
    finally:
        sa.event.remove(db.engine, "handle_error", listener)
    assert len(stored_grants()) == len(years)
    # The second request found the same values: nothing changed, nothing more in the audit trail.
    assert [event.action for event in grant_events()] == ["created"] * len(years)
    if db.engine.dialect.name == "postgresql":  # on SQLite, BEGIN IMMEDIATE queues the writers instead
        assert any(collisions), "no round raced: the savepoint path went untested"


def put_at_once(app, headers: list[dict], path: str) -> list:
    """The same PUT from one thread per header set, each with its own client, released together."""
    start, answers = threading.Barrier(len(headers)), [None] * len(headers)

    def send(index):
        start.wait(timeout=10)
        answers[index] = app.test_client().put(path, headers=headers[index], json=BODY)

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(headers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers
