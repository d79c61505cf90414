"""The report downloads (CSV, XLSX, PDF) and `flask report export`: the same figures in every format,
checked against sums the test computes itself from the entries it created."""

import io
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from tests.helpers import clock_frozen_at
from tests.reports.readers import german, has_run, overview, pdf_lines, read_csv, read_xlsx
from volunteers.core import time
from volunteers.extensions import db
from volunteers.hours.models import STAFF_HOURS
from volunteers.hours.periods import PeriodError, close_period, create_period
from volunteers.hours.proposals import open_proposals
from volunteers.hours.services import HoursInput, approve, book_correction, log_hours, reject
from volunteers.reports.charts import bar_chart
from volunteers.reports.cli import report_cli
from volunteers.reports.models import Grant
from volunteers.reports.pdf_export import to_pdf
from volunteers.reports.tables import COUNT, EUR, HOURS, MINUTES, PERCENT, TEXT, Cell, Column, Table
from volunteers.reports.xlsx_export import sheet_name, to_xlsx
from volunteers.shifts.signups import record_attendance, sign_up

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 20, 18, 0, tzinfo=BERLIN)
OCTOBER = "from=2026-10-01&to=2026-10-31"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Approved volunteer entries of the scenario below, in October: (day, minutes).
APPROVED_IN_OCTOBER = [
    (date(2026, 10, 5), 95),
    (date(2026, 10, 12), 47),
    (date(2026, 10, 20), 125),
    (date(2026, 10, 31), 62),
]
# The night shift of the autumn DST change: 01:30 to 03:30 on the wall clock, three hours worked.
DST_SHIFT_START = datetime(2026, 10, 25, 1, 30, tzinfo=BERLIN)
DST_SHIFT_MINUTES = 180
STAFF_MINUTES = 120
VALUATION_RATE = Decimal("15.00")
GRANT = Decimal("223000.00")
CAP_SHARE = Decimal("0.001")


frozen_clock = clock_frozen_at(NOW)


