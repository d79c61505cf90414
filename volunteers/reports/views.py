"""Report pages and downloads: /reports/centre/<slug> and /reports/state (contracts in the spec)."""

import sqlalchemy as sa
from flask import Blueprint, abort, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from ..core import time
from ..core.templating import reading
from ..core.tenancy import centre_by_slug_or_404, staff_centre_or_404
from ..core.web import int_arg
from ..extensions import db
from ..hours.models import CLOSED, ReportPeriod
from . import documents
from .formatting import format_cell
from .kept import kept_body, kept_rows
from .rendering import (
    MIMETYPES,
    centre_file,
    centre_notes,
    charts,
    state_definitions,
    state_file,
    state_grant_notes,
    state_tables,
)
from .services import centre_report, parse_period, state_report
from .tables import report_tables

bp = Blueprint("reports", __name__, url_prefix="/reports")
bp.add_app_template_filter(format_cell, "cell")
FORMATS = ("html", "json", *MIMETYPES)


def _period():
    return parse_period(request.args.get("from"), request.args.get("to"), time.to_berlin(time.now()).date())


def _format() -> str:
    chosen = request.args.get("format", "html")
    if chosen not in FORMATS:
        abort(400, description=_("Unbekanntes Format. Möglich: %(formats)s", formats=", ".join(FORMATS)))
    return chosen


def _centre_for_reader(slug: str):
    """Staff read their centre's report; state viewers read every centre's aggregates."""
    if current_user.is_state_viewer:
        return centre_by_slug_or_404(slug)
    return staff_centre_or_404(slug)


def _download(body: bytes, output: str, name: str):
    response = make_response(body)
    response.headers["Content-Type"] = MIMETYPES[output]
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{output}"'
    return response


@bp.route("/centre/<slug>")
@login_required
def centre(slug: str):
    centre = _centre_for_reader(slug)
    output, period = _format(), _period()
    if output == "html":
        return _centre_page(centre, period)
    figures = centre_report(centre, period)
    if output == "json":
        return jsonify(figures)
    body = centre_file(output, centre.name, figures)
    return _download(body, output, f"kommAn-{centre.slug}-{period.start}-{period.end}")


def _centre_page(centre, period):
    periods = _report_periods(centre)
    figures = centre_report(centre, period, periods=periods)
    return render_template(
        "reports/centre.html",
        centre=centre,
        figures=figures,
        body=_centre_body(centre, period, figures, periods),
        period=period,
        is_staff=current_user.is_staff_of(centre),
    )


def _report_periods(centre) -> list[sa.Row]:
    """The centre's report periods for the links, newest first: what the page shows of them (the
    frozen figures stay in the database, however many periods are closed). Kept until the centre's
    stamp moves."""
    return kept_rows(
        ("report_periods", centre.id),
        centre.id,
        lambda: db.session.execute(
            sa.select(
                ReportPeriod.id,
                ReportPeriod.label,
                ReportPeriod.starts_on,
                ReportPeriod.ends_on,
                (ReportPeriod.status == CLOSED).label("is_closed"),
            )
            .where(ReportPeriod.centre_id == centre.id)
            .order_by(ReportPeriod.starts_on.desc())
        ).all(),
    )


def _centre_body(centre, period, figures: dict, periods: list[sa.Row]) -> Markup:
    """The page's part that depends on no person, kept under a key that names all it shows."""

    def render() -> Markup:
        html = render_template(
            "reports/_centre_body.html",
            centre=centre,
            figures=figures,
            tables=report_tables(figures),
            charts=charts(figures),
            period=period,
            notes=centre_notes(figures),
            periods=periods,
        )
        return Markup(html)  # nosec B704: a rendered, autoescaped template

    if not figures.get("checksum"):
        return render()
    shown = (figures["checksum"], figures["period_closed"], figures["period_label"], *map(tuple, periods))
    key = (centre.id, centre.slug, centre.name, period.start, period.end, reading().code, request.script_root, shown)
    return kept_body(key, centre.id, render)


@bp.route("/state")
@login_required
def state():
    if not current_user.is_state_viewer:
        abort(404)
    output, period = _format(), _period()
    figures = state_report(period)
    if output == "json":
        return jsonify(figures)
    if output in MIMETYPES:
        return _download(state_file(output, figures), output, f"kommAn-nrw-{period.start}-{period.end}")
    return render_template(
        "reports/state.html",
        figures=figures,
        tables=state_tables(figures),
        warnings=state_grant_notes(figures),
        notes=state_definitions(),
        period=period,
    )


@bp.route("/centre/<slug>/room-use")
@login_required
def room_use(slug: str):
    centre = staff_centre_or_404(slug)
    period = _period()
    return render_template(
        "reports/room_use.html", centre=centre, period=period, rows=documents.room_use(centre, period)
    )


@bp.route("/centre/<slug>/sessions")
@login_required
def sessions(slug: str):
    centre = staff_centre_or_404(slug)
    period = _period()
    return render_template(
        "reports/sessions.html", centre=centre, period=period, shifts=documents.participant_counts(centre, period)
    )


@bp.route("/centre/<slug>/hours-lists")
@login_required
def hours_lists(slug: str):
    """Printable Stundennachweis per volunteer, with a signature line; one or all volunteers."""
    centre = staff_centre_or_404(slug)
    period = _period()
    people = documents.volunteers_with_hours(centre, period)
    if volunteer_id := int_arg("volunteer"):
        people = [person for person in people if person.id == volunteer_id]
        if not people:
            abort(404)
    lists = [(person, documents.hours_list(centre, person, period)) for person in people]
    return render_template("reports/hours_lists.html", centre=centre, period=period, lists=lists)
