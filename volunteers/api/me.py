"""The caller's own data under DSGVO: take it away (Art. 15/20) or delete the account (Art. 17),
keeping the hours pseudonymised so that the centre's funding figures stay as they were."""

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from ..accounts import services as accounts
from ..core.errors import Forbidden, Unauthorized
from ..core.transactions import after_commit, commit_despite_error
from ..privacy.services import delete_account, export_personal_data
from . import bp
from .helpers import InvalidInput, json_body, require_login


def _confirm_password(body: dict) -> None:
    """The account's password, checked through the login throttle: a stolen bearer token alone
    neither deletes the account nor lets anyone guess the password here unthrottled."""
    password = body.get("password")
    if not isinstance(password, str) or not password:
        raise InvalidInput(_("Bitte geben Sie Ihr Passwort zur Bestätigung an."), code="invalid", field="password")
    try:
        accounts.authenticate(email=current_user.email, password=password, client_address=request.remote_addr)
    except Unauthorized:
        commit_despite_error()  # keep the counted failure
        raise Forbidden(_("Das Passwort ist falsch."), code="wrong_password", field="password") from None


@bp.get("/me/export")
def export_my_data():
    require_login()
    response = jsonify(export_personal_data(current_user))
    response.headers["Content-Disposition"] = 'attachment; filename="treffpunkt-meine-daten.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.delete("/me")
def delete_my_account():
    require_login()
    _confirm_password(json_body())
    delete_account(user=current_user._get_current_object())
    after_commit(logout_user)  # also ends a cookie session at once, not only at its next request
    return "", 204
