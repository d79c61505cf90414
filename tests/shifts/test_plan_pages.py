"""The coordinators' planning pages, through HTTP as a browser would use them."""

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import clock_frozen_at, post_form
from volunteers.core import time
from volunteers.extensions import db
from volunteers.shifts.models import Shift, ShiftSeries

NOW = time.berlin_local(datetime(2026, 11, 2, 9, 0))  # a Monday


frozen_clock = clock_frozen_at(NOW)


@pytest.fixture
def coordinator_client(client, login, make_centre, make_meeting_point):
    centre = make_centre("kreuztal")
    client.meeting_point = make_meeting_point(centre, name="Treffpunkt Kreuztal im Bürgerhaus")
    client.centre = centre
    login("coordinator", centre)
    return client


def shift_form(client, **changes):
    return {
        "meeting_point": client.meeting_point.slug,
        "activity": "sprachcafe",
        "day": "2026-11-10",
        "start_time": "16:00",
        "end_time": "18:00",
        "capacity_min": "2",
        "capacity_max": "4",
        "languages": ["ar", "fa"],
        "notes": "Bitte Namensschild mitbringen",
        **changes,
    }


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_coordinator_plans_a_month_of_weekly_sprachcafe(coordinator_client):
    client = coordinator_client
    response = post_form(
        client,
        f"/centres/{client.centre.slug}/series/new",
        {
            **shift_form(client),
            "first_day": "2026-11-03",
            "frequency": "weekly",
            "weekdays": ["TU"],
            "until": "2026-12-01",
            "publish": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    series = db.session.scalar(sa.select(ShiftSeries))
    shifts = db.session.scalars(sa.select(Shift).order_by(Shift.starts_at)).all()
    assert [time.to_berlin(s.starts_at).strftime("%d.%m. %H:%M") for s in shifts] == [
        "03.11. 16:00",
        "10.11. 16:00",
        "17.11. 16:00",
        "24.11. 16:00",
        "01.12. 16:00",
    ]
    assert all(s.status == "published" and s.languages == ["ar", "fa"] for s in shifts)
    page = client.get(f"/centres/{client.centre.slug}/series/{series.id}").get_data(as_text=True)
    assert page.count("0 von 4 Plätzen belegt") == 5
    week = client.get(f"/centres/{client.centre.slug}/plan?week=2026-11-10").get_data(as_text=True)
    assert "16:00–18:00" in week and "unterbesetzt (mindestens 2)" in week


def test_holiday_exception_from_the_series_page(coordinator_client):
    client = coordinator_client
    post_form(
        client,
        f"/centres/{client.centre.slug}/series/new",
        {**shift_form(client), "first_day": "2026-12-22", "frequency": "weekly", "count": "3"},
    )
    series = db.session.scalar(sa.select(ShiftSeries))
    response = post_form(client, f"/centres/{client.centre.slug}/series/{series.id}", {"day": "2026-12-29"})
    assert response.status_code == 302
    days = [s.occurrence_date for s in db.session.scalars(sa.select(Shift).order_by(Shift.starts_at))]
    assert days == [date(2026, 12, 22), date(2027, 1, 5)]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"end_time": "15:00"}, "Das Ende muss nach dem Beginn liegen."),
        ({"capacity_min": "5", "capacity_max": "3"}, "Die Mindestbesetzung ist größer als die Höchstzahl."),
        ({"capacity_max": "-1"}, "Bitte eine Zahl von 0 bis 200 angeben."),
        ({"capacity_max": "0"}, "Eine Schicht braucht zwischen 1 und 200 Plätze."),
        (
            {"day": "2027-03-28", "start_time": "02:30", "end_time": "04:00"},
            "Diese Uhrzeit gibt es wegen der Zeitumstellung nicht.",
        ),
        ({"activity": "gibt-es-nicht"}, "Keine gültige Auswahl"),
        ({"meeting_point": "fremder-treffpunkt"}, "Keine gültige Auswahl"),
        ({"languages": ["xx"]}, "Bitte wählen Sie nur Einträge aus der Liste."),
    ],
)
def test_bad_shift_input_gets_a_german_error_and_stores_nothing(coordinator_client, changes, message):
    client = coordinator_client
    response = post_form(client, f"/centres/{client.centre.slug}/shifts/new", shift_form(client, **changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(Shift) == 0


def test_unending_rule_is_refused(coordinator_client):
    client = coordinator_client
    response = post_form(
        client,
        f"/centres/{client.centre.slug}/series/new",
        {**shift_form(client), "first_day": "2026-11-03", "frequency": "weekly"},
    )
    assert response.status_code == 422
    assert "Die Wiederholung braucht ein Ende" in response.get_data(as_text=True)
    response = post_form(
        client,
        f"/centres/{client.centre.slug}/series/new",
        {**shift_form(client), "first_day": "2026-11-03", "rrule": "FREQ=DAILY;COUNT=3000"},
    )
    assert "mehr als 366 Termine" in response.get_data(as_text=True)
    assert count(Shift) == count(ShiftSeries) == 0


def test_closed_meeting_point_takes_no_shifts(coordinator_client, make_meeting_point):
    client = coordinator_client
    closed = make_meeting_point(client.centre, is_closed=True)
    response = post_form(
        client, f"/centres/{client.centre.slug}/shifts/new", shift_form(client, meeting_point=closed.slug)
    )
    assert response.status_code == 422
    assert count(Shift) == 0


def test_another_centres_meeting_point_is_not_offered(coordinator_client, make_centre, make_meeting_point):
    client = coordinator_client
    foreign = make_meeting_point(make_centre())
    page = client.get(f"/centres/{client.centre.slug}/shifts/new").get_data(as_text=True)
    assert foreign.slug not in page
    response = post_form(
        client, f"/centres/{client.centre.slug}/shifts/new", shift_form(client, meeting_point=foreign.slug)
    )
    assert response.status_code == 422 and count(Shift) == 0


def test_edit_publish_copy_and_cancel(coordinator_client):
    client = coordinator_client
    slug = client.centre.slug
    post_form(client, f"/centres/{slug}/shifts/new", shift_form(client))
    shift = db.session.scalar(sa.select(Shift))
    assert shift.status == "draft"
    assert (
        post_form(
            client, f"/centres/{slug}/shifts/{shift.id}/edit", shift_form(client, start_time="17:00", end_time="19:30")
        ).status_code
        == 302
    )
    db.session.refresh(shift)
    assert time.to_berlin(shift.starts_at).hour == 17 and shift.duration_minutes == 150
    post_form(client, f"/centres/{slug}/plan/publish", {"week": "2026-11-09"})
    db.session.refresh(shift)
    assert shift.status == "published"
    response = post_form(client, f"/centres/{slug}/plan/copy-week", {"week": "2026-11-09", "target": "2026-11-16"})
    assert response.status_code == 302
    copies = db.session.scalars(sa.select(Shift).where(Shift.id != shift.id)).all()
    assert [(time.to_berlin(c.starts_at).strftime("%d.%m. %H:%M"), c.status) for c in copies] == [
        ("17.11. 17:00", "draft")
    ]
    # Copying again does not duplicate.
    post_form(client, f"/centres/{slug}/plan/copy-week", {"week": "2026-11-09", "target": "2026-11-16"})
    assert count(Shift) == 2
    refused = post_form(client, f"/centres/{slug}/shifts/{shift.id}/cancel", {"reason": ""})
    assert refused.status_code == 422
    assert "Bitte geben Sie einen Grund für die Absage an." in refused.get_data(as_text=True)
    db.session.refresh(shift)
    assert shift.status == "published"
    post_form(client, f"/centres/{slug}/shifts/{shift.id}/cancel", {"reason": "Raum wird renoviert"})
    db.session.refresh(shift)
    assert (shift.status, shift.cancel_reason) == ("cancelled", "Raum wird renoviert")


def test_assign_and_attendance(app, coordinator_client, make_user, make_shift):
    client = coordinator_client
    shift = make_shift(client.meeting_point, starts=time.berlin_local(datetime(2026, 11, 4, 16, 0)))
    volunteer = make_user("volunteer", client.centre, name="Rasha Mansour")
    response = post_form(client, f"/centres/{client.centre.slug}/shifts/{shift.id}/assign", {"volunteer": volunteer.id})
    assert response.status_code == 302
    db.session.refresh(shift)
    assert shift.confirmed_count == 1
    signup = shift.signups[0]
    with time.freeze(shift.ends_at + timedelta(minutes=5)):
        response = post_form(
            client,
            f"/centres/{client.centre.slug}/shifts/{shift.id}/attendance",
            {f"attendance-{signup.id}": "attended", "participants_count": "14"},
        )
        page = client.get(f"/centres/{client.centre.slug}/volunteers").get_data(as_text=True)
    assert response.status_code == 302
    db.session.refresh(signup)
    db.session.refresh(shift)
    assert (signup.attendance, shift.participants_count) == ("attended", 14)
    assert "Rasha Mansour" in page


def test_assigning_someone_from_another_centre_is_404(coordinator_client, make_user, make_shift):
    client = coordinator_client
    shift = make_shift(client.meeting_point)
    stranger = make_user("volunteer")
    response = post_form(client, f"/centres/{client.centre.slug}/shifts/{shift.id}/assign", {"volunteer": stranger.id})
    assert response.status_code == 404
    assert count(Shift) == 1 and shift.confirmed_count == 0


def test_certificate_is_recorded_by_a_coordinator(coordinator_client, make_user):
    client = coordinator_client
    volunteer = make_user("volunteer", client.centre)
    url = f"/centres/{client.centre.slug}/volunteers/{volunteer.id}"
    assert post_form(client, url, {"verified_on": "2026-12-24"}).status_code == 422
    assert post_form(client, url, {"verified_on": "2026-10-01"}).status_code == 302
    membership = volunteer.membership_in(client.centre)
    db.session.refresh(membership)
    assert membership.certificate_verified_on == date(2026, 10, 1)
    assert "geprüft am" in client.get(url).get_data(as_text=True)
