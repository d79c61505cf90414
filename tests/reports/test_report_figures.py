"""The KommAn figures, checked against sums computed independently here."""

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from tests.helpers import clock_frozen_at
from volunteers.core import time
from volunteers.extensions import db
from volunteers.hours.models import STAFF_HOURS
from volunteers.hours.periods import close_period, create_period
from volunteers.hours.services import HoursInput, approve, book_correction, log_hours, reject
from volunteers.reports.models import Grant
from volunteers.shifts.signups import record_attendance, sign_up

NOW = time.berlin_local(datetime(2026, 11, 20, 12, 0))


frozen_clock = clock_frozen_at(NOW)


@pytest.fixture
def world(app, make_centre, make_meeting_point, make_user, make_shift):
    app.config["HOURS_MAX_DAYS_BACK"] = 400  # the entry of December 2025 below, a year back
    centre = make_centre("duesseldorf", name="KI Düsseldorf", regierungsbezirk="Düsseldorf")
    oberbilk = make_meeting_point(centre, name="Treffpunkt Oberbilk", default_baustein="A")
    coordinator, lead = make_user("coordinator", centre), make_user("lead", centre)
    amal = make_user("volunteer", centre, name="Amal Haddad", email="amal@example.org")
    olena = make_user("volunteer", centre, name="Olena Kovalenko", email="olena@example.org")
    db.session.add(
        Grant(
            centre_id=centre.id,
            year=2026,
            amount_eur=Decimal("223000"),
            valuation_rate_eur=Decimal("15"),
            in_kind_cap_share=Decimal("0.15"),
            eligible_costs_eur=Decimal("100"),
        )
    )
    entries = []

    def hours(person, day, minutes, activity="sprachcafe", kind="volunteer", decide="approve", **extra):
        entry, _ = log_hours(
            centre=centre,
            person=person,
            kind=kind,
            values=HoursInput(work_date=day, minutes=minutes, activity=activity, meeting_point=oberbilk, **extra),
        )
        if kind == "volunteer" and decide == "approve":
            approve(entry=entry, by=coordinator)
        elif decide == "reject":
            reject(entry=entry, by=coordinator, reason="doppelt")
        entries.append(entry)
        return entry

    hours(amal, date(2026, 10, 25), 240)  # the DST day
    hours(amal, date(2026, 11, 3), 95, activity="behoerdenbegleitung")
    hours(olena, date(2026, 11, 4), 125, activity="kinderbetreuung")
    hours(olena, date(2026, 11, 5), 60, decide="pending")
    hours(olena, date(2026, 11, 6), 45, decide="reject")
    hours(amal, date(2025, 12, 1), 30)  # before the period: makes Amal not new
    hours(coordinator, date(2026, 11, 3), 200, kind=STAFF_HOURS)
    with time.freeze(NOW - timedelta(days=10)):
        held = make_shift(oberbilk, starts=time.berlin_local(datetime(2026, 11, 12, 16)), capacity_max=4)
        signup = sign_up(shift=held, volunteer=amal)
    record_attendance(shift=held, marks={signup.id: "attended"}, participants_count=17)
    db.session.commit()
    return {
        "centre": centre,
        "coordinator": coordinator,
        "lead": lead,
        "amal": amal,
        "olena": olena,
        "oberbilk": oberbilk,
        "entries": entries,
    }


def report(client, slug="duesseldorf", **params):
    query = "&".join(f"{k}={v}" for k, v in {"from": "2026-10-01", "to": "2026-11-30", **params}.items())
    return client.get(f"/reports/centre/{slug}?{query}")


def test_figures_match_independent_sums(client, login, world):
    login(user=world["coordinator"])
    figures = report(client, format="json").get_json()
    volunteer = 240 + 95 + 125  # approved volunteer entries in the period, counted by hand
    assert figures["volunteer_minutes"] == volunteer
    assert figures["staff_minutes"] == 200
    assert figures["pending_minutes"] == 60
    assert figures["volunteer_share"] == round(volunteer / (volunteer + 200), 4)
    assert figures["in_kind_value_eur"] == float(Decimal(volunteer) / 60 * 15)
    assert figures["active_volunteers"] == 2 and figures["new_volunteers"] == 1
    assert (figures["shifts_held"], figures["filled_slots"], figures["capacity"]) == (1, 1, 4)
    assert figures["fill_rate"] == 0.25 and figures["participants_reached"] == 17
    assert {row["month"]: row["volunteer_minutes"] for row in figures["by_month"]} == {"2026-10": 240, "2026-11": 220}
    by_baustein = {row["baustein"]: row["volunteer_minutes"] for row in figures["by_baustein"]}
    assert by_baustein == {"A": 125, "B": 335, "C": 0, "D": 0}  # Kinderbetreuung counts for A
    # The cap (15 % of 100 EUR eligible costs, for 61 of 365 days) bites.
    assert figures["in_kind_value_capped_eur"] == float((Decimal("15") * Decimal(61) / 365).quantize(Decimal("0.01")))
    assert figures["grant_amount_eur"] == float((Decimal(223000) * 61 / 365).quantize(Decimal("0.01")))
    assert len(figures["checksum"]) == 64


