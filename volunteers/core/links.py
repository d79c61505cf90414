"""Absolute links for people to open later (mails, feeds, QR codes, the API's URLs): always on the
configured public address, never on the Host a request claims (that would let anyone who can send
a request choose where a password-reset link points)."""

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of `endpoint` under PUBLIC_BASE_URL; the same inside a request, in the
    worker and in the CLI (it builds from the URL map, not from a request)."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"].rstrip("/"))
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
