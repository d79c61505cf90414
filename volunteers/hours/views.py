"""The volunteer's hours: proposals from attended shifts, manual entries, history and totals,
and the check-in page behind the meeting point's poster."""

import uuid

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..activities.services import activities_for
from ..centres.models import Centre, MeetingPoint
from ..core import time
from ..core.tenancy import in_centres
from ..core.web import attempt
from ..extensions import db
from ..shifts.models import Signup
from .forms import ConfirmProposalForm, ManualHoursForm
from .history import format_minutes, my_entries, my_totals
from .policy import proposed_minutes
from .proposals import check_in_or_out, open_proposals
from .services import HoursInput, log_hours

bp = Blueprint("hours", __name__)


@bp.app_template_filter("duration")
def _duration(minutes: int) -> str:
    return format_minutes(minutes)


def _manual_form() -> ManualHoursForm:
    form = ManualHoursForm()
    centres = current_user.volunteer_centres
    form.centre.choices = [(c.slug, c.name) for c in centres]
    seen = {}
    for centre in centres:
        seen.update({a.slug: a.name for a in activities_for(centre)})
    form.activity.choices = list(seen.items())
    meeting_points = db.session.scalars(in_centres(MeetingPoint, [c.id for c in centres]).order_by(MeetingPoint.name))
    form.meeting_point.choices = [("", _("keiner"))] + [(mp.slug, mp.name) for mp in meeting_points]
    return form


@bp.route("/hours", methods=["GET", "POST"])
@login_required
def my_hours():
    form = _manual_form()
    if request.method == "GET":
        form.client_id.data = str(uuid.uuid4())  # a resubmitted form is stored once
        form.work_date.data = time.to_berlin(time.now()).date()
    if form.validate_on_submit():
        centre = db.session.scalar(sa.select(Centre).where(Centre.slug == form.centre.data))
        meeting_point = _meeting_point(form.meeting_point.data)
        ok, result = attempt(
            lambda: log_hours(centre=centre, person=current_user, values=form.values(meeting_point)), form
        )
        if ok:
            flash(
                _(
                    "Danke! %(duration)s h sind eingetragen und warten auf Freigabe.",
                    duration=format_minutes(result[0].minutes),
                ),
                "success",
            )
            return redirect(url_for("hours.my_hours"))
    return render_template(
        "hours/my_hours.html",
        form=form,
        proposals=open_proposals(current_user),
        entries=my_entries(current_user),
        totals=my_totals(current_user),
        confirm_form=ConfirmProposalForm(),
    ), 422 if form.errors else 200


def _meeting_point(slug):
    # The service refuses a meeting point of another centre with a clear message.
    return db.session.scalar(sa.select(MeetingPoint).where(MeetingPoint.slug == slug)) if slug else None


@bp.route("/hours/proposals/<int:signup_id>", methods=["POST"])
@login_required
def confirm_proposal(signup_id: int):
    signup = db.session.scalar(sa.select(Signup).where(Signup.id == signup_id, Signup.user_id == current_user.id))
    if signup is None:
        abort(404)
    form = ConfirmProposalForm()
    proposed, _from_check_in = proposed_minutes(signup)
    if not form.validate_on_submit():
        flash(_("Bitte geben Sie die Dauer als Stunden und Minuten an."), "error")
        return redirect(url_for("hours.my_hours"))
    ok, _result = attempt(lambda: _confirm(signup, form, proposed))
    if ok:
        flash(_("Danke! Ihre Stunden sind eingetragen."), "success")
    return redirect(url_for("hours.my_hours"))


def _confirm(signup, form, proposed: int):
    minutes = form.total_minutes or proposed
    reason = (form.reason.data or "").strip()  # needed when the duration differs (hours/policy.py)
    shift = signup.shift
    values = HoursInput(
        work_date=time.to_berlin(shift.starts_at).date(),
        minutes=minutes,
        activity=shift.activity,
        meeting_point=shift.meeting_point,
        shift=shift,
        note=reason,
    )
    return log_hours(centre=shift.centre, person=current_user, values=values)


@bp.route("/checkin/<code>", methods=["GET", "POST"])
@login_required
def check_in(code: str):
    """The poster's page. With JavaScript the tap goes to the API through the outbox, with the time
    of the tap; without, this form post counts at the time it arrives (once per page's client id)."""
    meeting_point = db.first_or_404(sa.select(MeetingPoint).where(MeetingPoint.checkin_code == code))
    if request.method == "POST":
        client_id = request.form.get("client_id") or None
        ok, result = attempt(lambda: check_in_or_out(code=code, user=current_user, client_id=client_id))
        if ok:
            flash(_check_in_message(result.direction, result.scanned_at), "success")
        return redirect(url_for("hours.check_in", code=code))
    return render_template("hours/check_in.html", meeting_point=meeting_point, code=code, client_id=str(uuid.uuid4()))


def _check_in_message(direction: str, scanned_at) -> str:
    clock = time.to_berlin(scanned_at).strftime("%H:%M")
    if direction == "in":
        return _("Angekommen um %(time)s. Schön, dass Sie da sind!", time=clock)
    return _("Gegangen um %(time)s. Danke für Ihren Einsatz!", time=clock)
