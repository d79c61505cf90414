"""Faults survived, measured: one command per scenario, each building its own data and processes
on 127.0.0.1, causing the fault, and printing what came of it (markdown to stdout, progress to
stderr; exit status 1 when a check failed).

    .venv/bin/python bench/faults/run.py pg-outage        # PostgreSQL restarted, then stopped 20 s, under load
    .venv/bin/python bench/faults/run.py push-outage      # the push service answers 503, then is down
    .venv/bin/python bench/faults/run.py worker-kill      # kill -9 of one of two reminder workers mid-pass
    .venv/bin/python bench/faults/run.py sqlite-writers   # 20 concurrent writers on SQLite
    .venv/bin/python bench/faults/run.py backup-restore   # flask backup during writes, flask restore, both databases
    .venv/bin/python bench/faults/run.py all

PostgreSQL is always a private cluster of the bench's own (initdb in the temporary folder, a free
port on 127.0.0.1), never the machine's server: stopping that would stop other people's work."""

import argparse
import json
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

import sqlalchemy as sa

from bench.faults.stack import (
    VENV_BIN,
    Load,
    PrivateCluster,
    Stack,
    failure_details,
    free_port,
    load_average,
    log_lines,
    login_cookie,
    make_data,
    outbox_check,
    queue_due,
    roomy_shifts,
    wait_settled,
    window_table,
)
from bench.harness import log
from bench.race import checks
from volunteers.core import time as clock
from volunteers.extensions import db
from volunteers.push.models import DELIVERED, DeliveryAttempt, Notification

WORKER_FAILURES = {
    "pass failed": "reminder pass failed",
    "claims given back": "claims given back",
    "claims not given back": "claims not given back",
    "result written on a second try": "trying again",
    "lease ran out": "lease ran out",
}


class Verdict:
    printed = False

    def __init__(self):
        self.rows: list[tuple[str, str, bool]] = []

    def check(self, name: str, value, ok: bool) -> None:
        self.rows.append((name, str(value), ok))

    def table(self) -> list[str]:
        return [
            "| check | value | result |",
            "| --- | ---: | --- |",
            *(f"| {name} | {value} | {'ok' if ok else 'FAILED'} |" for name, value, ok in self.rows),
        ]

    @property
    def ok(self) -> bool:
        return all(ok for _, _, ok in self.rows)


def percentile(values: list[float], share: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(share * len(values)))] if values else 0.0


def outbox_lines(
    outbox: dict, verdict: Verdict, *, duplicates_allowed: int = 0, unrecorded: int | None = None
) -> list[str]:
    statuses = ", ".join(f"{status} {count}" for status, count in sorted(outbox["statuses"].items()))
    lags = outbox["lags"]
    verdict.check("notifications lost (not sent, or sent and never received)", outbox["lost"], outbox["lost"] == 0)
    allowed = f" (at most {duplicates_allowed})" if duplicates_allowed else ""
    if unrecorded is not None:
        allowed = f" (at most the {unrecorded} pushed but not recorded: SentButNotRecorded)"
    verdict.check(
        f"pushes received twice (same recipient and tag){allowed}",
        outbox["duplicates"],
        outbox["duplicates"] <= duplicates_allowed,
    )
    verdict.check(
        "pushes with a Topic other than the notification's key", outbox["wrong_topic"], not outbox["wrong_topic"]
    )
    verdict.check("pushes the service refused (VAPID, decryption)", outbox["refused"], outbox["refused"] == 0)
    return [
        f"Outbox: {outbox['rows']} notifications ({statuses}); the push service received {outbox['received']}; "
        f"due → sent p50 {percentile(lags, 0.5):.1f} s, p95 {percentile(lags, 0.95):.1f} s, max "
        f"{max(lags, default=0):.1f} s.",
    ]


def worker_lines(stack: Stack, verdict: Verdict | None = None) -> list[str]:
    lines = [
        "| reminder worker | still running | passes with work | sent | " + " | ".join(WORKER_FAILURES) + " |",
        "| --- | --- | ---: | ---: | " + " | ".join("---:" for _ in WORKER_FAILURES) + " |",
    ]
    for n, process in enumerate(stack.workers, start=1):
        path = stack.logs[f"reminders {n}"]
        done = checks.worker_sent(path)
        counts = [log_lines(path, needle) for needle in WORKER_FAILURES.values()]
        alive = process.poll() is None
        lines.append(
            f"| {n} | {'yes' if alive else f'no ({process.returncode})'} | {done['passes with work']} | "
            f"{done['sent']} | " + " | ".join(map(str, counts)) + " |"
        )
        if verdict is not None:
            verdict.check(f"reminder worker {n} running at the end, never restarted", "yes" if alive else "no", alive)
    return lines


