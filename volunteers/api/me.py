"""The caller's own data: their personal calendar feed, and under DSGVO taking the data away
(Art. 15/20) or deleting the account (Art. 17), keeping the hours pseudonymised so that the
centre's funding figures stay as they were."""

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from ..accounts import services as accounts
from ..core.errors import Forbidden, Unauthorized
from ..core.transactions import after_commit, commit_despite_error
from ..feeds.links import personal_feed_url
from ..feeds.models import PERSONAL
from ..feeds.tokens import regenerate_token, revoke_token
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


@bp.post("/me/calendar-feed")
def switch_on_calendar_feed():
    """201 with the new feed's URL, or 200 with the URL when the feed is on already: a client may
    repeat the call safely (unlike the page's "new link", it never replaces a working URL)."""
    require_login()
    if url := personal_feed_url(current_user):
        return jsonify(url=url), 200
    regenerate_token(kind=PERSONAL, user_id=current_user.id)  # the page's service
    return jsonify(url=personal_feed_url(current_user)), 201


@bp.delete("/me/calendar-feed")
def revoke_calendar_feed():
    """204: the old URL stops working at once; revoking a feed that is off changes nothing."""
    require_login()
    revoke_token(kind=PERSONAL, user_id=current_user.id)
    return "", 204


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
