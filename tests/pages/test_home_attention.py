"""The coordinator's first screen, "Braucht Aufmerksamkeit", through HTTP: each item appears when
there is something to do, links to where it is done, and disappears once it is done; nothing of
another centre; a clear centre says so."""

import html
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import post_form
from tests.test_statement_counts import counted
from volunteers.centres.services import record_certificate
from volunteers.core import time
from volunteers.extensions import db
from volunteers.hours.services import HoursInput, approve, log_hours
from volunteers.push.models import Notification
from volunteers.shifts.signups import cancel_signup, record_attendance, sign_up


def at(today, days: int, hour: int = 16) -> datetime:
    return time.berlin_local(datetime.combine(today + timedelta(days=days), datetime.min.time()).replace(hour=hour))


def items(client, kind: str) -> list[str]:
    """The page's attention items of one kind, as HTML."""
    response = client.get("/")
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    return re.findall(rf'<(?:li|p) data-attention="{kind}">(.*?)</(?:li|p)>', page, flags=re.S)


@pytest.fixture
def centre(make_centre):
    return make_centre("aufmerksam")


@pytest.fixture
def place(centre, make_meeting_point):
    return make_meeting_point(centre, name="Treffpunkt Oberbilk", languages=["de", "ar"])


@pytest.fixture
def coordinator(centre, login):
    return login("coordinator", centre)


@pytest.fixture
def volunteers(centre, make_user):
    people = [make_user("volunteer", centre, name=f"Ehrenamt {n}") for n in range(3)]
    for person in people:
        person.languages = ["ar"]
    db.session.commit()
    return people


def past_shift(make_shift, place, today, volunteers, days_ago: int = 2):
    """A shift that ended `days_ago` days ago, with the volunteers confirmed on it."""
    with time.freeze(at(today, -days_ago - 7, 9)):
        shift = make_shift(place, starts=at(today, -days_ago), capacity_max=3)
        for person in volunteers:
            sign_up(shift=shift, volunteer=person)
        db.session.commit()
    return shift


def test_an_understaffed_shift_offers_a_one_tap_staffing_call_and_goes_once_staffed(
    client, coordinator, place, volunteers, make_shift, today
):
    shift = make_shift(place, starts=at(today, 3), capacity_min=2, capacity_max=3, languages=["ar"])
    [item] = items(client, "understaffed")
    assert f'href="/centres/aufmerksam/shifts/{shift.id}"' in item
    assert f'action="/centres/aufmerksam/shifts/{shift.id}/call"' in item and 'name="csrf_token"' in item

    response = post_form(client, f"/centres/aufmerksam/shifts/{shift.id}/call", {"next": "/"})
    assert (response.status_code, response.headers["Location"]) == (302, "/")
    assert "Aufruf an 3 Ehrenamtliche verschickt." in client.get("/").get_data(as_text=True)
    called = db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == "staffing_call"))
    assert set(called) == {v.id for v in volunteers}

    for person in volunteers[:2]:
        sign_up(shift=shift, volunteer=person)
    db.session.commit()
    assert items(client, "understaffed") == []