def header(name: str, text: str) -> list[str]:
    return [f"### {name}", "", f"{text} Load average (1, 5, 15 min) at the start: {load_average()}.", ""]


UNRECORDED = re.compile(r"SentButNotRecorded: notifications? \[?([\d, ]+)\]?")


def unrecorded_notifications(log: Path) -> int:
    """How many notifications a worker pushed without recording it: one line names one (a single
    push) or several (a batch, volunteers/push/worker.py), and each may be pushed again."""
    text = log.read_text(errors="replace") if log.exists() else ""
    return sum(len(re.findall(r"\d+", ids)) for ids in UNRECORDED.findall(text))


# --- PostgreSQL restarted and stopped under load ---------------------------------------------


def pg_outage(args, folder: Path) -> tuple[list[str], Verdict]:
    cluster = PrivateCluster(free_port())
    cluster.create()
    stack = Stack(folder, cluster.create_database("treffpunkt_faults"))
    app = stack.app()
    try:
        with app.app_context():
            log("pg-outage: data …")
            data = make_data(stack, args.clients)
            shifts = roomy_shifts(data, 4)
            db.session.commit()
            stack.start_web(args.web_workers)
            stack.start_workers(args.reminder_workers, interval=0.5, limit=20)
            pids_before = stack.web_worker_pids()
            people = [
                {"token": v["token"], "cookie": login_cookie(stack.web_port, f"volunteer{n}@bench.example")}
                for n, v in enumerate(data["volunteers"][: args.clients])
            ]
            load = Load(stack.web_port, people, shifts)
            total = args.before + args.restart_gap + args.down + args.after
            queue_due(data, args.notifications, start_in=1, over=total - 2)
            log(f"pg-outage: {args.clients} clients; restart after {args.before:g} s, then down {args.down:g} s …")
            load.start()
            time.sleep(args.before)
            restart_at = load.now()
            cluster.restart()
            restarted, restarted_epoch = load.now(), time.time()
            time.sleep(args.restart_gap)
            stop_at = load.now()
            cluster.stop()
            time.sleep(args.down)
            start_at = load.now()
            cluster.start()
            back, back_epoch = load.now(), time.time()
            time.sleep(args.after)
            samples = load.stop()
            end = load.now()
            log("pg-outage: waiting for the workers to send what is due …")
            drained, left = wait_settled(90)
            outbox = outbox_check(stack, data)
            pids_after = stack.web_worker_pids()
            verdict = Verdict()
            lines = header(
                "pg-outage: PostgreSQL restarted, then stopped, under load",
                f"Private PostgreSQL 15 cluster on 127.0.0.1; gunicorn {args.web_workers} sync workers, "
                f"{args.reminder_workers} × `flask reminders run --interval 0.5 --limit 20`; {args.clients} clients "
                f"(each: its page /my/shifts, /healthz, API GET /me/shifts, API sign-up or cancel, 50 ms apart); "
                f"{args.notifications} notifications falling due over the run. `pg_ctl restart -m fast` at "
                f"{restart_at:.1f} s (took {restarted - restart_at:.1f} s); `pg_ctl stop -m fast` at {stop_at:.1f} s, "
                f"`pg_ctl start` at {start_at:.1f} s (accepting at {back:.1f} s); load until {end:.1f} s.",
            )
            windows = [
                ("before", 0, restart_at, None),
                (f"restart ({restarted - restart_at:.1f} s)", restart_at, stop_at, restarted),
                (f"stopped {start_at - stop_at:.0f} s, then back", stop_at, end, back),
                ("last 5 s", end - 5, end, None),
            ]
            lines += window_table(samples, windows)
            odd = [s for s in samples if s.failed and not (s.status == 503 and s.retry_after) and s.kind != "/healthz"]
            healthz_odd = [s for s in samples if s.failed and s.kind == "/healthz" and s.status != 503]
            slow_failures = [s for s in samples if s.failed and s.seconds > 5]
            tail = [s for s in samples if s.started >= end - 5]
            verdict.check(
                "failed requests not a 503 with Retry-After (/healthz: not a 503)",
                len(odd) + len(healthz_odd),
                not odd and not healthz_odd,
            )
            verdict.check("failed requests that took over 5 s", len(slow_failures), not slow_failures)
            verdict.check(
                "failures in the last 5 s (recovered)", sum(s.failed for s in tail), not any(s.failed for s in tail)
            )
            verdict.check(
                "gunicorn workers the same processes (none restarted)",
                f"{pids_before} → {pids_after}",
                pids_before == pids_after,
            )
            verdict.check(f"due notifications left unsettled (after {drained:.0f} s)", left, left == 0)
            lines += ["", *failure_details(samples)]
            first_push = {
                name: min((m["at"] - at for m in outbox["messages"] if m["at"] >= at), default=None)
                for name, at in (("restart", restarted_epoch), ("stop", back_epoch))
            }
            # A push that went out while the database went down and whose result could not be written
            # even on a second try is pushed again when its lease runs out (volunteers/push/worker.py).
            unrecorded = sum(unrecorded_notifications(stack.logs[f"reminders {n}"]) for n in (1, 2))
            lines += ["", *outbox_lines(outbox, verdict, duplicates_allowed=unrecorded, unrecorded=unrecorded)]
            lines.append(
                "First push after PostgreSQL accepted connections again: "
                + "; ".join(
                    f"after the {name} {'never' if gap is None else f'{gap:.1f} s'}" for name, gap in first_push.items()
                )
                + "."
            )
            lines += ["", *worker_lines(stack, verdict)]
            return lines, verdict
    finally:
        stack.stop()
        with app.app_context():
            db.engine.dispose()
        cluster.remove()


