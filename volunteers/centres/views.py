"""The coordinators' pages of a centre: overview, meeting points, staff (for the centre lead)."""

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.invitations import send_invitation
from ..accounts.models import Membership, User
from ..activities.services import activities_for, add_centre_activity
from ..audit import services as audit
from ..core.errors import DomainError
from ..core.tenancy import get_in_centre_or_404, in_centre, staff_centre_or_404
from ..core.web import attempt
from ..engagement.services import update_criteria
from ..extensions import db
from ..privacy.services import inactive_volunteers
from ..shifts.signups import has_valid_certificate, reliability_strikes
from . import directory as roster  # the volunteer directory's filters and CSV
from . import services
from .forms import ActivityForm, CentreSettingsForm, CertificateForm, MeetingPointForm, StaffForm
from .languages import language_choices, language_name
from .models import MeetingPoint

bp = Blueprint("centres", __name__)


@bp.app_template_filter("language_name")
def _language_name(code: str) -> str:
    return language_name(code)


@bp.route("/meeting-points")
def public_meeting_points():
    meeting_points = db.session.scalars(
        sa.select(MeetingPoint)
        .where(MeetingPoint.is_closed.is_(False))
        .options(sa.orm.joinedload(MeetingPoint.centre))
        .order_by(MeetingPoint.city, MeetingPoint.name)
    )
    return render_template("centres/public_meeting_points.html", meeting_points=list(meeting_points))


@bp.route("/centres/<slug>/")
@login_required
def overview(slug: str):
    centre = staff_centre_or_404(slug)
    meeting_points = db.session.scalars(in_centre(MeetingPoint, centre).order_by(MeetingPoint.name))
    return render_template("centres/overview.html", centre=centre, meeting_points=list(meeting_points))


@bp.route("/centres/<slug>/meeting-points/new", methods=["GET", "POST"])
@login_required
def new_meeting_point(slug: str):
    centre = staff_centre_or_404(slug)
    form = MeetingPointForm()
    if form.validate_on_submit():
        ok, _meeting_point = attempt(lambda: services.create_meeting_point(centre=centre, **form.values()), form)
        if ok:
            flash(_("Der Treffpunkt ist angelegt."), "success")
            return redirect(url_for("centres.overview", slug=centre.slug))
    return render_template(
        "centres/meeting_point_form.html", centre=centre, form=form, meeting_point=None
    ), 422 if form.errors else 200


@bp.route("/centres/<slug>/meeting-points/<int:meeting_point_id>/edit", methods=["GET", "POST"])
@login_required
def edit_meeting_point(slug: str, meeting_point_id: int):
    centre = staff_centre_or_404(slug)
    meeting_point = get_in_centre_or_404(MeetingPoint, meeting_point_id, centre)
    form = MeetingPointForm(obj=meeting_point)
    if form.validate_on_submit():
        ok, _result = attempt(lambda: services.update_meeting_point(meeting_point=meeting_point, **form.values()), form)
        if ok:
            flash(_("Der Treffpunkt ist gespeichert."), "success")
            return redirect(url_for("centres.overview", slug=centre.slug))
    return render_template(
        "centres/meeting_point_form.html", centre=centre, form=form, meeting_point=meeting_point
    ), 422 if form.errors else 200


@bp.route("/centres/<slug>/staff", methods=["GET", "POST"])
@login_required
def staff(slug: str):
    centre = staff_centre_or_404(slug, lead_only=True)
    form = StaffForm()
    if form.validate_on_submit():
        ok, result = attempt(
            lambda: services.add_staff_member(
                centre=centre, email=form.email.data, name=form.name.data, role=form.role.data
            ),
            form,
        )
        if ok:
            user, is_new = result
            if is_new:
                send_invitation(user=user, centre_name=centre.name)  # queued: mailed only if this commits
            flash(_("%(name)s gehört jetzt zum Team.", name=user.name), "success")
            return redirect(url_for("centres.staff", slug=centre.slug))
    return render_template(
        "centres/staff.html", centre=centre, form=form, staff=services.staff_of(centre)
    ), 422 if form.errors else 200


@bp.route("/centres/<slug>/staff/<int:user_id>/remove", methods=["POST"])
@login_required
def remove_staff(slug: str, user_id: int):
    centre = staff_centre_or_404(slug, lead_only=True)
    user = db.get_or_404(User, user_id)
    if attempt(lambda: _remove_staff_or_404(centre, user))[0]:
        flash(_("%(name)s gehört nicht mehr zum Team.", name=user.name), "success")
    return redirect(url_for("centres.staff", slug=centre.slug))


