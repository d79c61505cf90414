"""A push service on 127.0.0.1 that checks what a real one checks (RFC 8030, 8291, 8292), and fake
browsers whose keys decrypt what it receives. Nothing of pywebpush or the crypto is mocked.

Each request must carry `Authorization: vapid t=<ES256 JWT>,k=<public key>` with a valid
signature, `aud` equal to the endpoint's origin, `exp` less than 24 h ahead and a mailto:/https:
`sub`, and an aes128gcm body that the subscription's private key decrypts. What passed is kept
in `received`; what did not is kept in `errors`, and answered 400."""

import base64
import contextlib
import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """One subscribed browser: an EC P-256 key pair and an auth secret, as pushManager makes them."""

    name: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def to_json(self) -> dict:
        """What PushSubscription.toJSON() gives the page's script."""
        return {"endpoint": self.endpoint, "expirationTime": None, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


@dataclass
class Received:
    browser: str
    payload: dict
    headers: dict
    claims: dict
    vapid_key: str


class PushService:
    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.push_service = self
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        self.browsers: dict[str, Browser] = {}
        self.received: list[Received] = []
        self.errors: list[str] = []
        self.answered: list[tuple[str, int]] = []  # every request: (browser, status answered)
        self._script: dict[str, list[tuple[int, dict]]] = {}
        self._lock = threading.Lock()
        self.connections: set = set()  # kept alive between pushes, as real push services do
        # A short poll interval: shutdown() waits for one, and every test stops a service.
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def start(self) -> "PushService":
        self._thread.start()
        return self

    def stop(self) -> None:
        """Gone, as a push service that went away: kept-alive connections are closed too."""
        self.server.shutdown()
        self.server.server_close()
        with self._lock:
            for connection in self.connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)

    def browser(self, name: str) -> Browser:
        browser = self.browsers[name] = Browser(name, f"{self.origin}/wpush/v2/{name}")
        return browser

    def answer(self, name: str, *responses: tuple[int, dict] | int) -> None:
        """Answer the next requests for browser `name` like this, then 201 again."""
        self._script.setdefault(name, []).extend((r, {}) if isinstance(r, int) else r for r in responses)

    def received_by(self, name: str) -> list[Received]:
        return [r for r in self.received if r.browser == name]

    def _next_answer(self, name: str) -> tuple[int, dict]:
        with self._lock:
            queue = self._script.get(name)
            return queue.pop(0) if queue else (201, {})

    def _handle(self, name: str, headers: dict, body: bytes) -> tuple[int, dict]:
        browser = self.browsers.get(name)
        if browser is None:
            return 404, {}
        try:
            claims, vapid_key = verify_vapid(headers.get("authorization", ""), self.origin)
            assert headers.get("content-encoding") == "aes128gcm", headers.get("content-encoding")
            plaintext = http_ece.decrypt(
                body, private_key=browser.private_key, auth_secret=browser.auth_secret, version="aes128gcm"
            )
        except Exception as error:
            with self._lock:
                self.errors.append(f"{name}: {error!r}")
            return 400, {}
        status, extra = self._next_answer(name)
        with self._lock:
            self.answered.append((name, status))
            if 200 <= status <= 202:
                self.received.append(Received(name, json.loads(plaintext), headers, claims, vapid_key))
        return status, extra


def verify_vapid(authorization: str, origin: str) -> tuple[dict, str]:
    """Check a `vapid t=…,k=…` header as a push service does; the JWT's claims and the key."""
    scheme, _, params = authorization.partition(" ")
    assert scheme.lower() == "vapid", authorization[:20]
    parts = dict(part.strip().split("=", 1) for part in params.split(","))
    header_b64, claims_b64, signature_b64 = parts["t"].split(".")
    assert json.loads(b64url_decode(header_b64))["alg"] == "ES256"
    signature = b64url_decode(signature_b64)
    assert len(signature) == 64, "ES256 signature is raw r||s"
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(parts["k"]))
    public_key.verify(encode_dss_signature(r, s), f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    claims = json.loads(b64url_decode(claims_b64))
    assert claims["aud"] == origin, (claims["aud"], origin)
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600, claims["exp"]
    assert claims["sub"].startswith(("mailto:", "https:")), claims["sub"]
    return claims, parts["k"]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: every answer has a Content-Length

    def setup(self):
        super().setup()
        service = self.server.push_service
        with service._lock:
            service.connections.add(self.connection)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        headers = {key.lower(): value for key, value in self.headers.items()}
        name = self.path.rstrip("/").rsplit("/", 1)[-1]
        status, extra = self.server.push_service._handle(name, headers, body)
        self.send_response(status)
        for key, value in extra.items():
            self.send_header(key, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):  # keep the test output quiet
        pass
