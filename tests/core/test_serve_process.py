"""`flask --app wsgi serve` stopped as a service manager stops it, with SIGTERM: the server ends as
on Ctrl+C and takes its reminder worker with it instead of leaving it running, orphaned."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time as wall
from contextlib import suppress
from pathlib import Path

import pytest

from volunteers import create_app
from volunteers.core.serve import stop_workers
from volunteers.extensions import db

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def eventually(check, seconds: float):
    """The first true result of `check()` within `seconds`, else the last one."""
    deadline = wall.monotonic() + seconds
    while not (result := check()) and wall.monotonic() < deadline:
        wall.sleep(0.05)
    return result


def answers_healthz(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def children_of(pid: int) -> list[int]:
    """Child processes by their parent id in /proc/*/stat (this kernel has no /proc/*/children)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError):
            fields = stat.read_text().rpartition(")")[2].split()  # the name in (…) may hold spaces
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def is_running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended; only its parent has not collected it yet


def reminder_worker_of(server: subprocess.Popen) -> int | None:
    for pid in children_of(server.pid):
        with suppress(OSError):
            if b"reminders" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
    return None


@pytest.fixture
def served(tmp_path):
    """`flask --app wsgi serve` as `make run` starts it, from a folder of its own: the project's
    package and wsgi.py linked in, so that its instance folder (secrets, SQLite database) is
    tmp_path/instance. Yields the server and its reminder worker's pid; both killed afterwards."""
    for name in ("volunteers", "wsgi.py"):
        (tmp_path / name).symlink_to(ROOT / name)
    instance = tmp_path / "instance"
    instance.mkdir()
    url = f"sqlite:///{instance / 'treffpunkt.sqlite'}"
    schema = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "serve-test"})
    with schema.app_context():
        db.create_all()
        db.engine.dispose()
    port, log = free_port(), tmp_path / "serve.log"
    env = {**os.environ, "TREFFPUNKT_DEV": "1", "DATABASE_URL": url}
    env.pop("SECRET_KEY", None)
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "serve", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    worker = None
    try:
        if not eventually(lambda: server.poll() is not None or answers_healthz(port), 20) or server.poll() is not None:
            pytest.fail(f"serve did not answer /healthz:\n{log.read_text()[-3000:]}")
        worker = eventually(lambda: reminder_worker_of(server), 5)
        assert worker, f"no reminder worker below the server:\n{log.read_text()[-3000:]}"
        assert (instance / "secret_key").exists()  # its own instance folder, not the project's
        yield server, worker
    finally:
        for pid in (server.pid, worker):
            if pid and is_running(pid):
                os.kill(pid, signal.SIGKILL)
        server.wait(timeout=5)


@pytest.mark.server
def test_sigterm_stops_the_server_and_its_reminder_worker(served):
    server, worker = served
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=15)
    assert eventually(lambda: not is_running(worker), 3), "the reminder worker outlived its server"
    assert server.returncode == 0  # a clean stop, as after Ctrl+C


@pytest.mark.server
def test_a_worker_that_ignores_sigterm_is_killed_after_the_timeout():
    stubborn = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print(1, flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
    )
    try:
        stubborn.stdout.readline()  # SIGTERM is ignored from here on
        started = wall.monotonic()
        stop_workers([stubborn], timeout=0.5)
        assert stubborn.returncode == -signal.SIGKILL and wall.monotonic() - started < 5
    finally:
        stubborn.kill()
        stubborn.wait()
        stubborn.stdout.close()
