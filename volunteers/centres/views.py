"""The coordinators' pages of a centre: overview, meeting points, staff (for the centre lead)."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.invitations import send_invitation
from ..accounts.models import User
from ..core.errors import DomainError
from ..core.tenancy import get_in_centre_or_404, in_centre, staff_centre_or_404
from ..core.web import show_domain_error
from ..extensions import db
from . import services
from .forms import MeetingPointForm, StaffForm
from .languages import language_name
from .models import MeetingPoint

bp = Blueprint("centres", __name__)


@bp.app_template_filter("language_name")
def _language_name(code: str) -> str:
    return language_name(code)


@bp.route("/meeting-points")
def public_meeting_points():
    meeting_points = db.session.scalars(
        sa.select(MeetingPoint).where(MeetingPoint.is_closed.is_(False))
        .options(sa.orm.joinedload(MeetingPoint.centre)).order_by(MeetingPoint.city, MeetingPoint.name))
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
        try:
            services.create_meeting_point(centre=centre, **form.values())
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Der Treffpunkt ist angelegt."), "success")
            return redirect(url_for("centres.overview", slug=centre.slug))
    return render_template("centres/meeting_point_form.html", centre=centre, form=form,
                           meeting_point=None), 422 if form.errors else 200


@bp.route("/centres/<slug>/meeting-points/<int:meeting_point_id>/edit", methods=["GET", "POST"])
@login_required
def edit_meeting_point(slug: str, meeting_point_id: int):
    centre = staff_centre_or_404(slug)
    meeting_point = get_in_centre_or_404(MeetingPoint, meeting_point_id, centre)
    form = MeetingPointForm(obj=meeting_point)
    if form.validate_on_submit():
        try:
            services.update_meeting_point(meeting_point=meeting_point, **form.values())
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Der Treffpunkt ist gespeichert."), "success")
            return redirect(url_for("centres.overview", slug=centre.slug))
    return render_template("centres/meeting_point_form.html", centre=centre, form=form,
                           meeting_point=meeting_point), 422 if form.errors else 200


@bp.route("/centres/<slug>/staff", methods=["GET", "POST"])
@login_required
def staff(slug: str):
    centre = staff_centre_or_404(slug, lead_only=True)
    form = StaffForm()
    if form.validate_on_submit():
        try:
            user, is_new = services.add_staff_member(centre=centre, email=form.email.data,
                                                     name=form.name.data, role=form.role.data)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            if is_new:
                send_invitation(user=user, centre_name=centre.name)
            flash(_("%(name)s gehört jetzt zum Team.", name=user.name), "success")
            return redirect(url_for("centres.staff", slug=centre.slug))
    return render_template("centres/staff.html", centre=centre, form=form,
                           staff=services.staff_of(centre)), 422 if form.errors else 200


@bp.route("/centres/<slug>/staff/<int:user_id>/remove", methods=["POST"])
@login_required
def remove_staff(slug: str, user_id: int):
    centre = staff_centre_or_404(slug, lead_only=True)
    user = db.get_or_404(User, user_id)
    try:
        services.remove_staff_member(centre=centre, user=user, acting_user=current_user)
    except DomainError as error:
        db.session.rollback()
        # Not staff here: answer as if the person did not exist, like every other foreign id.
        if error.code == "not_staff":
            abort(404)
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("%(name)s gehört nicht mehr zum Team.", name=user.name), "success")
    return redirect(url_for("centres.staff", slug=centre.slug))
