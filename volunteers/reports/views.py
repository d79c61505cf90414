"""Report pages and downloads: /reports/centre/<slug> and /reports/state (contracts in the spec)."""
from flask import Blueprint, abort, jsonify, make_response, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core import time
from ..core.tenancy import centre_by_slug_or_404, in_centre, staff_centre_or_404
from ..extensions import db
from ..hours.models import ReportPeriod
from . import documents
from .charts import bar_chart, share_line
from .csv_export import to_csv
from .formatting import format_cell
from .services import centre_report, parse_period, state_report
from .tables import COUNT, EUR, HOURS, PERCENT, TEXT, Column, Table, hours, report_tables

bp = Blueprint("reports", __name__, url_prefix="/reports")
bp.add_app_template_filter(format_cell, "cell")
FORMATS = ("html", "json", "csv")


def _period():
    return parse_period(request.args.get("from"), request.args.get("to"), time.to_berlin(time.now()).date())


def _format() -> str:
    chosen = request.args.get("format", "html")
    if chosen not in FORMATS:
        abort(400, description=_("Unbekanntes Format. Möglich: %(formats)s", formats=", ".join(FORMATS)))
    return chosen


def _centre_for_reader(slug: str):
    """Staff read their centre's report; state viewers read every centre's aggregates."""
    centre = centre_by_slug_or_404(slug)
    if not (current_user.is_state_viewer or current_user.is_staff_of(centre)):
        abort(404)
    return centre


def _download(body: bytes, mimetype: str, filename: str):
    response = make_response(body)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_header(title: str, figures: dict) -> list[tuple[str, str]]:
    created = format_date(time.to_berlin(time.now()).date(), "medium")
    status = _("abgeschlossen") if figures.get("period_closed") else _("offen (Zahlen können sich noch ändern)")
    return [(_("Bericht"), title), (_("Zeitraum"), f"{figures['from']} – {figures['to']}"),
            (_("Erstellt am"), created), (_("Zeitraum-Status"), status), (_("Prüfsumme (SHA-256)"), figures["checksum"])]


def charts(figures: dict) -> dict:
    return {
        "month": bar_chart("chart-month", [(r["month"], float(hours(r["volunteer_minutes"]))) for r in figures["by_month"]],
                           title=_("Ehrenamtliche Stunden je Monat"), unit="h"),
        "activity": bar_chart("chart-activity", [(r["activity_name"], float(hours(r["volunteer_minutes"])))
                                                 for r in figures["by_activity"]],
                              title=_("Ehrenamtliche Stunden je Tätigkeit"), unit="h"),
        "share": share_line("chart-share", [(r["month"], r["volunteer_share"]) for r in figures["by_month"]],
                            title=_("Ehrenamtsanteil je Monat"), reference=figures["programme_volunteer_share"],
                            reference_label=_("Programm: 59 %")),
    }


@bp.route("/centre/<slug>")
@login_required
def centre(slug: str):
    centre = _centre_for_reader(slug)
    output, period = _format(), _period()
    figures = centre_report(centre, period)
    if output == "json":
        return jsonify(figures)
    tables = report_tables(figures)
    filename = f"kommAn-{centre.slug}-{period.start}-{period.end}"
    if output == "csv":
        return _download(to_csv(export_header(centre.name, figures), tables), "text/csv; charset=utf-8",
                         f"{filename}.csv")
    periods = db.session.scalars(in_centre(ReportPeriod, centre).order_by(ReportPeriod.starts_on.desc()))
    return render_template("reports/centre.html", centre=centre, figures=figures, tables=tables,
                           charts=charts(figures), period=period, periods=list(periods),
                           is_staff=current_user.is_staff_of(centre))


@bp.route("/state")
@login_required
def state():
    if not current_user.is_state_viewer:
        abort(404)
    output, period = _format(), _period()
    figures = state_report(period)
    if output == "json":
        return jsonify(figures)
    if output == "csv":
        rows = [("NRW", figures["nrw"])] + [(r["regierungsbezirk"], r) for r in figures["regierungsbezirke"]] + \
            [(c["centre_name"], c) for c in figures["centres"]]
        tables = [_region_table(rows)]
        header = export_header(_("Land NRW"), {**figures, "period_closed": False})
        return _download(to_csv(header, tables), "text/csv; charset=utf-8",
                         f"kommAn-nrw-{period.start}-{period.end}.csv")
    return render_template("reports/state.html", figures=figures, period=period)


def _region_table(rows):
    columns = [Column(_("Gebiet"), TEXT), Column(_("Ehrenamt (Std.)"), HOURS), Column(_("Hauptamt (Std.)"), HOURS),
               Column(_("Ehrenamtsanteil"), PERCENT), Column(_("Geldwert"), EUR), Column(_("Aktive Ehrenamtliche"), COUNT),
               Column(_("Schichten"), COUNT), Column(_("Besetzungsquote"), PERCENT)]
    return Table("regions", _("Nach Gebiet"), columns, [
        [name, hours(f["volunteer_minutes"]), hours(f["staff_minutes"]), f["volunteer_share"], f["in_kind_value_eur"],
         f["active_volunteers"], f["shifts_held"], f["fill_rate"]] for name, f in rows if f])


@bp.route("/centre/<slug>/room-use")
@login_required
def room_use(slug: str):
    centre = staff_centre_or_404(slug)
    period = _period()
    return render_template("reports/room_use.html", centre=centre, period=period,
                           rows=documents.room_use(centre, period))


@bp.route("/centre/<slug>/sessions")
@login_required
def sessions(slug: str):
    centre = staff_centre_or_404(slug)
    period = _period()
    return render_template("reports/sessions.html", centre=centre, period=period,
                           shifts=documents.participant_counts(centre, period))


@bp.route("/centre/<slug>/hours-lists")
@login_required
def hours_lists(slug: str):
    """Printable Stundennachweis per volunteer, with a signature line; one or all volunteers."""
    centre = staff_centre_or_404(slug)
    period = _period()
    people = documents.volunteers_with_hours(centre, period)
    if volunteer_id := request.args.get("volunteer", type=int):
        people = [person for person in people if person.id == volunteer_id]
        if not people:
            abort(404)
    lists = [(person, documents.hours_list(centre, person, period)) for person in people]
    return render_template("reports/hours_lists.html", centre=centre, period=period, lists=lists)
