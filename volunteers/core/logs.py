"""Secrets out of the access logs: a link's token in the path (password reset, registration
confirmation, personal and centre calendar feeds) or a token-like query value is a key to an
account or a feed, and log files are read, kept and shipped by more people than the database.
One redaction for the development server's request log (werkzeug) and gunicorn's access log."""

import logging
import re

from gunicorn.glogging import Logger as GunicornLogger

REDACTED = "[redacted]"
# The path segment after these prefixes is the secret ("/calendar/u/<token>.ics" keeps ".ics").
SECRET_SEGMENT = re.compile(
    r"(/(?:password/reset|register/confirm|calendar/u|calendar/c)/)"  # the prefix, kept
    r"[^/?#\s\"]+?(\.ics)?(?=[/?#\s\"]|$)"  # the segment, up to the next one or the query
)
# Query parameters whose value is a secret: token, key, code, secret, signature, password, auth.
SECRET_QUERY = re.compile(
    r"([?&;](?:[\w.-]*(?:token|key|code|secret|signature|password|passwd|auth)[\w.-]*)=)[^&;#\s\"]*", re.IGNORECASE
)


def redact(text: str) -> str:
    """The text with every secret of a URL in it replaced by [redacted]."""
    text = SECRET_SEGMENT.sub(lambda m: f"{m.group(1)}{REDACTED}{m.group(2) or ''}", text)
    return SECRET_QUERY.sub(lambda m: m.group(1) + REDACTED, text)


class RedactSecrets(logging.Filter):
    """On a logger (werkzeug's): each record's message with its URLs redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def redact_request_log(logger_name: str = "werkzeug") -> None:
    """Install RedactSecrets on the request log of the development server (`flask serve`)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactSecrets) for f in logger.filters):
        logger.addFilter(RedactSecrets())


class RedactingGunicornLogger(GunicornLogger):
    """gunicorn's logger (gunicorn.conf.py: logger_class) whose access log atoms carry no secret:
    the request line, path, query, full URI and referer are redacted before the format applies."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
