"""Logging, reviewing and correcting hours, as services against the real database."""

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import clock_frozen_at
from volunteers.audit.models import AuditEvent
from volunteers.core import time
from volunteers.core.errors import DomainError
from volunteers.extensions import db
from volunteers.hours.models import APPROVED, REJECTED, STAFF_HOURS, SUBMITTED, HoursEntry
from volunteers.hours.periods import PeriodError, close_period, create_period
from volunteers.hours.proposals import check_in_or_out, open_proposals
from volunteers.hours.services import (
    HoursError,
    HoursInput,
    approve,
    approve_many,
    book_correction,
    edit_entry,
    log_hours,
    reject,
)
from volunteers.shifts.signups import record_attendance, sign_up

NOW = time.berlin_local(datetime(2026, 11, 20, 18, 0))
TODAY = date(2026, 11, 20)


frozen_clock = clock_frozen_at(NOW)


@pytest.fixture
def people(make_centre, make_meeting_point, make_user):
    centre = make_centre("duisburg")
    return {
        "centre": centre,
        "place": make_meeting_point(centre, default_baustein="A"),
        "volunteer": make_user("volunteer", centre, name="Dawit Tesfaye"),
        "coordinator": make_user("coordinator", centre),
        "lead": make_user("lead", centre),
    }


def entry_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(HoursEntry))


def manual(**changes) -> HoursInput:
    return HoursInput(
        **{
            "work_date": TODAY - timedelta(days=1),
            "minutes": 90,
            "activity": "behoerdenbegleitung",
            "note": "Begleitung zum Jobcenter",
            **changes,
        }
    )


def test_manual_entry_is_submitted_with_its_baustein_and_audited(people):
    entry, created = log_hours(centre=people["centre"], person=people["volunteer"], values=manual())
    assert created and entry.status == SUBMITTED and entry.baustein == "B"
    event = db.session.scalar(sa.select(AuditEvent))
    assert (event.action, event.after["minutes"], event.actor_id) == ("created", 90, people["volunteer"].id)


def test_same_client_id_is_stored_once(people):
    values = manual(client_id="0d3c5a8e-4a8f-4a43-9d5e-1c1a2f7b9e10")
    first, created = log_hours(centre=people["centre"], person=people["volunteer"], values=values)
    again, created_again = log_hours(centre=people["centre"], person=people["volunteer"], values=values)
    assert created and not created_again and again.id == first.id
    assert entry_count() == 1


@pytest.mark.parametrize(
    "changes, code",
    [
        ({"minutes": 0}, "invalid_minutes"),
        ({"minutes": -30}, "invalid_minutes"),
        ({"minutes": 24 * 60 + 1}, "day_over_24h"),
        ({"work_date": TODAY + timedelta(days=1)}, "future_date"),
        ({"activity": "gibt-es-nicht"}, "invalid_activity"),
    ],
)
def test_bad_entries_are_refused(people, changes, code):
    with pytest.raises(DomainError) as error:
        log_hours(centre=people["centre"], person=people["volunteer"], values=manual(**changes))
    assert error.value.code == code
    db.session.rollback()
    assert entry_count() == 0


def test_more_than_24_hours_in_one_day_across_entries(people):
    log_hours(centre=people["centre"], person=people["volunteer"], values=manual(minutes=20 * 60))
    with pytest.raises(HoursError) as error:
        log_hours(centre=people["centre"], person=people["volunteer"], values=manual(minutes=5 * 60))
    assert error.value.code == "day_over_24h"


def test_entries_for_a_foreign_centre_are_refused(people, make_centre, make_meeting_point):
    other = make_centre()
    with pytest.raises(HoursError) as error:
        log_hours(centre=other, person=people["volunteer"], values=manual())
    assert error.value.code == "not_member"
    with pytest.raises(HoursError) as error:
        log_hours(
            centre=people["centre"], person=people["volunteer"], values=manual(meeting_point=make_meeting_point(other))
        )
    assert error.value.code == "invalid_meeting_point"


