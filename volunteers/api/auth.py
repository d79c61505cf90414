"""API sign-in with bearer tokens, and the caller's profile."""

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts import services as accounts
from ..accounts.auth import bearer_token, bearer_user
from ..accounts.models import EMAIL, TOKEN_LABEL
from ..core.errors import Unauthorized
from ..core.transactions import commit_despite_error
from ..feeds.links import personal_feed_url
from . import bp
from .errors import api_error
from .helpers import json_body, require_login, require_string, text_field


@bp.post("/auth/token")
def create_token():
    body = json_body()
    label = text_field(body.get("label"), "label", TOKEN_LABEL)
    try:
        user = accounts.authenticate(
            email=require_string(body, "email", max_length=EMAIL),
            password=require_string(body, "password"),
            client_address=request.remote_addr,
        )
    except Unauthorized:
        commit_despite_error()  # keep the counted failure
        raise
    token = accounts.issue_api_token(user=user, label=label)
    return jsonify(token=token, token_type="Bearer"), 201  # nosec B106: the scheme name, not a secret


@bp.delete("/auth/token")
def revoke_token():
    """Revoke the bearer token this request carries (sign out of a client)."""
    require_login()
    if bearer_user() is None:  # signed in with the session cookie
        return api_error(400, "bearer_required", _("Nur mit einem Bearer-Token möglich."))
    accounts.revoke_api_token(bearer_token())
    return "", 204


def profile_of(user) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "phone": user.phone,
        "locale": user.locale,
        "roles": sorted({m.role for m in user.memberships} | ({user.global_role} if user.global_role else set())),
        "global_role": user.global_role,
        "centres": [{"slug": m.centre.slug, "name": m.centre.name, "role": m.role} for m in user.memberships],
        "calendar_feed_url": personal_feed_url(user),
    }


@bp.get("/me")
def me():
    require_login()
    return jsonify(profile_of(current_user))