def two_places(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def expected() -> dict:
    """October's figures, computed here from the scenario, not with the app's functions."""
    dst_minutes = int(
        (datetime(2026, 10, 25, 3, 30, tzinfo=BERLIN).astimezone(UTC) - DST_SHIFT_START.astimezone(UTC)).total_seconds()
        // 60
    )
    volunteer = sum(minutes for _day, minutes in APPROVED_IN_OCTOBER) + dst_minutes
    days = Decimal(31) / Decimal(365)
    in_kind = Decimal(volunteer) / 60 * VALUATION_RATE
    return {
        "volunteer_minutes": volunteer,
        "volunteer_hours": two_places(Decimal(volunteer) / 60),
        "staff_minutes": STAFF_MINUTES,
        "staff_hours": two_places(Decimal(STAFF_MINUTES) / 60),
        "share_percent": f"{volunteer / (volunteer + STAFF_MINUTES) * 100:.1f}".replace(".", ","),
        "in_kind": two_places(in_kind),
        "in_kind_capped": two_places(min(in_kind, GRANT * CAP_SHARE * days)),
        "grant": two_places(GRANT * days),
        "pending_hours": Decimal("1.00"),
    }


@pytest.fixture
def scenario(make_centre, make_meeting_point, make_user, make_shift):
    """A centre with approved, pending, rejected and out-of-period hours, a DST night shift,
    staff hours and a grant with valuation rate and cap."""
    centre = make_centre("duesseldorf", name="Kommunales Integrationszentrum Düsseldorf")
    place = make_meeting_point(centre, name="Sprachcafé Flingern")
    jurgen = make_user("volunteer", centre, name="Jürgen Weiß", email="juergen.weiss@example.org")
    olena = make_user("volunteer", centre, name="Olena Kovalenko", email="olena.kovalenko@example.org")
    coordinator = make_user("coordinator", centre, name="Käthe Brüggemann", email="kaethe@example.org")
    lead = make_user("lead", centre, name="Leiterin Özdemir", email="leitung@example.org")
    db.session.add(
        Grant(
            centre_id=centre.id,
            year=2026,
            amount_eur=GRANT,
            valuation_rate_eur=VALUATION_RATE,
            in_kind_cap_share=CAP_SHARE,
        )
    )

    def entry(person, day, minutes, activity="sprachcafe", **values):
        return log_hours(
            centre=centre,
            person=person,
            values=HoursInput(work_date=day, minutes=minutes, activity=activity, meeting_point=place, **values),
        )[0]

    october = [
        entry(person, day, minutes)
        for (day, minutes), person in zip(APPROVED_IN_OCTOBER, (jurgen, jurgen, olena, olena), strict=True)
    ]
    for approved in october:
        approve(entry=approved, by=coordinator)
    for day, person in ((date(2026, 9, 30), jurgen), (date(2026, 11, 1), olena)):  # just outside October
        approve(entry=entry(person, day, 30, "behoerdenbegleitung"), by=coordinator)
    reject(entry=entry(jurgen, date(2026, 10, 15), 240), by=coordinator, reason="Doppelt eingetragen")
    pending = entry(olena, date(2026, 10, 14), 60)
    log_hours(
        centre=centre,
        person=lead,
        kind=STAFF_HOURS,
        values=HoursInput(work_date=date(2026, 10, 7), minutes=STAFF_MINUTES, activity="sonstiges"),
    )
    db.session.commit()
    _dst_shift_hours(make_shift, place, jurgen, coordinator)
    db.session.commit()
    return {
        "centre": centre,
        "volunteers": [jurgen, olena],
        "coordinator": coordinator,
        "lead": lead,
        "pending": pending,
        "first": october[0],
    }


def _dst_shift_hours(make_shift, place, volunteer, coordinator) -> None:
    with time.freeze(datetime(2026, 10, 20, 12, 0, tzinfo=BERLIN)):
        shift = make_shift(place, starts=DST_SHIFT_START.astimezone(UTC), hours=3)
        signup = sign_up(shift=shift, volunteer=volunteer)
    assert time.to_berlin(shift.ends_at).replace(tzinfo=None) == datetime(2026, 10, 25, 3, 30)
    record_attendance(shift=shift, marks={signup.id: "attended"}, participants_count=6)
    [proposal] = open_proposals(volunteer)
    entry, _created = log_hours(
        centre=place.centre,
        person=volunteer,
        values=HoursInput(work_date=date(2026, 10, 25), minutes=proposal.minutes, activity="sprachcafe", shift=shift),
    )
    approve(entry=entry, by=coordinator)


def download(client, path: str, fmt: str):
    response = client.get(f"{path}{'&' if '?' in path else '?'}format={fmt}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response


# --- the totals ---------------------------------------------------------------------------------


def test_totals_are_the_approved_entries_in_csv_xlsx_and_pdf(client, login, scenario):
    want = expected()
    login(user=scenario["coordinator"])
    path = f"/reports/centre/duesseldorf?{OCTOBER}"
    checksum = download(client, path, "json").get_json()["checksum"]

    csv_header, tables = read_csv(download(client, path, "csv").data)
    month = {row[0]: row for row in tables["Nach Monat"]}
    assert list(month) == ["2026-10"]  # 30 September and 1 November are outside
    assert month["2026-10"] == [
        "2026-10",
        str(want["volunteer_minutes"]),
        f"{want['volunteer_hours']}".replace(".", ","),
        str(want["staff_minutes"]),
        f"{want['staff_hours']}".replace(".", ","),
        f"{want['share_percent']} %",
    ]
    summary = dict(tables["Übersicht"])
    assert german(summary["Ehrenamtliche Stunden (freigegeben)"]) == want["volunteer_hours"]
    assert german(summary["Geldwert des Ehrenamts"]) == want["in_kind"]
    assert german(summary["Geldwert nach Deckelung"]) == want["in_kind_capped"]
    assert german(summary["Noch nicht freigegebene Stunden"]) == want["pending_hours"]
    assert csv_header["Prüfsumme (SHA-256)"] == checksum

    response = download(client, path, "xlsx")
    assert response.mimetype == XLSX
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="kommAn-duesseldorf-2026-10-01-2026-10-31.xlsx"'
    )
    book = read_xlsx(response.data)
    [row] = list(book["Nach Monat"].iter_rows(min_row=2))
    assert row[0].value == "2026-10" and row[1].value == want["volunteer_minutes"] and row[3].value == STAFF_MINUTES
    assert Decimal(str(row[2].value)) == want["volunteer_hours"] and row[2].number_format == "#,##0.00"
    values = overview(book)
    assert Decimal(str(values["Ehrenamtliche Stunden (freigegeben)"].value)) == want["volunteer_hours"]
    assert Decimal(str(values["Geldwert des Ehrenamts"].value)) == want["in_kind"]
    assert Decimal(str(values["Geldwert nach Deckelung"].value)) == want["in_kind_capped"]
    assert values["Prüfsumme (SHA-256)"].value == checksum

    response = download(client, path, "pdf")
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].endswith('kommAn-duesseldorf-2026-10-01-2026-10-31.pdf"')
    lines = pdf_lines(response.data)
    hours = f"{want['volunteer_hours']}".replace(".", ",")
    assert has_run(
        lines,
        [
            "2026-10",
            str(want["volunteer_minutes"]),
            hours,
            str(STAFF_MINUTES),
            f"{want['staff_hours']}".replace(".", ","),
            f"{want['share_percent']} %",
        ],
    )
    assert has_run(lines, ["Ehrenamtliche Stunden (freigegeben)", hours])
    assert has_run(lines, ["Geldwert des Ehrenamts", f"{want['in_kind']} €".replace(".", ",")])
    assert has_run(lines, ["Fördersumme (anteilig für den Zeitraum)", "18.939,73 €"])
    assert german("18.939,73 €") == want["grant"]
    assert checksum in lines and "Kommunales Integrationszentrum Düsseldorf" in lines


