"""The one error format of the JSON API: {"error": {"code": ..., "message": ...}}."""

from flask import jsonify
from werkzeug.exceptions import HTTPException

from ..core.errors import http_message

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


def api_error(status: int, code: str, message, field: str | None = None):
    error = {"code": code, "message": str(message)}
    if field:
        error["field"] = field
    response = jsonify(error=error)
    response.status_code = status
    return response


def api_http_error(error: HTTPException):
    return api_error(error.code or 500, HTTP_CODES.get(error.code, "error"), http_message(error))
