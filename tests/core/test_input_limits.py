"""Every text field's length limit holds on the server, whoever skips the browser's check: each field
walked through its form and, where it has one, the JSON API, with a value one character over the limit
(refused with the form's German message, nothing stored) and one exactly at it (stored). The page's
maxlength is the limit the server keeps.

Below that, one focused case for each kind of hostile input (tests/core/test_hostile_input.py walks
them all): ids beyond the database's integer, far dates and offsets, JSON that cannot be stored,
control characters, bodies over the limit, and the Allow header of a 405."""

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from uuid import uuid4

import pytest
import sqlalchemy as sa

from tests.helpers import csrf_token, post_form
from volunteers.accounts.models import EMAIL, NAME, PHONE, TOKEN_LABEL, ApiToken, User
from volunteers.accounts.registrations import PendingRegistration
from volunteers.activities.models import ACTIVITY_NAME, CentreActivity
from volunteers.centres.models import LONG_NAME, OPENING_NOTES, PLACE, STREET, Centre, MeetingPoint
from volunteers.core import time
from volunteers.core.limits import NO_CONTROL_CHARACTERS, TextLimit
from volunteers.extensions import db
from volunteers.push.models import Notification
from volunteers.shifts.models import CANCEL_REASON, NOTES, RRULE, STAFFING_CALL_MESSAGE, Shift, ShiftSeries

PASSWORD = "richtig-geheim-123"


def letters(length: int) -> str:
    return "ä" * length  # not ASCII: a limit counts characters, not bytes


def email_of(length: int) -> str:
    """A valid address of exactly `length` characters (local part 64, domain labels up to 63)."""
    domain = length - 65
    labels = ["d" * 63, "e" * 63, "f" * (domain - 63 - 63 - 5)] if domain > 130 else ["d" * (domain - 3)]
    return "a" * 64 + "@" + ".".join(labels) + ".de"


def rrule_of(length: int) -> str:
    """A valid rule of exactly `length` characters: leading zeros of INTERVAL fill it up."""
    head = "FREQ=WEEKLY;COUNT=2;INTERVAL="
    return head + "0" * (length - len(head) - 1) + "1"


def holds(column) -> Callable[[str], bool]:
    return lambda value: db.session.scalar(sa.select(sa.func.count()).where(column == value)) > 0


def any_series(_value: str) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ShiftSeries)) > 0


@dataclass
class FormCase:
    role: str | None  # who fills it in; None: nobody signed in
    page: str  # the page with the form; {centre} and {shift} are filled in
    field: str  # the input's name
    limit: TextLimit
    data: Callable  # (world, value) -> the whole form
    stored: Callable[[str], bool]
    make_value: Callable[[int], str] = letters
    action: str | None = None  # where the form posts, if not to its page


def registration(field):
    def data(world, value):
        values = {"name": "Neue Person", "email": "neu@example.org", field: value}
        return {
            **values,
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "centre": world.centre.slug,
            "consent": "y",
        }

    return data


def settings(world, value):
    return {"name": value, "locale": "de", "calendar_alarm_minutes": ""}


def meeting_point(field):
    def data(world, value):
        values = {"name": "Treffpunkt", "municipality": "Siegen", "street": "Hauptstraße 1", "city": "Siegen"}
        return {**values, "postcode": "57072", "default_baustein": "A", field: value}

    return data


def centre_form(field):
    def data(world, value):
        return {"name": "KI Neu", "district": "Kreis Neu", "regierungsbezirk": "Arnsberg", field: value}

    return data


def person_form(field, **more):
    def data(world, value):
        return {"name": "Neue Person", "email": "neu@example.org", **more, field: value}

    return data


def shift_form(field, **more):
    def data(world, value):
        day = (time.to_berlin(time.now()) + timedelta(days=7)).date().isoformat()
        values = {
            "meeting_point": world.place.slug,
            "activity": "sprachcafe",
            "start_time": "16:00",
            "end_time": "18:00",
        }
        return {**values, "capacity_min": "1", "capacity_max": "2", "day": day, "first_day": day, **more, field: value}

    return data


