"""The state report: every figure that adds up is the sum of the centres, to the cent, in JSON,
HTML, CSV, XLSX and PDF; shares and rates come from those sums; a centre's own report is its row."""

import html
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import clock_frozen_at
from tests.reports.readers import german, overview, pdf_lines, read_csv, read_xlsx
from volunteers.core import time
from volunteers.extensions import db
from volunteers.hours.models import APPROVED, STAFF_HOURS, SUBMITTED, VOLUNTEER_HOURS, HoursEntry
from volunteers.hours.periods import close_period, create_period
from volunteers.hours.services import HoursInput, approve, log_hours
from volunteers.reports.kept import kept_figures
from volunteers.reports.models import Grant
from volunteers.shifts.models import PUBLISHED, Shift

pytestmark = pytest.mark.slow  # make test, not make check

NOW = time.berlin_local(datetime(2026, 12, 31, 20, 0))
FIRST_DAY, LAST_DAY = date(2025, 1, 1), date(2026, 12, 31)
YEARS = (2025, 2026)
REGIONS = ("Arnsberg", "Düsseldorf", "Köln")
# The figures that add up, as the JSON carries them: counts and minutes are integers, the others
# decimals rounded per centre (hours to the hundredth, money to the cent).
SUMMED = (
    "volunteer_minutes",
    "staff_minutes",
    "pending_minutes",
    "active_volunteers",
    "new_volunteers",
    "shifts_held",
    "filled_slots",
    "capacity",
    "participants_reached",
    "sessions_with_participants",
    "volunteer_minutes_with_grant",
)
SUMMED_DECIMALS = ("volunteer_hours", "staff_hours", "grant_amount_eur", "in_kind_value_eur")
CENT = Decimal("0.01")

frozen_clock = clock_frozen_at(NOW)


def dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# --- a random world -----------------------------------------------------------------------------


@dataclass
class CentrePlan:
    region: str
    grants: dict  # year → (amount, valuation rate, cap: None, ("percent", 20.00) or ("amount", EUR))
    entries: list  # (kind, status, day, minutes, person 0–2; 2 is active in every centre)
    shifts: list  # (day, capacity, confirmed, participants or None)


@dataclass
class World:
    centres: list = field(default_factory=list)  # (Centre, CentrePlan)
    people: dict = field(default_factory=dict)


grants = st.dictionaries(
    st.sampled_from(YEARS),
    st.tuples(
        st.decimals(min_value=0, max_value=300000, places=2),
        st.sampled_from([Decimal("10.00"), Decimal("12.50"), Decimal("15.00")]),
        st.none()
        | st.tuples(st.just("percent"), st.sampled_from([Decimal("0.10"), Decimal("15.00"), Decimal("20.00")]))
        | st.tuples(st.just("amount"), st.decimals(min_value=0, max_value=2000, places=2)),
    ),
    max_size=2,
)
entries = st.lists(
    st.tuples(
        st.sampled_from([VOLUNTEER_HOURS, VOLUNTEER_HOURS, STAFF_HOURS]),
        st.sampled_from([APPROVED, APPROVED, SUBMITTED]),
        st.dates(FIRST_DAY, LAST_DAY),
        st.integers(1, 600),
        st.integers(0, 2),
    ),
    max_size=8,
)
shifts = st.lists(
    st.tuples(st.dates(FIRST_DAY, LAST_DAY), st.integers(1, 6), st.integers(0, 6), st.none() | st.integers(0, 40)),
    max_size=2,
)
plans = st.lists(st.builds(CentrePlan, st.sampled_from(REGIONS), grants, entries, shifts), min_size=1, max_size=4)
periods = st.tuples(st.dates(FIRST_DAY, LAST_DAY), st.dates(FIRST_DAY, LAST_DAY)).map(sorted)


def empty_tables() -> None:
    db.session.rollback()
    db.session.close()
    # DELETE rather than TRUNCATE: on a few rows in many tables, it is the faster one on PostgreSQL.
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


