"""A real multi-process server for the tests of what happens at the same moment: gunicorn with
several sync workers on the test's own database (SQLite file or PostgreSQL) and the test's clock,
and clients that send many requests released together.

A test module gets the server through a fixture of its own:

    @pytest.fixture
    def server(app, tmp_path):
        with gunicorn(app, tmp_path) as port:
            yield port
"""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time as wall
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.helpers import PASSWORD
from volunteers.core import time

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")
WORKERS = 4
# The served app gets the test's database whatever an instance/settings.py might say, and the
# test's clock: the same distance from the real clock in every worker, however late it started
# (the waitlist's order compares times that different workers wrote).
WSGI_MODULE = """import os
from datetime import UTC, datetime, timedelta
from volunteers import create_app
from volunteers.core import time
from volunteers.extensions import db
app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"], "SECRET_KEY": os.environ["SECRET_KEY"]})
ahead = timedelta(seconds=float(os.environ["TEST_CLOCK_AHEAD"]))
test_clock = time.travel(datetime.now(UTC) + ahead)  # kept: closing it would end the travel
test_clock.__enter__()
with app.app_context():  # loaded once and forked (--preload): no connection of this process goes along
    db.engine.dispose()
"""
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(port: int, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = wall.monotonic() + seconds
    while wall.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn ended with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        wall.sleep(0.1)
    pytest.fail(f"gunicorn did not answer /healthz within {seconds} s:\n{log.read_text()[-3000:]}")


@contextmanager
def gunicorn(app, tmp_path: Path, workers: int = WORKERS):
    """gunicorn with `workers` sync workers on the app's database; yields its port, always stopped afterwards."""
    (tmp_path / "concurrency_wsgi.py").write_text(WSGI_MODULE)
    port, log = free_port(), tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "concurrency-test",
        "TRUSTED_HOSTS": "127.0.0.1",  # the address the tests call, whatever PUBLIC_BASE_URL says
        "TEST_CLOCK_AHEAD": str((time.now() - datetime.now(UTC)).total_seconds()),
    }
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                str(GUNICORN),
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
                "--preload",  # the app imported once, not once per worker: seconds less per server
                "--pythonpath",
                f"{ROOT},{tmp_path}",
                "concurrency_wsgi:app",
            ],
            cwd=tmp_path,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_healthy(port, process, log)
        yield port
    finally:
        process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown; SIGTERM waits for idle workers
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


# --- clients ------------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    headers: dict = field(default_factory=dict)
    body: bytes | None = None


@dataclass
class Answer:
    status: int | None  # None: no answer (the text says why)
    text: str

    def json(self):
        return json.loads(self.text or "null")


def _send(port: int, request: Request, before=None) -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.connect()
        if before is not None:
            before()
        connection.request(request.method, request.path, body=request.body, headers=request.headers)
        response = connection.getresponse()
        return Answer(response.status, response.read().decode())
    except Exception as error:  # reported in the assertion, not lost in a thread
        return Answer(None, repr(error))
    finally:
        connection.close()


def together(port: int, requests: list[Request]) -> list[Answer]:
    """Send the requests from one thread each, connected first and then released by a barrier."""
    barrier = threading.Barrier(len(requests))
    answers: list = [Answer(None, "no answer")] * len(requests)

    def call(index: int) -> None:
        answers[index] = _send(port, requests[index], before=lambda: barrier.wait(timeout=30))

    threads = [threading.Thread(target=call, args=(n,)) for n in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def all_at_once(port: int, calls: list[tuple[str, str, str]]) -> list[tuple[int | None, object]]:
    """Send (method, path, bearer token) requests together; returns (status, JSON answer) each."""
    answers = together(port, [Request(method, path, bearer(token)) for method, path, token in calls])
    return [(a.status, a.json()) if a.status is not None else (None, a.text) for a in answers]


def json_request(method: str, path: str, token: str, body: dict) -> Request:
    return Request(method, path, {**bearer(token), "Content-Type": "application/json"}, json.dumps(body).encode())


class Browser:
    """A person signed in through the login form: session cookie and CSRF token, for form posts."""

    def __init__(self, port: int, email: str, password: str = PASSWORD):
        self.port, self.cookies = port, {}
        self.csrf_token = self._csrf_token("/login")
        answer = self._exchange(self.form("POST", "/login", {"email": email, "password": password}))
        assert answer.status == 302, answer.text[:500]
        self.csrf_token = self._csrf_token("/privacy")

    def form(self, method: str, path: str, data: dict) -> Request:
        headers = {"Content-Type": "application/x-www-form-urlencoded", **self._cookie()}
        return Request(method, path, headers, urlencode({"csrf_token": self.csrf_token, **data}).encode())

    def _cookie(self) -> dict:
        return {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}

    def _csrf_token(self, path: str) -> str:
        answer = self._exchange(Request("GET", path, self._cookie()))
        return CSRF_INPUT.search(answer.text).group(1)

    def _exchange(self, request: Request) -> Answer:
        """One request whose cookies are kept (the parallel ones later leave them as they are)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(request.method, request.path, body=request.body, headers=request.headers)
            response = connection.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value
            return Answer(response.status, response.read().decode())
        finally:
            connection.close()