# --- the push service answering 503, then down -------------------------------------------------


def retry_waits() -> tuple[list[float], Counter]:
    """Per notification that needed a retry: seconds from its first failed push to its delivery;
    and the failed pushes by what the push service answered."""
    rows = db.session.execute(
        sa.select(
            DeliveryAttempt.notification_id,
            DeliveryAttempt.outcome,
            DeliveryAttempt.attempted_at,
            DeliveryAttempt.status_code,
        ).order_by(DeliveryAttempt.attempted_at)
    ).all()
    db.session.rollback()
    first_failure, waits, answers = {}, [], Counter()
    for notification_id, outcome, at, status_code in rows:
        if outcome != DELIVERED:
            answers[f"HTTP {status_code}" if status_code else "no connection"] += 1
            first_failure.setdefault(notification_id, at)
        elif notification_id in first_failure:
            waits.append((at - first_failure.pop(notification_id)).total_seconds())
    return waits, answers


def push_outage(args, folder: Path) -> tuple[list[str], Verdict]:
    stack = Stack(folder, f"sqlite:///{folder / 'push.sqlite'}")
    app = stack.app()
    try:
        with app.app_context():
            log("push-outage: data …")
            data = make_data(stack, 50)
            total = args.push_503 + args.push_down + 30
            stack.start_workers(2, interval=0.5, limit=20)
            queue_due(data, args.notifications, start_in=2, over=total)
            began = time.monotonic()
            time.sleep(5)
            stack.push_mode("503")
            log(f"push-outage: 503 for {args.push_503} s …")
            time.sleep(args.push_503)
            stack.push_mode("ok")
            answered_503 = stack.pushes()["refused_503"]
            time.sleep(10)
            stack.kill_push()
            log(f"push-outage: down for {args.push_down} s …")
            down_at = time.monotonic() - began
            time.sleep(args.push_down)
            stack.start_push()
            up_at = time.monotonic() - began
            log("push-outage: waiting for the retries …")
            drained, left = wait_settled(args.push_drain)
            outbox = outbox_check(stack, data)
            waits, answers = retry_waits()
            attempts = Counter(
                dict(
                    db.session.execute(
                        sa.select(Notification.attempts, sa.func.count()).group_by(Notification.attempts)
                    ).all()
                )
            )
            db.session.rollback()
            verdict = Verdict()
            lines = header(
                "push-outage: the push service answering 503, then down",
                f"SQLite; 2 × `flask reminders run --interval 0.5 --limit 20`; {args.notifications} notifications "
                f"falling due from 2 s over {total:g} s. The push service answered 503 (no Retry-After) from 5 s to "
                f"{5 + args.push_503} s ({answered_503} pushes refused), was killed at {down_at:.0f} s (connection "
                f"refused) and started again at {up_at:.0f} s on the same port. Retries: after 1 min, then 5, 25, "
                "125 min (volunteers/push/worker.py), or longer if a Retry-After asks.",
            )
            verdict.check(f"due notifications left unsettled (waited {drained:.0f} s)", left, left == 0)
            lines += outbox_lines(outbox, verdict)
            lines += [
                f"Failed pushes, as the worker logged them: {dict(answers)}. Notifications by the claims they took "
                f"(attempts): {dict(sorted(attempts.items()))}. Retried: {len(waits)}; "
                f"from the first failed push to delivery p50 {percentile(waits, 0.5):.0f} s, min "
                f"{min(waits, default=0):.0f} s, max {max(waits, default=0):.0f} s.",
            ]
            verdict.check("notifications that needed a retry (the fault reached them)", len(waits), len(waits) > 0)
            verdict.check(
                "retried sooner than the first backoff (60 s)", sum(w < 59 for w in waits), all(w >= 59 for w in waits)
            )
            lines += ["", *worker_lines(stack, verdict)]
            return lines, verdict
    finally:
        stack.stop()
        with app.app_context():
            db.engine.dispose()