def _remove_staff_or_404(centre, user):
    try:
        services.remove_staff_member(centre=centre, user=user, acting_user=current_user)
    except DomainError as error:
        # Not staff here: answer as if the person did not exist, like every other foreign id.
        if error.code == "not_staff":
            abort(404)
        raise


@bp.route("/centres/<slug>/settings", methods=["GET", "POST"])
@login_required
def settings(slug: str):
    centre = staff_centre_or_404(slug)
    form = CentreSettingsForm(obj=centre)
    activity_form = ActivityForm(prefix="activity")
    if form.validate_on_submit():
        ok, _result = attempt(
            lambda: services.update_settings(
                centre=centre,
                cancel_cutoff_hours=form.cancel_cutoff_hours.data,
                no_show_limit=form.no_show_limit.data,
                handover_needs_approval=form.handover_needs_approval.data,
            ),
            form,
        )
        if ok:  # a second call: the criteria's rule lives with the Ehrenamtskarte (engagement/policy.py)
            ok, _result = attempt(lambda: update_criteria(centre=centre, **form.ehrenamtskarte_criteria()), form)
        if ok:
            flash(_("Die Einstellungen sind gespeichert."), "success")
            return redirect(url_for("centres.settings", slug=slug))
    return _settings_page(centre, form, activity_form)


def _settings_page(centre, form, activity_form):
    return render_template(
        "centres/settings.html",
        centre=centre,
        form=form,
        activity_form=activity_form,
        activities=activities_for(centre),
    ), 422 if form.errors or activity_form.errors else 200


@bp.route("/centres/<slug>/activities", methods=["POST"])
@login_required
def add_activity(slug: str):
    centre = staff_centre_or_404(slug)
    form = ActivityForm(prefix="activity")
    if form.validate_on_submit():
        ok, _activity = attempt(
            lambda: add_centre_activity(centre=centre, name=form.name.data, baustein=form.baustein.data or None), form
        )
        if ok:
            flash(_("Die Tätigkeit ist angelegt."), "success")
            return redirect(url_for("centres.settings", slug=slug))
    return _settings_page(centre, CentreSettingsForm(formdata=None, obj=centre), form)


@bp.route("/centres/<slug>/volunteers")
@login_required
def directory(slug: str):
    centre = staff_centre_or_404(slug)
    wanted, problems = roster.parse_filter(request.args, centre)
    rows = roster.directory_rows(centre, wanted)
    # Flagged for the retention rule (privacy CLI); only this centre's people are looked at.
    inactive = {user.id for user in inactive_volunteers()} & {row.entry.user.id for row in rows}
    return render_template(
        "centres/directory.html",
        centre=centre,
        rows=rows,
        wanted=wanted,
        problems=problems,
        activities=activities_for(centre),
        languages=language_choices(),
        inactive=inactive,
        retention_days=current_app.config["RETENTION_INACTIVE_DAYS"],
    )


@bp.route("/centres/<slug>/volunteers.csv", methods=["POST"])
@login_required
def directory_csv(slug: str):
    """The filtered directory for the centre's own spreadsheet. A POST, because each download is
    written to the audit trail (reads commit nothing)."""
    centre = staff_centre_or_404(slug)
    wanted, _problems = roster.parse_filter(request.form, centre)
    rows = roster.directory_rows(centre, wanted)
    audit.record(
        centre_id=centre.id,
        actor=current_user,
        entity="centre",
        entity_id=centre.id,
        action="volunteers_exported",
        after={"filter": wanted.as_params(), "rows": len(rows)},
    )
    response = Response(roster.directory_csv(rows), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="ehrenamtliche-{centre.slug}.csv"'
    response.headers["Cache-Control"] = "no-store"  # personal data: no copy in a shared cache
    return response


@bp.route("/centres/<slug>/volunteers/<int:user_id>", methods=["GET", "POST"])
@login_required
def volunteer(slug: str, user_id: int):
    centre = staff_centre_or_404(slug)
    membership = db.first_or_404(in_centre(Membership, centre).where(Membership.user_id == user_id))
    if membership.user.is_deleted:
        abort(404)  # only a pseudonym is left, under the hours it gave
    form = CertificateForm(obj=membership)
    if form.validate_on_submit():
        ok, _result = attempt(
            lambda: services.record_certificate(
                membership=membership, verified_on=form.verified_on.data, by=current_user
            ),
            form,
        )
        if ok:
            flash(_("Gespeichert."), "success")
            return redirect(url_for("centres.volunteer", slug=slug, user_id=user_id))
    return render_template(
        "centres/volunteer.html",
        centre=centre,
        membership=membership,
        person=membership.user,
        form=form,
        has_valid_certificate=has_valid_certificate(membership),
        strikes=reliability_strikes(membership.user, centre),
    ), 422 if form.errors else 200