def berlin(day: date, hour: int) -> datetime:
    return time.berlin_local(datetime.combine(day, datetime.min.time()).replace(hour=hour))


def build(plans_: list[CentrePlan], make_centre, make_meeting_point, make_user) -> World:
    world = World()
    travelling = None
    for index, plan in enumerate(plans_):
        centre = make_centre(name=f"KI Zentrum {'ABCD'[index]}", regierungsbezirk=plan.region)
        place = make_meeting_point(centre)
        travelling = travelling or make_user("volunteer", centre)
        people = [make_user("volunteer", centre), make_user("volunteer", centre), travelling]
        coordinator = make_user("coordinator", centre)
        for year, (amount, rate, cap) in plan.grants.items():
            kind, limit = cap or (None, None)
            db.session.add(
                Grant(
                    centre_id=centre.id,
                    year=year,
                    amount_eur=amount,
                    valuation_rate_eur=rate,
                    in_kind_cap_percent=limit if kind == "percent" else None,
                    in_kind_cap_amount_eur=limit if kind == "amount" else None,
                )
            )
        for kind, status, day, minutes, person in plan.entries:
            db.session.add(
                HoursEntry(
                    centre_id=centre.id,
                    user_id=(coordinator if kind == STAFF_HOURS else people[person]).id,
                    kind=kind,
                    work_date=day,
                    minutes=minutes,
                    activity=("sprachcafe", "dolmetschen")[minutes % 2],
                    baustein="ABCD"[minutes % 4],
                    meeting_point_id=place.id if minutes % 3 else None,
                    status=status,
                )
            )
        for day, capacity, confirmed, participants in plan.shifts:
            db.session.add(
                Shift(
                    centre_id=centre.id,
                    meeting_point_id=place.id,
                    activity="sprachcafe",
                    baustein="B",
                    capacity_min=0,
                    capacity_max=capacity,
                    confirmed_count=min(confirmed, capacity),
                    participants_count=participants,
                    starts_at=berlin(day, 16),
                    ends_at=berlin(day, 18),
                    status=PUBLISHED,
                )
            )
        world.centres.append((centre, plan))
    db.session.commit()
    return world


# --- what the figures must be, computed here from the plan --------------------------------------


def expected_centre(plan: CentrePlan, start: date, end: date) -> dict:
    """A centre's figures from its plan, independently of the app's code."""
    inside = [e for e in plan.entries if start <= e[2] <= end]

    def minutes(kind, status=APPROVED, year=None):
        return sum(e[3] for e in inside if e[0] == kind and e[1] == status and year in (None, e[2].year))

    years = range(start.year, end.year + 1)
    with_grant = [y for y in years if y in plan.grants]
    amount = in_kind = capped = Decimal(0)
    for year in with_grant:
        grant, rate, cap = plan.grants[year]
        first, last = max(start, date(year, 1, 1)), min(end, date(year, 12, 31))
        part = Decimal((last - first).days + 1) / Decimal((date(year, 12, 31) - date(year, 1, 1)).days + 1)
        value = Decimal(minutes(VOLUNTEER_HOURS, year=year)) / 60 * rate
        amount, in_kind = amount + grant * part, in_kind + value
        if cap is None:
            capped += value
        else:  # a percentage of the eligible costs (here: the grant), or an amount, for the whole year
            limit = cents(grant * cap[1] / 100) if cap[0] == "percent" else cap[1]
            capped += min(value, limit * part)
    held = [s for s in plan.shifts if start <= s[0] <= end]
    return {
        "volunteer_minutes": minutes(VOLUNTEER_HOURS),
        "staff_minutes": minutes(STAFF_HOURS),
        "pending_minutes": minutes(VOLUNTEER_HOURS, SUBMITTED),
        "active_volunteers": len({e[4] for e in inside if e[0] == VOLUNTEER_HOURS and e[1] == APPROVED}),
        "shifts_held": len(held),
        "capacity": sum(s[1] for s in held),
        "filled_slots": sum(min(s[2], s[1]) for s in held),
        "participants_reached": sum(s[3] or 0 for s in held),
        "grant_amount_eur": float(cents(amount)) if with_grant else None,
        "in_kind_value_eur": float(cents(in_kind)) if with_grant else None,
        "in_kind_value_capped_eur": float(cents(capped)) if any(plan.grants[y][2] for y in with_grant) else None,
        "volunteer_minutes_with_grant": sum(minutes(VOLUNTEER_HOURS, year=y) for y in with_grant),
        "years_without_grant": [y for y in years if y not in plan.grants],
    }