# --- kill -9 of one of two reminder workers mid-pass -------------------------------------------


def sending_rows() -> dict[int, object]:
    rows = dict(
        db.session.execute(
            sa.select(Notification.id, Notification.locked_until).where(Notification.status == "sending")
        ).all()
    )
    db.session.rollback()
    return rows


def worker_kill(args, folder: Path) -> tuple[list[str], Verdict]:
    cluster = PrivateCluster(free_port())
    cluster.create()
    stack = Stack(folder, cluster.create_database("treffpunkt_faults"), push_delay=args.push_delay)
    app = stack.app()
    try:
        with app.app_context():
            log("worker-kill: data …")
            data = make_data(stack, 100)
            stack.start_workers(2, interval=0.5, limit=100)
            queue_due(data, args.kill_notifications, start_in=0, over=0.1)
            time.sleep(args.kill_after)
            victim = stack.workers[0]
            at_kill = sending_rows()
            victim.send_signal(signal.SIGKILL)
            killed = time.monotonic()
            killed_at = clock.now()
            victim.wait()
            log("worker-kill: killed worker 1; watching its claims …")
            time.sleep(6)  # the other worker's claim of that moment is done by now (20 pushes × delay)
            now_sending = sending_rows()
            orphaned = {i: lease for i, lease in at_kill.items() if now_sending.get(i) == lease}
            leases_left = [(lease - killed_at).total_seconds() for lease in orphaned.values()]
            back_after = None
            while time.monotonic() - killed < 120:
                statuses = dict(
                    db.session.execute(
                        sa.select(Notification.id, Notification.status).where(Notification.id.in_(list(orphaned)))
                    ).all()
                )
                db.session.rollback()
                if orphaned and all(status == "sent" for status in statuses.values()):
                    back_after = time.monotonic() - killed
                    break
                time.sleep(0.5)
            drained, left = wait_settled(60)
            outbox = outbox_check(stack, data)
            keys = {
                row.id: row.dedupe_key
                for row in db.session.execute(sa.select(Notification.id, Notification.dedupe_key))
            }
            db.session.rollback()
            orphan_tags = {keys[i] for i in orphaned}
            duplicated = [tag for _user, tag in outbox["duplicate_examples"]]
            verdict = Verdict()
            lines = header(
                "worker-kill: kill -9 of one of two reminder workers mid-pass",
                f"Private PostgreSQL 15 cluster; 2 × `flask reminders run --interval 0.5 --limit 100` (claims of 20, "
                f"lease 60 s); {args.kill_notifications} notifications due at once; the push service takes "
                f"{args.push_delay:g} s per push (after keeping it), so a pass is long and a kill lands in a push. "
                f"`kill -9` of worker 1 {args.kill_after:g} s after the start.",
            )
            lines += [
                f"At the kill: {len(at_kill)} rows `sending`; 6 s later {len(orphaned)} of them still held by the "
                f"killed worker's lease (the other worker's were done), lease left {min(leases_left, default=0):.0f}–"
                f"{max(leases_left, default=0):.0f} s. All of them sent "
                + (f"{back_after:.0f} s after the kill." if back_after is not None else "NOT within 120 s."),
                "",
            ]
            verdict.check("claims the killed worker held", len(orphaned), len(orphaned) > 0)
            verdict.check(
                "its claims sent within the lease (60 s) + 10 s",
                f"{back_after:.0f} s" if back_after is not None else "never",
                back_after is not None and back_after <= 70,
            )
            verdict.check(f"due notifications left unsettled (after {drained:.0f} s)", left, left == 0)
            lines += outbox_lines(outbox, verdict, duplicates_allowed=1)
            verdict.check(
                "a duplicate is one of the killed worker's rows (the push in flight)",
                ", ".join(duplicated) or "none",
                all(tag in orphan_tags for tag in duplicated),
            )
            lines += ["", *worker_lines(stack)]
            alive = stack.workers[1].poll() is None
            verdict.check("the other worker still running", "yes" if alive else "no", alive)
            return lines, verdict
    finally:
        stack.stop()
        with app.app_context():
            db.engine.dispose()
        cluster.remove()


