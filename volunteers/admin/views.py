"""The operator's pages: create centres and name their leads. Nothing about volunteers."""

from functools import wraps

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.invitations import send_invitation
from ..centres import services as centres
from ..centres.forms import CentreForm, LeadForm
from ..centres.models import Centre
from ..core.tenancy import centre_by_slug_or_404
from ..core.web import attempt
from ..extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(404)
        return view(*args, **kwargs)

    return wrapper


@bp.route("/centres", methods=["GET", "POST"])
@admin_required
def centre_list():
    form = CentreForm()
    if form.validate_on_submit():
        ok, centre = attempt(
            lambda: centres.create_centre(**{k: v for k, v in form.data.items() if k != "csrf_token"}), form
        )
        if ok:
            flash(_("Das Zentrum %(name)s ist angelegt.", name=centre.name), "success")
            return redirect(url_for("admin.centre_lead", slug=centre.slug))
    all_centres = db.session.scalars(sa.select(Centre).order_by(Centre.regierungsbezirk, Centre.name))
    return render_template("admin/centres.html", form=form, centres=list(all_centres)), 422 if form.errors else 200


@bp.route("/centres/<slug>/lead", methods=["GET", "POST"])
@admin_required
def centre_lead(slug: str):
    centre = centre_by_slug_or_404(slug)
    form = LeadForm()
    if form.validate_on_submit():
        ok, result = attempt(
            lambda: centres.assign_lead(centre=centre, email=form.email.data, name=form.name.data), form
        )
        if ok:
            user, is_new = result
            if is_new:
                send_invitation(user=user, centre_name=centre.name)  # queued: mailed only if this commits
            flash(_("%(name)s leitet jetzt %(centre)s.", name=user.name, centre=centre.name), "success")
            return redirect(url_for("admin.centre_list"))
    return render_template(
        "admin/centre_lead.html", form=form, centre=centre, staff=centres.staff_of(centre)
    ), 422 if form.errors else 200