def assert_is_sum_of(area: dict, members: list[dict]) -> None:
    """Additive figures are the sums of the members', to the cent; the others derive from them."""
    for key in SUMMED:
        assert area[key] == sum(m[key] for m in members), key
    for key in SUMMED_DECIMALS:
        known = [dec(m[key]) for m in members if m[key] is not None]
        assert dec(area[key]) == (sum(known) if known else None), key
    capped = [dec(m["in_kind_value_capped_eur"]) for m in members]
    whole = [dec(m["in_kind_value_eur"]) or 0 for m in members]
    after_caps = sum(c if c is not None else w for c, w in zip(capped, whole, strict=True))
    assert dec(area["in_kind_value_capped_eur"]) == (None if capped == [None] * len(members) else after_caps)
    v, s = area["volunteer_minutes"], area["staff_minutes"]
    assert area["volunteer_share"] == share(v, v + s)
    assert area["fill_rate"] == share(area["filled_slots"], area["capacity"])
    grant, with_grant = dec(area["grant_amount_eur"]), area["volunteer_minutes_with_grant"]
    cost = float(cents(grant * 60 / with_grant)) if grant is not None and with_grant else None
    assert area["cost_per_volunteer_hour_eur"] == cost
    assert area["years_without_grant"] == sorted({y for m in members for y in m["years_without_grant"]})


# --- reading the state table back from every format ---------------------------------------------


def expected_rows(report: dict) -> list[list]:
    """The state table as the JSON says it must read: NRW, each Regierungsbezirk, its centres."""
    areas = [("NRW", report["nrw"])]
    for region in report["regierungsbezirke"]:
        areas.append((f"Regierungsbezirk {region['regierungsbezirk']}", region))
        name = region["regierungsbezirk"]
        areas += [(c["centre_name"], c) for c in report["centres"] if c["regierungsbezirk"] == name]
    return [
        [
            name,
            dec(f["volunteer_hours"]),
            dec(f["staff_hours"]),
            percent(f["volunteer_share"]),
            dec(f["in_kind_value_eur"]),
            dec(f["in_kind_value_eur"] if f["in_kind_value_capped_eur"] is None else f["in_kind_value_capped_eur"]),
            dec(f["grant_amount_eur"]),
            Decimal(f["active_volunteers"]),
            Decimal(f["shifts_held"]),
            percent(f["fill_rate"]),
        ]
        for name, f in areas
    ]


