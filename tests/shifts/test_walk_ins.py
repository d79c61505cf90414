""" "Spontan da gewesen": after a shift has begun the coordination records someone who came without
a sign-up, in one step: an attended sign-up plus the hours entry for the shift's time, audited,
counted in the KommAn figures like any attended shift; above the maximum too, never for a cancelled
shift, a shift not yet begun, or a day in a closed report period."""

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import clock_frozen_at, post_form
from volunteers.audit.models import AuditEvent
from volunteers.core import time
from volunteers.extensions import db
from volunteers.hours.models import SUBMITTED, HoursEntry
from volunteers.hours.periods import close_period, create_period
from volunteers.hours.services import HoursInput, log_hours
from volunteers.shifts.models import ATTENDED, Shift, Signup
from volunteers.shifts.planning import cancel_shift
from volunteers.shifts.signups import sign_up

NOW = time.berlin_local(datetime(2026, 11, 2, 9, 0))
YESTERDAY = time.berlin_local(datetime(2026, 11, 1, 16, 0))

frozen_clock = clock_frozen_at(NOW)


@pytest.fixture
def world(client, login, make_centre, make_meeting_point, make_shift, make_user):
    centre = make_centre("hsk")
    shift = make_shift(make_meeting_point(centre), starts=YESTERDAY, hours=2, capacity_max=1)
    regular = make_user("volunteer", centre, name="Kateryna Bondar")
    walk_in = make_user("volunteer", centre, name="Omar Haddad")
    with time.freeze(YESTERDAY - timedelta(days=1)):
        sign_up(shift=shift, volunteer=regular)
    db.session.commit()
    coordinator = login("coordinator", centre)
    return {"centre": centre, "shift": shift, "regular": regular, "walk_in": walk_in, "coordinator": coordinator}


def record(client, shift, volunteer_id, slug="hsk"):
    return post_form(client, f"/centres/{slug}/shifts/{shift.id}/walk-in", {"volunteer": str(volunteer_id)})


def signups_of(shift) -> list[Signup]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Signup).where(Signup.shift_id == shift.id).order_by(Signup.id)))


def entries() -> list[HoursEntry]:
    return list(db.session.scalars(sa.select(HoursEntry).order_by(HoursEntry.id)))


def test_one_step_gives_an_attended_sign_up_and_hours_even_above_the_maximum(client, world):
    shift, person = world["shift"], world["walk_in"]
    page = client.get(f"/centres/hsk/shifts/{shift.id}").get_data(as_text=True)
    assert "Spontan da gewesen" in page and f'action="/centres/hsk/shifts/{shift.id}/walk-in"' in page
    assert f'<option value="{world["regular"].id}"' not in page.split("walk-in")[1]  # already confirmed

    response = record(client, shift, person.id)
    assert response.status_code == 302
    flashes = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Omar Haddad ist als spontan dabei erfasst" in flashes and "Höchstzahl ist jetzt 2" in flashes
    signup = next(s for s in signups_of(shift) if s.user_id == person.id)
    assert signup.is_confirmed and signup.attendance == ATTENDED and signup.assigned_by_id == world["coordinator"].id
    shift = db.session.get(Shift, shift.id)
    assert (shift.confirmed_count, shift.capacity_max) == (2, 2)
    [entry] = entries()
    assert (entry.user_id, entry.shift_id, entry.minutes, entry.status) == (person.id, shift.id, 120, SUBMITTED)
    assert entry.work_date == date(2026, 11, 1) and entry.created_by_id == world["coordinator"].id
    audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "walk_in"))
    assert audit.entity_id == signup.id and audit.after["hours_entry_id"] == entry.id


def test_the_komman_figures_count_a_walk_in_like_any_attended_shift(client, world, make_user):
    shift, regular = world["shift"], world["regular"]
    values = HoursInput(work_date=date(2026, 11, 1), minutes=120, activity=shift.activity, shift=shift)
    log_hours(centre=world["centre"], person=regular, values=values)
    db.session.commit()
    record(client, shift, world["walk_in"].id)
    for entry in entries():
        assert post_form(client, f"/centres/hsk/hours/{entry.id}/approve").status_code == 302
    report = client.get("/reports/centre/hsk?from=2026-11-01&to=2026-11-30&format=json").get_json()
    assert report["volunteer_minutes"] == 240 and report["active_volunteers"] == 2


def test_a_waitlisted_person_who_came_is_taken_over(client, world, make_user):
    shift, person = world["shift"], world["walk_in"]
    with time.freeze(YESTERDAY - timedelta(days=1)):
        assert sign_up(shift=shift, volunteer=person).is_waitlisted
    db.session.commit()
    record(client, shift, person.id)
    [_regular, signup] = signups_of(shift)
    assert signup.is_confirmed and signup.attendance == ATTENDED and len(entries()) == 1


def refused(client, world, volunteer_id, slug="hsk"):
    """The walk-in is refused and nothing changes."""
    before = [(s.user_id, s.status, s.attendance) for s in signups_of(world["shift"])]
    response = record(client, world["shift"], volunteer_id, slug)
    after = [(s.user_id, s.status, s.attendance) for s in signups_of(world["shift"])]
    assert after == before and entries() == []
    assert db.session.get(Shift, world["shift"].id).capacity_max == 1
    return response


def test_not_before_the_shift_has_begun(client, world):
    with time.freeze(YESTERDAY - timedelta(hours=1)):
        page = client.get(f"/centres/hsk/shifts/{world['shift'].id}").get_data(as_text=True)
        assert "/walk-in" not in page
        response = refused(client, world, world["walk_in"].id)
    assert response.status_code == 302


def test_not_for_a_cancelled_shift(client, world):
    cancel_shift(shift=world["shift"], reason="Der Raum war zu")
    db.session.commit()
    assert "/walk-in" not in client.get(f"/centres/hsk/shifts/{world['shift'].id}").get_data(as_text=True)
    refused(client, world, world["walk_in"].id)


def test_not_in_a_closed_report_period(client, world, make_user):
    lead = make_user("lead", world["centre"])
    period = create_period(
        centre=world["centre"], label="Oktober/November", starts_on=date(2026, 10, 1), ends_on=date(2026, 11, 1)
    )
    close_period(period=period, by=lead)
    db.session.commit()
    page = client.get(f"/centres/hsk/shifts/{world['shift'].id}").get_data(as_text=True)
    assert "/walk-in" not in page and 'data-code="period_closed"' in page
    refused(client, world, world["walk_in"].id)


def test_not_for_someone_already_confirmed(client, world):
    refused(client, world, world["regular"].id)


@pytest.mark.parametrize("who", ["unknown", "other centre", "coordinator"])
def test_only_a_volunteer_of_the_centre(client, world, make_user, who):
    volunteer_id = {
        "unknown": lambda: 987654,
        "other centre": lambda: make_user("volunteer").id,
        "coordinator": lambda: world["coordinator"].id,
    }[who]()
    assert refused(client, world, volunteer_id).status_code == 404


def test_the_other_centres_coordinator_gets_404(client, login, world, make_centre):
    login("coordinator", make_centre("siegen"))
    assert refused(client, world, world["walk_in"].id, slug="siegen").status_code == 404
    assert refused(client, world, world["walk_in"].id, slug="hsk").status_code == 404
