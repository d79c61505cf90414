"""The access logs name each request but never its secret: the token of a feed, reset or
confirmation link, or a token-like query value. Checked on real servers: `flask serve` (werkzeug's
request log, what `make run` starts) and gunicorn with the project's gunicorn.conf.py."""

import http.client
import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.core.test_serve_process import eventually, served  # noqa: F401 - `served` is a fixture
from tests.servers import GUNICORN, ROOT, WSGI_MODULE, free_port, wait_until_healthy
from volunteers.core.logs import redact

FEED_TOKEN = "Zq3xW8vN1rT5yU7iO9pA2sD4fG6hJ8kL0zX1cV3bN5m"
RESET_TOKEN = "Im5hbWUiOjcsInYiOjF9.Zk3l2Q.x8Y7w6V5u4T3s2R1q0P9o8N7m6L"
REQUESTS = [
    (f"/calendar/u/{FEED_TOKEN}.ics", "/calendar/u/[redacted].ics"),
    (f"/calendar/c/{FEED_TOKEN}.ics", "/calendar/c/[redacted].ics"),
    (f"/password/reset/{RESET_TOKEN}", "/password/reset/[redacted]"),
    (f"/register/confirm/{RESET_TOKEN}", "/register/confirm/[redacted]"),
    (f"/healthz?token={FEED_TOKEN}&lang=de", "/healthz?token=[redacted]&lang=de"),
]


def get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Referer": f"http://127.0.0.1:{port}{path}"})
        return connection.getresponse().status
    finally:
        connection.close()


def assert_logged_without_secrets(log: Path, port: int) -> None:
    for path, _shown in REQUESTS:
        assert get(port, path) in (200, 302, 404)  # 302: an invalid reset link goes back to the form
    last = REQUESTS[-1][1]
    assert eventually(lambda: last in log.read_text(), 10), log.read_text()[-2000:]
    text = log.read_text()
    for _path, shown in REQUESTS:
        assert shown in text  # the request is there
    assert FEED_TOKEN not in text and RESET_TOKEN not in text


@pytest.mark.server
def test_the_request_log_of_flask_serve_has_no_tokens(served, tmp_path):  # noqa: F811 - the fixture
    assert_logged_without_secrets(tmp_path / "serve.log", port_of(served[0]))


def port_of(server: subprocess.Popen) -> int:
    arguments = Path(f"/proc/{server.pid}/cmdline").read_bytes().split(b"\0")
    return int(arguments[arguments.index(b"--port") + 1])


@pytest.mark.server
@pytest.mark.database("sqlite")
def test_the_access_log_of_gunicorn_has_no_tokens(app, tmp_path):
    (tmp_path / "concurrency_wsgi.py").write_text(WSGI_MODULE)
    port, log = free_port(), tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "access-log-test",
        "TEST_CLOCK_AHEAD": "0",
    }
    command = [str(GUNICORN), "--config", str(ROOT / "gunicorn.conf.py"), "--workers", "1"]
    command += ["--bind", f"127.0.0.1:{port}", "--access-logfile", "-", "--pythonpath", f"{ROOT},{tmp_path}"]
    with log.open("w") as output:
        process = subprocess.Popen(
            [*command, "concurrency_wsgi:app"], cwd=tmp_path, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        wait_until_healthy(port, process, log)
        assert_logged_without_secrets(log, port)
        assert f"http://127.0.0.1:{port}/calendar/u/[redacted].ics" in log.read_text()  # the referer too
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


@pytest.mark.parametrize(
    "line, shown",
    [
        ('"GET /calendar/u/abc_DEF-123.ics HTTP/1.1" 200 -', '"GET /calendar/u/[redacted].ics HTTP/1.1" 200 -'),
        ("/password/reset/a.b.c?next=/x", "/password/reset/[redacted]?next=/x"),
        ("/api/v1/x?api_key=1&access_token=2&page=3", "/api/v1/x?api_key=[redacted]&access_token=[redacted]&page=3"),
        ("/calendar/p/duisburg-flachsmarkt.ics?lang=de", "/calendar/p/duisburg-flachsmarkt.ics?lang=de"),
        ("/centres/duisburg/calendar", "/centres/duisburg/calendar"),
    ],
)
def test_redact_hides_secrets_and_keeps_the_rest(line, shown):
    assert redact(line) == shown