def percent(value: float | None) -> Decimal | None:
    return None if value is None else (dec(value) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def parsed(texts: list[str]) -> list:
    return [german(text) for text in texts]


def xlsx_rows(body: bytes) -> list[list]:
    rows = []
    for row in read_xlsx(body)["Nach Gebiet"].iter_rows(min_row=2):
        cells = [row[0].value] + [None if c.value is None else dec(c.value) for c in row[1:]]
        cells[3], cells[9] = percent(cells[3]), percent(cells[9])  # the sheet keeps the share itself
        rows.append([c.normalize() if isinstance(c, Decimal) else c for c in cells])
    return rows


def pdf_rows(body: bytes, width: int = 10) -> list[list]:
    """The state table's rows from the PDF's text: names may wrap over lines, numbers do not."""
    lines = pdf_lines(body)
    index, rows, name = lines.index("Besetzungsquote") + 1, [], []
    while index < len(lines):
        if isinstance(german(lines[index]), Decimal) or lines[index] == "–":
            rows.append([" ".join(name), *parsed(lines[index : index + width - 1])])
            index, name = index + width - 1, []
        else:
            name.append(lines[index])
            index += 1
    return rows


class TableCells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def html_rows(page: str) -> list[list]:
    table = page[page.index('<table id="table-regions"') : page.index("</table>")]
    reader = TableCells()
    reader.feed(html.unescape(table))
    return [[row[0].removeprefix("– "), *parsed(row[1:])] for row in reader.rows[1:]]


def normalized(rows: list[list]) -> list[list]:
    return [[c.normalize() if isinstance(c, Decimal) else c for c in row] for row in rows]


def assert_formats_agree(client, query: str, report: dict) -> None:
    want = normalized(expected_rows(report))
    _header, tables = read_csv(client.get(f"/reports/state?{query}&format=csv").data)
    assert normalized([[row[0], *parsed(row[1:])] for row in tables["Nach Gebiet"]]) == want
    assert xlsx_rows(client.get(f"/reports/state?{query}&format=xlsx").data) == want
    assert normalized(pdf_rows(client.get(f"/reports/state?{query}&format=pdf").data)) == want
    assert normalized(html_rows(client.get(f"/reports/state?{query}").get_data(as_text=True))) == want


# --- the property -------------------------------------------------------------------------------


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plans=plans, period=periods)
def test_areas_are_the_sums_of_their_centres_in_every_format(
    app, client, login, make_centre, make_meeting_point, make_user, plans, period
):
    empty_tables()
    world = build(plans, make_centre, make_meeting_point, make_user)
    login("state")
    start, end = period
    query = f"from={start}&to={end}"
    report = client.get(f"/reports/state?{query}&format=json").get_json()

    rows = {row["centre"]: row for row in report["centres"]}
    for centre, plan in world.centres:
        row = rows[centre.slug]
        assert {key: row[key] for key in expected_centre(plan, start, end)} == expected_centre(plan, start, end)
        own = client.get(f"/reports/centre/{centre.slug}?{query}&format=json").get_json()
        assert {k: v for k, v in own.items() if k not in ("checksum", "period_label")} == row
    for region in report["regierungsbezirke"]:
        members = [row for row in report["centres"] if row["regierungsbezirk"] == region["regierungsbezirk"]]
        assert region["centres"] == len(members)
        assert_is_sum_of(region, members)
    assert_is_sum_of(report["nrw"], report["centres"])
    assert_is_sum_of(report["nrw"], report["regierungsbezirke"])
    assert_formats_agree(client, query, report)


# --- the demo's numbers, by hand ----------------------------------------------------------------