SERIES = {"frequency": "weekly", "count": "2"}
FORMS = {
    # A registration waits for its mailed link: what the form gave is stored there first.
    "registration name": FormCase(
        None, "/register", "name", NAME, registration("name"), holds(PendingRegistration.name)
    ),
    "registration email": FormCase(
        None, "/register", "email", EMAIL, registration("email"), holds(PendingRegistration.email), email_of
    ),
    "settings name": FormCase("volunteer", "/settings", "name", NAME, settings, holds(User.name)),
    "settings phone": FormCase(
        "volunteer",
        "/settings",
        "phone",
        PHONE,
        lambda world, value: {**settings(world, "Ich"), "phone": value},
        holds(User.phone),
        lambda n: "0" * n,
    ),
    "staff name": FormCase(
        "lead", "/centres/{centre}/staff", "name", NAME, person_form("name", role="coordinator"), holds(User.name)
    ),
    "staff email": FormCase(
        "lead",
        "/centres/{centre}/staff",
        "email",
        EMAIL,
        person_form("email", role="coordinator"),
        holds(User.email),
        email_of,
    ),
    "lead name": FormCase("admin", "/admin/centres/{centre}/lead", "name", NAME, person_form("name"), holds(User.name)),
    "lead email": FormCase(
        "admin", "/admin/centres/{centre}/lead", "email", EMAIL, person_form("email"), holds(User.email), email_of
    ),
    **{
        f"centre {field}": FormCase("admin", "/admin/centres", field, limit, centre_form(field), holds(column))
        for field, limit, column in (
            ("name", LONG_NAME, Centre.name),
            ("district", PLACE, Centre.district),
            ("street", STREET, Centre.street),
            ("city", PLACE, Centre.city),
        )
    },
    **{
        f"meeting point {field}": FormCase(
            "coordinator", "/centres/{centre}/meeting-points/new", field, limit, meeting_point(field), holds(column)
        )
        for field, limit, column in (
            ("name", LONG_NAME, MeetingPoint.name),
            ("municipality", PLACE, MeetingPoint.municipality),
            ("street", STREET, MeetingPoint.street),
            ("city", PLACE, MeetingPoint.city),
            ("opening_notes", OPENING_NOTES, MeetingPoint.opening_notes),
        )
    },
    "activity name": FormCase(
        "coordinator",
        "/centres/{centre}/settings",
        "activity-name",
        ACTIVITY_NAME,
        lambda world, value: {"activity-name": value, "activity-baustein": ""},
        holds(CentreActivity.name),
        action="/centres/{centre}/activities",
    ),
    "shift notes": FormCase(
        "coordinator", "/centres/{centre}/shifts/new", "notes", NOTES, shift_form("notes"), holds(Shift.notes)
    ),
    "series notes": FormCase(
        "coordinator",
        "/centres/{centre}/series/new",
        "notes",
        NOTES,
        shift_form("notes", **SERIES),
        holds(ShiftSeries.notes),
    ),
    "series rule": FormCase(
        "coordinator", "/centres/{centre}/series/new", "rrule", RRULE, shift_form("rrule"), any_series, rrule_of
    ),
    "cancel reason": FormCase(
        "coordinator",
        "/centres/{centre}/shifts/{shift}",
        "reason",
        CANCEL_REASON,
        lambda world, value: {"reason": value},
        holds(Shift.cancel_reason),
        action="/centres/{centre}/shifts/{shift}/cancel",
    ),
    "staffing call": FormCase(
        "coordinator",
        "/centres/{centre}/shifts/{shift}",
        "message",
        STAFFING_CALL_MESSAGE,
        lambda world, value: {"message": value},
        lambda value: db.session.scalar(sa.select(sa.func.count()).where(Notification.body.contains(value))) > 0,
        action="/centres/{centre}/shifts/{shift}/call",
    ),
}


