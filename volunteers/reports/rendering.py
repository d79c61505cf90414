"""What the report pages, downloads and the CLI share: the header every export carries, the
charts, the state table, and one function that turns tables into a file of the chosen format."""

from flask_babel import format_date
from flask_babel import gettext as _

from ..core import time
from .charts import bar_chart, share_line
from .csv_export import to_csv
from .pdf_export import to_pdf
from .tables import COUNT, EUR, HOURS, PERCENT, TEXT, Column, Table, hours
from .xlsx_export import to_xlsx

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_header(title: str, figures: dict) -> list[tuple[str, str]]:
    created = format_date(time.to_berlin(time.now()).date(), "medium")
    status = _("abgeschlossen") if figures.get("period_closed") else _("offen (Zahlen können sich noch ändern)")
    return [
        (_("Bericht"), title),
        (_("Zeitraum"), f"{figures['from']} – {figures['to']}"),
        (_("Erstellt am"), created),
        (_("Zeitraum-Status"), status),
        (_("Prüfsumme (SHA-256)"), figures["checksum"]),
    ]


def charts(figures: dict) -> dict:
    return {
        "month": bar_chart(
            "chart-month",
            [(r["month"], float(hours(r["volunteer_minutes"]))) for r in figures["by_month"]],
            title=_("Ehrenamtliche Stunden je Monat"),
            unit="h",
        ),
        "activity": bar_chart(
            "chart-activity",
            [(r["activity_name"], float(hours(r["volunteer_minutes"]))) for r in figures["by_activity"]],
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


def state_tables(figures: dict) -> list[Table]:
    """NRW, each Regierungsbezirk and each centre in one table: aggregates only."""
    rows = (
        [("NRW", figures["nrw"])]
        + [(r["regierungsbezirk"], r) for r in figures["regierungsbezirke"]]
        + [(c["centre_name"], c) for c in figures["centres"]]
    )
    columns = [
        Column(_("Gebiet"), TEXT),
        Column(_("Ehrenamt (Std.)"), HOURS),
        Column(_("Hauptamt (Std.)"), HOURS),
        Column(_("Ehrenamtsanteil"), PERCENT),
        Column(_("Geldwert"), EUR),
        Column(_("Aktive Ehrenamtliche"), COUNT),
        Column(_("Schichten"), COUNT),
        Column(_("Besetzungsquote"), PERCENT),
    ]
    return [
        Table.of_values(
            "regions",
            _("Nach Gebiet"),
            columns,
            [
                [
                    name,
                    hours(f["volunteer_minutes"]),
                    hours(f["staff_minutes"]),
                    f["volunteer_share"],
                    f["in_kind_value_eur"],
                    f["active_volunteers"],
                    f["shifts_held"],
                    f["fill_rate"],
                ]
                for name, f in rows
                if f
            ],
        )
    ]


def render_file(output: str, header, tables: list[Table], charts_svg: dict) -> bytes:
    if output == "xlsx":
        return to_xlsx(header, tables)
    if output == "pdf":
        return to_pdf(header, tables, charts_svg)
    return to_csv(header, tables)
