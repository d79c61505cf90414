"""Request parsing shared by the API modules."""

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user

from ..core.errors import DomainError


class InvalidInput(DomainError):
    status = 422


def json_body() -> dict:
    """The request's JSON object, or a 415/400 in the API's error format."""
    if not request.is_json:
        abort(415)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description=_("Der Inhalt ist kein gültiges JSON-Objekt."))
    return body


def require_string(body: dict, name: str, *, max_length: int = 200) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(_("Das Feld „%(name)s“ fehlt oder ist leer.", name=name), code="invalid", field=name)
    if len(value) > max_length:
        raise InvalidInput(_("Das Feld „%(name)s“ ist zu lang.", name=name), code="invalid", field=name)
    return value.strip()


def require_login():
    if not current_user.is_authenticated:
        abort(401)


def invalid(message: str, name: str) -> InvalidInput:
    return InvalidInput(message, code="invalid", field=name)


def string_field(value, name: str) -> str:
    """A non-empty text value of a JSON body, stripped."""
    if not isinstance(value, str) or not value.strip():
        raise invalid(_("Das Feld „%(name)s“ fehlt oder ist leer.", name=name), name)
    return value.strip()


def text_field(value, name: str, max_length: int | None = None) -> str:
    """An optional text value ("" when missing), at most `max_length` characters."""
    if value is not None and not isinstance(value, str):
        raise invalid(_("„%(name)s“ muss ein Text sein.", name=name), name)
    if max_length is not None and value and len(value.strip()) > max_length:
        raise invalid(_("„%(name)s“ darf höchstens %(max)d Zeichen lang sein.", name=name, max=max_length), name)
    return (value or "").strip()