def test_hours_for_a_shift_need_attendance(people, make_shift):
    with time.freeze(NOW - timedelta(days=3)):
        shift = make_shift(people["place"], starts=time.berlin_local(datetime(2026, 11, 19, 15)), hours=3)
        signup = sign_up(shift=shift, volunteer=people["volunteer"])
    values = manual(work_date=date(2026, 11, 19), minutes=180, activity="sprachcafe", shift=shift)
    record_attendance(shift=shift, marks={signup.id: "no_show"}, participants_count=5)
    with pytest.raises(HoursError) as error:
        log_hours(centre=people["centre"], person=people["volunteer"], values=values)
    assert error.value.code == "not_attended"
    record_attendance(shift=shift, marks={signup.id: "attended"}, participants_count=5)
    entry, _ = log_hours(centre=people["centre"], person=people["volunteer"], values=values)
    assert entry.baustein == shift.baustein
    with pytest.raises(HoursError) as error:
        log_hours(centre=people["centre"], person=people["volunteer"], values=values)
    assert error.value.code == "already_logged"


def test_proposal_from_check_in_and_out(people, make_shift):
    with time.freeze(NOW - timedelta(days=3)):
        shift = make_shift(people["place"], starts=time.berlin_local(datetime(2026, 11, 20, 14)), hours=3)
        sign_up(shift=shift, volunteer=people["volunteer"])
    code = people["place"].checkin_code
    with time.freeze(time.berlin_local(datetime(2026, 11, 20, 13, 52))):
        assert check_in_or_out(code=code, user=people["volunteer"])[1] == "in"
    with time.freeze(time.berlin_local(datetime(2026, 11, 20, 17, 31))):
        assert check_in_or_out(code=code, user=people["volunteer"])[1] == "out"
    [proposal] = open_proposals(people["volunteer"])
    assert (proposal.shift.id, proposal.minutes, proposal.from_check_in) == (shift.id, 220, True)


def test_review_approve_reject_and_no_self_approval(people):
    volunteer, coordinator = people["volunteer"], people["coordinator"]
    first, _ = log_hours(centre=people["centre"], person=volunteer, values=manual())
    second, _ = log_hours(centre=people["centre"], person=volunteer, values=manual(work_date=TODAY - timedelta(days=2)))
    with pytest.raises(HoursError):
        reject(entry=second, by=coordinator, reason=" ")
    reject(entry=second, by=coordinator, reason="Doppelt eingetragen")
    approve(entry=first, by=coordinator)
    assert (first.status, second.status) == (APPROVED, REJECTED)
    staff, _ = log_hours(centre=people["centre"], person=coordinator, values=manual(), kind=STAFF_HOURS)
    assert staff.status == APPROVED
    own, _ = log_hours(centre=people["centre"], person=coordinator, values=manual(work_date=TODAY - timedelta(days=3)))
    with pytest.raises(HoursError) as error:
        approve(entry=own, by=coordinator)
    assert error.value.code == "own_entry"
    assert approve_many(entries=[own, first], by=people["lead"]) == 1


def test_edit_needs_a_reason_and_is_audited(people):
    entry, _ = log_hours(centre=people["centre"], person=people["volunteer"], values=manual())
    with pytest.raises(HoursError):
        edit_entry(entry=entry, values=manual(minutes=60), by=people["coordinator"], reason="")
    edit_entry(entry=entry, values=manual(minutes=60), by=people["coordinator"], reason="Laut Anwesenheitsliste 1 h")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "updated"))
    assert (event.before["minutes"], event.after["minutes"], event.reason) == (90, 60, "Laut Anwesenheitsliste 1 h")


def test_closed_period_is_frozen_and_corrections_go_to_the_open_period(people):
    volunteer, coordinator, lead = people["volunteer"], people["coordinator"], people["lead"]
    with time.freeze(time.berlin_local(datetime(2026, 10, 15, 12))):
        entry, _ = log_hours(centre=people["centre"], person=volunteer, values=manual(work_date=date(2026, 10, 14)))
    period = create_period(
        centre=people["centre"], label="Oktober 2026", starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31)
    )
    with pytest.raises(PeriodError) as error:
        close_period(period=period, by=lead)
    assert error.value.code == "entries_pending"
    approve(entry=entry, by=coordinator)
    close_period(period=period, by=lead)
    for action in (
        lambda: log_hours(centre=people["centre"], person=volunteer, values=manual(work_date=date(2026, 10, 20))),
        lambda: edit_entry(
            entry=entry, values=manual(work_date=date(2026, 10, 14), minutes=30), by=coordinator, reason="x"
        ),
    ):
        with pytest.raises(PeriodError):
            action()
    correction = book_correction(original=entry, minutes=-30, by=coordinator, reason="Nur 1 h laut Liste")
    assert (correction.work_date, correction.minutes, correction.corrects_id, correction.status) == (
        TODAY,
        -30,
        entry.id,
        APPROVED,
    )
    with pytest.raises(HoursError) as error:
        book_correction(original=entry, minutes=-61, by=coordinator, reason="zu viel")
    assert error.value.code == "correction_too_large"
    with pytest.raises(PeriodError):
        create_period(
            centre=people["centre"], label="Überlappend", starts_on=date(2026, 10, 30), ends_on=date(2026, 11, 5)
        )


