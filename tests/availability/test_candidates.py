"""Availability and who could cover a shift, through the services: windows in Berlin wall-clock
time (a shift across midnight needs both days), absences, the ranked list with its reasons, who
never appears, fairness, a bounded number of queries, staffing calls and the DSGVO export. The
shifts lie on the next Thursday after the test's day (tests/clock.py); the fixed dates pin the
calendar's edges: the DST change, New Year."""

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from volunteers.availability import is_absent
from volunteers.availability.candidates import candidates
from volunteers.availability.errors import AvailabilityError
from volunteers.availability.models import Absence, Invitation, WeeklyWindow
from volunteers.availability.services import (
    DaysAway,
    Window,
    available_for,
    local_segments,
    parse_clock,
    save_availability,
)
from volunteers.core import time
from volunteers.extensions import db
from volunteers.push.models import Notification
from volunteers.reminders.notify import staffing_call
from volunteers.shifts.signups import sign_up


def at(day: date, hour: int) -> datetime:
    return time.berlin_local(datetime.combine(day, datetime.min.time()).replace(hour=hour))


def minutes(clock: str) -> int:
    return parse_clock(clock, "t")


@pytest.fixture
def thursday(today) -> date:
    """The next Thursday after the test's day (tomorrow on the default Wednesday)."""
    return today + timedelta(days=(3 - today.weekday()) % 7 or 7)


@pytest.fixture
def centre(make_centre):
    return make_centre("duesseldorf")


@pytest.fixture
def place(centre, make_meeting_point):
    return make_meeting_point(centre, name="Begegnungscafé Oberbilk")


@pytest.fixture
def arabic_shift(place, make_shift, thursday):
    """Thursday 16–18 h, Arabic, one of two places still free."""
    return make_shift(place, starts=at(thursday, 16), languages=["ar"], capacity_min=2, capacity_max=2)


def volunteer(make_user, centre, name, languages=("de",)):
    person = make_user("volunteer", centre, name=name)
    person.languages = list(languages)
    db.session.commit()
    return person


def test_windows_are_checked_and_replace_the_old_ones(make_user, centre):
    person = make_user("volunteer", centre)
    save_availability(user=person, windows=[Window(4, minutes("15:00"), minutes("19:00"))], absences=[])
    save_availability(
        user=person,
        windows=[Window(1, minutes("08:00"), minutes("12:00"))],
        absences=[DaysAway(date(2026, 12, 20), date(2027, 1, 3))],
    )
    db.session.commit()
    assert db.session.scalars(sa.select(WeeklyWindow.weekday).where(WeeklyWindow.user_id == person.id)).all() == [1]
    for windows, absences, code in [
        ([Window(8, 0, 60)], [], "invalid_weekday"),
        ([Window(1, 600, 600)], [], "invalid_window"),
        ([Window(1, 600, 500)], [], "invalid_window"),
        ([Window(1, n, n + 1) for n in range(29)], [], "too_many_windows"),
        ([], [DaysAway(date(2026, 12, 3), date(2026, 12, 2))], "invalid_absence"),
        ([], [DaysAway(date(2026, 1, 1), date(2027, 1, 2))], "absence_too_long"),
        ([], [DaysAway(date(2027, 1, n), date(2027, 1, n)) for n in range(1, 31)] * 2, "too_many_absences"),
    ]:
        with pytest.raises(AvailabilityError) as refused:
            save_availability(user=person, windows=windows, absences=absences)
        assert refused.value.code == code
    for text in ("7:00", "24:01", "12:60", "", None, "12:00:00"):
        with pytest.raises(AvailabilityError):
            parse_clock(text, "from")
    assert parse_clock("24:00", "to") == 1440


def test_a_shift_across_midnight_needs_both_days(make_user, centre, place, make_shift, thursday):
    night = make_shift(place, starts=at(thursday, 22), hours=4)  # Thursday 22:00 to Friday 02:00
    assert local_segments(night) == [(4, 22 * 60, 1440), (5, 0, 120)]
    person = make_user("volunteer", centre)
    assert available_for(person, night) is None  # nothing declared: nobody knows
    save_availability(user=person, windows=[Window(4, minutes("18:00"), 1440)], absences=[])
    assert available_for(person, night) is False
    save_availability(user=person, windows=[Window(4, minutes("18:00"), 1440), Window(5, 0, 180)], absences=[])
    assert available_for(person, night) is True


