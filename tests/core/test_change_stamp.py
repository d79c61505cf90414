"""The change stamp of a centre moves with every write that changes what the centre shows, through
the services as people use them, including their bulk UPDATE and DELETE statements, and the other
centre's stamp stays where it was."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.helpers import statements_of
from volunteers.accounts.services import (
    join_centre,
    set_centre_role,
    start_login_session,
    update_profile,
    user_for_login_session,
)
from volunteers.activities.services import add_centre_activity
from volunteers.centres.models import CentreStamp
from volunteers.centres.services import create_meeting_point, update_meeting_point
from volunteers.centres.stamp import current_stamps, stamp_of, touch_centres, touched_in_transaction
from volunteers.core import time
from volunteers.extensions import db
from volunteers.grants.services import GrantValues, set_grant
from volunteers.hours.models import HoursEntry
from volunteers.hours.periods import close_period, create_period
from volunteers.hours.services import HoursInput, approve, log_hours
from volunteers.privacy.services import delete_account
from volunteers.shifts.models import Shift
from volunteers.shifts.planning import ShiftValues, cancel_shift, create_shift
from volunteers.shifts.series import add_exception, create_series, update_series_from
from volunteers.shifts.signups import cancel_signup, record_attendance, sign_up


class Side:
    """One centre with a meeting point, a published shift tomorrow, a volunteer and its staff."""

    def __init__(self, make_centre, make_meeting_point, make_user, make_shift):
        self.centre = make_centre()
        self.place = make_meeting_point(self.centre)
        self.shift = make_shift(self.place)
        self.volunteer = make_user("volunteer", self.centre)
        self.coordinator = make_user("coordinator", self.centre)
        self.lead = make_user("lead", self.centre)


@pytest.fixture
def ours(make_centre, make_meeting_point, make_user, make_shift):
    return Side(make_centre, make_meeting_point, make_user, make_shift)


@pytest.fixture
def theirs(make_centre, make_meeting_point, make_user, make_shift):
    return Side(make_centre, make_meeting_point, make_user, make_shift)


def _today():
    return time.to_berlin(time.now()).date()


def _series(side: Side):
    first = datetime.combine(_today() + timedelta(days=2), datetime.min.time()).replace(hour=10)
    values = ShiftValues(meeting_point=side.place, activity="sprachcafe", capacity_max=3)
    return create_series(
        centre=side.centre, values=values, first_start_local=first, duration_minutes=90, rule="FREQ=DAILY;COUNT=5"
    )


def _approved_hours(side: Side, minutes: int = 90):
    values = HoursInput(work_date=_today(), minutes=minutes, activity="sprachcafe", meeting_point=side.place)
    entry, _ = log_hours(centre=side.centre, person=side.volunteer, values=values)
    return approve(entry=entry, by=side.coordinator)


def _new_shift(side: Side):
    starts = side.shift.starts_at + timedelta(days=3)
    values = ShiftValues(meeting_point=side.place, activity="sport-verein", capacity_max=2)
    return create_shift(centre=side.centre, values=values, starts_at=starts, ends_at=starts + timedelta(hours=2))


def _rename(side: Side):
    person = side.volunteer
    update_profile(user=person, name="Neuer Name", phone="", shares_phone=False, languages=[], locale=None)


def _shifts_of(series) -> list[Shift]:
    return list(db.session.scalars(sa.select(Shift).where(Shift.series_id == series.id).order_by(Shift.starts_at)))


def _split_series(side: Side):
    series = _series(side)
    db.session.commit()
    later = _shifts_of(series)[2]
    values = ShiftValues(meeting_point=side.place, activity="sport-verein", capacity_max=4)
    update_series_from(shift=later, values=values, start_time=datetime.min.time().replace(hour=11), duration_minutes=60)


def _skip_a_day(side: Side):
    series = _series(side)
    db.session.commit()
    add_exception(series=series, day=_shifts_of(series)[1].occurrence_date)  # a bulk DELETE


def _attendance(side: Side):
    signup = sign_up(shift=side.shift, volunteer=side.volunteer)
    db.session.commit()
    with time.travel(side.shift.starts_at + timedelta(minutes=30)):
        record_attendance(shift=side.shift, marks={signup.id: "attended"}, participants_count=12)


def _cancel_signup(side: Side):
    signup = sign_up(shift=side.shift, volunteer=side.volunteer)
    db.session.commit()
    cancel_signup(signup=signup)


def _period(side: Side):
    return create_period(
        centre=side.centre,
        label="Vorjahr",
        starts_on=_today().replace(year=_today().year - 5, month=1, day=1),
        ends_on=_today().replace(year=_today().year - 5, month=12, day=31),
    )


def _close_period(side: Side):
    period = _period(side)
    db.session.commit()
    close_period(period=period, by=side.lead)


def _grant(side: Side):
    values = GrantValues(amount_eur=Decimal("1000"), valuation_rate_eur=Decimal("15"))
    set_grant(centre=side.centre, year=_today().year, values=values, by=side.lead)


def _new_member(side: Side, make_user, make_centre):
    person = make_user("volunteer", make_centre())
    join_centre(user=person, centre=side.centre)


def _leaves(side: Side):
    set_centre_role(user=side.volunteer, centre=side.centre, role=None)


def _account_deleted(side: Side):
    sign_up(shift=side.shift, volunteer=side.volunteer)
    _approved_hours(side)
    db.session.commit()
    delete_account(user=side.volunteer)


CHANGES = {
    "shift created": _new_shift,
    "shift cancelled": lambda side: cancel_shift(shift=side.shift, reason="Krank"),
    "shift edited in place": lambda side: setattr(side.shift, "notes", "Bitte Ausweis mitbringen"),
    "series created": _series,
    "series split (bulk UPDATE of its shifts)": _split_series,
    "series skips a day (bulk DELETE of sign-ups)": _skip_a_day,
    "sign-up (bulk UPDATE of the counter)": lambda side: sign_up(shift=side.shift, volunteer=side.volunteer),
    "sign-up cancelled": _cancel_signup,
    "attendance recorded": _attendance,
    "meeting point created": lambda side: create_meeting_point(
        centre=side.centre, name="Neu", municipality="Siegen", street="Weg 1", postcode="57072", city="Siegen"
    ),
    "meeting point renamed": lambda side: update_meeting_point(meeting_point=side.place, name="Café am Markt"),
    "activity added": lambda side: add_centre_activity(centre=side.centre, name="Nähcafé", baustein="B"),
    "hours logged and approved": _approved_hours,
    "report period created": _period,
    "report period closed": _close_period,
    "grant entered": _grant,
    "volunteer renamed": _rename,
    "volunteer leaves": _leaves,
    "account deleted (bulk UPDATE and DELETE of personal rows)": _account_deleted,
    "centre renamed": lambda side: setattr(side.centre, "name", "KI Neustadt"),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_each_kind_of_write_moves_its_centres_stamp_only(ours, theirs, change):
    before = current_stamps([ours.centre.id, theirs.centre.id])
    change(ours)
    db.session.commit()
    after = current_stamps([ours.centre.id, theirs.centre.id])
    assert after[ours.centre.id] > before[ours.centre.id]
    assert after[theirs.centre.id] == before[theirs.centre.id]


def test_a_new_member_moves_the_centre_they_join(ours, theirs, make_user, make_centre):
    before = current_stamps([ours.centre.id, theirs.centre.id])
    _new_member(ours, make_user, make_centre)
    db.session.commit()
    after = current_stamps([ours.centre.id, theirs.centre.id])
    assert after[ours.centre.id] > before[ours.centre.id] and after[theirs.centre.id] == before[theirs.centre.id]


def test_a_rename_moves_every_centre_the_person_belongs_to(ours, theirs, make_centre):
    join_centre(user=ours.volunteer, centre=theirs.centre)
    db.session.commit()
    bystander = make_centre()
    before = current_stamps([ours.centre.id, theirs.centre.id, bystander.id])
    _rename(ours)
    db.session.commit()
    after = current_stamps([ours.centre.id, theirs.centre.id, bystander.id])
    assert after[ours.centre.id] > before[ours.centre.id] and after[theirs.centre.id] > before[theirs.centre.id]
    assert after[bystander.id] == before[bystander.id]


def test_what_no_centre_shows_moves_nothing(ours):
    """A login or a changed reminder setting must not empty every kept figure of the person's centres."""
    before = stamp_of(ours.centre.id)
    ours.volunteer.last_login_at = time.now()
    ours.volunteer.reminder_minutes = [60]
    db.session.commit()
    assert stamp_of(ours.centre.id) == before