# --- writers through the app ---------------------------------------------------------------------


class Writers:
    """Clients that write as fast as they are answered: each logs an hours entry (API, its own
    client_id) and signs up for or cancels its shift (API), in turn. Remembers every write that
    was answered as done, to look for it in the database afterwards."""

    def __init__(self, port: int, people: list[dict], shifts: list[int], meeting_point: str, pause: float = 0.0):
        self.load = Load(port, people, shifts, pause=pause)
        self.meeting_point = meeting_point
        self.lock = threading.Lock()
        self.entries: list[str] = []  # client ids answered 201
        self.signed_up: dict[tuple[str, int], bool] = {}  # (token, shift) -> answered as signed up
        self.load._client = self._client

    def _client(self, n: int, person: dict) -> None:
        load, bearer = self.load, {"Authorization": f"Bearer {person['token']}"}
        shift, turn = load.shifts[n % len(load.shifts)], 0
        today = clock.to_berlin(clock.now()).date()
        while not load.stopping.is_set():
            if turn % 2 == 0:
                client_id = str(uuid.uuid4())
                body = {
                    "client_id": client_id,
                    "date": (today - timedelta(days=turn % 60)).isoformat(),
                    "minutes": 15,
                    "activity": "sprachcafe",
                    "meeting_point": self.meeting_point,
                }
                if load.send("API POST /me/hours", "POST", "/api/v1/me/hours", bearer, body) == 201:
                    with self.lock:
                        self.entries.append(client_id)
            else:
                on = self.signed_up.get((person["token"], shift), False)
                method = "DELETE" if on else "POST"
                status = load.send(f"API {method} sign-up", method, f"/api/v1/shifts/{shift}/signup", bearer)
                if status in (200, 201):
                    self.signed_up[person["token"], shift] = not on
            turn += 1
            load.stopping.wait(load.pause)


def writes_present(writers: Writers, token_users: dict[str, int]) -> dict:
    stored = set(db.session.scalars(sa.text("SELECT client_id FROM hours_entries WHERE client_id IS NOT NULL")))
    signups = {
        (user_id, shift_id): status
        for user_id, shift_id, status in db.session.execute(sa.text("SELECT user_id, shift_id, status FROM signups"))
    }
    db.session.rollback()
    wrong = sum(
        1
        for (token, shift), on in writers.signed_up.items()
        if (signups.get((token_users[token], shift)) == "confirmed") != on
    )
    return {
        "entries answered": len(writers.entries),
        "entries missing": len(set(writers.entries) - stored),
        "sign-up states": len(writers.signed_up),
        "sign-up states wrong": wrong,
    }


