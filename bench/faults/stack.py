"""What the fault benches share: a private PostgreSQL cluster that may be stopped at will, the
app's processes (gunicorn, `flask reminders run` workers, the checking push service), the data,
a bounded load generator that keeps every request on a timeline, and reading that timeline."""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa
from py_vapid import Vapid

from bench.harness import gunicorn, wait_for
from bench.race import checks
from bench.race.make_data import build, make_browsers
from volunteers import create_app
from volunteers.centres.models import Centre, MeetingPoint
from volunteers.core import time as clock
from volunteers.core.database import begin_write
from volunteers.extensions import db
from volunteers.push.services import queue_notification
from volunteers.push.vapid import public_key_b64url
from volunteers.shifts.planning import ShiftValues, create_shift

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PASSWORD = "bench-password"  # bench/race/make_data.py's volunteers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- a PostgreSQL cluster of our own -----------------------------------------------------------


class PrivateCluster:
    """initdb in a temporary folder, listening on 127.0.0.1:<port> only; stopped and removed at
    the end. Never the machine's own server on 5432: other people's tests run on it."""

    def __init__(self, port: int):
        # A folder of its own: the server runs as postgres, which may not enter the bench's (mode 700).
        self.folder, self.port = Path(tempfile.mkdtemp(prefix="treffpunkt-bench-faults-pg-")), port
        self.data, self.logfile = self.folder / "data", self.folder / "postgresql.log"

    def _as_postgres(self, *command: str, **kwargs) -> subprocess.CompletedProcess:
        # initdb and the server refuse to run as root.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        result = subprocess.run([*prefix, *command], capture_output=True, text=True, check=False, **kwargs)
        if result.returncode != 0:
            raise RuntimeError(f"{Path(command[0]).name} failed: {result.stdout}{result.stderr}")
        return result

    def create(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()

    def _ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=100"
        self._as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.logfile), "-w", action, *extra
        )

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast")  # what a service manager's stop does: ends every session at once

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        engine = sa.create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        with engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def remove(self) -> None:
        if self.data.exists():
            with suppress(RuntimeError):  # not running
                self._ctl("stop", "-m", "immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


# --- the app's processes ---------------------------------------------------------------------


class Stack:
    """gunicorn, reminder workers and the push service of one run, all on 127.0.0.1."""

    def __init__(self, folder: Path, url: str, *, push_delay: float = 0.0):
        self.folder, self.url, self.push_delay = folder, url, push_delay
        vapid = Vapid()
        vapid.generate_keys()
        self.vapid_public = public_key_b64url(vapid)
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": os.urandom(24).hex(),
            "VAPID_PRIVATE_KEY": vapid.private_pem().decode(),
            "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT)]),
        }
        self.push_port, self.web_port = free_port(), free_port()
        self.origin = f"http://127.0.0.1:{self.push_port}"
        self.web: subprocess.Popen | None = None
        self.push: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []
        self.logs: dict[str, Path] = {}

    def app(self):
        return create_app(
            {
                "SQLALCHEMY_DATABASE_URI": self.url,
                "SECRET_KEY": self.env["SECRET_KEY"],
                "VAPID_PRIVATE_KEY": self.env["VAPID_PRIVATE_KEY"],
                "PUSH_ALLOW_LOOPBACK": True,
                "SERVER_NAME": None,
                "MAIL_SERVER": None,
            }
        )

    def start_push(self, browsers: dict | None = None) -> None:
        keys = self.folder / "keys.json"
        if browsers is not None:
            keys.write_text(json.dumps(dict(browsers, _vapid_public_key=self.vapid_public)))
        command = [sys.executable, str(HERE / "push_service.py"), str(keys), str(self.folder / "pushes.jsonl")]
        with (self.folder / "push-service.log").open("a") as errors:
            self.push = subprocess.Popen(
                [*command, "--port", str(self.push_port), "--delay", str(self.push_delay)],
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
            )
        line = self.push.stdout.readline()
        if not line.startswith("PORT "):
            raise SystemExit(f"push service did not start: {line!r}")

    def kill_push(self) -> None:
        self.push.kill()
        self.push.wait()

    def push_mode(self, mode: str) -> None:
        request = urllib.request.Request(
            f"{self.origin}/_mode", data=json.dumps({"mode": mode}).encode(), method="POST"
        )
        urllib.request.urlopen(request, timeout=10).read()

    def pushes(self) -> dict:
        with urllib.request.urlopen(f"{self.origin}/messages", timeout=30) as response:
            return json.load(response)

    def start_web(self, workers: int, options: list[str] = ()) -> None:
        self.logs["gunicorn"] = self.folder / "gunicorn.log"
        self.web = gunicorn(
            HERE,
            "faults_wsgi:app",
            self.web_port,
            workers,
            self.env,
            self.logs["gunicorn"],
            pythonpath=str(ROOT),
            options=[
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
                "--config",
                str(ROOT / "gunicorn.conf.py"),
                *options,
            ],
        )
        wait_for(f"http://127.0.0.1:{self.web_port}/healthz", self.web, seconds=60, logfile=self.logs["gunicorn"])

    def start_workers(self, count: int, *, interval: float = 0.5, limit: int = 100) -> None:
        for n in range(1, count + 1):
            path = self.logs[f"reminders {n}"] = self.folder / f"reminders-{n}.log"
            command = [
                *(str(VENV_BIN / "flask"), "--app", "faults_wsgi:app", "reminders", "run"),
                *("--interval", str(interval), "--limit", str(limit)),
            ]
            with path.open("w") as output:
                self.workers.append(
                    subprocess.Popen(command, cwd=HERE, env=self.env, stdout=output, stderr=subprocess.STDOUT)
                )
        # On a busy machine a worker takes many seconds to start: the fault must find them running.
        deadline = time.monotonic() + 120
        for n, process in enumerate(self.workers, start=1):
            while "Erinnerungs-Worker läuft" not in self.logs[f"reminders {n}"].read_text(errors="replace"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"reminder worker {n} did not start: {self.logs[f'reminders {n}'].read_text()}")
                time.sleep(0.2)

    def web_worker_pids(self) -> list[int]:
        return sorted(
            int(pid) for pid in Path(f"/proc/{self.web.pid}/task/{self.web.pid}/children").read_text().split()
        )

    def stop(self) -> None:
        processes = [p for p in (self.web, *self.workers, self.push) if p is not None]
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- data --------------------------------------------------------------------------------------


