"""What the report pages, downloads and the CLI share: the header every export carries, the notes
the pages show above the figures and the exports in their header, the charts, the state table,
and one function that turns tables into a file of the chosen format."""

from flask_babel import format_date, ngettext
from flask_babel import gettext as _

from ..core import time
from .charts import bar_chart, share_line
from .csv_export import to_csv
from .pdf_export import to_pdf
from .tables import COUNT, EUR, HOURS, PERCENT, TEXT, Column, Table, hours, report_tables
from .totals import area_hours
from .xlsx_export import to_xlsx

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_header(title: str, figures: dict, notes: list[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    created = format_date(time.to_berlin(time.now()).date(), "medium")
    status = _("abgeschlossen") if figures.get("period_closed") else _("offen (Zahlen können sich noch ändern)")
    return [
        (_("Bericht"), title),
        (_("Zeitraum"), f"{figures['from']} – {figures['to']}"),
        (_("Erstellt am"), created),
        (_("Zeitraum-Status"), status),
        (_("Prüfsumme (SHA-256)"), figures["checksum"]),
        *notes,
    ]


def _years(years: list[int]) -> str:
    return ", ".join(str(year) for year in years)


def centre_notes(figures: dict) -> list[tuple[str, str]]:
    """What a reader must know to read the centre's figures right: years without a grant."""
    years = figures.get("years_without_grant") or []
    if not years:
        return []
    text = ngettext(
        "Für %(years)s ist keine Förderung erfasst. Fördersumme und Geldwert enthalten dieses Jahr nicht; "
        "ohne jede Förderung bleiben sie leer.",
        "Für %(years)s ist keine Förderung erfasst. Fördersumme und Geldwert enthalten diese Jahre nicht; "
        "ohne jede Förderung bleiben sie leer.",
        len(years),
        years=_years(years),
    )
    return [(_("Hinweis zur Förderung"), text)]


def state_definitions() -> list[tuple[str, str]]:
    """How the state's rows are made: sums of the centres, and how people are counted."""
    return [
        (
            _("Summen"),
            _(
                "Regierungsbezirke und NRW sind die Summen ihrer Zentren: Stunden je Zentrum auf Hundertstel, "
                "Beträge auf den Cent gerundet. Anteile und Quoten sind aus diesen Summen berechnet. "
                "Nach Deckelung zählt bei einer Förderung ohne Deckel der volle Geldwert."
            ),
        ),
        (
            _("Zählweise"),
            _(
                "Aktive und neue Ehrenamtliche: Summe der Zentren, wie jedes Zentrum sie meldet. "
                "Wer in zwei Zentren aktiv ist, zählt in beiden."
            ),
        ),
    ]


def state_grant_notes(figures: dict) -> list[tuple[str, str]]:
    """Which centres have no grant in which years of the period."""
    missing = [c for c in figures["centres"] if c["years_without_grant"]]
    if not missing:
        return []
    listed = "; ".join(f"{c['centre_name']} ({_years(c['years_without_grant'])})" for c in missing)
    text = _(
        "Keine Förderung erfasst: %(centres)s. Fördersumme und Geldwert enthalten diese Jahre nicht; "
        "ein Zentrum ganz ohne Förderung hat dort leere Felder.",
        centres=listed,
    )
    return [(_("Hinweis zur Förderung"), text)]


def state_notes(figures: dict) -> list[tuple[str, str]]:
    """Every note of the state report, for the exports' header."""
    return state_grant_notes(figures) + state_definitions()


def charts(figures: dict) -> dict:
    return {
        "month": bar_chart(
            "chart-month",
            [(r["month"], hours(r["volunteer_minutes"])) for r in figures["by_month"]],
            title=_("Ehrenamtliche Stunden je Monat"),
            unit="h",
        ),
        "activity": bar_chart(
            "chart-activity",
            [(r["activity_name"], hours(r["volunteer_minutes"])) for r in figures["by_activity"]],
            title=_("Ehrenamtliche Stunden je Tätigkeit"),
            unit="h",
        ),
        "share": share_line(
            "chart-share",
            [(r["month"], r["volunteer_share"]) for r in figures["by_month"]],
            title=_("Ehrenamtsanteil je Monat"),
            reference=figures["programme_volunteer_share"],
            reference_label=_("Programm: 59 %"),
        ),
    }


def region_name(name: str) -> str:
    """A Regierungsbezirk as the reader should read it: "Regierungsbezirk Düsseldorf", never
    "Düsseldorf" alone, which reads like the city's KI."""
    return _("Regierungsbezirk %(name)s", name=name)


def _state_rows(figures: dict) -> list[tuple[str, dict, str | None]]:
    """NRW, then each Regierungsbezirk followed by its centres: (name, figures, centre slug)."""
    rows = [("NRW", figures["nrw"], None)] if figures["nrw"] else []
    for region in figures["regierungsbezirke"]:
        rows.append((region_name(region["regierungsbezirk"]), region, None))
        rows += [
            (c["centre_name"], c, c["centre"])
            for c in figures["centres"]
            if c["regierungsbezirk"] == region["regierungsbezirk"]
        ]
    return rows


def capped_or_whole(figures: dict) -> float | None:
    """The in-kind value after the cap; without a cap, the whole value: so the column adds up."""
    capped = figures["in_kind_value_capped_eur"]
    return figures["in_kind_value_eur"] if capped is None else capped


def state_tables(figures: dict) -> list[Table]:
    """NRW, each Regierungsbezirk and each centre in one table: aggregates only. The page and
    every download show this one table."""
    columns = [
        Column(_("Gebiet"), TEXT),
        Column(_("Ehrenamt (Std.)"), HOURS),
        Column(_("Hauptamt (Std.)"), HOURS),
        Column(_("Ehrenamtsanteil"), PERCENT),
        Column(_("Geldwert"), EUR),
        Column(_("Geldwert nach Deckelung"), EUR),
        Column(_("Fördersumme"), EUR),
        Column(_("Aktive Ehrenamtliche"), COUNT),
        Column(_("Schichten"), COUNT),
        Column(_("Besetzungsquote"), PERCENT),
    ]
    rows = _state_rows(figures)
    values = [
        [
            name,
            area_hours(f, "volunteer"),
            area_hours(f, "staff"),
            f["volunteer_share"],
            f["in_kind_value_eur"],
            capped_or_whole(f),
            f["grant_amount_eur"],
            f["active_volunteers"],
            f["shifts_held"],
            f["fill_rate"],
        ]
        for name, f, _slug in rows
    ]
    return [Table.of_values("regions", _("Nach Gebiet"), columns, values, row_centres=[row[2] for row in rows])]


def centre_file(output: str, title: str, figures: dict) -> bytes:
    """A centre's report as a CSV, XLSX or PDF file."""
    header = export_header(title, figures, centre_notes(figures))
    return render_file(output, header, report_tables(figures), charts(figures))


def state_file(output: str, figures: dict) -> bytes:
    """The state report as a CSV, XLSX or PDF file."""
    header = export_header(_("Land NRW"), {**figures, "period_closed": False}, state_notes(figures))
    return render_file(output, header, state_tables(figures), {})


def render_file(output: str, header, tables: list[Table], charts_svg: dict) -> bytes:
    if output == "xlsx":
        return to_xlsx(header, tables)
    if output == "pdf":
        return to_pdf(header, tables, charts_svg)
    return to_csv(header, tables)