def test_csv_is_german_spreadsheet_ready(client, login, world):
    login(user=world["coordinator"])
    body = report(client, format="csv").get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    summary = {row[0]: row[1] for row in rows if len(row) == 2}
    assert summary["Ehrenamtliche Stunden (freigegeben)"] == "7,67"  # 460 min
    assert summary["Ehrenamtsanteil V/(V+S)"] == "69,7 %"


def test_page_shows_charts_and_pending_notice(client, login, world):
    login(user=world["coordinator"])
    page = report(client).get_data(as_text=True)
    assert page.count('<svg class="chart"') == 3
    assert "1:00 Stunden warten noch auf Freigabe" in page
    assert "Ehrenamtliche Stunden (freigegeben)" in page


def test_closed_period_is_frozen(client, login, world):
    centre, coordinator, lead = world["centre"], world["coordinator"], world["lead"]
    period = create_period(centre=centre, label="Oktober 2026", starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31))
    close_period(period=period, by=lead)
    db.session.commit()
    login(user=coordinator)
    before = report(client, format="json", **{"from": "2026-10-01", "to": "2026-10-31"}).get_json()
    book_correction(original=world["entries"][0], minutes=-60, by=coordinator, reason="laut Liste 3 h")
    db.session.commit()
    after = report(client, format="json", **{"from": "2026-10-01", "to": "2026-10-31"}).get_json()
    assert after["period_closed"] and after == before and after["volunteer_minutes"] == 240
    # The correction counts in the open period.
    assert (
        report(client, format="json", **{"from": "2026-11-01", "to": "2026-11-30"}).get_json()["volunteer_minutes"]
        == 95 + 125 - 60
    )


@pytest.mark.parametrize("role, status", [("volunteer", 404), ("state", 200), ("lead", 200)])
def test_who_may_read_a_centre_report(client, login, world, role, status):
    login(role, world["centre"] if role != "state" else None)
    assert report(client).status_code == status


def test_other_centres_staff_get_404(client, login, world, make_centre):
    login("lead", make_centre())
    assert report(client, format="json").status_code == 404
    assert client.get("/reports/centre/duesseldorf/hours-lists").status_code == 404


def test_state_report_has_no_personal_data(client, login, world):
    login("state")
    for fmt in ("html", "json", "csv"):
        body = client.get(f"/reports/state?from=2026-10-01&to=2026-11-30&format={fmt}").get_data(as_text=True)
        for secret in ("Amal", "Olena", "amal@example.org", "olena@example.org"):
            assert secret not in body, (fmt, secret)
    data = client.get("/reports/state?from=2026-10-01&to=2026-11-30&format=json").get_json()
    assert data["nrw"]["volunteer_minutes"] == 460
    assert [r["regierungsbezirk"] for r in data["regierungsbezirke"]] == ["Düsseldorf"]
    assert client.get("/reports/centre/duesseldorf/hours-lists").status_code == 404


def test_state_report_is_for_state_viewers_only(client, login, world):
    login(user=world["lead"])
    assert client.get("/reports/state").status_code == 404


@pytest.mark.parametrize(
    "params",
    [{"from": "2026-13-01"}, {"from": "2026-11-30", "to": "2026-11-01"}, {"from": "2010-01-01"}, {"format": "docx"}],
)
def test_bad_report_parameters_answer_400(client, login, world, params):
    login(user=world["coordinator"])
    assert report(client, **params).status_code == 400


def test_supporting_documents(client, login, world):
    world["oberbilk"].booked_hours_per_week = 10
    db.session.commit()
    login(user=world["coordinator"])
    room = client.get("/reports/centre/duesseldorf/room-use?from=2026-11-01&to=2026-11-30").get_data(as_text=True)
    assert "Nein – unter einem Drittel" in room  # 2 h used of about 43 h booked
    lists = client.get("/reports/centre/duesseldorf/hours-lists?from=2026-10-01&to=2026-11-30").get_data(as_text=True)
    assert "Amal Haddad" in lists and "Unterschrift" in lists and "5:35" in lists  # 240 + 95 min
    sessions = client.get("/reports/centre/duesseldorf/sessions?from=2026-11-01&to=2026-11-30").get_data(as_text=True)
    assert ">17<" in sessions
