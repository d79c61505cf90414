"""The volunteer's hours pages and the check-in behind the poster."""

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import clock_frozen_at, post_form
from volunteers.core import time
from volunteers.extensions import db
from volunteers.hours.models import HoursEntry
from volunteers.hours.periods import close_period, create_period
from volunteers.hours.services import reject
from volunteers.shifts.signups import sign_up

NOW = time.berlin_local(datetime(2026, 11, 20, 19, 0))


frozen_clock = clock_frozen_at(NOW)


@pytest.fixture
def volunteer_client(client, login, make_centre, make_meeting_point):
    centre = make_centre("duisburg")
    client.centre = centre
    client.place = make_meeting_point(centre, name="Ankommenstreffpunkt Marxloh")
    client.user = login("volunteer", centre)
    return client


def manual(client, **changes):
    return {
        "centre": client.centre.slug,
        "work_date": "2026-11-18",
        "hours": "1",
        "minutes": "30",
        "activity": "behoerdenbegleitung",
        "meeting_point": "",
        "note": "Ausländerbehörde",
        "client_id": "8c7f2a3e-0000-4000-8000-000000000001",
        **changes,
    }


def entries():
    return db.session.scalars(sa.select(HoursEntry)).all()


def test_manual_entry_and_totals(volunteer_client):
    client = volunteer_client
    response = post_form(client, "/hours", manual(client), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "1:30 h sind eingetragen" in page
    assert [(e.minutes, e.status, e.baustein) for e in entries()] == [(90, "submitted", "B")]
    assert "wartet auf Freigabe" in page and "1:30 h warten auf Freigabe" in page
    # The same form sent again (double tap, resend) is stored once.
    post_form(client, "/hours", manual(client))
    assert len(entries()) == 1


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"hours": "0", "minutes": "0"}, "Die Dauer muss größer als null sein."),
        ({"hours": "25"}, "Bitte eine Zahl von 0 bis 24 angeben."),
        ({"work_date": "2026-11-21"}, "Das Datum liegt in der Zukunft."),
        ({"hours": "-1"}, "Bitte eine Zahl von 0 bis 24 angeben."),
        ({"work_date": "gestern"}, "Kein gültiges Datum"),
    ],
)
def test_bad_manual_entries_get_a_german_error(volunteer_client, changes, message):
    response = post_form(volunteer_client, "/hours", manual(volunteer_client, **changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert entries() == []


def test_foreign_meeting_point_is_refused(volunteer_client, make_centre, make_meeting_point):
    foreign = make_meeting_point(make_centre())
    response = post_form(volunteer_client, "/hours", manual(volunteer_client, meeting_point=foreign.slug))
    assert response.status_code == 422 and entries() == []


def test_one_tap_confirm_from_an_attended_shift(volunteer_client, make_shift):
    client = volunteer_client
    with time.freeze(NOW - timedelta(days=2)):
        shift = make_shift(client.place, starts=time.berlin_local(datetime(2026, 11, 19, 16)), hours=2)
        signup = sign_up(shift=shift, volunteer=client.user)
        db.session.commit()
    page = client.get("/hours").get_data(as_text=True)
    assert "Aus Ihren Schichten" in page and "2:00" in page
    response = post_form(client, f"/hours/proposals/{signup.id}", {"hours": "2", "minutes": "0"})
    assert response.status_code == 302
    [entry] = entries()
    assert (entry.shift_id, entry.minutes, entry.work_date) == (shift.id, 120, date(2026, 11, 19))
    assert "Aus Ihren Schichten" not in client.get("/hours").get_data(as_text=True)


def test_adjusted_proposal_needs_a_reason(volunteer_client, make_shift):
    client = volunteer_client
    with time.freeze(NOW - timedelta(days=2)):
        shift = make_shift(client.place, starts=time.berlin_local(datetime(2026, 11, 19, 16)), hours=2)
        signup = sign_up(shift=shift, volunteer=client.user)
        db.session.commit()
    response = post_form(
        client, f"/hours/proposals/{signup.id}", {"hours": "2", "minutes": "30"}, follow_redirects=True
    )
    assert "Bitte begründen Sie kurz" in response.get_data(as_text=True) and entries() == []
    post_form(client, f"/hours/proposals/{signup.id}", {"hours": "2", "minutes": "30", "reason": "Aufräumen"})
    assert [(e.minutes, e.note) for e in entries()] == [(150, "Aufräumen")]


def test_someone_elses_signup_is_404(volunteer_client, make_shift, make_user):
    client = volunteer_client
    other = make_user("volunteer", client.centre)
    with time.freeze(NOW - timedelta(days=2)):
        shift = make_shift(client.place, starts=time.berlin_local(datetime(2026, 11, 19, 16)))
        signup = sign_up(shift=shift, volunteer=other)
        db.session.commit()
    assert post_form(client, f"/hours/proposals/{signup.id}", {"hours": "2", "minutes": "0"}).status_code == 404


def test_check_in_and_out_by_scanning_the_poster(volunteer_client, make_shift):
    client = volunteer_client
    with time.freeze(NOW - timedelta(days=1)):
        shift = make_shift(client.place, starts=time.berlin_local(datetime(2026, 11, 20, 20)), hours=2)
        sign_up(shift=shift, volunteer=client.user)
        db.session.commit()
    url = f"/checkin/{client.place.checkin_code}"
    assert "Ankommenstreffpunkt Marxloh" in client.get(url).get_data(as_text=True)
    with time.freeze(time.berlin_local(datetime(2026, 11, 20, 19, 55))):
        assert "Angekommen um 19:55" in post_form(client, url, follow_redirects=True).get_data(as_text=True)
    with time.freeze(time.berlin_local(datetime(2026, 11, 20, 22, 10))):
        assert "Gegangen um 22:10" in post_form(client, url, follow_redirects=True).get_data(as_text=True)
        page = client.get("/hours").get_data(as_text=True)
    assert "2:15" in page and "laut Ein- und Auschecken" in page
    assert client.get("/checkin/falscher-code").status_code == 404


def error_at(page: str, field: str) -> str:
    """The message shown at a form field."""
    start = page.index(f'id="{field}-error">') + len(f'id="{field}-error">')
    return page[start : page.index("</p>", start)]


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"work_date": "2026-08-21"}, "work_date", "Stunden lassen sich nur ab dem 22.08.2026 eintragen."),
        ({"note": "x" * 501}, "note", "Die Notiz darf höchstens 500 Zeichen lang sein."),
        ({"hours": "23", "minutes": "0"}, "hours", "Mehr als 24 Stunden an einem Tag sind nicht möglich."),
    ],
)
def test_limits_are_told_at_the_field_and_nothing_is_stored(volunteer_client, changes, field, words):
    client = volunteer_client
    post_form(client, "/hours", manual(client, hours="2", client_id="8c7f2a3e-0000-4000-8000-000000000002"))
    response = post_form(client, "/hours", manual(client, **changes))
    assert response.status_code == 422
    assert words in error_at(response.get_data(as_text=True), field)
    assert len(entries()) == 1


