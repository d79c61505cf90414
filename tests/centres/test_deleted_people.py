"""A deleted account (kept pseudonymised as "Ehemalige Person #…" so that its hours still count) is
never listed, booked or assigned again: not in the directory, not in a shift's assign list, not in the
review queue's person filter, and the sign-up services refuse it. The same after the retention rule
pseudonymised an inactive volunteer. Seen from the coordinator's side, through HTTP."""

import re
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests import helpers
from tests.helpers import PASSWORD, clock_frozen_at, post_form
from volunteers.accounts.models import User
from volunteers.accounts.services import issue_api_token
from volunteers.core import time
from volunteers.extensions import db
from volunteers.hours.services import HoursInput, approve, log_hours
from volunteers.shifts.errors import SignupError
from volunteers.shifts.models import ACTIVE_SIGNUP_STATUSES, Shift, Signup
from volunteers.shifts.signups import sign_up

NOW = time.berlin_local(datetime(2026, 11, 20, 18, 0))
LONG_AGO = NOW - timedelta(days=800)  # older than the retention rule's two years
REPORT = "?from=2024-01-01&to=2026-12-31&format=json"
FIGURES = ("volunteer_minutes", "staff_minutes", "volunteer_share", "in_kind_value_eur", "active_volunteers")

frozen_clock = clock_frozen_at(NOW)


def _approved_hours(centre, person, coordinator, day: date, minutes: int) -> None:
    entry, _created = log_hours(
        centre=centre, person=person, values=HoursInput(work_date=day, minutes=minutes, activity="sprachcafe")
    )
    approve(entry=entry, by=coordinator)
    db.session.commit()


@pytest.fixture
def world(client, login, make_centre, make_meeting_point, make_user, make_shift):
    """Dawit gave hours two years ago and has not been seen since; Olena is active."""
    centre = make_centre("kreuztal")
    place = make_meeting_point(centre, name="Sprachcafé Kreuztal")
    coordinator = make_user("coordinator", centre)
    with time.freeze(LONG_AGO):
        dawit = make_user("volunteer", centre, name="Dawit Tesfaye")
        _approved_hours(centre, dawit, coordinator, time.to_berlin(LONG_AGO).date(), 90)
    olena = make_user("volunteer", centre, name="Olena Kowalenko")
    _approved_hours(centre, olena, coordinator, date(2026, 11, 18), 240)
    token = issue_api_token(user=dawit)  # a phone of Dawit's that is still signed in
    db.session.commit()
    shift = make_shift(place, starts=time.berlin_local(datetime(2026, 11, 27, 16)))
    login(user=coordinator)
    return SimpleNamespace(
        centre=centre, coordinator=coordinator, dawit=dawit, olena=olena, shift=shift, token=token, client=client
    )


def report(world) -> dict:
    response = world.client.get(f"/reports/centre/{world.centre.slug}{REPORT}")
    assert response.status_code == 200
    return response.get_json()


def delete_in_settings(app, world) -> None:
    own = app.test_client()
    helpers.login(own, world.dawit)
    response = post_form(own, "/settings/delete-account", {"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302


def delete_through_the_api(app, world) -> None:
    headers = {"Authorization": f"Bearer {world.token}"}
    response = app.test_client().delete("/api/v1/me", headers=headers, json={"password": PASSWORD})
    assert response.status_code == 204


def pseudonymise_inactive(app, world) -> None:
    result = app.test_cli_runner().invoke(args=["privacy", "pseudonymise-inactive", "--yes"])
    assert (result.exit_code, result.output) == (0, "1 accounts pseudonymised\n")


def options(page: str, name: str) -> list[str]:
    """The texts a <select name=…> offers."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1)) if select else []


def active_signups(shift: Shift) -> list[Signup]:
    return db.session.scalars(
        sa.select(Signup).where(Signup.shift_id == shift.id, Signup.status.in_(ACTIVE_SIGNUP_STATUSES))
    ).all()


@pytest.mark.parametrize("delete", [delete_in_settings, delete_through_the_api, pseudonymise_inactive])
def test_a_deleted_person_is_never_listed_or_booked_again(app, world, delete):
    slug, shift = world.centre.slug, world.shift
    figures_before = report(world)
    assert "Dawit Tesfaye" in options(
        world.client.get(f"/centres/{slug}/shifts/{shift.id}").get_data(as_text=True), "volunteer"
    )

    delete(app, world)

    db.session.expire_all()
    pseudonym = f"Ehemalige Person #{world.dawit.id}"
    assert db.session.get(User, world.dawit.id).name == pseudonym
    directory = world.client.get(f"/centres/{slug}/volunteers").get_data(as_text=True)
    assert pseudonym not in directory and "Olena Kowalenko" in directory
    assert world.client.get(f"/centres/{slug}/volunteers/{world.dawit.id}").status_code == 404
    shift_page = world.client.get(f"/centres/{slug}/shifts/{shift.id}").get_data(as_text=True)
    assert options(shift_page, "volunteer") == ["Olena Kowalenko"]
    queue = world.client.get(f"/centres/{slug}/hours?status=").get_data(as_text=True)
    assert pseudonym not in options(queue, "volunteer") and "Olena Kowalenko" in options(queue, "volunteer")

    refused = post_form(world.client, f"/centres/{slug}/shifts/{shift.id}/assign", {"volunteer": world.dawit.id})
    assert refused.status_code == 404
    db.session.expire_all()
    assert (db.session.get(Shift, shift.id).confirmed_count, active_signups(shift)) == (0, [])

    # Dawit's own devices: the token is gone, and nobody can sign in to the account again.
    api = app.test_client()
    answer = api.post(f"/api/v1/shifts/{shift.id}/signup", headers={"Authorization": f"Bearer {world.token}"})
    assert (answer.status_code, answer.get_json()["error"]["code"]) == (401, "unauthorized")
    email = db.session.get(User, world.dawit.id).email
    assert api.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD}).status_code == 401
    assert active_signups(shift) == []

    figures_after = report(world)
    assert {name: figures_after[name] for name in FIGURES} == {name: figures_before[name] for name in FIGURES}
    assert figures_after["volunteer_minutes"] == 330  # Dawit's 90 minutes still count


@pytest.mark.parametrize("assigned", [False, True], ids=["signs_up", "assigned"])
def test_the_sign_up_service_refuses_a_deleted_account(app, world, assigned):
    pseudonymise_inactive(app, world)
    dawit = db.session.get(User, world.dawit.id)
    with pytest.raises(SignupError) as refused:
        sign_up(shift=world.shift, volunteer=dawit, assigned_by=world.coordinator if assigned else None)
    assert refused.value.code == "account_deleted"
    db.session.rollback()
    assert (db.session.get(Shift, world.shift.id).confirmed_count, active_signups(world.shift)) == (0, [])