def make_data(stack: Stack, volunteers: int) -> dict:
    """bench/race's people (push subscriptions at our push service, API tokens, the password
    PASSWORD), migrations first; in an app context of `stack.app()`."""
    browsers = make_browsers(volunteers)
    stack.start_push(browsers)
    return build(browsers, stack.origin)


def roomy_shifts(data: dict, count: int) -> list[int]:
    """Published shifts a week ahead with room for everyone, two hours apart (no overlaps)."""
    begin_write(db.session)
    centre = db.session.get(Centre, data["centre_id"])
    values = ShiftValues(
        meeting_point=db.session.get(MeetingPoint, data["meeting_point_id"]),
        activity="sprachcafe",
        capacity_min=1,
        capacity_max=200,
        languages=["de"],
    )
    start = (clock.now() + timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    ids = []
    for n in range(count):
        starts = start + timedelta(hours=2 * n)
        shift = create_shift(
            centre=centre, values=values, starts_at=starts, ends_at=starts + timedelta(hours=1), publish=True
        )
        ids.append(shift.id)
    db.session.commit()
    return ids


def queue_due(data: dict, count: int, *, start_in: float, over: float) -> None:
    """`count` notifications to the volunteers in turn, falling due one after another from
    `start_in` seconds from now over `over` seconds; each with its own dedupe key."""
    from volunteers.accounts.models import User

    begin_write(db.session)
    at, people = clock.now(), data["volunteers"]
    for n in range(count):
        user = db.session.get(User, people[n % len(people)]["user_id"])
        queue_notification(
            user=user,
            kind="reminder",
            title="Erinnerung",
            body=f"Benachrichtigung {n}",
            url="/my/shifts",
            due_at=at + timedelta(seconds=start_in + over * n / max(count - 1, 1)),
            dedupe_key=f"fault:{n}",
            expires_at=at + timedelta(days=1),
        )
    db.session.commit()


def outbox_check(stack: Stack, data: dict) -> dict:
    """The bench's notifications (queue_due) against what the push service received
    (bench/race/checks.py); the reminders of the load's sign-ups are not due during a run."""
    notifications = [row for row in checks.notification_rows() if (row["dedupe_key"] or "").startswith("fault:")]
    attempts = checks.delivered_attempts()
    user_of_browser = {v["browser"]: v["user_id"] for v in data["volunteers"]}
    pushes = stack.pushes()
    matched = checks.match_pushes(notifications, pushes["messages"], user_of_browser)
    statuses = Counter(row["status"] for row in notifications)
    return {
        "rows": len(notifications),
        "statuses": statuses,
        "received": matched["received"],
        "duplicates": matched["duplicates"],
        "duplicate_examples": matched["duplicate_examples"],
        "lost": len(notifications) - statuses["sent"] + matched["missing"],
        "wrong_topic": matched["wrong_topic"],
        "unmatched": matched["unmatched"],
        "refused": len(pushes["errors"]),
        "pushed_twice": sum(1 for count in attempts.values() if count > 1),
        "lags": checks.delivery_lags(notifications),
        "messages": pushes["messages"],
        "refused_503": pushes.get("refused_503", 0),
    }


def unsettled() -> int:
    """The bench's notifications not yet sent or given up (pending, also those waiting for a retry)."""
    left = db.session.scalar(
        sa.text(
            "SELECT count(*) FROM notifications WHERE dedupe_key LIKE 'fault:%' AND status IN ('pending', 'sending')"
        )
    )
    db.session.rollback()
    return left


def wait_settled(seconds: float) -> tuple[float, int]:
    """Wait until every notification of the bench is settled; (seconds waited, still unsettled)."""
    started = time.monotonic()
    while True:
        left = unsettled()
        if left == 0 or time.monotonic() - started > seconds:
            return time.monotonic() - started, left
        time.sleep(0.5)


# --- the load and its timeline -----------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    started: float  # seconds since the load began
    seconds: float
    status: int | None
    retry_after: bool
    detail: str = ""

    @property
    def failed(self) -> bool:
        return self.status is None or self.status >= 500

    @property
    def ended(self) -> float:
        return self.started + self.seconds


def failure_class(sample: Sample) -> str:
    if sample.status is None:
        return "no answer"
    if sample.status == 503:
        return "503 + Retry-After" if sample.retry_after else "503 without Retry-After"
    return f"other {sample.status}"


def login_cookie(port: int, email: str) -> str:
    """Sign in through the login form; the Cookie header of the session."""
    from http.cookiejar import CookieJar

    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    page = opener.open(f"{base}/login", timeout=30).read().decode()
    token = page.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    form = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": PASSWORD}).encode()
    opener.open(f"{base}/login", data=form, timeout=30).read()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    if "/logout" not in opener.open(f"{base}/my/shifts", timeout=30).read().decode():
        raise SystemExit(f"login of {email} failed")
    return cookie


@dataclass
class Load:
    """`threads` clients, each a volunteer of its own, sending one request after another (pause
    between them): a page of theirs, /healthz, their shifts through the API, and a sign-up or
    its cancellation through the API, in turn. Bounded: at most `threads` requests in flight."""

    port: int
    people: list[dict]  # {"token", "cookie"}
    shifts: list[int]
    pause: float = 0.05
    samples: list[Sample] = field(default_factory=list)

    def __post_init__(self):
        self.lock, self.stopping, self.threads = threading.Lock(), threading.Event(), []
        self.began = time.monotonic()

    def now(self) -> float:
        return time.monotonic() - self.began

    def start(self) -> None:
        self.began = time.monotonic()
        for n, person in enumerate(self.people):
            thread = threading.Thread(target=self._client, args=(n, person), daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self) -> list[Sample]:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)
        return sorted(self.samples, key=lambda s: s.started)

    def _client(self, n: int, person: dict) -> None:
        bearer = {"Authorization": f"Bearer {person['token']}"}
        shift, signed_up, turn = self.shifts[n % len(self.shifts)], False, 0
        while not self.stopping.is_set():
            step = turn % 4
            if step == 0:
                self.send("page /my/shifts", "GET", "/my/shifts", {"Cookie": person["cookie"]})
            elif step == 1:
                self.send("/healthz", "GET", "/healthz", {})
            elif step == 2:
                self.send("API GET /me/shifts", "GET", "/api/v1/me/shifts", bearer)
            else:
                method = "DELETE" if signed_up else "POST"
                status = self.send(f"API {method} sign-up", method, f"/api/v1/shifts/{shift}/signup", bearer)
                if status in (200, 201, 409, 404):  # 409/404: it was already so (an answer lost in the outage)
                    signed_up = not signed_up if status in (200, 201) else (method == "POST")
            turn += 1
            self.stopping.wait(self.pause)

    def send(self, kind: str, method: str, path: str, headers: dict, body: dict | None = None) -> int | None:
        data = None
        if body is not None:
            data, headers = json.dumps(body), {**headers, "Content-Type": "application/json"}
        started = self.now()
        status, retry_after, detail = None, False, ""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            raw = response.read()
            status, retry_after = response.status, response.getheader("Retry-After") is not None
            if status >= 500:
                detail = raw[:200].decode(errors="replace")
        except Exception as error:
            detail = repr(error)[:200]
        finally:
            connection.close()
        sample = Sample(kind, started, self.now() - started, status, retry_after, detail)
        with self.lock:
            self.samples.append(sample)
        return status


