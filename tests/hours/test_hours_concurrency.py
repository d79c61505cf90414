"""Hours written at the same moment, served by several gunicorn worker processes on the test's own
database (SQLite file or PostgreSQL): closing a month while hours are logged into it, and two
approvals of one entry."""

import uuid
from collections import Counter
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from babel.dates import format_date

from tests.servers import Browser, Request, all_at_once, gunicorn, together
from volunteers.accounts.services import issue_api_token
from volunteers.audit.models import AuditEvent
from volunteers.extensions import db
from volunteers.hours.models import APPROVED, STAFF_HOURS, HoursEntry, ReportPeriod
from volunteers.hours.periods import create_period
from volunteers.hours.services import ENTITY, HoursInput, log_hours

STAFF, ENTRIES, APPROVALS = 5, 50, 6


@pytest.fixture
def server(app, tmp_path, monkeypatch):
    # The month before last may lie more than HOURS_MAX_DAYS_BACK (90) days back on the last day of a
    # month; this test is about closing, not about that limit.
    monkeypatch.setenv("HOURS_MAX_DAYS_BACK", "400")
    with gunicorn(app, tmp_path) as port:
        yield port


@pytest.fixture
def month(today) -> tuple[date, date, str]:
    """The month before last: over, whatever the test's day, with its German name."""
    first = (today.replace(day=1) - timedelta(days=32)).replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last, format_date(first, "MMMM yyyy", locale="de")


def fresh(query):
    """Read what the server committed, in a transaction of its own."""
    db.session.rollback()
    try:
        return db.session.execute(query).all()
    finally:
        db.session.rollback()


@pytest.fixture
def month_open_for_closing(make_centre, make_user, month):
    """A centre with its lead, coordinators, and the month before last as an open report period."""
    first, last, label = month
    centre = make_centre()
    lead = make_user("lead", centre)
    staff = [make_user("coordinator", centre) for _ in range(STAFF)]
    period = create_period(centre=centre, label=label, starts_on=first, ends_on=last, by=lead)
    db.session.commit()  # nothing of the test's may hold the database while the server writes
    return centre, lead, staff, period.id


def staff_hours_form(browser: Browser, slug: str, day: date) -> Request:
    data = {"work_date": day.isoformat(), "minutes": "1:00", "activity": "sonstiges", "meeting_point": ""}
    return browser.form("POST", f"/centres/{slug}/staff-hours", {**data, "client_id": str(uuid.uuid4())})


@pytest.mark.server
def test_hours_logged_while_the_lead_closes_the_month_are_frozen_or_refused(server, month_open_for_closing, month):
    centre, lead, staff, period_id = month_open_for_closing
    first, last, label = month
    browsers = [Browser(server, person.email) for person in staff]
    logging = [
        staff_hours_form(browsers[n % STAFF], centre.slug, first + timedelta(days=n // STAFF)) for n in range(ENTRIES)
    ]
    closing = Browser(server, lead.email).form("POST", f"/centres/{centre.slug}/periods/{period_id}/close", {})
    answers = together(server, logging[: ENTRIES // 2] + [closing] + logging[ENTRIES // 2 :])

    closed = answers.pop(ENTRIES // 2)
    assert closed.status == 302, closed.text[:500]
    [(status, frozen)] = fresh(
        sa.select(ReportPeriod.status, ReportPeriod.frozen_figures).where(ReportPeriod.id == period_id)
    )
    assert status == "closed"
    outcome = Counter(answer.status for answer in answers)
    assert set(outcome) <= {302, 422}, [a.text[:300] for a in answers if a.status not in (302, 422)]
    assert all(f"Der Zeitraum „{label}“ ist abgeschlossen." in a.text for a in answers if a.status == 422)
    [(count, minutes)] = fresh(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(HoursEntry.minutes), 0)).where(
            HoursEntry.centre_id == centre.id, HoursEntry.kind == STAFF_HOURS, HoursEntry.work_date.between(first, last)
        )
    )
    assert count == outcome[302] and minutes == 60 * outcome[302]  # refused: nothing stored
    assert frozen["staff_minutes"] == minutes  # stored: in the frozen figures, none lost


@pytest.fixture
def waiting(make_centre, make_user, clock):
    """Entries waiting for approval, and two coordinators of their centre with tokens."""
    centre = make_centre()
    volunteer = make_user("volunteer", centre)
    coordinators = [make_user("coordinator", centre) for _ in range(2)]
    today = clock.date()
    entries = [
        log_hours(
            centre=centre,
            person=volunteer,
            values=HoursInput(work_date=today - timedelta(days=n + 1), minutes=60, activity="sprachcafe"),
        )[0]
        for n in range(APPROVALS)
    ]
    tokens = [issue_api_token(user=person) for person in coordinators]
    db.session.commit()
    return [entry.id for entry in entries], tokens


@pytest.mark.server
def test_two_approvals_of_one_entry_at_once_approve_it_once(server, waiting):
    ids, tokens = waiting
    answers = all_at_once(server, [("POST", f"/api/v1/hours/{n}/approve", token) for n in ids for token in tokens])
    for entry_id, pair in zip(ids, zip(answers[::2], answers[1::2], strict=True), strict=True):
        results = sorted((status, body.get("status") or body["error"]["code"]) for status, body in pair)
        assert results == [(200, APPROVED), (422, "not_submitted")], (entry_id, pair)
    approvals = fresh(
        sa.select(AuditEvent.entity_id, sa.func.count())
        .where(AuditEvent.entity == ENTITY, AuditEvent.action == "approved", AuditEvent.entity_id.in_(ids))
        .group_by(AuditEvent.entity_id)
    )
    assert dict(approvals) == dict.fromkeys(ids, 1)
