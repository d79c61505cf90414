"""Every text field's length limit holds on the server, whoever skips the browser's check: each field
walked through its form and, where it has one, the JSON API, with a value one character over the limit
(refused with the form's German message, nothing stored) and one exactly at it (stored). The page's
maxlength is the limit the server keeps."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.helpers import post_form
from volunteers.accounts.models import EMAIL, NAME, PHONE, TOKEN_LABEL, ApiToken, User
from volunteers.activities.models import ACTIVITY_NAME, CentreActivity
from volunteers.centres.models import LONG_NAME, OPENING_NOTES, PLACE, STREET, Centre, MeetingPoint
from volunteers.core import time
from volunteers.core.limits import TextLimit
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
    "registration name": FormCase(None, "/register", "name", NAME, registration("name"), holds(User.name)),
    "registration email": FormCase(
        None, "/register", "email", EMAIL, registration("email"), holds(User.email), email_of
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
