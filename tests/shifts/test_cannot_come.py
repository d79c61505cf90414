""" "Ich kann nicht" and "Von der Warteliste nehmen": two steps on "Meine Schichten" and the shift's
page, an optional reason (bounded) that the coordination sees, the late-cancellation statement after
the centre's cut-off, the freed place going to the waitlist; the API withdraws by the same rule."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from tests import helpers
from tests.helpers import clock_frozen_at, post_form
from volunteers.core import time
from volunteers.extensions import db
from volunteers.shifts.models import Signup
from volunteers.shifts.planning import cancel_shift
from volunteers.shifts.signups import sign_up

NOW = time.berlin_local(datetime(2026, 11, 2, 9, 0))
STARTS = time.berlin_local(datetime(2026, 11, 4, 16, 0))  # cut-off (12 h): 4 November 04:00

frozen_clock = clock_frozen_at(NOW)


@pytest.fixture
def world(make_centre, make_meeting_point, make_shift, make_user):
    centre = make_centre("hsk")
    shift = make_shift(make_meeting_point(centre, name="Treffpunkt Meschede"), starts=STARTS, capacity_max=1)
    volunteer = make_user("volunteer", centre, name="Kateryna Bondar")
    waiting = make_user("volunteer", centre, name="Omar Haddad")
    sign_up(shift=shift, volunteer=volunteer)
    sign_up(shift=shift, volunteer=waiting)
    db.session.commit()
    return {"centre": centre, "shift": shift, "volunteer": volunteer, "waiting": waiting}


def signup_of(shift, person) -> Signup:
    db.session.expire_all()
    return db.session.scalar(sa.select(Signup).where(Signup.shift_id == shift.id, Signup.user_id == person.id))


def test_my_shifts_offers_it_and_the_freed_place_goes_to_the_waitlist(client, login, world):
    shift = world["shift"]
    login(user=world["volunteer"])
    mine = client.get("/my/shifts").get_data(as_text=True)
    assert f'action="/shifts/{shift.id}/cancel"' in mine and "Ich kann nicht" in mine
    assert "data-late" not in mine  # before the cut-off nothing is noted

    response = post_form(client, f"/shifts/{shift.id}/cancel", {"next": "/my/shifts", "reason": "Mein Kind ist krank"})
    assert response.status_code == 302 and response.headers["Location"] == "/my/shifts"
    withdrawn = signup_of(shift, world["volunteer"])
    assert withdrawn.is_cancelled and not withdrawn.is_late_cancellation
    assert withdrawn.cancel_reason == "Mein Kind ist krank"
    assert signup_of(shift, world["waiting"]).is_confirmed
    assert f"/shifts/{shift.id}/cancel" not in client.get("/my/shifts").get_data(as_text=True)


def test_the_coordination_sees_the_reason_and_the_other_centre_does_not(client, login, world, make_centre):
    shift_id = world["shift"].id
    login(user=world["volunteer"])
    post_form(client, f"/shifts/{shift_id}/cancel", {"reason": "Mein Kind ist krank"})
    login("coordinator", world["centre"])
    page = client.get(f"/centres/hsk/shifts/{shift_id}").get_data(as_text=True)
    assert "Mein Kind ist krank" in page
    other = make_centre("siegen")
    login("coordinator", other)
    assert client.get(f"/centres/siegen/shifts/{shift_id}").status_code == 404
    assert client.get(f"/centres/hsk/shifts/{shift_id}").status_code == 404


def test_after_the_cut_off_the_page_says_it_counts_as_late(client, login, world):
    shift = world["shift"]
    login(user=world["volunteer"])
    with time.freeze(STARTS - timedelta(hours=3)):
        page = client.get(f"/shifts/{shift.id}").get_data(as_text=True)
        assert "data-late" in page and "als kurzfristig vermerkt" in page
        response = post_form(client, f"/shifts/{shift.id}/cancel", follow_redirects=True)
    assert "kurzfristig" in response.get_data(as_text=True)
    assert signup_of(shift, world["volunteer"]).is_late_cancellation


def test_leaving_the_waitlist_is_never_late(client, login, world):
    shift = world["shift"]
    login(user=world["waiting"])
    with time.freeze(STARTS - timedelta(hours=3)):
        page = client.get("/my/shifts").get_data(as_text=True)
        assert "Von der Warteliste nehmen" in page and "data-late" not in page
        response = post_form(client, f"/shifts/{shift.id}/cancel", follow_redirects=True)
    assert "Sie stehen nicht mehr auf der Warteliste." in response.get_data(as_text=True)
    left = signup_of(shift, world["waiting"])
    assert left.is_cancelled and not left.is_late_cancellation
    assert signup_of(shift, world["volunteer"]).is_confirmed


def test_a_too_long_reason_is_refused_and_changes_nothing(client, login, world):
    shift = world["shift"]
    login(user=world["volunteer"])
    response = post_form(client, f"/shifts/{shift.id}/cancel", {"reason": "x" * 301}, follow_redirects=True)
    assert "Höchstens 300 Zeichen." in response.get_data(as_text=True)
    assert signup_of(shift, world["volunteer"]).is_confirmed
    assert signup_of(shift, world["waiting"]).is_waitlisted


def test_nothing_to_withdraw_from_a_cancelled_shift_on_page_or_api(client, login, world):
    shift = world["shift"]
    cancel_shift(shift=shift, reason="Der Raum ist nicht verfügbar")
    db.session.commit()
    login(user=world["volunteer"])
    assert f"/shifts/{shift.id}/cancel" not in client.get("/my/shifts").get_data(as_text=True)
    post_form(client, f"/shifts/{shift.id}/cancel")
    assert signup_of(shift, world["volunteer"]).is_confirmed
    answer = client.delete(f"/api/v1/shifts/{shift.id}/signup", headers=bearer(client, world["volunteer"]))
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "shift_cancelled"
    assert signup_of(shift, world["volunteer"]).is_confirmed


def bearer(client, person) -> dict:
    token = client.post("/api/v1/auth/token", json={"email": person.email, "password": helpers.PASSWORD})
    return {"Authorization": f"Bearer {token.get_json()['token']}"}


def test_the_api_takes_a_reason_by_the_same_rules(client, world):
    shift, headers = world["shift"], bearer(client, world["volunteer"])
    too_long = client.delete(f"/api/v1/shifts/{shift.id}/signup", json={"reason": "x" * 301}, headers=headers)
    assert too_long.status_code == 422 and too_long.get_json()["error"]["code"] == "too_long"
    assert signup_of(shift, world["volunteer"]).is_confirmed
    with time.freeze(STARTS - timedelta(hours=3)):
        answer = client.delete(f"/api/v1/shifts/{shift.id}/signup", json={"reason": "Zug fällt aus"}, headers=headers)
    assert answer.status_code == 200
    assert answer.get_json()["status"] == "cancelled" and answer.get_json()["is_late_cancellation"] is True
    assert signup_of(shift, world["volunteer"]).cancel_reason == "Zug fällt aus"
    assert signup_of(shift, world["waiting"]).is_confirmed


def test_once_the_shift_has_begun_neither_page_nor_api_withdraws(client, login, world):
    shift = world["shift"]
    login(user=world["volunteer"])
    with time.freeze(STARTS + timedelta(minutes=5)):
        page = client.get("/my/shifts").get_data(as_text=True)
        assert f"/shifts/{shift.id}/cancel" not in page and 'data-code="started"' in page
        answer = client.delete(f"/api/v1/shifts/{shift.id}/signup", headers=bearer(client, world["volunteer"]))
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "started"
    assert signup_of(shift, world["volunteer"]).is_confirmed


def test_the_reason_is_in_the_export_and_goes_with_the_account(client, world):
    from volunteers.privacy.services import delete_account

    shift, headers = world["shift"], bearer(client, world["volunteer"])
    client.delete(f"/api/v1/shifts/{shift.id}/signup", json={"reason": "Mein Kind ist krank"}, headers=headers)
    exported = client.get("/api/v1/me/export", headers=headers).get_json()
    assert [s["cancel_reason"] for s in exported["signups"]] == ["Mein Kind ist krank"]
    delete_account(user=signup_of(shift, world["volunteer"]).user)
    db.session.commit()
    assert signup_of(shift, world["volunteer"]).cancel_reason is None


def test_the_shift_page_says_how_to_reach_the_coordination(client, login, world, make_user):
    coordinator = make_user("coordinator", world["centre"], name="Anna Koordination")
    elsewhere = make_user("coordinator", name="Berta Anderswo")
    login(user=world["volunteer"])
    page = client.get(f"/shifts/{world['shift'].id}").text
    assert "Koordination erreichen" in page and f'href="mailto:{coordinator.email}"' in page
    assert "Anna Koordination" in page and elsewhere.email not in page
