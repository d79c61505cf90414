"""A local push service that checks and keeps every push, run as its own process on 127.0.0.1.

    python bench/race/service.py KEYS.json      # prints "PORT <n>" once it listens

Every POST is checked as a real push service would (tests/push/push_service.py's verify_vapid: ES256
signature, aud, exp, sub; the `k=` key must be ours) and decrypted with the browser's key from
KEYS.json; then it is answered 201 and kept: browser, the payload's tag, title and url, the Topic
header, the arrival time. Anything that fails a check is answered 400 and kept as an error.

GET /messages answers {"messages": [...], "errors": [...]}: what the race benchmark counts."""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import http_ece
from cryptography.hazmat.primitives.asymmetric import ec

from tests.push.push_service import verify_vapid


class Inbox:
    def __init__(self, keys: dict):
        self.public_key = keys.pop("_vapid_public_key")
        # browser name -> (private key, auth secret), derived once
        self.browsers = {
            name: (ec.derive_private_key(int(private_hex, 16), ec.SECP256R1()), bytes.fromhex(auth_hex))
            for name, (private_hex, auth_hex) in keys.items()
        }
        self.lock = threading.Lock()
        self.messages: list[dict] = []
        self.errors: list[str] = []

    def receive(self, origin: str, name: str, headers: dict, body: bytes) -> int:
        try:
            _claims, key = verify_vapid(headers.get("authorization", ""), origin)
            assert key == self.public_key, "signed with another VAPID key"
            assert headers.get("content-encoding") == "aes128gcm", headers.get("content-encoding")
            private_key, auth_secret = self.browsers[name]
            payload = json.loads(
                http_ece.decrypt(body, private_key=private_key, auth_secret=auth_secret, version="aes128gcm")
            )
        except Exception as error:
            with self.lock:
                self.errors.append(f"{name}: {error!r}"[:300])
            return 400
        message = {
            "browser": name,
            "tag": payload.get("tag"),
            "title": payload.get("title"),
            "url": payload.get("url"),
            "topic": headers.get("topic"),
            "at": time.time(),
        }
        with self.lock:
            self.messages.append(message)
        return 201

    def snapshot(self) -> dict:
        with self.lock:
            return {"messages": list(self.messages), "errors": list(self.errors)}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the worker's requests.Session expects
    origin = ""
    inbox: Inbox

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        headers = {key.lower(): value for key, value in self.headers.items()}
        name = self.path.rstrip("/").rsplit("/", 1)[-1]
        self._answer(self.inbox.receive(self.origin, name, headers, body), b"")

    def do_GET(self):
        self._answer(200, json.dumps(self.inbox.snapshot()).encode(), "application/json")

    def _answer(self, status: int, body: bytes, content_type: str | None = None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main() -> None:
    keys = json.loads(Path(sys.argv[1]).read_text())
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    Handler.origin = f"http://127.0.0.1:{server.server_port}"
    Handler.inbox = Inbox(keys)
    print(f"PORT {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