def test_every_table_row_is_the_same_in_csv_xlsx_and_pdf(client, login, scenario):
    login(user=scenario["coordinator"])
    path = f"/reports/centre/duesseldorf?{OCTOBER}"
    _header, tables = read_csv(download(client, path, "csv").data)
    book = read_xlsx(download(client, path, "xlsx").data)
    lines = pdf_lines(download(client, path, "pdf").data)
    summary = [[label, cell] for label, cell in overview(book).items()]
    for title, rows in tables.items():
        sheet = (
            summary[-len(rows) :] if title == "Übersicht" else [list(row) for row in book[title].iter_rows(min_row=2)]
        )
        assert len(sheet) == len(rows), title
        for csv_row, xlsx_row in zip(rows, sheet, strict=True):
            assert [cell.value if hasattr(cell, "value") else cell for cell in xlsx_row][:1] == csv_row[:1]
            for text, cell in zip(csv_row[1:], xlsx_row[1:], strict=True):
                assert _same_number(german(text), cell), (title, csv_row, cell.value)
            runs = [
                [german(text) for text in lines[i : i + len(csv_row)]]
                for i, line in enumerate(lines)
                if line == csv_row[0]
            ]
            assert [german(text) for text in csv_row] in runs, (title, csv_row)


def _same_number(csv_value, cell) -> bool:
    if cell.value is None or csv_value is None:
        return cell.value is None and csv_value is None
    value = Decimal(str(cell.value))
    if "%" in cell.number_format:  # the sheet keeps the share, the CSV shows it in percent
        return abs(value * 100 - csv_value) <= Decimal("0.05")
    return value == csv_value and cell.data_type == "n"


# --- closed periods -----------------------------------------------------------------------------


