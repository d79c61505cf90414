"""Nothing a client sends gives a 5xx: every route of app.url_map, walked for every role (a
coordinator's pages and forms within the lead's walk: COVERED_BY), with hostile values in each path
argument, in the common query parameters, in each field of every form the pages offer (and a
generic body for POST-only routes), and in each field of every JSON body the OpenAPI document
describes. A route, form or API field added later is covered automatically; a route with a path
argument this test has no valid value for fails until one is added to valid_arguments().

Hostile: ints beyond int4/int64 and negative, dates far outside the calendar the app serves,
datetimes whose offset leaves the calendar, NUL, CR/LF, a lone surrogate, 10,000 characters, and
100,000 nested arrays as a JSON body."""

import json
import re
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

import pytest
from werkzeug.routing import IntegerConverter

from tests.helpers import PASSWORD, csrf_token
from tests.helpers import login as sign_in
from volunteers.api.openapi import document as openapi_document
from volunteers.availability.models import Invitation
from volunteers.core import time
from volunteers.extensions import db
from volunteers.hours.periods import create_period
from volunteers.hours.services import HoursInput, log_hours
from volunteers.shifts.handovers import offer_handover
from volunteers.shifts.planning import ShiftValues
from volunteers.shifts.series import create_series
from volunteers.shifts.signups import sign_up

ROLES = ["anonymous", "volunteer", "coordinator", "lead", "state", "admin"]
STAFF_AND_VOLUNTEERS = ("volunteer", "coordinator", "lead")  # members of a centre
# A lead has every right a coordinator has (SPEC.md), so the lead's walk covers the coordinator's:
# it walks only the hostile path arguments, the one part that does not depend on what a role sees.
# test_the_lead_sees_every_page_and_form_a_coordinator_sees keeps that true.
COVERED_BY = {"coordinator": "lead"}

# As they appear in a URL or a form body, already percent-encoded.
ENCODED = [
    "2147483648",  # int4 + 1
    "9223372036854775808",  # int64 + 1
    "18446744073709551616",  # 2**64
    "-1",
    "0001-01-01",
    "9999-12-31",
    "99999-01-01",
    "9999-12",  # a month
    "9999-12-31T23%3A00%3A00-05%3A00",
    "0001-01-01T00%3A00%3A00%2B05%3A00",
    "a%00b",
    "a%0D%0Ab",
    "%ED%A0%80",  # a lone surrogate, UTF-8 style
    "x" * 10_000,
]
# What an <int:…> argument can be sent at all (anything else is no number and matches no route).
INT_VALUES = ["2147483648", "9223372036854775808", "18446744073709551616", "-1"]
# A form field gets fewer: each one is a request, for every field of every form. (A surrogate in a
# form or a URL arrives as U+FFFD: werkzeug decodes them with errors="replace".)
FORM_VALUES = ["9223372036854775808", "9999-12-31", "a%00b", "a%0D%0Ab", "x" * 10_000]
# A text argument of a path (a slug, a token) is looked up, never computed with: one of each kind.
TEXT_PATH_VALUES = ["9223372036854775808", "9999-12-31", "a%00b", "a%0D%0Ab", "%ED%A0%80", "x" * 10_000]
JSON_VALUES = [
    2**31,
    2**63,
    -1,
    "0001-01-01",
    "9999-12-31",
    "9999-12-31T23:00:00-05:00",
    "0001-01-01T00:00:00+05:00",
    "a\x00b",
    "a\r\nb",
    "\ud800",
    "x" * 10_000,
    [[[[]]]],
]
DEEP_JSON = "[" * 100_000 + "]" * 100_000
# On PostgreSQL the walk repeats only what its database can fail on where SQLite does not (a number
# beyond int4, NUL, a lone surrogate): the rest is the same Python on both, and walked on SQLite.
POSTGRESQL_ONLY = {
    "ENCODED": ["2147483648", "a%00b", "%ED%A0%80"],
    "INT_VALUES": ["2147483648"],
    "FORM_VALUES": ["2147483648", "a%00b"],
    "TEXT_PATH_VALUES": ["2147483648", "a%00b", "%ED%A0%80"],
    "JSON_VALUES": [2**31, "a\x00b", "\ud800"],
}
QUERY_NAMES = [
    "from",
    "to",
    "week",
    "month",
    "year",
    "day",
    "date",
    "format",
    "page",
    "meeting_point",
    "status",
    "next",
    "q",
    "copy",
    "volunteer",
    "centre",
    "language",
    "lang",
    "when",
    "reason",
    "kind",
]
# Field names posted to routes that have no form on any page (and, hostile, beside a form's own).
GENERIC_FIELDS = ["name", "email", "password", "reason", "message", "day", "week", "date", "minutes", "status", "next"]
# Requests that would end the walk's own session or account.
SKIPPED = {"accounts.logout", "api.delete_my_account", "api.revoke_token", "privacy.delete"}