def status_table(samples) -> list[str]:
    counts = Counter((s.kind, s.status) for s in samples)
    latencies: dict[str, list[float]] = {}
    for s in samples:
        latencies.setdefault(s.kind, []).append(s.seconds)
    lines = ["| request | HTTP | count | p50 ms | p99 ms | max ms |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for (kind, status), count in sorted(counts.items(), key=str):
        values = latencies[kind]
        lines.append(
            f"| {kind} | {status or '–'} | {count} | {percentile(values, 0.5) * 1000:.0f} | "
            f"{percentile(values, 0.99) * 1000:.0f} | {max(values) * 1000:.0f} |"
        )
    return lines


def meeting_point_slug(data: dict) -> str:
    slug = db.session.scalar(
        sa.text("SELECT slug FROM meeting_points WHERE id = :id"), {"id": data["meeting_point_id"]}
    )
    db.session.rollback()
    return slug


def sqlite_writers(args, folder: Path) -> tuple[list[str], Verdict]:
    stack = Stack(folder, f"sqlite:///{folder / 'writers.sqlite'}")
    app = stack.app()
    try:
        with app.app_context():
            log("sqlite-writers: data …")
            data = make_data(stack, args.writers)
            shifts = roomy_shifts(data, 5)
            threads = -(-args.writers // args.writer_web_workers)
            stack.start_web(args.writer_web_workers, ["--worker-class", "gthread", "--threads", str(threads)])
            stack.start_workers(2, interval=0.5, limit=20)
            queue_due(data, 300, start_in=2, over=args.write_seconds)
            people = [{"token": v["token"]} for v in data["volunteers"][: args.writers]]
            writers = Writers(stack.web_port, people, shifts, meeting_point_slug(data))
            log(f"sqlite-writers: {args.writers} writers for {args.write_seconds} s …")
            writers.load.start()
            time.sleep(args.write_seconds)
            samples = writers.load.stop()
            drained, left = wait_settled(60)
            found = writes_present(writers, {v["token"]: v["user_id"] for v in data["volunteers"]})
            outbox = outbox_check(stack, data)
            stack.stop()  # the logs complete before they are read
            locked = sum(log_lines(path, "database is locked") for path in stack.logs.values())
            verdict = Verdict()
            lines = header(
                "sqlite-writers: SQLite under 20 concurrent writers",
                f"SQLite (WAL, BEGIN IMMEDIATE behind the writers' flock, core/database.py); gunicorn "
                f"{args.writer_web_workers} gthread workers × {threads} threads = {args.writer_web_workers * threads} "
                "requests at "
                f"once; {args.writers} clients writing without pause for {args.write_seconds} s (an hours entry "
                "through the API, then a sign-up or its cancellation, in turn), while 2 reminder workers send 300 "
                "notifications (writes of their own).",
            )
            server_errors = sum(s.failed for s in samples)
            verdict.check("answers 5xx or none", server_errors, server_errors == 0)
            verdict.check('"database is locked" in the logs (app and workers)', locked, locked == 0)
            verdict.check(
                "hours entries answered 201 but not stored",
                f"{found['entries missing']} of {found['entries answered']}",
                found["entries missing"] == 0,
            )
            verdict.check(
                "sign-up states answered but not stored so",
                f"{found['sign-up states wrong']} of {found['sign-up states']}",
                found["sign-up states wrong"] == 0,
            )
            verdict.check(f"due notifications left unsettled (after {drained:.0f} s)", left, left == 0)
            lines += status_table(samples)
            lines += ["", *outbox_lines(outbox, verdict), "", *worker_lines(stack)]
            return lines, verdict
    finally:
        stack.stop()
        with app.app_context():
            db.engine.dispose()


# --- backup and restore ------------------------------------------------------------------------

COUNT_LINE = re.compile(r"^  (\w+)\s+(\d+)$", re.M)


def flask(env: dict, *command: str, url: str) -> tuple[str, float]:
    started = time.monotonic()
    result = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "faults_wsgi:app", *command],
        cwd=HERE,
        env={**env, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"flask {' '.join(command)} failed: {result.stdout}{result.stderr}")
    return result.stdout, time.monotonic() - started


def printed_counts(output: str) -> dict[str, int]:
    return {table: int(count) for table, count in COUNT_LINE.findall(output) if table != "zusammen"}


def direct_counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        names = sorted(sa.inspect(connection).get_table_names())
        counts = {n: connection.scalar(sa.select(sa.func.count()).select_from(sa.table(n))) for n in names}
    engine.dispose()
    return counts


def state_report(stack: Stack, url: str, email: str, repeat: int = 7) -> tuple[str, float]:
    """The state report's checksum through the app on `url`, and its median time in ms."""
    from bench.scale.queries import logged_in
    from volunteers import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": stack.env["SECRET_KEY"],
            "VAPID_PRIVATE_KEY": stack.env["VAPID_PRIVATE_KEY"],
            "SERVER_NAME": None,
            "SESSION_COOKIE_SECURE": False,
            "PREFERRED_URL_SCHEME": "http",
        }
    )
    client = logged_in(app, email, "bench-password")
    timings, checksum = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get("/reports/state?format=json")
        timings.append((time.perf_counter() - started) * 1000)
        checksum = response.get_json()["checksum"]
    page = client.get("/reports/state")
    assert page.status_code == 200, page.status_code
    with app.app_context():
        db.engine.dispose()
    return checksum, percentile(timings, 0.5)