def test_a_closed_month_sends_the_volunteer_to_the_coordination(volunteer_client, make_user):
    client = volunteer_client
    october = create_period(
        centre=client.centre, label="Oktober 2026", starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31)
    )
    close_period(period=october, by=make_user("lead", client.centre))
    response = post_form(client, "/hours", manual(client, work_date="2026-10-20"))
    assert response.status_code == 422
    message = error_at(response.get_data(as_text=True), "work_date")
    assert "„Oktober 2026“ ist abgeschlossen" in message and "Koordination Ihres Zentrums" in message
    assert "Korrektur" not in message
    assert entries() == []


def test_a_rejected_shift_is_not_proposed_again(volunteer_client, make_shift, make_user):
    client = volunteer_client
    with time.freeze(NOW - timedelta(days=2)):
        shift = make_shift(client.place, starts=time.berlin_local(datetime(2026, 11, 19, 16)), hours=2)
        signup = sign_up(shift=shift, volunteer=client.user)
        db.session.commit()
    post_form(client, f"/hours/proposals/{signup.id}", {"hours": "2", "minutes": "0"})
    [entry] = entries()
    reject(entry=entry, by=make_user("coordinator", client.centre), reason="Die Schicht fiel aus")
    db.session.commit()
    page = client.get("/hours").get_data(as_text=True)
    assert "Aus Ihren Schichten" not in page and "Die Schicht fiel aus" in page
    response = post_form(client, f"/hours/proposals/{signup.id}", {"hours": "2", "minutes": "0"}, follow_redirects=True)
    assert "wurden abgelehnt" in response.get_data(as_text=True)
    assert len(entries()) == 1