@pytest.fixture
def world(make_centre, make_meeting_point, make_user, make_shift):
    centre = make_centre("grenzen")
    place = make_meeting_point(centre)
    people = {role: make_user(role, centre) for role in ("volunteer", "coordinator", "lead")}
    people["admin"] = make_user("admin")
    shift = make_shift(place, starts=time.now() + timedelta(days=3))
    return SimpleNamespace(centre=centre, place=place, people=people, shift=shift)


def _url(template: str, world) -> str:
    return template.format(centre=world.centre.slug, shift=world.shift.id)


def maxlength_of(page: str, name: str) -> int | None:
    tag = next(t for t in re.findall(r"<(?:input|textarea)\b[^>]*>", page) if f'name="{name}"' in t)
    found = re.search(r'maxlength="(\d+)"', tag)
    return int(found.group(1)) if found else None


@pytest.mark.parametrize("case", FORMS.values(), ids=FORMS.keys())
@pytest.mark.parametrize("over", [True, False], ids=["one_over", "at_limit"])
def test_a_form_keeps_the_limit_its_page_shows(client, login, world, case, over):
    if case.role:
        login(user=world.people[case.role])
    page = client.get(_url(case.page, world))
    assert maxlength_of(page.get_data(as_text=True), case.field) == case.limit.max_length

    value = case.make_value(case.limit.max_length + over)
    assert len(value) == case.limit.max_length + over
    response = post_form(client, _url(case.action or case.page, world), case.data(world, value))

    db.session.expire_all()
    if over:
        assert response.status_code == 422
        assert case.limit.error_message() in response.get_data(as_text=True)
        assert not case.stored(value.lower() if case.make_value is email_of else value)
    else:
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        assert case.stored(value.lower() if case.make_value is email_of else value)


# --- the JSON API ------------------------------------------------------------------------


def bearer(client, user) -> dict:
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def new_shift(world, notes: str) -> dict:
    starts = time.to_berlin(time.now() + timedelta(days=5)).replace(hour=16, minute=0, second=0, microsecond=0)
    return {
        "meeting_point": world.place.slug,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "capacity": 2,
        "activity": "sprachcafe",
        "notes": notes,
    }


def create_shift(client, world, headers, value):
    return client.post("/api/v1/shifts", headers=headers, json=new_shift(world, value))


def change_shift(client, world, headers, value):
    return client.patch(f"/api/v1/shifts/{world.shift.id}", headers=headers, json={"notes": value})


def cancel_shift(client, world, headers, value):
    return client.delete(f"/api/v1/shifts/{world.shift.id}", headers=headers, json={"reason": value})


def token_label(client, world, _headers, value):
    person = world.people["coordinator"]
    return client.post("/api/v1/auth/token", json={"email": person.email, "password": PASSWORD, "label": value})


API = {
    "new shift notes": (create_shift, "notes", NOTES, holds(Shift.notes), 201),
    "changed shift notes": (change_shift, "notes", NOTES, holds(Shift.notes), 200),
    "cancel reason": (cancel_shift, "reason", CANCEL_REASON, holds(Shift.cancel_reason), 200),
    "token label": (token_label, "label", TOKEN_LABEL, holds(ApiToken.label), 201),
}


@pytest.mark.parametrize(("send", "field", "limit", "stored", "status"), API.values(), ids=API.keys())
@pytest.mark.parametrize("over", [True, False], ids=["one_over", "at_limit"])
def test_the_api_keeps_the_same_limits_with_the_forms_message(client, world, send, field, limit, stored, status, over):
    headers = bearer(client, world.people["coordinator"])
    value = letters(limit.max_length + over)
    response = send(client, world, headers, value)
    db.session.expire_all()
    if over:
        assert response.status_code == 422
        error = response.get_json()["error"]
        assert error == {"code": "too_long", "message": limit.error_message(), "field": field}
        assert not stored(value)
    else:
        assert response.status_code == status, response.get_json()
        assert stored(value)