def test_corrections_only_for_approved_entries_of_closed_periods(people):
    volunteer, coordinator = people["volunteer"], people["coordinator"]
    entry, _ = log_hours(centre=people["centre"], person=volunteer, values=manual())
    with pytest.raises(HoursError) as error:
        book_correction(original=entry, minutes=-10, by=coordinator, reason="x")
    assert error.value.code == "not_correctable"  # still submitted
    approve(entry=entry, by=coordinator)
    with pytest.raises(HoursError) as error:
        book_correction(original=entry, minutes=-10, by=coordinator, reason="x")
    assert error.value.code == "period_open"


def test_staff_hours_count_for_baustein_d_and_closing_is_audited(people):
    staff, _ = log_hours(
        centre=people["centre"], person=people["coordinator"], kind=STAFF_HOURS, values=manual(activity="sonstiges")
    )
    assert staff.baustein == "D"
    period = create_period(
        centre=people["centre"], label="Q3", starts_on=date(2026, 7, 1), ends_on=date(2026, 9, 30), by=people["lead"]
    )
    close_period(period=period, by=people["lead"])
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.entity == "report_period")).all()
    assert sorted(actions) == ["closed", "created"]


# --- limits on what is logged -----------------------------------------------------------------


def refused_code(action) -> str:
    with pytest.raises(DomainError) as error:
        action()
    db.session.rollback()
    return error.value.code


@pytest.mark.parametrize(
    "days_back, max_days_back, code",
    [(90, 90, None), (91, 90, "too_old"), (10, 10, None), (11, 10, "too_old"), (0, 0, None)],
)
def test_hours_go_back_at_most_the_configured_days(app, people, days_back, max_days_back, code):
    app.config["HOURS_MAX_DAYS_BACK"] = max_days_back
    values = manual(work_date=TODAY - timedelta(days=days_back))

    def action():
        return log_hours(centre=people["centre"], person=people["volunteer"], values=values)

    if code is None:
        assert action()[1]
    else:
        assert refused_code(action) == code
        assert entry_count() == 0


def test_hours_are_not_dated_before_the_oldest_open_period(people):
    centre, volunteer, lead = people["centre"], people["volunteer"], people["lead"]
    september = create_period(centre=centre, label="September", starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 30))
    close_period(period=september, by=lead)
    create_period(centre=centre, label="November", starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30))
    db.session.commit()  # a refusal rolls back

    def log(day):
        return lambda: log_hours(centre=centre, person=volunteer, values=manual(work_date=day))

    assert refused_code(log(date(2026, 9, 30))) == "period_closed"
    assert refused_code(log(date(2026, 10, 31))) == "before_open_period"  # in no period, but before the open one
    assert log(date(2026, 11, 1))()[1]
    create_period(centre=centre, label="Oktober", starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31))
    assert log(date(2026, 10, 31))()[1]  # now October is the oldest open period


def test_without_an_open_period_hours_start_after_the_last_closed_one(people):
    october = create_period(
        centre=people["centre"], label="Oktober", starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31)
    )
    close_period(period=october, by=people["lead"])
    with pytest.raises(HoursError) as error:
        log_hours(centre=people["centre"], person=people["volunteer"], values=manual(work_date=date(2026, 9, 30)))
    assert error.value.code == "before_open_period" and "01.11.2026" in error.value.message


