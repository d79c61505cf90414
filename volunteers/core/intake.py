"""The request as it comes in, checked once for the whole app before any view or query runs:
ids in paths fit the database's integer, paths and queries hold no control characters, bodies stay
under MAX_CONTENT_LENGTH, and a JSON body is parsed within limits (read_json). Bad input is a 4xx,
answered by core/error_pages.py in the format of the request's domain, never a 5xx from deep
inside (OverflowError, a driver's DataError, RecursionError)."""

import io
import json
import re

from flask import Flask, abort, request
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from .limits import CONTROL_CHARACTERS, MAX_INT, NO_CONTROL_CHARACTERS

# Deeper than any body the API describes; Python's parser would recurse itself to death at ~1000.
MAX_JSON_DEPTH = 20
TOO_LARGE = "treffpunkt.body_too_large"  # set in the WSGI environ by BufferChunkedBodies
# NUL, and UTF-16 halves without their partner ("\ud800"): PostgreSQL cannot store either, and
# UTF-8 cannot even encode the second.
NOT_STORABLE = re.compile("[\x00\ud800-\udfff]")


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` in every route: a number beyond the database's integer is a 404, like any id that
    does not exist, for every method. (Not werkzeug's `max`: a rule that fails to convert is
    skipped, and the route's rules for other methods then make it a misleading 405.)"""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_INT:
            raise NotFound()
        return number


class BufferChunkedBodies:
    """WSGI middleware: a body sent without Content-Length (chunked) is read here, up to the limit,
    and handed on as one of known length. werkzeug would cut such a body off at the limit without
    a word (a form or JSON read so far looks merely broken); this way a longer one is a 413 in the
    request's error format, like a body whose Content-Length says it is too long."""

    def __init__(self, wsgi_app, limit: int | None):
        self.wsgi_app, self.limit = wsgi_app, limit

    def __call__(self, environ, start_response):
        if self.limit is not None and environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
            data = _read_up_to(environ["wsgi.input"], self.limit + 1)
            environ[TOO_LARGE] = len(data) > self.limit
            environ["wsgi.input"] = io.BytesIO(b"" if environ[TOO_LARGE] else data)
            environ["CONTENT_LENGTH"] = str(len(data))
            environ.pop("HTTP_TRANSFER_ENCODING")
        return self.wsgi_app(environ, start_response)


def _read_up_to(stream, size: int) -> bytes:
    chunks, total = [], 0
    while total < size and (chunk := stream.read(size - total)):
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def init_intake(app: Flask) -> None:
    """Register the converter (before any route is added) and the checks that run first."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.wsgi_app = BufferChunkedBodies(app.wsgi_app, app.config.get("MAX_CONTENT_LENGTH"))
    app.before_request(refuse_hostile_requests)


def refuse_hostile_requests():
    limit = request.max_content_length
    if CONTROL_CHARACTERS.search(request.path):
        abort(404)  # no route has such a path
    if any(CONTROL_CHARACTERS.search(key) or CONTROL_CHARACTERS.search(value) for key, value in _query_items()):
        abort(400, description=_("Die Adresse enthält unzulässige Steuerzeichen."))
    if CONTROL_CHARACTERS.search(request.headers.get("Authorization", "")):
        abort(400)
    if limit is None or (request.content_length or 0) <= limit:
        _refuse_nul_in_form()
    if request.environ.get(TOO_LARGE) or (limit is not None and (request.content_length or 0) > limit):
        abort(413)  # before anything reads it


def _refuse_nul_in_form() -> None:
    """NUL in any posted field, also one a view reads without a form class: PostgreSQL cannot store
    it and refuses any query that names it. (Other control characters get the form's message.)"""
    if any("\x00" in key or "\x00" in value for key, values in request.form.lists() for value in values):
        abort(400, description=str(NO_CONTROL_CHARACTERS))


def _query_items():
    for key, values in request.args.lists():
        for value in values:
            yield key, value


class InvalidJson(ValueError):
    pass


def read_json():
    """The request's JSON document, or InvalidJson: not JSON, nested deeper than MAX_JSON_DEPTH, or
    a text with NUL or a lone surrogate anywhere (keys too). NaN and Infinity pass: the field's
    parser refuses them as it refuses any number out of range."""
    try:
        document = json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise InvalidJson(str(error)) from None
    _check_document(document)
    return document


def _check_document(document) -> None:
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise InvalidJson("too deep")
        if isinstance(value, str):
            _check_text(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                _check_text(key)
                pending.append((item, depth + 1))
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)


def _check_text(text: str) -> None:
    if NOT_STORABLE.search(text):
        raise InvalidJson("text not storable")
