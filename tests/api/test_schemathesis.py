"""schemathesis against the app's own /api/v1/openapi.json, through WSGI (no server), as a
volunteer and as a coordinator with bearer tokens, on each database: for every operation a
bounded, derandomized set of valid and invalid requests. No answer may be a 5xx, and every answer
must be documented: its status code, its content type and, for JSON, the schema of its body.

Each operation runs its own examples; the failures of all operations are reported together."""

import contextvars
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.test_openapi import routed
from volunteers.accounts import services as accounts
from volunteers.availability.invitations import invite
from volunteers.extensions import db
from volunteers.hours.services import HoursInput, approve, log_hours
from volunteers.shifts.handovers import offer_handover
from volunteers.shifts.signups import sign_up

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Examples per operation: valid requests (also once more with the ids of the test's rows, so that
# the answers with data are checked too) and invalid ones.
POSITIVE, KNOWN, NEGATIVE = "positive", "known ids", "negative"
EXAMPLES = {POSITIVE: 4, KNOWN: 3, NEGATIVE: 3}
# Revokes the very token the run authenticates with; tests/api/test_api_basics.py covers it.
LEFT_OUT = {("DELETE", "/api/v1/auth/token")}


@pytest.fixture
def world(make_centre, make_meeting_point, make_user, make_shift, today):
    """A centre with a meeting point, a shift, approved hours and a grant year: the ids and slug
    the "known ids" examples use."""
    centre = make_centre("duesseldorf")
    place = make_meeting_point(centre, name="Sprachcafé Flingern")
    shift = make_shift(place)
    volunteer = make_user("volunteer", centre)
    coordinator = make_user("coordinator", centre)
    entry, _created = log_hours(
        centre=centre,
        person=volunteer,
        values=HoursInput(work_date=today - timedelta(days=2), minutes=90, activity="sprachcafe", meeting_point=place),
    )
    approve(entry=entry, by=coordinator)
    invitation = invite(shift=shift, volunteer=volunteer, by=coordinator)  # availability
    giver = make_user("volunteer", centre)  # handover: an open offer that the volunteer may take
    offer = offer_handover(signup=sign_up(shift=shift, volunteer=giver), by=giver)
    db.session.commit()
    known = {"slug": centre.slug, "shift_id": shift.id, "entry_id": entry.id, "year": today.year}
    known["invitation_id"] = invitation.id  # availability
    known["offer_id"] = offer.id  # handover
    # The reports' JSON with a period that has figures (random dates rarely make a valid period).
    known["report_query"] = {"format": "json", "from": f"{today.year}-01-01", "to": today.isoformat()}
    return {"volunteer": volunteer, "coordinator": coordinator, "known": known}


def name(operation) -> tuple[str, str]:
    """Method and the path the app routes (the report paths have a server of their own, "/")."""
    return operation.method.upper(), operation.base_url.rstrip("/") + operation.path


def operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    for result in schema.get_all_operations():
        operation = result.ok()
        if name(operation) not in LEFT_OUT:
            yield operation


def strategy(operation, kind: str, known: dict):
    if kind == NEGATIVE:
        return operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
    path_names = {parameter.name for parameter in operation.path_parameters}
    if kind == KNOWN:
        query = known["report_query"] if operation.path.startswith("/reports/") else None
        return operation.as_strategy(path_parameters={key: known[key] for key in path_names}, query=query)
    return operation.as_strategy()


def run_examples(operation, kind: str, headers: dict, known: dict) -> tuple[list[str], set[int]]:
    """The operation's examples of this kind: each distinct failure with its request, and the statuses seen."""
    found: dict[tuple, str] = {}
    statuses: set[int] = set()

    @settings(
        max_examples=EXAMPLES[kind],
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: each failure is reported as it came
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy(operation, kind, known))
    def run(case):
        db.session.commit()  # the request sees what the test wrote
        # A fresh context, as a real server has: the request's own app context and session.
        # The base URL given: schemathesis would put the document's /api/v1 before the report paths,
        # whose own server is "/".
        base_url = "http://localhost" + operation.base_url.rstrip("/")
        response = contextvars.Context().run(case.call, base_url=base_url, headers=headers)
        statuses.add(response.status_code)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Exception, BaseExceptionGroup) as error:  # collected: one report for every operation
            titles = tuple(sorted(str(e).splitlines()[0] for e in getattr(error, "exceptions", [error])))
            found.setdefault(titles, f"{' '.join(name(operation))} [{kind}] {error}")

    run()
    return list(found.values()), statuses


@pytest.mark.slow
@pytest.mark.parametrize("role", ["volunteer", "coordinator"])
def test_every_operation_answers_as_documented(app, world, role):
    token = accounts.issue_api_token(user=world[role], label="schemathesis")
    db.session.commit()
    # Uncompressed answers: the WSGI transport hands schemathesis the body as sent, gzip undone by nobody.
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
    failures, answered = [], {}
    for operation in operations(app):
        for kind in (POSITIVE, KNOWN, NEGATIVE):
            found, statuses = run_examples(operation, kind, headers, world["known"])
            failures += found
            answered.setdefault(name(operation), set()).update(statuses)
    # Not vacuous: requests got through to the data, the role's own and a report's.
    succeeded = {key for key, statuses in answered.items() if any(200 <= status < 300 for status in statuses)}
    expected = {("GET", "/api/v1/me"), ("POST", "/api/v1/me/calendar-feed"), ("GET", "/api/v1/shifts/{shift_id}")}
    if role == "coordinator":
        expected.add(("GET", "/reports/centre/{slug}"))
    assert expected <= succeeded
    assert not failures, "\n\n".join(failures)


def test_the_run_covers_every_route_programs_call(app):
    """All but the document itself, which schemathesis reads rather than tests."""
    covered = {name(operation) for operation in operations(app)} | LEFT_OUT
    routes = {(method.upper(), path) for path, method in routed(app)}
    assert covered == routes - {("GET", "/api/v1/openapi.json")}
    assert {("POST", "/api/v1/me/calendar-feed"), ("GET", "/reports/state")} <= covered