def test_the_api_refuses_an_overlong_email_as_the_login_form_does(client, world):
    response = client.post("/api/v1/auth/token", json={"email": email_of(EMAIL.max_length + 1), "password": PASSWORD})
    assert response.status_code == 422
    assert response.get_json()["error"] == {"code": "too_long", "message": EMAIL.error_message(), "field": "email"}


# --- the command line ------------------------------------------------------------------


@pytest.mark.parametrize(("option", "limit", "make_value"), [("name", NAME, letters), ("email", EMAIL, email_of)])
@pytest.mark.parametrize("over", [True, False], ids=["one_over", "at_limit"])
def test_create_user_keeps_the_limits(app, option, limit, make_value, over):
    value = make_value(limit.max_length + over)
    values = {"name": "Neue Person", "email": "neu@example.org", option: value}
    result = app.test_cli_runner().invoke(
        args=["create-user", values["email"], "--password", PASSWORD, "--name", values["name"], "--role", "admin"]
    )
    column = User.name if option == "name" else User.email
    stored = holds(column)(value.lower() if option == "email" else value)
    if over:
        assert result.exit_code != 0 and "too_long" in result.output
        assert not stored
    else:
        assert result.exit_code == 0, result.output
        assert stored


# --- hostile values, one case of each kind (tests/core/test_hostile_input.py walks them all) --------

HUGE_IDS = [2**31, 2**63, 2**64]  # beyond PostgreSQL's integer, SQLite's int64, any int64


@pytest.mark.parametrize("huge", HUGE_IDS)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/shifts/{id}"),
        ("POST", "/shifts/{id}/signup"),
        ("GET", "/centres/{centre}/shifts/{id}"),
        ("GET", "/api/v1/shifts/{id}"),
        ("DELETE", "/api/v1/shifts/{id}"),
        ("PATCH", "/api/v1/shifts/{id}"),
    ],
)
def test_an_id_beyond_the_database_integer_in_a_path_is_not_found(client, login, world, path, huge, method):
    login(user=world.people["coordinator"])
    headers = {"X-CSRFToken": csrf_token(client)}
    response = client.open(path.format(id=huge, centre=world.centre.slug), method=method, headers=headers)
    assert response.status_code == 404  # for every method: not a 405 naming the methods of valid ids
    if path.startswith("/api/"):
        assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_an_id_beyond_the_database_integer_in_a_body_is_invalid(client, world, huge):
    body = {"client_id": str(uuid4()), "date": "2026-01-05", "minutes": 60, "activity": "sprachcafe", "shift_id": huge}
    response = client.post("/api/v1/me/hours", headers=bearer(client, world.people["volunteer"]), json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "shift_id"


@pytest.mark.parametrize(("field", "huge"), [("capacity", 2**31), ("capacity_min", 2**63)])
def test_a_count_beyond_the_database_integer_is_invalid(client, world, field, huge):
    headers = bearer(client, world.people["coordinator"])
    response = client.post("/api/v1/shifts", headers=headers, json={**new_shift(world, ""), field: huge})
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == field
    assert shift_count() == 1


def shift_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Shift))


FAR_DAYS = ["0001-01-01", "9999-12-31"]


@pytest.mark.parametrize("day", FAR_DAYS)
@pytest.mark.parametrize(
    "page", ["/shifts?from={day}", "/centres/{centre}/plan?week={day}", "/centres/{centre}/shifts/new?day={day}"]
)
def test_a_far_date_on_a_page_falls_back_to_today(client, login, world, page, day):
    login(user=world.people["coordinator"])
    assert client.get(page.format(day=day, centre=world.centre.slug)).status_code == 200


@pytest.mark.parametrize("day", FAR_DAYS)
def test_a_far_week_posted_to_the_plan_is_refused_or_ignored(client, login, world, day):
    login(user=world.people["coordinator"])
    response = post_form(client, f"/centres/{world.centre.slug}/plan/publish", {"week": day})
    assert response.status_code < 500