@pytest.fixture
def world(make_centre, make_meeting_point, make_user, make_shift, today):
    home = make_centre("heimat")
    meeting_point = make_meeting_point(home)
    shift = make_shift(meeting_point)
    people = {
        role: make_user(role, home if role in ("volunteer", "coordinator", "lead") else None) for role in ROLES[1:]
    }
    signup = sign_up(shift=shift, volunteer=people["volunteer"])
    offer = offer_handover(signup=signup, by=people["volunteer"])  # handover
    invitation = Invitation(centre_id=home.id, shift=shift, volunteer=people["volunteer"])  # availability
    db.session.add(invitation)
    series = create_series(
        centre=home,
        values=ShiftValues(meeting_point=meeting_point, activity="sprachcafe"),
        first_start_local=datetime.combine(today + timedelta(days=7), datetime.min.time()).replace(hour=16),
        duration_minutes=120,
        rule="FREQ=WEEKLY;COUNT=2",
    )
    entry, _ = log_hours(
        centre=home,
        person=people["volunteer"],
        values=HoursInput(work_date=today - timedelta(days=3), minutes=60, activity="dolmetschen"),
    )
    period = create_period(centre=home, label="2025", starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31))
    db.session.commit()
    return SimpleNamespace(
        centre=home, meeting_point=meeting_point, shift=shift, signup=signup, series=series, entry=entry,
        period=period, people=people, offer=offer, invitation=invitation,
    )  # fmt: skip


def valid_arguments(world) -> dict:
    return {
        "slug": world.centre.slug,
        "meeting_point_id": world.meeting_point.id,
        "user_id": world.people["volunteer"].id,
        "shift_id": world.shift.id,
        "signup_id": world.signup.id,
        "series_id": world.series.id,
        "entry_id": world.entry.id,
        "period_id": world.period.id,
        "offer_id": world.offer.id,  # handover
        "invitation_id": world.invitation.id,  # availability
        "certificate_id": 1,  # engagement: a PDF download of one's own certificate, else 404
        "year": 2026,
        "token": "unbekannt",
        "code": "de",
        "filename": "app.css",
    }


def path_of(rule, values: dict) -> str:
    missing = rule.arguments - values.keys()
    assert not missing, f"{rule.rule}: add a valid value for {missing} in valid_arguments()"
    path = rule.rule
    for name in rule.arguments:
        value = values[name]
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", value if isinstance(value, str) else str(value), path)
    return path


# --- pages' forms ------------------------------------------------------------------------


