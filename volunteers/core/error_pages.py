"""How failures reach people: a German page for the browser, or the format of the domain that
claims the request's path (the JSON API registers its own with register_error_format)."""

from collections.abc import Callable

from flask import Flask, current_app, render_template, request
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


def http_code(error: HTTPException) -> str:
    return HTTP_CODES.get(error.code, "error")


def register_error_format(app: Flask, path_prefixes: tuple[str, ...], error_format: ErrorFormat) -> None:
    """Failures of requests under these paths are answered by error_format instead of a page."""
    app.extensions.setdefault("error_formats", []).append((path_prefixes, error_format))


def _failure(status: int, code: str, message, field: str | None = None) -> ResponseReturnValue:
    for path_prefixes, error_format in current_app.extensions.get("error_formats", ()):
        if request.path.startswith(path_prefixes):
            return error_format(status, code, str(message), field)
    return render_template("errors/error.html", status=status, message=message), status


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        message = _(
            "Das Formular ist abgelaufen oder ungültig. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal."
        )
        return _failure(400, "csrf_failed", message)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        return _failure(error.status, error.code, error.message, error.field)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _failure(error.code or 500, http_code(error), http_message(error))

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return _failure(500, "internal_error", http_message(None))
