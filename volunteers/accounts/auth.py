"""Who is asking: the session cookie for pages, a bearer token for the JSON API."""

import sqlalchemy as sa
from flask import Flask, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..core.error_pages import on_error_page
from ..extensions import db
from .models import User
from .services import user_for_api_token

API_PREFIX = "/api/"


def init_login(app: Flask, login_manager) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Bitte melden Sie sich an, um diese Seite zu sehen.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user_from_session)
    login_manager.request_loader(load_user_from_bearer)
    login_manager.unauthorized_handler(unauthorized)


def load_user_from_session(session_id: str) -> User | None:
    if on_error_page():  # error pages never touch the database: the failure may be the database
        return None
    # The id carries the session version: a password change ends all older sessions.
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    return db.session.scalar(sa.select(User).where(User.id == int(user_id), User.session_version == int(version)))


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def load_user_from_bearer(req) -> User | None:
    if not req.path.startswith(API_PREFIX) or on_error_page():
        return None
    token = bearer_token()
    return user_for_api_token(token, record_use=req.method not in ("GET", "HEAD", "OPTIONS")) if token else None


def saved_locale() -> str | None:
    """The language the signed-in user chose, for core.i18n; None for guests."""
    return current_user.locale if current_user.is_authenticated else None


def unauthorized():
    if request.path.startswith(API_PREFIX):
        from ..api.errors import api_error

        return api_error(401, "unauthorized", _l("Anmeldung erforderlich."))
    flash(_l("Bitte melden Sie sich an, um diese Seite zu sehen."), "info")
    return redirect(url_for("accounts.login", next=request.full_path if request.query_string else request.path))