def test_a_closed_period_exports_the_same_figures_after_later_changes(client, login, scenario):
    centre, lead, olena = scenario["centre"], scenario["lead"], scenario["volunteers"][1]
    reject(entry=scenario["pending"], by=scenario["coordinator"], reason="Nicht im Programm")
    db.session.commit()
    login(user=scenario["coordinator"])
    path = f"/reports/centre/duesseldorf?{OCTOBER}"
    before = download(client, path, "json").get_json()

    period = create_period(centre=centre, label="Oktober 2026", starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31))
    close_period(period=period, by=lead)
    db.session.commit()
    closed = {fmt: download(client, path, fmt).data for fmt in ("json", "csv", "xlsx", "pdf")}

    # Later: new hours in the open period, a correction of an October entry, October itself refused.
    new, _ = log_hours(
        centre=centre, person=olena, values=HoursInput(work_date=date(2026, 11, 10), minutes=90, activity="sprachcafe")
    )
    approve(entry=new, by=scenario["coordinator"])
    book_correction(original=scenario["first"], minutes=30, by=lead, reason="Nachtrag: Aufbau vergessen")
    db.session.commit()
    with pytest.raises(PeriodError):
        log_hours(
            centre=centre,
            person=olena,
            values=HoursInput(work_date=date(2026, 10, 30), minutes=45, activity="sprachcafe"),
        )
    db.session.rollback()

    again = {fmt: download(client, path, fmt).data for fmt in ("json", "csv", "xlsx", "pdf")}
    assert again == closed  # byte for byte, in every format
    figures = client.get(f"{path}&format=json").get_json()
    assert figures["period_closed"] is True and figures["checksum"] == before["checksum"]
    assert {k: v for k, v in figures.items() if not k.startswith("period_")} == {
        k: v for k, v in before.items() if not k.startswith("period_")
    }
    csv_header, tables = read_csv(again["csv"])
    assert csv_header["Zeitraum-Status"] == "abgeschlossen"
    assert csv_header["Prüfsumme (SHA-256)"] == before["checksum"]
    assert overview(read_xlsx(again["xlsx"]))["Prüfsumme (SHA-256)"].value == before["checksum"]
    assert before["checksum"] in pdf_lines(again["pdf"])
    assert tables["Nach Monat"][0][1] == str(expected()["volunteer_minutes"])
    november = client.get("/reports/centre/duesseldorf?from=2026-11-01&to=2026-11-30&format=json").get_json()
    assert november["volunteer_minutes"] == 30 + 90 + 30  # 1 November, the new entry, the correction


# --- who sees what ------------------------------------------------------------------------------


def test_state_exports_carry_no_personal_data(client, login, scenario):
    login("state")
    people = scenario["volunteers"] + [scenario["coordinator"], scenario["lead"]]
    texts = {}
    for fmt in ("csv", "xlsx", "pdf"):
        body = download(client, f"/reports/state?{OCTOBER}", fmt).data
        if fmt == "csv":
            texts[fmt] = body.decode("utf-8-sig")
        elif fmt == "xlsx":
            book = read_xlsx(body)
            texts[fmt] = "\n".join(str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row)
        else:
            texts[fmt] = "\n".join(pdf_lines(body))
    hours = f"{expected()['volunteer_hours']}".replace(".", ",")
    assert hours in texts["csv"] and hours in texts["pdf"]
    assert "Kommunales Integrationszentrum Düsseldorf" in " ".join(texts["pdf"].split())  # the name may wrap
    for fmt, text in texts.items():
        for person in people:
            assert person.name not in text and person.email not in text, (fmt, person.email)
        assert "@" not in text, fmt


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
@pytest.mark.parametrize("who", ["coordinator of another centre", "volunteer of the centre"])
def test_others_get_404_for_the_centre_download(client, login, scenario, make_centre, who, fmt):
    if who.startswith("coordinator"):
        login("coordinator", make_centre("duisburg"))
    else:
        login(user=scenario["volunteers"][0])
    assert client.get(f"/reports/centre/duesseldorf?{OCTOBER}&format={fmt}").status_code == 404


