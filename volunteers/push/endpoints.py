"""Which push endpoints we send to: https on a public host, never an address inside our network.

The endpoint URL comes from the browser, that is from whoever calls our API; without these checks
a POST to /push/subscriptions would make the worker send requests to internal services (SSRF).
The check runs when a browser subscribes and again before every push, because a host name can
be pointed somewhere else in between (DNS rebinding)."""

import ipaddress
import os
import socket
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l

from ..core.errors import DomainError

MAX_ENDPOINT_LENGTH = 2048
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class EndpointRefused(DomainError):
    status = 422


class EndpointUnresolvable(EndpointRefused):
    """The host name does not resolve (now): at send time worth another try later."""


def loopback_allowed() -> bool:
    """PUSH_ALLOW_LOOPBACK=1 (tests only): a push service on 127.0.0.1 may receive, also over http."""
    value = current_app.config.get("PUSH_ALLOW_LOOPBACK", os.environ.get("PUSH_ALLOW_LOOPBACK", ""))
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def push_host(endpoint: str) -> str:
    """The push service's host name, the only part of an endpoint we log or show."""
    try:
        return (urlsplit(endpoint).hostname or "?")[:255]
    except ValueError:
        return "?"


def check_endpoint(endpoint: str, *, allow_loopback: bool) -> None:
    """Raise EndpointRefused unless `endpoint` is a URL of a public push service."""
    parts = _split(endpoint)
    literal = _ip_literal(parts.hostname)
    if allow_loopback and literal is not None and literal.is_loopback:
        return  # a test push service on this machine, http or https
    if parts.scheme != "https":
        raise _refused(_l("Die Push-Adresse muss mit https:// beginnen."))
    if literal is not None:
        # Real push services have names (and certificates for them); a bare address never is one.
        raise _refused(_l("Die Push-Adresse muss einen Hostnamen haben, keine IP-Adresse."))
    for address in _resolve(parts.hostname, parts.port or 443):
        if not _is_public(address):
            raise _refused(_l("Die Push-Adresse zeigt nicht auf einen öffentlichen Push-Dienst."))


def _split(endpoint: str):
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > MAX_ENDPOINT_LENGTH:
        raise _refused(_l("Die Push-Adresse fehlt oder ist zu lang."))
    try:
        parts = urlsplit(endpoint)
        parts.port  # noqa: B018 - reading it raises ValueError for a port out of range
    except ValueError:
        raise _refused(_l("Die Push-Adresse ist keine gültige URL.")) from None
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        raise _refused(_l("Die Push-Adresse ist keine gültige URL."))
    return parts


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _resolve(host: str, port: int) -> set[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise EndpointUnresolvable(
            str(_l("Der Push-Dienst ist nicht erreichbar.")), code="endpoint_unresolvable", field="endpoint"
        ) from None
    return {ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos}


def _is_public(address: IPAddress) -> bool:
    # An IPv6 address that embeds an IPv4 one (::ffff:10.0.0.1) counts as that IPv4 address.
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _refused(message) -> EndpointRefused:
    return EndpointRefused(str(message), code="endpoint_refused", field="endpoint")
