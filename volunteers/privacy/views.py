"""The volunteer's own data: download it, or delete the account (settings page)."""

from flask import Blueprint, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ..core.transactions import after_commit
from .forms import DeleteAccountForm
from .services import delete_account, export_personal_data

bp = Blueprint("privacy", __name__)


@bp.route("/settings/my-data.json")
@login_required
def download():
    response = jsonify(export_personal_data(current_user))
    response.headers["Content-Disposition"] = 'attachment; filename="treffpunkt-meine-daten.json"'
    return response


@bp.route("/settings/delete-account", methods=["GET", "POST"])
@login_required
def delete():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.password.data):
            form.password.errors.append(_("Das Passwort ist falsch."))
        else:
            delete_account(user=current_user)
            after_commit(logout_user)
            flash(
                _("Ihr Konto ist gelöscht. Ihre Stunden bleiben ohne Namen in der Statistik des Zentrums."), "success"
            )
            return redirect(url_for("pages.home"))
    return render_template("privacy/delete.html", form=form), 422 if form.errors else 200