def approved_hours(data: dict, count: int) -> str:
    """Approved hours of the volunteers (for the report) and a state viewer; returns its email."""
    from volunteers.accounts import services as accounts
    from volunteers.accounts.models import User
    from volunteers.centres.models import Centre, MeetingPoint
    from volunteers.core.database import begin_write
    from volunteers.hours.services import HoursInput, approve, log_hours

    begin_write(db.session)
    centre = db.session.get(Centre, data["centre_id"])
    place = db.session.get(MeetingPoint, data["meeting_point_id"])
    coordinator = db.session.scalar(sa.select(User).where(User.email == "coordinator@bench.example"))
    today = clock.to_berlin(clock.now()).date()
    for n in range(count):
        person = db.session.get(User, data["volunteers"][n % len(data["volunteers"])]["user_id"])
        values = HoursInput(
            work_date=today - timedelta(days=1 + n % 80),
            minutes=60 + n % 90,
            activity="sprachcafe",
            meeting_point=place,
        )
        entry, _ = log_hours(centre=centre, person=person, values=values)
        approve(entry=entry, by=coordinator)
    email = "land@bench.example"
    accounts.create_user(email=email, name="Landesstelle", password="bench-password", role="state", centre=None)
    db.session.commit()
    return email


def backup_restore_one(args, folder: Path, kind: str) -> tuple[list[str], Verdict]:
    cluster = None
    if kind == "postgresql":
        cluster = PrivateCluster(free_port())
        cluster.create()
        url = cluster.create_database("treffpunkt_faults")
        fresh = [cluster.create_database(f"treffpunkt_restored_{n}") for n in (1, 2)]
    else:
        url, fresh = (
            f"sqlite:///{folder / 'live.sqlite'}",
            [f"sqlite:///{folder / f'restored-{n}.sqlite'}" for n in (1, 2)],
        )
    stack = Stack(folder, url)
    app = stack.app()
    try:
        with app.app_context():
            log(f"backup-restore ({kind}): data …")
            data = make_data(stack, 60)
            shifts = roomy_shifts(data, 5)
            state_viewer = approved_hours(data, args.report_hours)
            stack.start_web(2)
            stack.start_workers(1, interval=0.5, limit=20)
            queue_due(data, 100, start_in=1, over=20)
            writers = Writers(
                stack.web_port,
                [{"token": v["token"]} for v in data["volunteers"][:10]],
                shifts,
                meeting_point_slug(data),
                pause=0.02,
            )
            writers.load.start()
            time.sleep(5)
            log(f"backup-restore ({kind}): flask backup while 10 clients write …")
            before_backup = len(writers.entries)
            during, backup_seconds = flask(stack.env, "backup", str(folder / "during.backup"), url=url)
            after_backup = len(writers.entries)
            time.sleep(3)
            samples = writers.load.stop()
            stack.stop()  # the app and the worker stopped, as for a restore; the second backup is quiescent
            log(f"backup-restore ({kind}): flask restore into fresh databases …")
            backed_up = printed_counts(during)
            restored_out, restore_seconds = flask(
                stack.env, "restore", str(folder / "during.backup"), "--yes", url=fresh[0]
            )
            restored, restored_direct, live = printed_counts(restored_out), direct_counts(fresh[0]), direct_counts(url)
            quiet, _ = flask(stack.env, "backup", str(folder / "after.backup"), url=url)
            flask(stack.env, "restore", str(folder / "after.backup"), "--yes", url=fresh[1])
            second = direct_counts(fresh[1])  # before the report's logins below add sessions
            _, startup = flask(stack.env, "--help", url=url)
            source_sum, source_ms = state_report(stack, url, state_viewer)
            copy_sum, copy_ms = state_report(stack, fresh[1], state_viewer)
            size = (folder / "during.backup").stat().st_size
            verdict = Verdict()
            lines = header(
                f"backup-restore ({kind})",
                f"{'Private PostgreSQL 15 cluster' if cluster else 'SQLite'}; gunicorn 2 workers and a reminder "
                f"worker; 10 clients writing (hours entries, sign-ups and cancellations through the API, 20 ms "
                f"apart). `flask backup` ran while they wrote ({backup_seconds:.1f} s, of which starting the CLI "
                f"takes {startup:.1f} s on this machine now; {size / 1024:.0f} KiB; "
                f"{after_backup - before_backup} hours entries were answered during it); writes went on 3 s more. "
                f"Then everything stopped, `flask restore --yes` into a fresh database ({restore_seconds:.1f} s); "
                "a second backup of the quiet database restored into another fresh one for the report figures.",
            )
            lines += [
                "| table | backup printed | restore printed | restored (counted) | live database after the writes |",
                "| --- | ---: | ---: | ---: | ---: |",
            ]
            for table in sorted(set(backed_up) | set(live)):
                lines.append(
                    f"| {table} | {backed_up.get(table, '–')} | {restored.get(table, '–')} | "
                    f"{restored_direct.get(table, '–')} | {live.get(table, '–')} |"
                )
            same = backed_up == restored == {t: c for t, c in restored_direct.items() if t in backed_up}
            verdict.check(
                "every table: backup = restore = counted in the restored database",
                f"{len(backed_up)} tables",
                same and len(backed_up) == len(live),
            )
            later = live.get("hours_entries", 0) - backed_up.get("hours_entries", 0)
            verdict.check("hours entries written after the backup's snapshot (writes ran on)", later, later > 0)
            verdict.check(
                "the second restore: every table as in the quiet database",
                f"{sum(second.values())} rows",
                second == live,
            )
            verdict.check(
                "state report figures (checksum) of the restored database = the source's",
                f"{copy_sum[:12]}… / {source_sum[:12]}…",
                copy_sum == source_sum,
            )
            verdict.check(
                "state report time in-process, restored vs source (median of 7)",
                f"{copy_ms:.0f} ms vs {source_ms:.0f} ms",
                copy_ms <= 2 * source_ms + 20,
            )
            verdict.check(
                "answers 5xx during the writes and the backup",
                sum(s.failed for s in samples),
                not any(s.failed for s in samples),
            )
            lines += ["", *status_table(samples)]
            return lines, verdict
    finally:
        stack.stop()
        with app.app_context():
            db.engine.dispose()
        if cluster:
            cluster.remove()