def test_a_note_holds_at_most_500_characters(people):
    volunteer = people["volunteer"]
    assert log_hours(centre=people["centre"], person=volunteer, values=manual(note="x" * 500))[1]
    with pytest.raises(HoursError) as error:
        log_hours(
            centre=people["centre"], person=volunteer, values=manual(note="y" * 501, work_date=TODAY - timedelta(2))
        )
    assert (error.value.code, error.value.field) == ("note_too_long", "note")


@pytest.mark.parametrize(
    "who, hint, not_said", [("volunteer", "Koordination", "Korrektur"), ("coordinator", "Korrektur", "Koordination")]
)
def test_a_closed_month_tells_each_reader_what_they_can_do(people, who, hint, not_said):
    october = create_period(
        centre=people["centre"], label="Oktober 2026", starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31)
    )
    close_period(period=october, by=people["lead"])
    kind = STAFF_HOURS if who == "coordinator" else "volunteer"
    with pytest.raises(DomainError) as error:
        log_hours(centre=people["centre"], person=people[who], kind=kind, values=manual(work_date=date(2026, 10, 20)))
    assert error.value.code == "period_closed" and "Oktober 2026" in error.value.message
    assert hint in error.value.message and not_said not in error.value.message


# --- who may do what ------------------------------------------------------------------------------


def test_rejected_shift_hours_are_neither_proposed_again_nor_taken_again(people, make_shift):
    with time.freeze(NOW - timedelta(days=3)):
        shift = make_shift(people["place"], starts=time.berlin_local(datetime(2026, 11, 19, 15)), hours=3)
        sign_up(shift=shift, volunteer=people["volunteer"])
    [proposal] = open_proposals(people["volunteer"])
    values = manual(work_date=date(2026, 11, 19), minutes=180, activity="sprachcafe", shift=proposal.shift)
    entry, _ = log_hours(centre=people["centre"], person=people["volunteer"], values=values)
    reject(entry=entry, by=people["coordinator"], reason="Schicht fiel aus")
    assert open_proposals(people["volunteer"]) == []
    with pytest.raises(HoursError) as error:
        log_hours(centre=people["centre"], person=people["volunteer"], values=values)
    assert error.value.code == "rejected_before" and "Koordination" in error.value.message


def test_no_proposal_for_a_shift_in_a_closed_period(people, make_shift):
    with time.freeze(time.berlin_local(datetime(2026, 10, 20, 12))):
        shift = make_shift(people["place"], starts=time.berlin_local(datetime(2026, 10, 25, 15)))
        sign_up(shift=shift, volunteer=people["volunteer"])
    october = create_period(
        centre=people["centre"], label="Oktober", starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31)
    )
    assert len(open_proposals(people["volunteer"])) == 1
    close_period(period=october, by=people["lead"])
    assert open_proposals(people["volunteer"]) == []


def test_own_volunteer_hours_are_changed_by_someone_else(people):
    coordinator = people["coordinator"]
    own, _ = log_hours(centre=people["centre"], person=coordinator, values=manual())
    with pytest.raises(HoursError) as error:
        edit_entry(entry=own, values=manual(minutes=60), by=coordinator, reason="verzählt")
    assert error.value.code == "own_entry"
    assert edit_entry(entry=own, values=manual(minutes=60), by=people["lead"], reason="verzählt").minutes == 60
    staff, _ = log_hours(
        centre=people["centre"], person=coordinator, kind=STAFF_HOURS, values=manual(work_date=TODAY - timedelta(3))
    )
    assert edit_entry(
        entry=staff, values=manual(work_date=TODAY - timedelta(3), minutes=30), by=coordinator, reason="x"
    )


@pytest.mark.parametrize("who, code", [("coordinator", "not_lead"), ("volunteer", "not_lead")])
def test_only_the_lead_closes_a_period(people, who, code):
    period = create_period(centre=people["centre"], label="Q3", starts_on=date(2026, 7, 1), ends_on=date(2026, 9, 30))
    with pytest.raises(DomainError) as error:
        close_period(period=period, by=people[who])
    assert (error.value.code, error.value.status) == (code, 403)


def test_another_centres_coordinator_reviews_nothing(people, make_centre, make_user):
    entry, _ = log_hours(centre=people["centre"], person=people["volunteer"], values=manual())
    stranger = make_user("coordinator", make_centre())
    with pytest.raises(DomainError) as error:
        approve(entry=entry, by=stranger)
    assert (error.value.code, error.value.status) == ("not_staff", 403)
