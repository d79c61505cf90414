"""A fast local push service for the benchmark, run as its own process on 127.0.0.1.

    python bench/push/service.py KEYS.json      # prints "PORT <n>" once it listens

Every POST must carry `Authorization: vapid t=<JWT>,k=<our public key>` and
`Content-Encoding: aes128gcm`, else it is answered 400; otherwise 201. Every distinct JWT (a new
signature), the first request and every SAMPLE_EVERY-th request are checked fully with the test
push service's logic (tests/push/push_service.py: ES256 signature, aud, exp, sub) and decrypted with
the browser's key from KEYS.json. HTTP/1.1 with keep-alive, so a client may reuse its connection.

GET /stats answers what was counted: requests, TCP connections that carried a POST (and their
distinct client ports), distinct VAPID tokens, checks done, errors, this process's CPU seconds."""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import http_ece
from cryptography.hazmat.primitives.asymmetric import ec

from tests.push.push_service import b64url_decode, verify_vapid

SAMPLE_EVERY = 50


class Counts:
    def __init__(self, keys: dict):
        self.keys = keys  # browser name -> (p256dh private value hex, auth secret hex)
        self.public_key = keys.pop("_vapid_public_key")
        self.lock = threading.Lock()
        self.requests = 0
        self.connections = 0
        self.client_ports: set[int] = set()
        self.tokens: set[str] = set()
        self.full_checks = 0
        self.decrypted = 0
        self.errors: list[str] = []

    def stats(self) -> dict:
        with self.lock:
            return {
                "requests": self.requests,
                "connections": self.connections,
                "client_ports": len(self.client_ports),
                "vapid_tokens": len(self.tokens),
                "full_checks": self.full_checks,
                "decrypted": self.decrypted,
                "errors": len(self.errors),
                "first_errors": self.errors[:5],
                "cpu_seconds": time.process_time(),
            }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a connection serves many requests
    origin = ""
    counts: Counts

    def setup(self):
        super().setup()
        self.carried_post = False

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        status = self._check(self.headers.get("Authorization", ""), self.headers.get("Content-Encoding"), body)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        body = json.dumps(self.counts.stats()).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _check(self, authorization: str, encoding: str | None, body: bytes) -> int:
        counts, name = self.counts, self.path.rstrip("/").rsplit("/", 1)[-1]
        token, key = _token_and_key(authorization)
        with counts.lock:
            if not self.carried_post:
                self.carried_post = True
                counts.connections += 1
                counts.client_ports.add(self.client_address[1])
            counts.requests += 1
            new_token = token is not None and token not in counts.tokens
            if token is not None:
                counts.tokens.add(token)
            sample = new_token or counts.requests % SAMPLE_EVERY == 1
        try:
            assert token is not None and key == counts.public_key, "no VAPID header with our key"
            assert encoding == "aes128gcm", encoding
            if sample:
                self._check_fully(authorization, name, body)
        except Exception as error:
            with counts.lock:
                counts.errors.append(f"{name}: {error!r}"[:200])
            return 400
        return 201

    def _check_fully(self, authorization: str, name: str, body: bytes) -> None:
        verify_vapid(authorization, self.origin)
        private_hex, auth_hex = self.counts.keys[name]
        private_key = ec.derive_private_key(int(private_hex, 16), ec.SECP256R1())
        plaintext = http_ece.decrypt(
            body, private_key=private_key, auth_secret=bytes.fromhex(auth_hex), version="aes128gcm"
        )
        assert json.loads(plaintext)["title"], plaintext[:40]
        with self.counts.lock:
            self.counts.full_checks += 1
            self.counts.decrypted += 1

    def log_message(self, *args):
        pass


def _token_and_key(authorization: str) -> tuple[str | None, str | None]:
    scheme, _, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        return None, None
    try:
        parts = dict(part.strip().split("=", 1) for part in params.split(","))
        token = parts["t"]
        if token.count(".") != 2 or not b64url_decode(parts["k"]):
            return None, None
        return token, parts["k"]
    except (KeyError, ValueError):
        return None, None


def main() -> None:
    keys = json.loads(Path(sys.argv[1]).read_text())
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    Handler.origin = f"http://127.0.0.1:{server.server_port}"
    Handler.counts = Counts(keys)
    print(f"PORT {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