@pytest.fixture
def demo_like(make_centre, make_meeting_point, make_user):
    """Four centres as in the demo, each valued at 15 EUR per hour with a 20 % cap: Arnsberg
    160 h (2,400 EUR), Düsseldorf 133.75 h (2,006.25 EUR), NRW 293.75 h (4,406.25 EUR)."""
    hours = {
        ("siegen-wittgenstein", "Arnsberg"): 100 * 60,
        ("hochsauerlandkreis", "Arnsberg"): 60 * 60,
        ("duesseldorf", "Düsseldorf"): 8325 * 60 // 100,  # 83.25 h
        ("duisburg", "Düsseldorf"): 5050 * 60 // 100,  # 50.5 h
    }
    centres = {}
    for (slug, region), minutes in hours.items():
        centre = make_centre(slug, name=f"Kommunales Integrationszentrum {slug.title()}", regierungsbezirk=region)
        coordinator, volunteer = make_user("coordinator", centre), make_user("volunteer", centre)
        db.session.add(
            Grant(
                centre_id=centre.id,
                year=2026,
                amount_eur=Decimal("223000"),
                valuation_rate_eur=Decimal("15.00"),
                in_kind_cap_percent=Decimal("20.00"),
            )
        )
        for day in range(0, minutes, 480):  # at most 8 hours a day, from 1 November
            entry, _ = log_hours(
                centre=centre,
                person=volunteer,
                values=HoursInput(
                    work_date=date(2026, 11, 1) + timedelta(days=day // 480),
                    minutes=min(480, minutes - day),
                    activity="sprachcafe",
                ),
            )
            approve(entry=entry, by=coordinator)
        centres[slug] = centre
    db.session.commit()
    return centres


YEAR_2026 = "from=2026-01-01&to=2026-12-31"


def test_the_demo_numbers_add_up_in_every_format(client, login, demo_like):
    login("state")
    report = client.get(f"/reports/state?{YEAR_2026}&format=json").get_json()
    regions = {r["regierungsbezirk"]: r for r in report["regierungsbezirke"]}
    assert report["nrw"]["in_kind_value_eur"] == 4406.25  # was 17,625.00: 293.75 h × 15 EUR × 4 centres
    assert regions["Arnsberg"]["in_kind_value_eur"] == 2400.0  # was 4,800.00
    assert regions["Düsseldorf"]["in_kind_value_eur"] == 2006.25
    assert report["nrw"]["in_kind_value_capped_eur"] == 4406.25  # 20 % of 223,000 EUR caps nothing here
    assert report["nrw"]["volunteer_hours"] == 293.75
    assert report["nrw"]["cost_per_volunteer_hour_eur"] == float(cents(Decimal(4 * 223000) / Decimal("293.75")))

    _header, tables = read_csv(client.get(f"/reports/state?{YEAR_2026}&format=csv").data)
    csv_rows = {row[0]: row for row in tables["Nach Gebiet"]}
    assert csv_rows["NRW"][1:2] + csv_rows["NRW"][4:5] == ["293,75", "4406,25"]
    assert csv_rows["Regierungsbezirk Arnsberg"][4] == "2400,00"
    assert csv_rows["Regierungsbezirk Düsseldorf"][4] == "2006,25"
    assert "Düsseldorf" not in csv_rows  # a Regierungsbezirk is never named like the city's KI
    assert_formats_agree(client, YEAR_2026, report)

    page = client.get(f"/reports/state?{YEAR_2026}").get_data(as_text=True)
    assert "Besetzungsquote" in page and "Regierungsbezirk Düsseldorf" in page
    assert "Wer in zwei Zentren aktiv ist, zählt in beiden." in page


def test_charts_round_hours_as_the_tables_do(client, login, demo_like):
    login("state")
    page = client.get(f"/reports/centre/duesseldorf?{YEAR_2026}").get_data(as_text=True)
    assert "83,25&#160;h" in page and "Begegnung: 83,25 h" in page  # the bar's label and its description
    assert "83,2&#160;h" not in page and "83,3&#160;h" not in page
    assert '<td class="number">83,25</td>' in page


def test_a_year_without_grant_is_named_not_shown_as_zero(client, login, demo_like):
    login("state")
    db.session.execute(sa.delete(Grant).where(Grant.centre_id == demo_like["duisburg"].id))
    db.session.commit()
    query = "from=2026-12-01&to=2027-01-31"
    own = client.get(f"/reports/centre/duisburg?{query}&format=json").get_json()
    assert own["grant_amount_eur"] is None and own["in_kind_value_eur"] is None
    assert own["cost_per_volunteer_hour_eur"] is None and own["years_without_grant"] == [2026, 2027]
    report = client.get(f"/reports/state?{query}&format=json").get_json()
    siegen = next(c for c in report["centres"] if c["centre"] == "siegen-wittgenstein")
    assert siegen["years_without_grant"] == [2027] and siegen["grant_amount_eur"] == float(
        cents(Decimal(223000) * 31 / 365)
    )
    assert report["nrw"]["years_without_grant"] == [2026, 2027]
    assert sorted(report["nrw"]["centres_without_grant"]) == sorted(demo_like)  # none has a grant for 2027

    header, tables = read_csv(client.get(f"/reports/state?{query}&format=csv").data)
    assert "Kommunales Integrationszentrum Duisburg (2026, 2027)" in header["Hinweis zur Förderung"]
    duisburg = next(row for row in tables["Nach Gebiet"] if row[0].endswith("Duisburg"))
    assert duisburg[4:7] == ["", "", ""]  # no value, no cap, no grant: empty cells, not 0,00
    book = read_xlsx(client.get(f"/reports/state?{query}&format=xlsx").data)
    assert "Duisburg (2026, 2027)" in overview(book)["Hinweis zur Förderung"].value
    assert "Duisburg (2026, 2027)" in " ".join(pdf_lines(client.get(f"/reports/state?{query}&format=pdf").data))
    page = client.get(f"/reports/state?{query}").get_data(as_text=True)
    assert "Duisburg (2026, 2027)" in page and "0,00 €" not in page
    assert_formats_agree(client, query, report)

    header, tables = read_csv(client.get(f"/reports/centre/duisburg?{query}&format=csv").data)
    summary = dict(tables["Übersicht"])
    assert summary["Fördersumme (anteilig für den Zeitraum)"] == "" and summary["Geldwert des Ehrenamts"] == ""
    assert "2026, 2027" in header["Hinweis zur Förderung"]
    page = client.get(f"/reports/centre/duisburg?{query}").get_data(as_text=True)
    assert "Für 2026, 2027 ist keine Förderung erfasst." in page


def test_a_closed_centre_period_counts_frozen_in_the_state_report(client, login, make_user, demo_like):
    centre = demo_like["duesseldorf"]
    period = create_period(centre=centre, label="2026", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 30))
    close_period(period=period, by=make_user("lead", centre))
    db.session.commit()
    # Afterwards the grant's rate is changed: the closed period's figures must not follow.
    db.session.scalar(sa.select(Grant).where(Grant.centre_id == centre.id)).valuation_rate_eur = Decimal("20.00")
    db.session.commit()
    login("state")
    query = "from=2026-01-01&to=2026-12-30"
    own = client.get(f"/reports/centre/duesseldorf?{query}&format=json").get_json()
    report = client.get(f"/reports/state?{query}&format=json").get_json()
    row = next(c for c in report["centres"] if c["centre"] == "duesseldorf")
    assert own["period_closed"] is True and row["period_closed"] is True
    assert row["in_kind_value_eur"] == 1248.75  # 83.25 h × 15 EUR, as frozen; not × 20 EUR
    assert {k: v for k, v in own.items() if k not in ("checksum", "period_label")} == row
    region = next(r for r in report["regierungsbezirke"] if r["regierungsbezirk"] == "Düsseldorf")
    assert_is_sum_of(region, [c for c in report["centres"] if c["regierungsbezirk"] == "Düsseldorf"])


def test_the_state_report_runs_as_many_statements_for_many_centres_as_for_few(client, login, make_centre):
    login("state")

    def statements() -> int:
        kept_figures().clear()  # the figures computed, not kept ones (tests/reports/test_kept_figures.py)
        seen = []

        def record(_conn, _cursor, statement, *_args):
            seen.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get(f"/reports/state?{YEAR_2026}").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
        return len(seen)

    for region in REGIONS:
        make_centre(regierungsbezirk=region)
    client.get(f"/reports/state?{YEAR_2026}")  # warm-up
    few = statements()
    for n in range(12):
        make_centre(regierungsbezirk=REGIONS[n % 3])
    assert statements() == few <= 15