@pytest.mark.parametrize(
    "statement",
    [
        lambda side: sa.update(Shift).where(Shift.id == side.shift.id).values(notes="neu"),
        lambda side: sa.update(Shift).where(Shift.meeting_point_id == side.place.id).values(notes="neu"),
        lambda side: sa.delete(HoursEntry).where(HoursEntry.user_id == side.volunteer.id),
    ],
    ids=["update of a shift by id", "update by another column", "delete"],
)
def test_a_bulk_statement_moves_the_centres_of_the_rows_it_matches(ours, theirs, statement):
    """Not a list of known bulk writes: any UPDATE or DELETE on a watched table through the session."""
    _approved_hours(ours)
    _approved_hours(theirs)
    db.session.commit()
    ids, bulk = (ours.centre.id, theirs.centre.id), statement(ours)
    db.session.expunge_all()  # the shortcut for a shift in the session is not taken
    before = current_stamps(ids)
    db.session.execute(bulk)
    db.session.commit()
    after = current_stamps(ids)
    assert after[ids[0]] > before[ids[0]] and after[ids[1]] == before[ids[1]]


def test_the_stamp_moves_at_the_commit_and_not_on_a_rollback(ours):
    before = stamp_of(ours.centre.id)
    ours.shift.notes = "geändert"
    db.session.flush()
    assert touched_in_transaction() == {ours.centre.id}
    db.session.rollback()
    assert touched_in_transaction() == set()
    assert stamp_of(ours.centre.id) == before
    touch_centres(db.session(), [ours.centre.id])  # a write the listener cannot see says so itself
    db.session.commit()
    assert stamp_of(ours.centre.id) == before + 1 and touched_in_transaction() == set()