# --- the command line ---------------------------------------------------------------------------


@pytest.fixture
def runner(app):
    app.cli.add_command(report_cli)
    return app.test_cli_runner()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf", "json"])
def test_cli_writes_a_file_with_the_same_totals(runner, scenario, tmp_path, monkeypatch, fmt):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        args=[
            "report",
            "export",
            "--centre",
            "duesseldorf",
            "--from",
            "2026-10-01",
            "--to",
            "2026-10-31",
            "--format",
            fmt,
        ]
    )
    assert result.exit_code == 0, result.output
    body = (tmp_path / f"kommAn-duesseldorf-2026-10-01-2026-10-31.{fmt}").read_bytes()
    want = expected()
    hours = f"{want['volunteer_hours']}".replace(".", ",")
    if fmt == "csv":
        assert read_csv(body)[1]["Nach Monat"][0][1:3] == [str(want["volunteer_minutes"]), hours]
    elif fmt == "xlsx":
        assert (
            Decimal(str(overview(read_xlsx(body))["Ehrenamtliche Stunden (freigegeben)"].value))
            == want["volunteer_hours"]
        )
    elif fmt == "pdf":
        assert has_run(pdf_lines(body), ["Ehrenamtliche Stunden (freigegeben)", hours])
    else:
        assert b'"volunteer_minutes": %d' % want["volunteer_minutes"] in body


