"""The JSON API under /api/v1 for the PWA, native clients and integrations.

Bearer tokens need no CSRF token (a browser never adds them by itself); requests that rely on the
session cookie must carry the CSRF token in the X-CSRFToken header, like the forms do."""

from flask import Blueprint, request
from flask_login import current_user

from ..accounts.auth import bearer_token
from ..extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

# Endpoints that need no CSRF token because they do not act on an existing session.
CSRF_FREE_ENDPOINTS = {"api.create_token"}


@bp.before_request
def protect_cookie_sessions():
    if request.method in ("GET", "HEAD", "OPTIONS") or request.endpoint in CSRF_FREE_ENDPOINTS:
        return
    if bearer_token() is None and current_user.is_authenticated:
        csrf.protect()


from . import activities, auth, centres, grants, hours, me, openapi, shifts  # noqa: E402,F401 - the modules register their routes on bp
