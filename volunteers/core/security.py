"""Security headers for every response, the hosts the app answers for, and trust in a reverse
proxy only when configured."""

from urllib.parse import urlsplit

from flask import Flask, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response
from werkzeug.wsgi import get_host

from .error_pages import json_error

# No inline script or style anywhere: everything comes from /static.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
LOOPBACK_NAMES = ("127.0.0.1", "localhost")


def default_trusted_hosts(public_base_url: str) -> list[str]:
    """The host of the public address; on a loopback address both of its names, since a
    development server is opened as either."""
    host = urlsplit(public_base_url).hostname
    if not host:
        raise ValueError(
            f"PUBLIC_BASE_URL must be an absolute URL like https://treffpunkt.example, not {public_base_url!r}"
        )
    return list(LOOPBACK_NAMES) if host in LOOPBACK_NAMES else [host]


def init_security(app: Flask) -> None:
    if app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = default_trusted_hosts(app.config["PUBLIC_BASE_URL"])
    if app.config["BEHIND_PROXY"]:
        # Only then does X-Forwarded-Host count, and it is checked against TRUSTED_HOSTS like Host.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    # First of all: nothing else may run for a host we do not serve.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_untrusted_host)

    @app.after_request
    def add_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(), microphone=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def refuse_untrusted_host():
    """400 for a Host outside TRUSTED_HOSTS. Flask refuses to route such a request (the check
    below is its own), which leaves it unable to build any URL: the error pages could not render
    (they link the stylesheet), so the answer is made here, without a template."""
    try:
        get_host(request.environ, current_app.config["TRUSTED_HOSTS"])
    except SecurityError:
        return _untrusted_host_answer()
    return None


def _untrusted_host_answer() -> Response:
    message = _("Diese Adresse gehört nicht zu Treffpunkt.")
    if _wants_error_format():
        return json_error(400, "untrusted_host", message)
    return Response(message, status=400, mimetype="text/plain")


def _wants_error_format() -> bool:
    """JSON for the paths whose failures are answered in a format (the API's, core/error_pages.py)
    and for requests that prefer JSON."""
    for path_prefixes, _error_format in current_app.extensions.get("error_formats", ()):
        if request.path.startswith(path_prefixes):
            return True
    return request.accept_mimetypes.best_match(("text/html", "application/json")) == "application/json"