def test_berlin_wall_clock_across_the_dst_change(make_user, centre, place, make_shift):
    # 29 March 2027: Berlin moves to summer time; a 16:00 shift is 14:00 UTC, still 16:00 in the window.
    monday = date(2027, 3, 29)
    shift = make_shift(place, starts=at(monday, 16))
    person = make_user("volunteer", centre)
    save_availability(user=person, windows=[Window(1, minutes("16:00"), minutes("18:00"))], absences=[])
    assert available_for(person, shift) is True


def test_is_absent_counts_both_days(make_user, centre):
    person = make_user("volunteer", centre)
    save_availability(user=person, windows=[], absences=[DaysAway(date(2026, 12, 1), date(2026, 12, 3))])
    assert [is_absent(person.id, date(2026, 12, d)) for d in (1, 3, 4)] == [True, True, False]
    assert not is_absent(person.id + 1, date(2026, 12, 1))


def test_the_ranked_list_puts_the_available_arabic_speaker_first_with_reasons(
    make_user, centre, place, arabic_shift, make_shift, make_centre, today, thursday
):
    fits = volunteer(make_user, centre, "Amal", ("de", "ar"))
    save_availability(user=fits, windows=[Window(4, minutes("15:00"), minutes("19:00"))], absences=[])
    busy_speaker = volunteer(make_user, centre, "Bilal", ("ar",))
    with time.freeze(time.now() - timedelta(days=10)):  # two shifts in the last ten days
        for days_ago in (9, 6):
            sign_up(shift=make_shift(place, starts=at(today - timedelta(days=days_ago), 10)), volunteer=busy_speaker)
    german_only = volunteer(make_user, centre, "Carla", ("de",))
    away = volunteer(make_user, centre, "Dana", ("ar",))
    save_availability(user=away, windows=[], absences=[DaysAway(thursday, thursday)])
    clashing = volunteer(make_user, centre, "Emre", ("ar",))
    sign_up(shift=make_shift(place, starts=at(thursday, 17)), volunteer=clashing)
    signed_up = volunteer(make_user, centre, "Farah", ("ar",))
    sign_up(shift=arabic_shift, volunteer=signed_up)
    elsewhere = volunteer(make_user, make_centre("duisburg"), "Gül", ("ar",))
    db.session.commit()

    ranked = candidates(arabic_shift)

    assert [c.volunteer.name for c in ranked] == ["Amal", "Bilal"]
    best = ranked[0]
    codes = [r.code for r in best.reasons]
    assert codes[:2] == ["language", "available"] and "recent_shifts" in codes
    assert best.reasons[0].text == "Spricht Arabisch"
    assert ranked[1].recent_shifts == 2 and ranked[1].score < best.score
    names = {c.volunteer.id for c in ranked}
    assert not names & {german_only.id, away.id, clashing.id, signed_up.id, elsewhere.id}


def test_fewer_recent_shifts_rank_first_when_all_else_is_equal(make_user, centre, place, arabic_shift, make_shift):
    often, _seldom = volunteer(make_user, centre, "Aaron", ("ar",)), volunteer(make_user, centre, "Zora", ("ar",))
    with time.freeze(time.now() - timedelta(days=3)):
        sign_up(shift=make_shift(place, starts=time.now() + timedelta(hours=1)), volunteer=often)
    db.session.commit()
    assert [c.volunteer.name for c in candidates(arabic_shift)] == ["Zora", "Aaron"]


def test_a_certificate_shift_leaves_out_who_has_none(make_user, centre, place, make_shift, today, thursday):
    shift = make_shift(place, starts=at(thursday, 10), requires_police_certificate=True)
    checked, unchecked = make_user("volunteer", centre), make_user("volunteer", centre)
    checked.membership_in(centre).certificate_verified_on = today - timedelta(days=300)
    db.session.commit()
    ranked = candidates(shift)
    assert [c.volunteer.id for c in ranked] == [checked.id]
    assert "certificate" in [r.code for r in ranked[0].reasons]
    assert unchecked.id not in [c.volunteer.id for c in ranked]


def test_the_list_takes_a_fixed_number_of_queries(app, make_user, centre, place, arabic_shift, make_shift, thursday):
    def count_statements() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            db.session.expire_all()
            candidates(db.session.get(type(arabic_shift), arabic_shift.id))
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    def add_people(n):
        for k in range(n):
            person = volunteer(make_user, centre, f"Person {n}-{k}", ("ar",))
            save_availability(
                user=person,
                windows=[Window(4, 0, 1440)],
                absences=[DaysAway(thursday + timedelta(days=9), thursday + timedelta(days=9))],
            )
            sign_up(shift=make_shift(place, starts=at(thursday, 8)), volunteer=person)
        db.session.commit()

    add_people(2)
    small = count_statements()
    add_people(6)
    assert count_statements() == small
    assert small <= 10