def backup_restore(args, folder: Path) -> tuple[list[str], Verdict]:
    lines, verdict = [], Verdict()
    for kind in ("sqlite", "postgresql"):
        sub = folder / kind
        sub.mkdir()
        more, checked = backup_restore_one(args, sub, kind)
        lines += [*more, "", *checked.table(), ""]
        verdict.rows += [(f"{kind}: {name}", value, ok) for name, value, ok in checked.rows]
    verdict.printed = True  # per database, above
    return lines[:-1], verdict


SCENARIOS = {
    "pg-outage": pg_outage,
    "push-outage": push_outage,
    "worker-kill": worker_kill,
    "sqlite-writers": sqlite_writers,
    "backup-restore": backup_restore,
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=[*SCENARIOS, "all"])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, databases)")
    parser.add_argument("--json", type=Path, help="also write the checks as JSON")
    group = parser.add_argument_group("pg-outage")
    group.add_argument("--clients", type=int, default=8)
    group.add_argument("--web-workers", type=int, default=3)
    group.add_argument("--reminder-workers", type=int, default=2)
    group.add_argument("--notifications", type=int, default=200)
    group.add_argument("--before", type=float, default=10, help="seconds of load before the restart")
    group.add_argument("--restart-gap", type=float, default=15, help="seconds from the restart to the stop")
    group.add_argument("--down", type=float, default=20, help="seconds PostgreSQL stays stopped")
    group.add_argument("--after", type=float, default=15, help="seconds of load after it is back")
    group = parser.add_argument_group("push-outage")
    group.add_argument("--push-503", type=float, default=20, help="seconds the push service answers 503")
    group.add_argument("--push-down", type=float, default=25, help="seconds the push service is down")
    group.add_argument("--push-drain", type=float, default=120, help="at most this long for the retries")
    group = parser.add_argument_group("worker-kill")
    group.add_argument("--kill-notifications", type=int, default=200)
    group.add_argument("--push-delay", type=float, default=0.25)
    group.add_argument("--kill-after", type=float, default=4)
    group = parser.add_argument_group("sqlite-writers")
    group.add_argument("--writers", type=int, default=20)
    group.add_argument("--write-seconds", type=float, default=30)
    group.add_argument("--writer-web-workers", type=int, default=4, help="gthread workers, the writers shared out")
    group = parser.add_argument_group("backup-restore")
    group.add_argument("--report-hours", type=int, default=2000, help="approved hours entries made beforehand")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` stops every process
    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    results, failed = {}, False
    for name in names:
        folder = Path(tempfile.mkdtemp(prefix=f"treffpunkt-bench-faults-{name}-"))
        started = time.monotonic()
        try:
            lines, verdict = SCENARIOS[name](args, folder)
        except BaseException:
            log(f"{name}: stopped; kept {folder}")
            raise
        took = time.monotonic() - started
        if verdict.printed:
            print("\n".join(lines))
        else:
            print("\n".join([*lines, "", *verdict.table()]))
        print(f"\n({name}: {took:.0f} s)\n", flush=True)
        results[name] = {"seconds": took, "checks": verdict.rows}
        failed |= not verdict.ok
        if verdict.ok and not args.keep:
            subprocess.run(["rm", "-rf", str(folder)], check=False)
        else:
            log(f"{name}: logs and data kept in {folder}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
