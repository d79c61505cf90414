"""How failures reach people: a German page for the browser, the API's error format under /api/."""

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..api.errors import api_error, api_http_error
from ..extensions import db
from .errors import DomainError, http_message


def _wants_api() -> bool:
    # The push endpoints are JSON too (called by the PWA's script).
    return request.path.startswith(("/api/", "/push/"))


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        message = _(
            "Das Formular ist abgelaufen oder ungültig. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal."
        )
        if _wants_api():
            return api_error(400, "csrf_failed", message)
        return render_template("errors/error.html", status=400, message=message), 400

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        if _wants_api():
            return api_error(error.status, error.code, error.message, error.field)
        return render_template("errors/error.html", status=error.status, message=error.message), error.status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if _wants_api():
            return api_http_error(error)
        status = error.code or 500
        message = http_message(error)
        return render_template("errors/error.html", status=status, message=message), status

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if _wants_api():
            return api_error(500, "internal_error", http_message(None))
        return render_template("errors/error.html", status=500, message=http_message(None)), 500
