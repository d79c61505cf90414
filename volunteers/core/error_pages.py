"""How failures reach people: a German page for the browser, or the format of the domain that
claims the request's path (the JSON API registers its own with register_error_format).

Error pages never touch the database: the failure may be the database itself (down, restarting,
cut off), and a page that asked it again would fail inside its own error handler and leave the
server's bare "Internal Server Error". So once a handler has begun, on_error_page() is true: the
page has a layout of its own without the person's navigation (templates/errors/layout.html), the
signed-in person is not loaded for it (accounts/auth.py), and its language comes from the request
alone (core/i18n.py). A database that cannot be reached answers 503 with Retry-After."""

from collections.abc import Callable
from contextlib import suppress

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, jsonify, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..extensions import db
from .errors import DomainError, http_message

# (status, code, message, field) -> response
ErrorFormat = Callable[[int, str, str, str | None], ResponseReturnValue]

# Codes for the plain HTTP errors, so that clients can branch on something stable.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
}


# The database cannot be reached or did not answer in time (TimeoutError: no pooled connection
# came free). OperationalError also covers a restart, a lost connection and "database is locked".
UNAVAILABLE_ERRORS = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.DisconnectionError, sa.exc.TimeoutError)
# A restart or a fail-over takes seconds to a minute.
RETRY_AFTER_SECONDS = 30


def is_database_unavailable(error: BaseException) -> bool:
    if isinstance(error, UNAVAILABLE_ERRORS):
        return True
    return isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated


def on_error_page() -> bool:
    """Whether this request is answered by an error page, which must not touch the database."""
    return g.get("error_page", False)


def _begin_error_page() -> None:
    g.error_page = True


def http_code(error: HTTPException) -> str:
    return HTTP_CODES.get(error.code, "error")


def register_error_format(app: Flask, path_prefixes: tuple[str, ...], error_format: ErrorFormat) -> None:
    """Failures of requests under these paths are answered by error_format instead of a page."""
    app.extensions.setdefault("error_formats", []).append((path_prefixes, error_format))


def _failure(status: int, code: str, message, field: str | None = None, *, hint=None) -> Response:
    error_format = _error_format()
    if error_format is not None:
        text = f"{message} {hint}" if hint else str(message)
        return make_response(error_format(status, code, text, field))
    return make_response(render_template("errors/error.html", status=status, message=message, hint=hint), status)


def _error_format() -> ErrorFormat | None:
    for path_prefixes, error_format in current_app.extensions.get("error_formats", ()):
        if request.path.startswith(path_prefixes):
            return error_format
    if request.accept_mimetypes.best_match(("text/html", "application/json")) == "application/json":
        return json_error
    return None


def json_error(status: int, code: str, message: str, field: str | None = None) -> Response:
    """The API's error format, for a request elsewhere that asked for JSON (Accept)."""
    error = {"code": code, "message": message} | ({"field": field} if field else {})
    response = jsonify(error=error)
    response.status_code = status
    return response


def _unavailable() -> Response:
    # The connection is gone: the pool throws it away, and nothing is left to undo.
    with suppress(sa.exc.SQLAlchemyError):
        db.session.rollback()
    response = _failure(
        503,
        "unavailable",
        _("Treffpunkt ist gerade nicht erreichbar."),
        hint=_("Bitte versuchen Sie es in einer Minute noch einmal."),
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"  # neither a proxy nor the service worker may keep it
    return response


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        _begin_error_page()
        message = _(
            "Das Formular ist abgelaufen oder ungültig. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal."
        )
        return _failure(400, "csrf_failed", message)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        _begin_error_page()
        db.session.rollback()
        return _failure(error.status, error.code, error.message, error.field)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        _begin_error_page()
        response = _failure(error.code or 500, http_code(error), http_message(error))
        # What the error itself says in headers: Allow on a 405, WWW-Authenticate, Retry-After.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        _begin_error_page()
        if is_database_unavailable(error):
            # The driver's message only: the statement's parameters may be personal data.
            reason = getattr(error, "orig", None) or error
            app.logger.warning("Database unavailable on %s %s: %r", request.method, request.path, reason)
            return _unavailable()
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return _failure(500, "internal_error", http_message(None))