def test_a_staffing_call_without_its_token_is_refused(client, coordinator, place, make_shift, today):
    shift = make_shift(place, starts=at(today, 3), capacity_min=2)
    response = client.post(f"/centres/aufmerksam/shifts/{shift.id}/call", data={"next": "/"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_shifts_beyond_two_weeks_or_in_the_past_are_not_understaffed_items(
    client, coordinator, place, make_shift, today
):
    make_shift(place, starts=at(today, 15), capacity_min=2)
    make_shift(place, starts=at(today, 4), capacity_min=2, publish=False)
    with time.freeze(at(today, -5)):
        make_shift(place, starts=at(today, -1), capacity_min=2)
    assert items(client, "understaffed") == []


def test_hours_waiting_for_review_show_the_count_and_the_oldest_day(client, coordinator, centre, volunteers, today):
    entries = [
        log_hours(
            centre=centre,
            person=volunteers[0],
            values=HoursInput(work_date=today - timedelta(days=days), minutes=90, activity="behoerdenbegleitung"),
        )[0]
        for days in (3, 9)
    ]
    db.session.commit()
    oldest = today - timedelta(days=9)
    [item] = items(client, "hours")
    assert 'href="/centres/aufmerksam/hours"' in item and "2 Einträge warten auf Freigabe" in item
    assert f"der älteste vom {oldest:%d.%m.%Y}" in item
    for entry in entries:
        approve(entry=entry, by=coordinator)
    db.session.commit()
    assert items(client, "hours") == []


def test_a_past_shift_without_attendance_links_to_it_until_attendance_is_marked(
    client, coordinator, place, volunteers, make_shift, today
):
    shift = past_shift(make_shift, place, today, volunteers[:2])
    past_shift(make_shift, place, today, volunteers[:1], days_ago=31)  # older than 30 days: not asked any more
    [item] = items(client, "attendance")
    assert f'href="/centres/aufmerksam/shifts/{shift.id}"' in item
    first, second = (s for s in shift.signups)
    record_attendance(shift=shift, marks={first.id: "attended"}, participants_count=None)
    db.session.commit()
    assert len(items(client, "attendance")) == 1  # one person still unmarked
    record_attendance(shift=shift, marks={first.id: "attended", second.id: "no_show"}, participants_count=12)
    db.session.commit()
    assert items(client, "attendance") == []


def test_a_waitlist_is_an_item_until_nobody_waits(client, coordinator, place, volunteers, make_shift, today):
    shift = make_shift(place, starts=at(today, 20), capacity_max=1)  # also beyond two weeks
    signups = [sign_up(shift=shift, volunteer=person) for person in volunteers[:3]]
    db.session.commit()
    [item] = items(client, "waitlist")
    assert f'href="/centres/aufmerksam/shifts/{shift.id}"' in item
    assert "2 Personen warten insgesamt." in client.get("/").get_data(as_text=True)
    for signup in signups[1:]:
        cancel_signup(signup=signup)
    db.session.commit()
    assert items(client, "waitlist") == []


def test_a_past_full_shift_with_a_waitlist_is_no_item(client, coordinator, place, volunteers, make_shift, today):
    with time.freeze(at(today, -9, 9)):
        shift = make_shift(place, starts=at(today, -2), capacity_max=1)
        for person in volunteers[:2]:
            sign_up(shift=shift, volunteer=person)
        db.session.commit()
    assert items(client, "waitlist") == []


def test_police_certificates_that_expire_soon_or_have_expired_for_active_volunteers(
    client, coordinator, centre, place, volunteers, make_user, make_shift, today
):
    soon, expired_active, expired_inactive = volunteers
    fresh = make_user("volunteer", centre, name="Frisch Geprüft")
    five_years_ago = time.years_before(today, 5)
    verified = {
        soon: five_years_ago + timedelta(days=40),
        expired_active: five_years_ago - timedelta(days=10),
        expired_inactive: five_years_ago - timedelta(days=10),
        fresh: five_years_ago + timedelta(days=61),
    }
    for person, day in verified.items():
        person.membership_in(centre).certificate_verified_on = day
    sign_up(shift=make_shift(place, starts=at(today, 5)), volunteer=expired_active)
    db.session.commit()

    listed = items(client, "certificate")
    assert len(listed) == 2
    valid_until = verified[soon].replace(year=verified[soon].year + 5) - timedelta(days=1)
    soon_item = next(i for i in listed if soon.name in i)
    assert f'href="/centres/aufmerksam/volunteers/{soon.id}"' in soon_item
    assert f"gültig bis {valid_until:%d.%m.%Y}" in soon_item
    assert "abgelaufen seit" in next(i for i in listed if expired_active.name in i)

    for person in (soon, expired_active):
        record_certificate(membership=person.membership_in(centre), verified_on=today, by=coordinator)
    db.session.commit()
    assert items(client, "certificate") == []


def test_another_centres_matters_never_appear(
    client, coordinator, place, make_centre, make_meeting_point, make_user, make_shift, today
):
    other = make_centre("anderswo")
    elsewhere = make_meeting_point(other, name="Treffpunkt Anderswo")
    make_shift(elsewhere, starts=at(today, 2), capacity_min=2)
    person = make_user("volunteer", other)
    log_hours(
        centre=other,
        person=person,
        values=HoursInput(work_date=today - timedelta(days=2), minutes=60, activity="behoerdenbegleitung"),
    )
    person.membership_in(other).certificate_verified_on = time.years_before(today, 5) + timedelta(days=3)
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Anderswo" not in page and "anderswo" not in page
    assert "Im Moment braucht nichts Ihre Aufmerksamkeit." in page
    assert 'href="/centres/aufmerksam/"' in page  # the link to the centre overview stays


def test_the_attention_list_runs_as_many_statements_for_many_items_as_for_few(
    client, coordinator, centre, place, make_user, make_shift, today
):
    def add_batch(n: int) -> None:
        people = [make_user("volunteer", centre) for _ in range(2)]
        make_shift(place, starts=at(today, 1 + n, 10), capacity_min=2)
        full = make_shift(place, starts=at(today, 1 + n, 16), capacity_max=1)
        for person in people:
            sign_up(shift=full, volunteer=person)
        past_shift(make_shift, place, today, people[:1], days_ago=1 + n)
        log_hours(
            centre=centre,
            person=people[0],
            values=HoursInput(work_date=today - timedelta(days=20 + n), minutes=60, activity="behoerdenbegleitung"),
        )
        people[1].membership_in(centre).certificate_verified_on = time.years_before(today, 5) + timedelta(days=n + 1)
        db.session.commit()

    add_batch(0)
    client.get("/")  # warm-up
    few_page, few = counted(client, "GET", "/")
    for n in range(1, 4):
        add_batch(n)
    many_page, many = counted(client, "GET", "/")
    assert many_page.get_data(as_text=True).count("data-attention=") >= 2 * few_page.get_data(as_text=True).count(
        "data-attention="
    )
    assert len(many) == len(few) <= 10, "\n".join(many)
