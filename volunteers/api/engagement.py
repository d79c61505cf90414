"""Proof of engagement in the JSON API: the caller's certificate as a PDF and their progress toward
the Ehrenamtskarte NRW. The rules live in volunteers/engagement; here only types and shapes."""

from datetime import date

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..centres.models import Centre
from ..core import time
from ..engagement import queries, services
from ..engagement.policy import Progress, last_twelve_months
from ..engagement.units import writing_unit
from ..engagement.views import certificate_download
from ..extensions import db
from . import bp
from .helpers import invalid, require_login
from .hours import _date


def _date_arg(name: str, default: date) -> date:
    value = request.args.get(name, "").strip()
    return _date(value, name) if value else default


def _centre_arg() -> Centre:
    """The centre named by ?centre=<slug>, else the caller's only one; a centre the caller does not
    volunteer in is not found, as if it did not exist."""
    centres = current_user.volunteer_centres
    slug = request.args.get("centre", "").strip()
    if slug:
        found = next((c for c in centres if c.slug == slug), None)
        if found is None:
            raise invalid(_("In diesem Zentrum sind Sie nicht ehrenamtlich tätig."), "centre")
        return found
    if len(centres) != 1:
        raise invalid(_("Bitte geben Sie an, für welches Zentrum der Nachweis gilt („centre“)."), "centre")
    return centres[0]


@bp.get("/me/certificate")
def my_certificate():
    """The certificate of engagement for ?from=&to= (default: the last 12 months) as a PDF; the
    same period with the same hours gives the same code again."""
    require_login()
    today = time.to_berlin(time.now()).date()
    default_start, default_end = last_twelve_months(today)
    start, end = _date_arg("from", default_start), _date_arg("to", default_end)
    with writing_unit():
        centre_id = _centre_arg().id
        centre = db.session.get(Centre, centre_id)
        certificate = services.issue_certificate(
            centre=centre, user=current_user._get_current_object(), start=start, end=end
        )
    response = certificate_download(certificate)
    response.headers["X-Verification-Code"] = certificate.readable_code
    return response


def progress_json(centre: Centre, progress: Progress) -> dict:
    start, end = last_twelve_months(progress.today)
    criteria = progress.criteria
    return {
        "centre": centre.slug,
        "centre_name": centre.name,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "minutes_last_12_months": progress.minutes_last_year,
        "hours_last_12_months": round(progress.minutes_last_year / 60, 2),
        "weekly_average_minutes": progress.weekly_minutes,
        "weekly_average_hours": round(progress.weekly_minutes / 60, 2),
        "engaged_since": progress.first_day.isoformat() if progress.first_day else None,
        "years_engaged": progress.years_engaged,
        "criteria": {
            "hours_per_year": criteria.hours_per_year,
            "hours_per_week": criteria.hours_per_week,
            "min_years": criteria.min_years,
        },
        "meets_hours_per_year": progress.meets_yearly_hours,
        "meets_hours_per_week": progress.meets_weekly_hours,
        "meets_min_years": progress.meets_duration,
        "criteria_met": progress.is_met,
        "missing_minutes": progress.missing_minutes,
        "min_years_reached_on": progress.duration_reached_on.isoformat() if progress.duration_reached_on else None,
    }


@bp.get("/me/engagement")
def my_engagement():
    """Per centre the caller volunteers in: hours in the last 12 months, weekly average, years
    engaged, and whether the centre's Ehrenamtskarte criteria are met."""
    require_login()
    today = time.to_berlin(time.now()).date()
    centres = sorted(current_user.volunteer_centres, key=lambda c: c.name)
    return jsonify(items=[progress_json(c, queries.progress_of(c, current_user, today)) for c in centres])
