"""The JSON API under /api/v1 for the PWA, native clients and integrations.

A valid bearer token needs no CSRF token (a browser never adds one by itself); requests that rely
on the session cookie must carry the CSRF token in the X-CSRFToken header, like the forms do. The
rule is accounts.auth.protect_cookie_session, shared with the push endpoints."""

from flask import Blueprint, request

from ..accounts.auth import protect_cookie_session
from ..extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

# Endpoints that need no CSRF token because they do not act on an existing session.
CSRF_FREE_ENDPOINTS = {"api.create_token"}


@bp.before_request
def protect_cookie_sessions():
    if request.endpoint not in CSRF_FREE_ENDPOINTS:
        protect_cookie_session()


from . import (  # noqa: E402,F401 - the modules register their routes on bp
    activities,
    auth,
    availability,
    centres,
    checkins,
    engagement,
    grants,
    handovers,
    hours,
    me,
    openapi,
    shift_actions,
    shifts,
)