@pytest.mark.parametrize(
    "query",
    ["from=9999-12-31", "to=0001-01-01", "from=9999-12-31T23:00:00-05:00", "from=0001-01-01T00:00:00%2B05:00"],
)
def test_a_far_date_in_the_api_is_refused_naming_the_parameter(client, world, query):
    response = client.get(f"/api/v1/shifts?{query}", headers=bearer(client, world.people["volunteer"]))
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == query.split("=")[0]


@pytest.mark.parametrize("instant", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59"])
def test_a_datetime_whose_offset_leaves_the_calendar_is_invalid(client, world, instant):
    headers = bearer(client, world.people["coordinator"])
    response = client.post("/api/v1/shifts", headers=headers, json={**new_shift(world, ""), "starts_at": instant})
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "starts_at"
    assert shift_count() == 1


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_far_report_period_is_a_400(client, login, world, day):
    login(user=world.people["coordinator"])
    response = client.get(f"/reports/centre/{world.centre.slug}/room-use?from={day}&to={day}")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        '{"email": "\\ud800@example.org", "password": "x"}',  # a lone surrogate
        '{"email": "a\\u0000b@example.org", "password": "x"}',  # NUL
        '{"\\udfff": 1}',  # in a key
        "[" * 100_000 + "]" * 100_000,  # nested deeper than the parser's recursion
    ],
    ids=["surrogate", "nul", "surrogate_key", "deep"],
)
def test_a_json_body_that_cannot_be_stored_is_a_400_before_any_query(client, body):
    response = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize(
    "url",
    ["/calendar/p/a%00b.ics", "/calendar/u/a%00b.ics", "/password/reset/a%00b", "/checkin/a%00b", "/static/a%00b.css"],
)
def test_a_control_character_in_a_path_is_not_found(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url", ["/shifts?meeting_point=a%00b", "/api/v1/meeting-points?centre=a%00b", "/calendar/p/x.ics?lang=a%0Ab"]
)
def test_a_control_character_in_a_query_is_a_400(client, login, url):
    login("volunteer")
    assert client.get(url).status_code == 400


@pytest.mark.parametrize(
    ("field", "value", "status"),
    [
        ("name", "Café\r\nMitte", 422),
        ("street", "Hauptstraße\t1", 422),
        ("city", "Sie\x1bgen", 422),
        ("name", "Café\x00Mitte", 400),
    ],
)
def test_a_form_refuses_control_characters_in_a_one_line_field(client, login, world, field, value, status):
    """NUL is refused for the whole request (400), before any view reads the field, also one
    without a form class; the others next to the field."""
    login(user=world.people["coordinator"])
    page = f"/centres/{world.centre.slug}/meeting-points/new"
    response = post_form(client, page, meeting_point(field)(world, value))
    assert response.status_code == status
    assert str(NO_CONTROL_CHARACTERS) in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeetingPoint)) == 1


def test_a_textarea_keeps_its_line_breaks_as_newlines_only(client, login, world):
    login(user=world.people["coordinator"])
    page = f"/centres/{world.centre.slug}/meeting-points/new"
    response = post_form(client, page, meeting_point("opening_notes")(world, "Montags\r\ndienstags\rmittwochs"))
    assert response.status_code == 302
    assert holds(MeetingPoint.opening_notes)("Montags\ndienstags\nmittwochs")


@pytest.mark.parametrize(("value", "status"), [("Eins\r\nZwei", 200), ("Eins\x07Zwei", 422), ("Eins\x00", 400)])
def test_the_api_takes_line_breaks_only_in_multi_line_texts(client, world, value, status):
    headers = bearer(client, world.people["coordinator"])
    response = client.patch(f"/api/v1/shifts/{world.shift.id}", headers=headers, json={"notes": value})
    assert response.status_code == status
    if status == 200:
        assert holds(Shift.notes)("Eins\nZwei")
    elif status == 422:
        assert response.get_json()["error"] == {
            "code": "control_character",
            "message": str(NO_CONTROL_CHARACTERS),
            "field": "notes",
        }
    label = client.post("/api/v1/auth/token", json={"email": "x@example.org", "password": "y", "label": "a\nb"})
    assert label.get_json()["error"]["code"] == "control_character"


