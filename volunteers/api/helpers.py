"""Request parsing shared by the API modules: the JSON body, and one parser per kind of field.
Each parser takes the value and the field's name, and answers 422 naming the field when the value
does not fit; the rules about what the values mean stay in the services."""

from contextlib import contextmanager

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user

from ..core.errors import DomainError
from ..core.intake import InvalidJson, read_json
from ..core.limits import MAX_INT, TextLimit, clean_text


class InvalidInput(DomainError):
    status = 422


def json_body() -> dict:
    """The request's JSON object, or a 415/400 in the API's error format. Every JSON body is read
    here, within the limits of core/intake.py (depth, NUL, lone surrogates)."""
    if not request.is_json:
        abort(415)
    try:
        body = read_json()
    except InvalidJson:
        body = None
    if not isinstance(body, dict):
        abort(400, description=_("Der Inhalt ist kein gültiges JSON-Objekt."))  # code "bad_request", as ever
    return body


def optional_json_body() -> dict | None:
    """The JSON object of a request that may come without a body (or with another kind of body)."""
    return json_body() if request.is_json and request.content_length != 0 else None


def require_string(body: dict, name: str, *, max_length: int | TextLimit = 200) -> str:
    """A non-empty text of the body, stripped. A TextLimit answers as the form does; a plain
    number with a message naming the field."""
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(_("Das Feld „%(name)s“ fehlt oder ist leer.", name=name), code="invalid", field=name)
    text = clean_text(value.strip(), name)
    if isinstance(max_length, TextLimit):
        return max_length.check(text, name)
    if len(text) > max_length:
        raise InvalidInput(_("Das Feld „%(name)s“ ist zu lang.", name=name), code="invalid", field=name)
    return text


def require_login():
    if not current_user.is_authenticated:
        abort(401)


def invalid(message: str, name: str) -> InvalidInput:
    return InvalidInput(message, code="invalid", field=name)


def string_field(value, name: str) -> str:
    """A non-empty one-line text value of a JSON body, stripped."""
    if not isinstance(value, str) or not value.strip():
        raise invalid(_("Das Feld „%(name)s“ fehlt oder ist leer.", name=name), name)
    return clean_text(value.strip(), name)


def text_field(value, name: str, max_length: int | TextLimit | None = None, *, multiline: bool = False) -> str:
    """An optional text value ("" when missing), stripped, at most `max_length` characters; line
    breaks only in a `multiline` text, as in the form's textarea. A TextLimit (the field's own,
    beside its model) answers with the form's message."""
    if value is not None and not isinstance(value, str):
        raise invalid(_("„%(name)s“ muss ein Text sein.", name=name), name)
    text = clean_text((value or "").strip(), name, multiline=multiline)
    if isinstance(max_length, TextLimit):
        return max_length.check(text, name)
    if max_length is not None and len(text) > max_length:
        raise invalid(_("„%(name)s“ darf höchstens %(max)d Zeichen lang sein.", name=name, max=max_length), name)
    return text


def multiline_text_field(value, name: str, max_length: int | TextLimit | None = None) -> str:
    """text_field for a note or a reason: line breaks allowed."""
    return text_field(value, name, max_length, multiline=True)


def integer_field(value, name: str, *, minimum: int = 0, maximum: int = MAX_INT) -> int:
    """A whole JSON number from `minimum` to `maximum` (at most what the database's integer holds):
    ids, counts, minutes."""
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise invalid(
            _("„%(name)s“ muss eine ganze Zahl von %(min)d bis %(max)d sein.", name=name, min=minimum, max=maximum),
            name,
        )
    return value


def id_field(value, name: str) -> int:
    """The id of a row, named in a JSON body: as the path converter, only what the column holds."""
    return integer_field(value, name, minimum=1)


def text_field_or_none(value, name: str) -> str | None:
    """An optional text value as text_field does, but None instead of an empty text."""
    return text_field(value, name) or None


def string_field_or_none(value, name: str) -> str | None:
    """None for a missing, null or empty value (the PWA sends "" and null alike), else a non-empty
    text value as string_field does."""
    return None if value is None or value == "" else string_field(value, name)


@contextmanager
def in_api_terms(field_names: dict[str, str]):
    """A service's domain error names the field as the service does; `field_names` maps those names
    to the ones API clients know, e.g. {"capacity_max": "capacity"}."""
    try:
        yield
    except DomainError as error:
        error.field = field_names.get(error.field, error.field)
        raise