def test_a_staffing_call_goes_to_those_who_could_cover_it(make_user, centre, place, arabic_shift, thursday):
    speaker = volunteer(make_user, centre, "Amal", ("ar",))
    away = volunteer(make_user, centre, "Dana", ("ar",))
    save_availability(user=away, windows=[], absences=[DaysAway(thursday, thursday)])
    volunteer(make_user, centre, "Carla", ("de",))
    db.session.commit()
    assert staffing_call(shift=arabic_shift, message="Bitte!") == 1
    sent = db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == "staffing_call")).all()
    assert sent == [speaker.id]


def test_the_export_holds_and_deletion_erases_availability_and_invitations(
    app, make_user, centre, arabic_shift, client, thursday
):
    from volunteers.availability import invitations
    from volunteers.privacy.services import delete_account, export_personal_data

    coordinator = make_user("coordinator", centre)
    person = volunteer(make_user, centre, "Amal", ("ar",))
    save_availability(
        user=person,
        windows=[Window(4, minutes("15:00"), 1440)],
        absences=[DaysAway(thursday, thursday + timedelta(days=1))],
    )
    db.session.commit()
    data = export_personal_data(person)
    assert data["availability"] == {
        "weekly": [{"weekday": 4, "from": "15:00", "to": "24:00"}],
        "absences": [{"from": thursday.isoformat(), "to": (thursday + timedelta(days=1)).isoformat()}],
    }
    save_availability(user=person, windows=[], absences=[])
    invitations.invite(shift=arabic_shift, volunteer=person, by=coordinator)
    save_availability(user=person, windows=[Window(1, 0, 60)], absences=[DaysAway(thursday, thursday)])
    db.session.commit()
    assert export_personal_data(person)["invitations"][0]["status"] == "open"
    delete_account(user=person)
    db.session.commit()
    for model in (WeeklyWindow, Absence, Invitation):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0


def last_sunday(year: int, month: int) -> date:
    """The day Berlin changes its clocks: the last Sunday of March or of October."""
    day = date(year, month, 31)
    return day - timedelta(days=(day.weekday() - 6) % 7)


@pytest.mark.parametrize(("month", "real_hours"), [(3, 5), (10, 7)])
def test_a_weekly_window_on_the_night_of_the_dst_change(make_user, centre, place, make_shift, today, month, real_hours):
    # Saturday 22:00 to Sunday 04:00 on the wall clock: 5 real hours in March, 7 in October.
    sunday = last_sunday(today.year + 1, month)
    night = make_shift(place, starts=at(sunday - timedelta(days=1), 22), hours=real_hours)
    assert local_segments(night) == [(6, 22 * 60, 1440), (7, 0, 4 * 60)]
    person = volunteer(make_user, centre, "Nachtschicht", ("ar",))
    save_availability(user=person, windows=[Window(6, minutes("20:00"), 1440), Window(7, 0, 4 * 60)], absences=[])
    assert available_for(person, night) is True
    db.session.commit()
    assert [r.code for r in candidates(night)[0].reasons][0] == "available"
    save_availability(user=person, windows=[Window(6, minutes("20:00"), 1440), Window(7, 0, 3 * 60)], absences=[])
    assert available_for(person, night) is False


def test_an_absence_across_new_year_keeps_out_of_both_years(make_user, centre, place, make_shift, today):
    new_year = date(today.year + 2, 1, 1)  # always ahead, with its December days
    person = volunteer(make_user, centre, "Silvester")
    save_availability(
        user=person, windows=[], absences=[DaysAway(new_year - timedelta(days=2), new_year + timedelta(days=1))]
    )
    db.session.commit()
    inside = [
        make_shift(place, starts=at(new_year - timedelta(days=2), 10)),
        make_shift(place, starts=at(new_year - timedelta(days=1), 23)),  # New Year's Eve into the new year
        make_shift(place, starts=at(new_year + timedelta(days=1), 16)),
        make_shift(place, starts=at(new_year - timedelta(days=3), 22), hours=4),  # into the first day away
    ]
    outside = [
        make_shift(place, starts=at(new_year - timedelta(days=3), 16)),
        make_shift(place, starts=at(new_year + timedelta(days=2), 10)),
    ]
    assert [is_absent(person.id, new_year + timedelta(days=d)) for d in (-3, -2, 0, 1, 2)] == [
        False,
        True,
        True,
        True,
        False,
    ]
    assert [bool(candidates(shift)) for shift in inside] == [False] * 4
    assert [[c.volunteer.id for c in candidates(shift)] for shift in outside] == [[person.id]] * 2