def test_cli_state_export_to_a_given_path(runner, scenario, tmp_path):
    target = tmp_path / "land.xlsx"
    result = runner.invoke(
        args=[
            "report",
            "export",
            "--state",
            "--from",
            "2026-10-01",
            "--to",
            "2026-10-31",
            "--format",
            "xlsx",
            "--output",
            str(target),
        ]
    )
    assert result.exit_code == 0, result.output
    [nrw] = [row for row in read_xlsx(target.read_bytes())["Nach Gebiet"].iter_rows(min_row=2) if row[0].value == "NRW"]
    assert Decimal(str(nrw[1].value)) == expected()["volunteer_hours"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--centre", "gibt-es-nicht"], "Kein Zentrum"),
        (["--centre", "duesseldorf", "--from", "2026-13-01"], "JJJJ-MM-TT"),
        (["--centre", "duesseldorf", "--from", "2026-10-31", "--to", "2026-10-01"], "vor seinem Beginn"),
        (["--centre", "duesseldorf", "--state"], "genau eines"),
        ([], "genau eines"),
    ],
)
def test_cli_refuses_bad_input_clearly(runner, scenario, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(args=["report", "export", *args])
    assert result.exit_code != 0 and message in result.output
    assert list(tmp_path.iterdir()) == []


# --- the builders alone, without database or HTTP -----------------------------------------------

HEADER = [
    ("Bericht", "KI Größenwahn – „Müßiggang“"),
    ("Zeitraum", "2026-10-01 – 2026-10-31"),
    ("Erstellt am", "20.11.2026"),
    ("Zeitraum-Status", "offen"),
    ("Prüfsumme (SHA-256)", "ab" * 32),
]


def sample_tables() -> list[Table]:
    summary = Table(
        "summary",
        "Übersicht",
        [Column("Kennzahl", TEXT), Column("Wert", TEXT)],
        [
            [Cell("Stunden", TEXT), Cell(Decimal("1234.50"), HOURS)],
            [Cell("Anteil", TEXT), Cell(0.125, PERCENT)],
            [Cell("Geldwert", TEXT), Cell(1234.5, EUR)],
            [Cell("Personen", TEXT), Cell(3, COUNT)],
            [Cell("Deckel", TEXT), Cell(None, EUR)],
        ],
    )
    detail = Table.of_values(
        "meeting_point",
        "Ehrenamt nach Treffpunkt: [alle]/Orte*?",
        [
            Column("Treffpunkt", TEXT),
            Column("Minuten", MINUTES),
            Column("Stunden", HOURS),
            Column("Anteil", PERCENT),
            Column("Geldwert", EUR),
        ],
        [["Bücherei Süd", 74070, Decimal("1234.50"), 0.125, 18939.73]],
    )
    empty = Table("activity", "Ehrenamt nach Tätigkeit", [Column("Tätigkeit", TEXT), Column("Minuten", MINUTES)], [])
    return [summary, detail, empty]


def test_sheet_names_follow_excel_rules():
    taken: set[str] = set()
    first = sheet_name("Ehrenamt nach Treffpunkt: [alle]/Orte*? und noch mehr Text", taken)
    second = sheet_name("Ehrenamt nach Treffpunkt: [alle]/Orte*? und noch mehr Text", taken)
    for name in (first, second):
        assert len(name) <= 31 and not set(name) & set("[]:*?/\\")
    assert first != second


def test_xlsx_keeps_numbers_as_numbers_with_formats():
    body = to_xlsx(HEADER, sample_tables())
    assert body == to_xlsx(HEADER, sample_tables())  # deterministic, byte for byte
    book = read_xlsx(body)
    assert [sheet.title[:8] for sheet in book] == ["Übersich", "Ehrenamt", "Ehrenamt"]
    values = overview(book)
    assert values["Bericht"].value == "KI Größenwahn – „Müßiggang“"
    assert (values["Stunden"].value, values["Stunden"].number_format) == (1234.5, "#,##0.00")
    assert (values["Anteil"].value, values["Anteil"].number_format) == (0.125, "0.0%")
    assert (values["Geldwert"].number_format, values["Personen"].value) == ('#,##0.00 "€"', 3)
    assert values["Deckel"].value is None and values["Kennzahl"].font.bold
    detail = book.worksheets[1]
    assert detail.freeze_panes == "B2" and all(cell.font.bold for cell in detail[1])
    assert [(c.value, c.data_type, c.number_format) for c in detail[2]] == [
        ("Bücherei Süd", "s", "General"),
        (74070, "n", "#,##0"),
        (1234.5, "n", "#,##0.00"),
        (0.125, "n", "0.0%"),
        (18939.73, "n", '#,##0.00 "€"'),
    ]
    assert detail.column_dimensions["A"].width >= len("Bücherei Süd")


def test_pdf_renders_german_text_numbers_and_charts():
    chart = bar_chart("chart-month", [("2026-10", 12.5), ("2026-11", 1.0)], title="Stunden je Monat", unit="h")
    body = to_pdf(HEADER, sample_tables(), {"month": chart})
    assert body == to_pdf(HEADER, sample_tables(), {"month": chart})  # deterministic, byte for byte
    reader = PdfReader(io.BytesIO(body))
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [595, 842]  # A4 portrait
    lines = pdf_lines(body)
    assert "KI Größenwahn – „Müßiggang“" in lines and "ab" * 32 in lines
    assert has_run(lines, ["Stunden", "1.234,50"]) and has_run(lines, ["Anteil", "12,5 %"])
    assert has_run(lines, ["Geldwert", "1.234,50 €"]) and has_run(lines, ["Deckel", "–"])
    assert has_run(lines, ["Bücherei Süd", "74.070", "1.234,50", "12,5 %", "18.939,73 €"])
    assert "Keine Daten im Zeitraum." in lines
    assert has_run(lines, ["Stunden je Monat", "2026-10", "12,50 h"])  # the chart: German, as the tables round
    fonts = {font["/BaseFont"] for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    assert fonts and all("DejaVuSans" in name for name in fonts)  # the embedded font only, no Helvetica


def test_pdf_turns_to_landscape_for_a_wide_table():
    columns = [Column("Gebiet", TEXT)] + [Column(f"Spalte{i} (Std.)", HOURS) for i in range(7)]
    wide = Table.of_values("regions", "Nach Gebiet", columns, [["NRW"] + [Decimal("123456.78")] * 7])
    reader = PdfReader(io.BytesIO(to_pdf(HEADER, [wide], {})))
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [842, 595]
