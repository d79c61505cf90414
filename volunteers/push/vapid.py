"""The installation's VAPID key pair (RFC 8292): push services know our pushes by its public key.

The private key comes from VAPID_PRIVATE_KEY (PEM, or base64url of the raw 32-byte key or of DER);
without it one is generated once into the instance folder, so that every process of an
installation (web servers, workers) signs with the same key. Browsers subscribed with the
public key; a new key would silently orphan every subscription."""

import os
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from flask import current_app
from py_vapid import Vapid, b64urlencode

DEFAULT_SUBJECT = "mailto:betrieb@treffpunkt.example"
KEY_FILENAME = "vapid_private.pem"


def vapid_key() -> Vapid:
    """The app's VAPID key, loaded once per process."""
    key = current_app.extensions.get("push_vapid")
    if key is None:
        key = current_app.extensions["push_vapid"] = _load_key()
    return key


def vapid_tokens() -> "VapidTokens":
    """The process's reusable VAPID headers for the app's key (loaded, and so checked, here)."""
    key, subject = vapid_key(), vapid_subject()
    tokens = current_app.extensions.get("push_vapid_tokens")
    if tokens is None or tokens.key is not key or tokens.subject != subject:
        tokens = current_app.extensions["push_vapid_tokens"] = VapidTokens(key, subject)
    return tokens


def vapid_subject() -> str:
    """Whom push services contact about our pushes (`sub` claim: a mailto: or https: URL)."""
    return current_app.config.get("VAPID_SUBJECT") or os.environ.get("VAPID_SUBJECT") or DEFAULT_SUBJECT


def public_key_b64url(key: Vapid) -> str:
    """The public key as browsers want it for pushManager.subscribe(): uncompressed point, base64url."""
    point = key.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64urlencode(point)


def key_from_text(text: str) -> Vapid:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        text = text.replace("\\n", "\n")  # a PEM squeezed onto one line of an .env file
        return Vapid(private_key=serialization.load_pem_private_key(text.encode(), password=None))
    return Vapid.from_string(private_key=text)


def load_or_create_key_file(instance_path: str) -> Vapid:
    """The key in `instance_path`, generated there first if missing; safe when processes race."""
    path = Path(instance_path) / KEY_FILENAME
    if not path.exists():
        _create_key_file(path)
    return key_from_text(path.read_text())


def _load_key() -> Vapid:
    text = current_app.config.get("VAPID_PRIVATE_KEY") or os.environ.get("VAPID_PRIVATE_KEY")
    if text:
        return key_from_text(text)
    return load_or_create_key_file(current_app.instance_path)


def _create_key_file(path: Path) -> None:
    # Written completely under a temporary name, then hard-linked into place: os.link fails if
    # the name exists (like O_EXCL), so of two racing processes one wins and the other reads
    # the winner's key, never a half-written file.
    key = Vapid()
    key.generate_keys()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{id(key)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.private_pem())
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


# A VAPID token is valid for up to 24 h (RFC 8292 §2); we sign it for 12 h and use it for 10 minutes,
# so one signature serves a push service's thousands of pushes instead of one each (and the
# service verifies it once). Token lifetimes are real time: push services check them against theirs.
TOKEN_VALIDITY_SECONDS = 12 * 60 * 60
TOKEN_REUSE_SECONDS = 10 * 60


class VapidTokens:
    """Authorization headers per push service audience (scheme://host), signed once and reused."""

    def __init__(self, key: Vapid, subject: str, *, clock=time.time):
        self.key, self.subject, self._clock = key, subject, clock
        self._headers: dict[str, tuple[str, float]] = {}  # audience -> (header, reuse until)
        self._lock = threading.Lock()  # the worker pushes from a few threads

    def header_for(self, endpoint: str) -> str:
        url = urlsplit(endpoint)
        audience = f"{url.scheme}://{url.netloc}"
        at = self._clock()
        with self._lock:
            header, reuse_until = self._headers.get(audience, ("", 0.0))
            if at >= reuse_until:
                claims = {"sub": self.subject, "aud": audience, "exp": int(at) + TOKEN_VALIDITY_SECONDS}
                header = self.key.sign(claims)["Authorization"]
                self._headers[audience] = header, at + TOKEN_REUSE_SECONDS
        return header