def test_a_meeting_point_stored_with_control_characters_keeps_its_feed(client, world, make_meeting_point, make_shift):
    """Rows from before names were checked at input: the public feed escapes or drops what iCal cannot hold."""
    place = make_meeting_point(world.centre, name="Café\r\nMitte\x01", street="Haupt;straße\n1")
    make_shift(place, starts=time.now() + timedelta(days=2))
    response = client.get(f"/calendar/p/{place.slug}.ics")
    assert response.status_code == 200
    lines = response.get_data(as_text=True).split("\r\n")
    assert not [line for line in lines if re.search(r"[\x00-\x08\x0a-\x1f]", line)]
    assert any(line.startswith("LOCATION:") and "Haupt\\;straße\\n1" in line for line in lines)
    assert "X-WR-CALNAME:Treffpunkt – Café Mitte" in lines


# --- request bodies over MAX_CONTENT_LENGTH ----------------------------------------------


class HugeBody(io.RawIOBase):
    """100 MB that are never held in memory, counting what the server reads of them."""

    size = 100 * 2**20

    def __init__(self):
        self.position = self.bytes_read = 0

    def readable(self):
        return True

    def seekable(self):
        return True  # the test client measures the body by seeking to its end

    def seek(self, offset, whence=io.SEEK_SET):
        self.position = self.size if whence == io.SEEK_END else offset
        return self.position

    def tell(self):
        return self.position

    def readinto(self, buffer):
        count = min(len(buffer), self.size - self.position)
        buffer[:count] = b" " * count
        self.position += count
        self.bytes_read += count
        return count


def test_a_100_mb_body_is_refused_before_it_is_read(client):
    body = HugeBody()
    response = client.post("/api/v1/auth/token", input_stream=body, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
    assert body.bytes_read == 0


@pytest.mark.parametrize("chunked", [False, True], ids=["content_length", "chunked"])
@pytest.mark.parametrize(
    ("path", "content_type", "api"),
    [
        ("/api/v1/auth/token", "application/json", True),
        ("/push/subscriptions", "application/json", True),
        ("/login", "application/x-www-form-urlencoded", False),
    ],
)
def test_a_body_over_the_limit_is_a_413_in_the_format_of_its_path(app, client, path, content_type, api, chunked):
    data = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    if chunked:  # no Content-Length: cut off while read (gunicorn sets wsgi.input_terminated)
        kwargs = {
            "input_stream": io.BytesIO(data),
            "headers": {"Transfer-Encoding": "chunked"},
            "environ_overrides": {"wsgi.input_terminated": True},
        }
    else:
        kwargs = {"data": data}
    response = client.post(path, content_type=content_type, **kwargs)
    assert response.status_code == 413
    if api:
        assert response.get_json()["error"] == {"code": "too_large", "message": "Die Anfrage ist zu groß."}
    else:
        assert "Die Anfrage ist zu groß." in response.get_data(as_text=True)
        assert response.content_type.startswith("text/html")


# --- 405 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/v1/shifts", {"GET", "HEAD", "OPTIONS", "POST"}),
        ("POST", "/api/v1/me/export", {"GET", "HEAD", "OPTIONS"}),
        ("GET", "/logout", {"POST", "OPTIONS"}),
    ],
)
def test_a_405_names_the_methods_allowed(client, method, path, allowed):
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == allowed
    if path.startswith("/api/"):
        assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_nul_in_a_field_a_view_reads_without_a_form_class_is_a_400(client, login, world):
    login(user=world.people["coordinator"])
    response = post_form(client, f"/centres/{world.centre.slug}/plan/publish", {"meeting_point": "a\x00b"})
    assert response.status_code == 400


@pytest.mark.parametrize("huge", ["2147483648", "9223372036854775808"])
def test_checkbox_ids_beyond_the_database_integer_are_left_out(client, login, world, huge):
    login(user=world.people["coordinator"])
    response = post_form(client, f"/centres/{world.centre.slug}/hours/approve", {"entry_ids": huge})
    assert response.status_code == 302
