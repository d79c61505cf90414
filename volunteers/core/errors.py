"""Domain errors: business rules fail with a message for people and a code for programs."""

from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    status = 400

    def __init__(self, message: str, *, code: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


class Unauthorized(DomainError):
    status = 401


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class TooManyRequests(DomainError):
    status = 429


HTTP_MESSAGES = {
    400: _l("Die Anfrage war fehlerhaft."),
    401: _l("Anmeldung erforderlich."),
    403: _l("Sie haben keinen Zugriff auf diese Seite."),
    404: _l("Diese Seite gibt es nicht."),
    405: _l("Diese Aktion ist hier nicht möglich."),
    413: _l("Die Anfrage ist zu groß."),
    415: _l("Bitte senden Sie JSON (Content-Type: application/json)."),
    429: _l("Zu viele Anfragen. Bitte warten Sie einen Moment."),
    500: _l("Ein Fehler ist aufgetreten. Wir kümmern uns darum."),
}


def http_message(error: HTTPException | None) -> str:
    """A German (translated) text for an HTTP error; a description given to abort() wins."""
    if error is None:
        return str(HTTP_MESSAGES[500])
    if error.description and error.description != type(error).description:
        return str(error.description)
    return str(HTTP_MESSAGES.get(error.code, HTTP_MESSAGES[400]))
