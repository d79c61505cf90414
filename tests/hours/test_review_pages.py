"""The coordinators' and centre leads' hours pages, through HTTP as a browser would use them:
review queue, decisions, edits, report periods, corrections, staff hours, audit trail, poster."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests import helpers
from tests.helpers import clock_frozen_at, post_form
from volunteers.audit.models import AuditEvent
from volunteers.core import time
from volunteers.extensions import db
from volunteers.hours.models import HoursEntry, ReportPeriod
from volunteers.hours.periods import create_period
from volunteers.hours.services import HoursInput, approve, log_hours

NOW = time.berlin_local(datetime(2026, 11, 20, 10, 0))  # a Friday
TODAY = date(2026, 11, 20)


frozen_clock = clock_frozen_at(NOW)


@pytest.fixture
def people(make_centre, make_meeting_point, make_user):
    centre = make_centre("kreuztal")
    return SimpleNamespace(
        centre=centre,
        slug=centre.slug,
        place=make_meeting_point(centre, name="Bürgerhaus Kreuztal"),
        other_place=make_meeting_point(centre, name="Jugendzentrum Ferndorf"),
        amina=make_user("volunteer", centre, name="Amina Haddad"),
        jonas=make_user("volunteer", centre, name="Jonas Becker"),
        coordinator=make_user("coordinator", centre, name="Clara Koordination"),
        lead=make_user("lead", centre, name="Lars Leitung"),
    )


def log(centre, person, **changes) -> HoursEntry:
    values = {"work_date": TODAY - timedelta(days=2), "minutes": 90, "activity": "sprachcafe", **changes}
    entry, _created = log_hours(centre=centre, person=person, values=HoursInput(**values))
    db.session.commit()
    return entry


def table_body(response) -> str:
    page = response.get_data(as_text=True)
    return page[page.index("<tbody>") : page.index("</tbody>")]


def reload(entry) -> HoursEntry:
    db.session.refresh(entry)
    return entry


# --- review queue ---------------------------------------------------------------------------


def test_queue_lists_waiting_entries_of_the_own_centre_only(client, login, people, make_centre, make_user):
    log(people.centre, people.amina, note="Begleitung zum Sprachcafé", meeting_point=people.place)
    approve(entry=log(people.centre, people.jonas), by=people.lead)
    foreign_centre = make_centre()
    log(foreign_centre, make_user("volunteer", foreign_centre, name="Olga Fremdzentrum"))
    db.session.commit()

    login(user=people.coordinator)
    response = client.get(f"/centres/{people.slug}/hours")
    assert response.status_code == 200
    page, rows = response.get_data(as_text=True), table_body(response)
    assert "Amina Haddad" in rows and "1:30 h" in rows and "Bürgerhaus Kreuztal" in rows
    assert "Begleitung zum Sprachcafé" in rows and "wartet auf Freigabe" in rows
    assert "Jonas Becker" not in rows  # approved: not in the default queue
    assert "Olga Fremdzentrum" not in page
    assert "1 Eintrag wartet auf Freigabe" in page and "zusammen 1:30 h" in page


@pytest.mark.parametrize(
    "query, shown, hidden",
    [
        ("meeting_point={other_place}", ["Jonas Becker"], ["Amina Haddad"]),
        ("activity=sprachcafe", ["Amina Haddad"], ["Jonas Becker"]),
        ("volunteer={jonas}", ["Jonas Becker"], ["Amina Haddad"]),
        ("month=2026-10", ["Jonas Becker"], ["Amina Haddad"]),
        ("month=2026-11", ["Amina Haddad"], ["Jonas Becker"]),
        ("status=approved", ["Lisa Freigegeben"], ["Amina Haddad", "Jonas Becker"]),
        ("status=all", ["Amina Haddad", "Jonas Becker", "Lisa Freigegeben"], []),
    ],
)
def test_queue_filters(client, login, people, make_user, query, shown, hidden):
    log(people.centre, people.amina, meeting_point=people.place)
    log(
        people.centre,
        people.jonas,
        work_date=date(2026, 10, 30),
        activity="dolmetschen",
        meeting_point=people.other_place,
    )
    approve(entry=log(people.centre, make_user("volunteer", people.centre, name="Lisa Freigegeben")), by=people.lead)
    db.session.commit()
    query = query.format(other_place=people.other_place.slug, jonas=people.jonas.id)
    login(user=people.coordinator)
    response = client.get(f"/centres/{people.slug}/hours?{query}")
    assert response.status_code == 200
    rows = table_body(response)
    assert all(name in rows for name in shown)
    assert not any(name in rows for name in hidden)


def test_bulk_approve_approves_only_the_selected_and_never_own_hours(client, login, people, make_centre, make_user):
    chosen = log(people.centre, people.amina)
    not_chosen = log(people.centre, people.jonas)
    own = log(people.centre, people.coordinator, activity="dolmetschen")  # a coordinator helping out
    foreign_centre = make_centre()
    foreign = log(foreign_centre, make_user("volunteer", foreign_centre))
    login(user=people.coordinator)
    page = client.get(f"/centres/{people.slug}/hours").get_data(as_text=True)
    assert f'name="entry_ids" value="{chosen.id}"' in page
    assert f'name="entry_ids" value="{own.id}"' not in page  # no checkbox for own hours

    response = post_form(
        client,
        f"/centres/{people.slug}/hours/approve",
        {"entry_ids": [chosen.id, own.id, foreign.id]},
        follow_redirects=True,
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "1 Eintrag freigegeben." in text
    assert "2 ausgewählte Einträge wurden nicht freigegeben" in text
    assert [reload(e).status for e in (chosen, not_chosen, own, foreign)] == [
        "approved",
        "submitted",
        "submitted",
        "submitted",
    ]
    assert reload(chosen).reviewed_by_id == people.coordinator.id


def test_approving_one_row_returns_to_the_filtered_queue(client, login, people):
    entry = log(people.centre, people.amina)
    back = f"/centres/{people.slug}/hours?activity=sprachcafe"
    login(user=people.coordinator)
    response = post_form(client, f"/centres/{people.slug}/hours/{entry.id}/approve", {"next": back})
    assert response.status_code == 302 and response.headers["Location"] == back
    assert reload(entry).status == "approved"


def test_own_hours_cannot_be_approved_by_oneself(client, login, people):
    own = log(people.centre, people.coordinator)
    login(user=people.coordinator)
    response = post_form(client, f"/centres/{people.slug}/hours/{own.id}/approve", follow_redirects=True)
    assert "Eigene Stunden können Sie nicht selbst freigeben." in response.get_data(as_text=True)
    assert reload(own).status == "submitted"


# --- one entry: reject, edit ------------------------------------------------------------------


def test_reject_needs_a_reason(client, login, people):
    entry = log(people.centre, people.amina)
    login(user=people.coordinator)
    url = f"/centres/{people.slug}/hours/{entry.id}/reject"
    response = post_form(client, url, {"reject-reason": "  "})
    assert response.status_code == 422
    assert "Bitte geben Sie einen Grund für die Ablehnung an." in response.get_data(as_text=True)
    assert reload(entry).status == "submitted"

    assert post_form(client, url, {"reject-reason": "Schicht fand nicht statt"}).status_code == 302
    assert (reload(entry).status, entry.review_reason) == ("rejected", "Schicht fand nicht statt")


def test_edit_with_reason_changes_minutes_and_the_audit_trail_shows_it(app, client, login, people):
    entry = log(people.centre, people.amina, meeting_point=people.place, note="Sprachcafé")
    login(user=people.coordinator)
    form = client.get(f"/centres/{people.slug}/hours/{entry.id}/edit").get_data(as_text=True)
    assert 'value="1:30"' in form  # the stored duration, as hours:minutes
    response = post_form(
        client,
        f"/centres/{people.slug}/hours/{entry.id}/edit",
        {
            "work_date": entry.work_date.isoformat(),
            "minutes": "1:00",
            "activity": "sprachcafe",
            "meeting_point": people.place.id,
            "note": "Sprachcafé",
            "reason": "Pause abgezogen",
        },
    )
    assert response.status_code == 302
    assert reload(entry).minutes == 60 and entry.status == "submitted"

    detail = client.get(f"/centres/{people.slug}/hours/{entry.id}").get_data(as_text=True)
    assert "Dauer: 1:30 → 1:00" in detail and "Pause abgezogen" in detail
    lead = app.test_client()
    helpers.login(lead, people.lead)
    audit = lead.get(f"/centres/{people.slug}/audit")
    assert audit.status_code == 200
    text = audit.get_data(as_text=True)
    assert "Dauer: 1:30 → 1:00" in text and "Pause abgezogen" in text and "Clara Koordination" in text


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"minutes": "0"}, "Die Dauer muss größer als null sein."),
        ({"minutes": "-1:00"}, "Die Dauer muss größer als null sein."),
        ({"minutes": "24:30"}, "Mehr als 24 Stunden an einem Tag sind nicht möglich."),
        ({"minutes": "anderthalb"}, "Bitte die Dauer als Stunden:Minuten angeben, z. B. 1:30."),
        ({"minutes": "1:75"}, "Bitte die Dauer als Stunden:Minuten angeben, z. B. 1:30."),
        ({"work_date": "2026-11-21"}, "Das Datum liegt in der Zukunft."),
        ({"reason": ""}, "Bitte begründen Sie die Änderung."),
        ({"activity": "gibt-es-nicht"}, "Keine gültige Auswahl"),
    ],
)
def test_bad_edits_get_a_german_error_and_change_nothing(client, login, people, changes, message):
    entry = log(people.centre, people.amina)
    login(user=people.coordinator)
    response = post_form(
        client,
        f"/centres/{people.slug}/hours/{entry.id}/edit",
        {
            "work_date": entry.work_date.isoformat(),
            "minutes": "2:00",
            "activity": "sprachcafe",
            "meeting_point": "",
            "note": "",
            "reason": "Korrigiert nach Rücksprache",
            **changes,
        },
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert reload(entry).minutes == 90
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "updated")) == 0
    )


# --- who may see what -------------------------------------------------------------------------

PAGES = [
    "hours",
    "hours/{entry}",
    "hours/{entry}/edit",
    "staff-hours",
    "meeting-points/{place}/poster",
    "periods",
    "audit",
]
LEAD_ONLY = {"periods", "audit"}


@pytest.mark.parametrize("role", ["volunteer", "coordinator", "lead"])
def test_pages_by_role(client, login, people, role):
    entry = log(people.centre, people.amina)
    login(role, people.centre)
    for page in PAGES:
        status = client.get(f"/centres/{people.slug}/" + page.format(entry=entry.id, place=people.place.id)).status_code
        expected = 404 if role == "volunteer" or (role == "coordinator" and page in LEAD_ONLY) else 200
        assert status == expected, f"{role} {page}: {status}"


# --- report periods and corrections -----------------------------------------------------------


def test_closing_a_period_then_correcting_an_entry_in_it(app, client, login, people):
    entry = log(people.centre, people.amina, work_date=date(2026, 10, 15))
    login(user=people.lead)
    periods_url = f"/centres/{people.slug}/periods"
    assert (
        post_form(
            client, periods_url, {"label": "Oktober 2026", "starts_on": "2026-10-01", "ends_on": "2026-10-31"}
        ).status_code
        == 302
    )
    assert (
        post_form(
            client, periods_url, {"label": "November 2026", "starts_on": "2026-11-01", "ends_on": "2026-11-30"}
        ).status_code
        == 302
    )
    october, november = db.session.scalars(sa.select(ReportPeriod).order_by(ReportPeriod.starts_on)).all()

    response = post_form(client, f"{periods_url}/{october.id}/close", follow_redirects=True)
    assert "Es wartet noch 1 Eintrag auf Freigabe." in response.get_data(as_text=True)
    response = post_form(client, f"{periods_url}/{november.id}/close", follow_redirects=True)
    assert "Ein Zeitraum kann erst nach seinem letzten Tag abgeschlossen werden." in response.get_data(as_text=True)
    assert (reload(october).status, reload(november).status) == ("open", "open")

    coordinator = app.test_client()
    helpers.login(coordinator, people.coordinator)
    post_form(coordinator, f"/centres/{people.slug}/hours/{entry.id}/approve")
    response = post_form(client, f"{periods_url}/{october.id}/close", follow_redirects=True)
    assert "ist abgeschlossen" in response.get_data(as_text=True)
    assert (reload(october).status, october.closed_by_id) == ("closed", people.lead.id)

    # Frozen: an edit is refused at the date field ...
    response = post_form(
        coordinator,
        f"/centres/{people.slug}/hours/{entry.id}/edit",
        {
            "work_date": "2026-10-15",
            "minutes": "1:00",
            "activity": "sprachcafe",
            "meeting_point": "",
            "note": "",
            "reason": "Pause abgezogen",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count("Der Zeitraum „Oktober 2026“ ist abgeschlossen.") == 1 and 'name="reason"' not in page
    assert reload(entry).minutes == 90
    page = coordinator.get(f"/centres/{people.slug}/hours/{entry.id}/edit").get_data(as_text=True)
    assert page.count("ist abgeschlossen") == 1 and 'name="reason"' not in page  # no form to fill in in vain

    # ... and a correction without a reason too; with one it is booked today, in the open period.
    detail = coordinator.get(f"/centres/{people.slug}/hours/{entry.id}").get_data(as_text=True)
    assert "Korrektur buchen" in detail and "Bearbeiten" not in detail
    correct_url = f"/centres/{people.slug}/hours/{entry.id}/correct"
    response = post_form(coordinator, correct_url, {"correct-minutes": "-0:30", "correct-reason": ""})
    assert response.status_code == 422 and "Bitte begründen Sie die Korrektur." in response.get_data(as_text=True)
    assert (
        post_form(
            coordinator, correct_url, {"correct-minutes": "-0:30", "correct-reason": "Doppelt gezählt"}
        ).status_code
        == 302
    )
    correction = db.session.scalar(sa.select(HoursEntry).where(HoursEntry.corrects_id == entry.id))
    assert (correction.work_date, correction.minutes, correction.status) == (TODAY, -30, "approved")
    assert reload(entry).minutes == 90
    detail = coordinator.get(f"/centres/{people.slug}/hours/{entry.id}").get_data(as_text=True)
    assert "nach Korrekturen: 1:00 h" in detail and "Doppelt gezählt" in detail


@pytest.mark.parametrize(
    "minutes, message",
    [
        ("-2:00", "Die Korrektur würde mehr Zeit abziehen, als eingetragen war."),
        ("24:01", "Eine Korrektur kann höchstens 24 Stunden betragen."),
        ("0:00", "Eine Korrektur braucht eine Dauer ungleich null."),
    ],
)
def test_a_correction_out_of_bounds_is_refused_at_the_field(client, login, people, minutes, message):
    entry = log(people.centre, people.amina, work_date=date(2026, 10, 15))
    approve(entry=entry, by=people.lead)
    db.session.add(
        ReportPeriod(
            centre_id=people.centre.id,
            label="Oktober",
            starts_on=date(2026, 10, 1),
            ends_on=date(2026, 10, 31),
            status="closed",
        )
    )
    db.session.commit()
    login(user=people.coordinator)
    response = post_form(
        client,
        f"/centres/{people.slug}/hours/{entry.id}/correct",
        {"correct-minutes": minutes, "correct-reason": "Nicht da gewesen"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page[page.index('id="correct-minutes-error"') :]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HoursEntry)) == 1


def test_an_overlapping_period_is_refused(client, login, people):
    login(user=people.lead)
    assert "„Oktober 2026“ anlegen" in client.get(f"/centres/{people.slug}/periods").get_data(as_text=True)
    post_form(
        client, f"/centres/{people.slug}/periods", {"label": "2026", "starts_on": "2026-01-01", "ends_on": "2026-12-31"}
    )
    response = post_form(
        client,
        f"/centres/{people.slug}/periods",
        {"label": "Oktober", "starts_on": "2026-10-01", "ends_on": "2026-10-31"},
    )
    assert response.status_code == 422
    assert "Der Zeitraum überschneidet sich mit „2026“." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportPeriod)) == 1
    assert "„Oktober 2026“ anlegen" not in response.get_data(as_text=True)  # the quick button would overlap too


# --- staff hours ------------------------------------------------------------------------------


def test_staff_hours_are_stored_as_approved_staff_time(app, client, login, people):
    login(user=people.coordinator)
    form = {
        "work_date": "2026-11-19",
        "minutes": "2:15",
        "activity": "sonstiges",
        "meeting_point": people.place.id,
        "note": "Schulung für neue Ehrenamtliche",
        "client_id": "5b0c7a3e-1f2d-4c5b-9a8e-7d6c5b4a3f21",
    }
    assert post_form(client, f"/centres/{people.slug}/staff-hours", form).status_code == 302
    assert post_form(client, f"/centres/{people.slug}/staff-hours", form).status_code == 302  # clicked twice
    [entry] = db.session.scalars(sa.select(HoursEntry)).all()
    assert (entry.kind, entry.status, entry.user_id, entry.minutes) == ("staff", "approved", people.coordinator.id, 135)

    own_page = client.get(f"/centres/{people.slug}/staff-hours?month=2026-11").get_data(as_text=True)
    assert "Schulung für neue Ehrenamtliche" in own_page and "2:15 h" in own_page
    assert "Das ganze Team" not in own_page
    lead = app.test_client()
    helpers.login(lead, people.lead)
    lead_page = lead.get(f"/centres/{people.slug}/staff-hours").get_data(as_text=True)
    assert "Das ganze Team" in lead_page and "Clara Koordination" in lead_page
    queue = client.get(f"/centres/{people.slug}/hours?status=all")
    assert "Schulung für neue Ehrenamtliche" not in table_body(queue)  # volunteer hours only


def test_staff_hours_in_the_future_are_refused(client, login, people):
    login(user=people.coordinator)
    response = post_form(
        client,
        f"/centres/{people.slug}/staff-hours",
        {"work_date": "2026-11-23", "minutes": "1:00", "activity": "sonstiges", "meeting_point": ""},
    )
    assert response.status_code == 422
    assert "Das Datum liegt in der Zukunft." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HoursEntry)) == 0


# --- audit trail and poster ---------------------------------------------------------------------


def test_audit_trail_is_paged_newest_first(client, login, people):
    for n in range(52):
        log(people.centre, people.amina, minutes=10 + n, work_date=TODAY - timedelta(days=1 + n))
    login(user=people.lead)
    first = client.get(f"/centres/{people.slug}/audit")
    assert table_body(first).count("<tr>") == 50
    assert "1:01" in table_body(first) and "0:10" not in table_body(first)  # the newest, 61 minutes, first
    assert "page=2" in first.get_data(as_text=True)
    second = client.get(f"/centres/{people.slug}/audit?page=2")
    assert table_body(second).count("<tr>") == 2 and "0:10" in table_body(second)


def test_poster_carries_the_check_in_qr_code(client, login, people):
    login(user=people.coordinator)
    response = client.get(f"/centres/{people.slug}/meeting-points/{people.place.id}/poster")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page
    assert f"/checkin/{people.place.checkin_code}" in page and "http://localhost/checkin/" in page
    assert "Beim Ankommen und beim Gehen scannen" in page and "Bürgerhaus Kreuztal" in page


def test_the_periods_page_offers_closing_only_when_it_would_work(client, login, people):
    entry = log(people.centre, people.amina, work_date=date(2026, 10, 15))
    for label, first, last in (
        ("Oktober 2026", "2026-10-01", "2026-10-31"),
        ("November 2026", "2026-11-01", "2026-11-30"),
    ):
        create_period(
            centre=people.centre, label=label, starts_on=date.fromisoformat(first), ends_on=date.fromisoformat(last)
        )
    db.session.commit()
    login(user=people.lead)
    october, november = db.session.scalars(sa.select(ReportPeriod).order_by(ReportPeriod.starts_on)).all()

    def close_buttons() -> tuple[str, list[int]]:
        page = client.get(f"/centres/{people.slug}/periods").get_data(as_text=True)
        return page, [p.id for p in (october, november) if f"/periods/{p.id}/close" in page]

    page, offered = close_buttons()
    assert offered == []
    assert "Es wartet noch 1 Eintrag auf Freigabe." in page
    assert "Ein Zeitraum kann erst nach seinem letzten Tag abgeschlossen werden." in page
    approve(entry=entry, by=people.coordinator)
    db.session.commit()
    assert close_buttons()[1] == [october.id]