class FormReader(HTMLParser):
    """The POST forms of a page: action and the fields with the values the page offers."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict]] = []
        self._fields: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._fields = {}
            self.forms.append((attrs.get("action") or "", self._fields))
        elif self._fields is None or not attrs.get("name"):
            return
        elif tag == "input" and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                self._fields.setdefault(attrs["name"], None)
            elif attrs.get("type") not in ("checkbox", "radio") or self._fields.get(attrs["name"]) is None:
                self._fields[attrs["name"]] = attrs.get("value") or ("y" if attrs.get("type") == "checkbox" else "")
        elif tag == "select":
            self._select = attrs["name"]
            self._fields[self._select] = None
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self._fields[self._textarea] = ""
        elif tag == "option" and self._select and (self._fields[self._select] is None or "selected" in attrs):
            self._fields[self._select] = attrs.get("value", "")

    def handle_data(self, data):
        if self._textarea and self._fields is not None:
            self._fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(page: str, page_path: str) -> list[tuple[str, dict]]:
    reader = FormReader()
    reader.feed(page)
    forms = []
    for action, fields in reader.forms:
        target = urlsplit(action or page_path)
        if target.netloc or not (target.path or page_path).startswith("/"):
            continue
        forms.append((target.path or page_path, {k: v or "" for k, v in fields.items()}))
    return forms


def form_body(fields: dict, token: str) -> str:
    """fields are percent-encoded already (the hostile values must reach the server as given)."""
    pairs = {**fields, "csrf_token": quote(token, safe="")}
    return "&".join(f"{quote(name, safe='')}={value}" for name, value in pairs.items())


# --- the walk ----------------------------------------------------------------------------


class Walk:
    def __init__(self, app, client, world):
        self.app, self.client, self.world = app, client, world
        self.failures: list[str] = []
        self.requests = 0
        self.token = ""
        everything = {name: globals()[name] for name in POSTGRESQL_ONLY}
        self.values = POSTGRESQL_ONLY if db.engine.dialect.name == "postgresql" else everything

    def send(self, method: str, path: str, *, query: str = "", form: dict | None = None, json_text=None):
        self.requests += 1
        headers = {"X-CSRFToken": self.token}
        kwargs = {}
        if json_text is not None:
            kwargs = {"data": json_text.encode("utf-8", "surrogatepass"), "content_type": "application/json"}
        elif form is not None or method not in ("GET", "HEAD"):
            body = form_body(form or {}, self.token)
            kwargs = {"data": body, "content_type": "application/x-www-form-urlencoded"}
        url = f"{path}?{query}" if query else path
        response = self.client.open(url, method=method, headers=headers, **kwargs)
        if response.status_code >= 500:
            what = json_text[:120] if json_text else (form and {k: v[:40] for k, v in form.items()}) or ""
            self.failures.append(f"{method} {url[:160]} {what} -> {response.status_code}")
        return response

    def rules(self):
        for rule in sorted(self.app.url_map.iter_rules(), key=lambda r: r.rule):
            if rule.endpoint not in SKIPPED:
                yield rule, sorted(rule.methods - {"HEAD", "OPTIONS"})

    def path_arguments(self):
        values = valid_arguments(self.world)
        for rule, methods in self.rules():
            for name in rule.arguments:
                is_int = isinstance(rule._converters[name], IntegerConverter)
                for value in self.values["INT_VALUES"] if is_int else self.values["TEXT_PATH_VALUES"]:
                    path = path_of(rule, {**values, name: value})
                    for method in methods:
                        self.send(method, path)

    def query_parameters(self):
        values = valid_arguments(self.world)
        for rule, methods in self.rules():
            path = path_of(rule, values)
            if "GET" not in methods or self.client.get(path).status_code != 200:
                continue  # what this role may not see reads no query
            for value in self.values["ENCODED"]:
                self.send("GET", path, query="&".join(f"{name}={value}" for name in QUERY_NAMES))
        # The API refuses the first bad parameter it reads: each one it documents on its own too.
        for method, path, operation in api_operations(self.world):
            if method == "GET" and self.client.get(path).status_code != 200:
                continue
            for parameter in operation.get("parameters", ()):
                if parameter.get("in") == "query":
                    for value in self.values["ENCODED"]:
                        self.send(method, path, query=f"{parameter['name']}={value}")

    def forms(self):
        values = valid_arguments(self.world)
        seen, posted_to = set(), set()
        for rule, methods in self.rules():
            if "GET" not in methods or rule.arguments - {"slug", *valid_arguments(self.world)}:
                continue
            path = path_of(rule, values)
            response = self.client.get(path)
            if response.status_code != 200 or "html" not in response.content_type:
                continue
            for action, fields in forms_of(response.get_data(as_text=True), path):
                fields.pop("csrf_token", None)
                key = (action, tuple(sorted(fields)))
                if key in seen or self.app.url_map.bind("").match(action, "POST")[0] in SKIPPED:
                    continue
                seen.add(key)
                posted_to.add(action)
                base = {name: quote(value, safe="") for name, value in fields.items()}
                for name in fields:
                    for value in self.values["FORM_VALUES"]:
                        self.send("POST", action, form={**base, name: value})
        return posted_to

    def bare_posts(self, posted_to: set):
        values = valid_arguments(self.world)
        for rule, methods in self.rules():
            path = path_of(rule, values)
            for method in set(methods) - {"GET"}:
                if path in posted_to or path.startswith(("/api/", "/push/")):
                    continue
                for value in self.values["FORM_VALUES"]:
                    self.send(method, path, form=dict.fromkeys(GENERIC_FIELDS, value))

    def json_bodies(self):
        for method, path, operation in api_operations(self.world):
            if "requestBody" not in operation:
                continue
            base = base_body(method, operation["path"], self.world)
            for name in body_fields(operation):
                for value in self.values["JSON_VALUES"]:
                    self.send(method, path, json_text=json.dumps({**base, name: value}))
            self.send(method, path, json_text=DEEP_JSON)
        for method, path in (("POST", "/push/subscriptions"), ("DELETE", "/push/subscriptions")):
            base = {"endpoint": "https://fcm.googleapis.com/fcm/send/abc", "keys": {"p256dh": "x", "auth": "y"}}
            for name in ("endpoint", "keys"):
                for value in self.values["JSON_VALUES"]:
                    self.send(method, path, json_text=json.dumps({**base, name: value}))
            self.send(method, path, json_text=DEEP_JSON)


SKIPPED_OPERATIONS = {("DELETE", "/me")}
HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


def api_operations(world):
    """(method, path, operation) for every operation the OpenAPI document describes, the path filled
    with valid values; each operation also carries its templated "path" and the document."""
    values = valid_arguments(world)
    document = openapi_document()
    for template, item in document["paths"].items():
        base = (item.get("servers") or document["servers"])[0]["url"].rstrip("/")
        path = base + re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), template)
        for method, operation in item.items():
            if method in HTTP_METHODS and (method.upper(), template) not in SKIPPED_OPERATIONS:
                yield method.upper(), path, {**operation, "path": template, "document": document}


def base_body(method: str, template: str, world) -> dict:
    """A valid body for each operation, so that one hostile field at a time gets as far as it can."""
    starts = (time.now().replace(microsecond=0) + timedelta(days=30)).isoformat()
    ends = (time.now().replace(microsecond=0) + timedelta(days=30, hours=2)).isoformat()
    bodies = {
        ("POST", "/auth/token"): {"email": world.people["volunteer"].email, "password": PASSWORD},
        ("POST", "/me/hours"): {
            "client_id": "0d3c5a8e-4a8f-4a43-9d5e-1c1a2f7b9e10",
            "date": "2026-01-05",
            "minutes": 60,
            "activity": "sprachcafe",
        },
        ("POST", "/shifts"): {
            "meeting_point": world.meeting_point.slug,
            "starts_at": starts,
            "ends_at": ends,
            "capacity": 2,
            "activity": "sprachcafe",
        },
        ("PUT", "/centres/{slug}/grants/{year}"): {"programme": "KommAn", "amount_eur": 1000, "valuation_rate_eur": 15},
    }
    return bodies.get((method, template), {})


def body_fields(operation: dict) -> list[str]:
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = operation["document"]["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return sorted(schema.get("properties", {}))


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_no_hostile_value_gives_a_server_error(app, client, world, role):
    if role != "anonymous":
        sign_in(client, world.people[role])
    walk = Walk(app, client, world)
    walk.token = csrf_token(client)
    walk.path_arguments()
    if role not in COVERED_BY:
        walk.query_parameters()
        walk.bare_posts(walk.forms())
        walk.json_bodies()
    # The walk reached the routes, forms and bodies (PostgreSQL repeats fewer values).
    minimum = 300 if role in COVERED_BY else 1500 if db.engine.dialect.name == "sqlite" else 400
    assert walk.requests > minimum
    assert not walk.failures, f"{len(walk.failures)} of {walk.requests} requests gave 5xx:\n" + "\n".join(
        walk.failures[:80]
    )


@pytest.mark.database("sqlite")  # what a role sees, the same on either
@pytest.mark.parametrize(("role", "by"), COVERED_BY.items())
def test_the_lead_sees_every_page_and_form_a_coordinator_sees(app, world, role, by):
    """Each role's pages (GET routes answering 200) and their forms (action and field names)."""
    seen = {}
    for who in (role, by):
        client = app.test_client()
        sign_in(client, world.people[who])
        walk = Walk(app, client, world)
        seen[who] = pages_and_forms(walk)
    pages, forms = seen[role]
    assert len(pages) > 20 and forms, "the coordinator sees pages with forms"
    assert pages <= seen[by][0], f"only the {role} sees {sorted(pages - seen[by][0])}"
    assert forms <= seen[by][1], f"only the {role} gets {sorted(forms - seen[by][1])}"


def pages_and_forms(walk: Walk) -> tuple[set, set]:
    values = valid_arguments(walk.world)
    pages, forms = set(), set()
    for rule, methods in walk.rules():
        if "GET" not in methods:
            continue
        path = path_of(rule, values)
        response = walk.client.get(path)
        if response.status_code == 200:
            pages.add(path)
            if "html" in response.content_type:
                forms |= {(a, tuple(sorted(f))) for a, f in forms_of(response.get_data(as_text=True), path)}
    return pages, forms
