"""Who is asking: a login session (session or remember-me cookie) for pages, a bearer token for
programs, and which requests count as a program's.

A request is a program's when it goes to the JSON API or the push endpoints, asks for a download
(`format=` other than html) or prefers JSON to HTML. Only such requests may use a bearer token
(a token is not a browser login), and only they get 401 in the error format instead of the login
page when credentials are missing. A valid bearer token speaks for the whole request, even if a
cookie came along, and only a valid one exempts a writing request from CSRF."""

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user

from ..core.database import READ_ONLY_METHODS
from ..core.error_pages import on_error_page
from ..core.transactions import after_commit
from ..extensions import csrf
from .models import User
from .services import start_login_session, user_for_api_token, user_for_login_session

PROGRAM_PATHS = ("/api/", "/push/")
# What a signed-in session keeps across the login; everything else (the CSRF token first of all)
# starts afresh, so that nothing planted before the login is trusted after it.
KEPT_AT_LOGIN = ("_flashes",)


def init_login(app: Flask, login_manager) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Bitte melden Sie sich an, um diese Seite zu sehen.")
    login_manager.login_message_category = "info"
    # The cookies carry the login session's token, not the user's id (models.User.get_login_token).
    login_manager.id_attribute = "get_login_token"
    login_manager.user_loader(load_user_from_session)
    login_manager.request_loader(load_user_from_bearer)
    login_manager.unauthorized_handler(unauthorized)


def is_program_request() -> bool:
    """Whether a program rather than a browser page asks (see the module's docstring)."""
    if request.path.startswith(PROGRAM_PATHS) or request.args.get("format", "html") != "html":
        return True
    return request.accept_mimetypes.best_match(("text/html", "application/json")) == "application/json"


def sign_in_after_commit(user: User, *, remember: bool = False) -> None:
    """Start a login session for `user` in this request's transaction and sign the browser in to
    it once that has committed."""
    token = start_login_session(user=user)
    after_commit(lambda: _sign_in(user, token, remember=remember))


def _sign_in(user: User, token: str, *, remember: bool) -> None:
    kept = {key: session[key] for key in KEPT_AT_LOGIN if key in session}
    session.clear()
    session.update(kept)
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)  # Flask-WTF's per-request copy
    user.login_token = token
    login_user(user, remember=remember)


def current_login_token() -> str | None:
    """The token of the login session this request is signed in with (None with a bearer token)."""
    return getattr(current_user, "login_token", None) if current_user.is_authenticated else None


def signed_in_person() -> User:
    """The signed-in person itself, not Flask-Login's proxy, whose every attribute read looks the
    user up again: a list asks the policy about each of its cards, dozens of reads per page."""
    return current_user._get_current_object()


def load_user_from_session(token: str) -> User | None:
    if on_error_page():  # error pages never touch the database: the failure may be the database
        return None
    bearer = bearer_user()
    if bearer is not None:
        return bearer
    return user_for_login_session(token, record_use=request.method not in READ_ONLY_METHODS)


def load_user_from_bearer(_request) -> User | None:
    return None if on_error_page() else bearer_user()


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def bearer_user() -> User | None:
    """The owner of the valid bearer token of a program's request, else None; looked up once."""
    if "bearer_user" not in g:
        token = bearer_token() if is_program_request() else None
        record_use = request.method not in READ_ONLY_METHODS
        g.bearer_user = user_for_api_token(token, record_use=record_use) if token else None
    return g.bearer_user


def protect_cookie_session() -> None:
    """CSRF for a writing program request: needed unless a valid bearer token carries it (a
    browser never adds one by itself, but a bogus "Bearer x" anyone can)."""
    if request.method in READ_ONLY_METHODS or bearer_user() is not None:
        return
    if current_user.is_authenticated:
        csrf.protect()


def saved_locale() -> str | None:
    """The language the signed-in user chose, for core.i18n; None for guests."""
    return current_user.locale if current_user.is_authenticated else None


def unauthorized():
    if is_program_request():
        from ..api.errors import api_error

        return api_error(401, "unauthorized", _l("Anmeldung erforderlich."))
    flash(_l("Bitte melden Sie sich an, um diese Seite zu sehen."), "info")
    return redirect(url_for("accounts.login", next=request.full_path if request.query_string else request.path))