def test_a_commit_that_wrote_nothing_runs_no_statement_for_the_stamps(ours):
    seen = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    db.session.scalar(sa.select(Shift.id))  # a reading transaction
    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        db.session.commit()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert seen == []


def test_a_centre_without_a_row_gets_one_at_its_first_change(ours):
    db.session.execute(sa.text("DELETE FROM centre_stamps"))
    db.session.commit()
    assert stamp_of(ours.centre.id) == 0
    ours.shift.notes = "geändert"
    db.session.commit()
    assert db.session.scalar(sa.select(CentreStamp.stamp).where(CentreStamp.centre_id == ours.centre.id)) > 0


def test_the_signed_in_person_s_load_brings_their_centres_stamps_until_the_commit(ours, theirs, make_user):
    person = make_user("volunteer", ours.centre)
    join_centre(user=person, centre=theirs.centre)
    token = start_login_session(user=person)
    db.session.commit()
    ids, shift_id = [ours.centre.id, theirs.centre.id], ours.shift.id
    db.session.expunge_all()  # as a request begins: nothing loaded
    signed_in = user_for_login_session(token, record_use=False)
    expected = {i: db.session.scalar(sa.select(CentreStamp.stamp).where(CentreStamp.centre_id == i)) for i in ids}
    # The person's centres come with the person; another centre is read as before.
    assert statements_of(lambda: current_stamps(ids)) == []
    assert current_stamps(ids) == expected and {m.centre_id for m in signed_in.memberships} == set(ids)
    assert len(statements_of(lambda: current_stamps([*ids, sum(ids)]))) == 1
    db.session.get(Shift, shift_id).notes = "geändert"
    db.session.commit()  # the stamps moved: what the load brought is over with its transaction
    assert current_stamps(ids) == {**expected, ids[0]: expected[ids[0]] + 1}