def window_table(samples: list[Sample], windows: list[tuple[str, float, float, float | None]]) -> list[str]:
    """Per window (name, from, to, when the fault ended): requests answered in it, failures by class, how long
    requests failed, the slowest answer, and the time from the end of the fault to the first
    success of each kind of request."""
    kinds = sorted({s.kind for s in samples})
    lines = [
        "| phase | requests | failed | 503 + Retry-After | other 5xx / no answer | failing from → to (s) "
        "| slowest answer (s) | first success after the fault ended (s), per kind |",
        "| --- | ---: | ---: | ---: | ---: | --- | ---: | --- |",
    ]
    for name, start, end, fault_ended in windows:
        inside = [s for s in samples if start <= s.ended < end]  # the phase in which it was answered
        failed = [s for s in inside if s.failed]
        classes = Counter(failure_class(s) for s in failed)
        span = f"{min(s.started for s in failed):.1f} → {max(s.ended for s in failed):.1f}" if failed else "–"
        slowest = max((s.seconds for s in inside), default=0)
        recovery = "–"
        if fault_ended is not None:
            parts = []
            for kind in kinds:
                after = [
                    s.ended - fault_ended for s in inside if s.kind == kind and not s.failed and s.ended >= fault_ended
                ]
                parts.append(f"{kind} {min(after):.1f}" if after else f"{kind} never")
            recovery = "; ".join(parts)
        lines.append(
            f"| {name} | {len(inside)} | {len(failed)} | {classes['503 + Retry-After']} | "
            f"{len(failed) - classes['503 + Retry-After']} | {span} | {slowest:.2f} | {recovery} |"
        )
    return lines


def failure_details(samples: list[Sample], limit: int = 5) -> list[str]:
    odd = [s for s in samples if s.failed and failure_class(s) != "503 + Retry-After"]
    counts = Counter((s.kind, failure_class(s), s.detail[:120]) for s in odd)
    return [f"- {count} × {kind}: {cls} {detail!r}" for (kind, cls, detail), count in counts.most_common(limit)]


def log_lines(path: Path, needle: str) -> int:
    return path.read_text(errors="replace").count(needle) if path.exists() else 0
