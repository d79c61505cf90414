"""The one error format of the JSON API: {"error": {"code": ..., "message": ...}}."""

from flask import jsonify
from werkzeug.exceptions import HTTPException

from ..core.error_pages import http_code
from ..core.errors import http_message


def api_error(status: int, code: str, message, field: str | None = None):
    error = {"code": code, "message": str(message)}
    if field:
        error["field"] = field
    response = jsonify(error=error)
    response.status_code = status
    return response


def api_http_error(error: HTTPException):
    return api_error(error.code or 500, http_code(error), http_message(error))
