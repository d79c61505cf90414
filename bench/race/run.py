"""The sign-up race in one command: 4 gunicorn workers take simultaneous sign-ups, cancellations and
shift changes while 2 `flask reminders run` workers deliver the notifications they create to a
local push service, and one of them is killed (kill -9) right after a claim's pushes and before
their record, then started again; then it checks: no overbooking, no 5xx, no notification lost,
none received twice except the killed claim's, re-sent after its lease with the same Topic and tag.

    .venv/bin/python bench/race/run.py                  # SQLite in a temporary folder, about a minute
    .venv/bin/python bench/race/run.py --database-url postgresql+psycopg://postgres@127.0.0.1/treffpunkt_bench_race

The PostgreSQL database must be empty (created just before). Prints markdown tables to stdout
(progress to stderr) and exits with 1 if a check failed. Everything listens on 127.0.0.1 only and
every process is stopped at the end, also on Ctrl+C or an error."""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from py_vapid import Vapid

from bench.harness import gunicorn, log, stop, wait_for
from bench.race import checks
from bench.race.kill import Killer
from bench.race.load import Race
from bench.race.make_data import build, make_browsers, make_shifts
from volunteers import create_app
from volunteers.core import time as clock
from volunteers.extensions import db
from volunteers.push.vapid import public_key_b64url

WEB_WORKERS, REMINDER_WORKERS = 4, 2
STARTUP_SECONDS = 10  # from making the shifts until the first round: servers and workers starting
KILLED = 1  # the reminder worker that is killed (counted from 1)
AFTER_LEASE_SECONDS = 30  # the drain waits at least this long past the killed claim's lease
WORKER_TROUBLE = {
    "pass failed": r"reminder pass failed",
    "notification failed": r"could not be delivered",
    "lease ran out": r"lease ran out",
    "traceback": r"Traceback \(most recent call last\)",
}
APP_TROUBLE = {
    "unhandled error": r"Unhandled error on",
    "worker timeout": r"WORKER TIMEOUT",
    "booted workers": r"Booting worker with pid",
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite in a temporary folder)")
    parser.add_argument("--volunteers", type=int, default=200)
    parser.add_argument("--load-seconds", type=float, default=45, help="rounds are started until this is up")
    parser.add_argument(
        "--drain-seconds",
        type=float,
        default=40,
        help="after the load, wait at most this long for the reminder workers to settle what is due",
    )
    parser.add_argument("--per-round", type=int, default=5, help="shifts taken up in each round")
    parser.add_argument("--interval", type=float, default=0.5, help="`flask reminders run --interval`")
    parser.add_argument("--limit", type=int, default=10, help="`flask reminders run --limit`")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--kill-after",
        type=float,
        default=12,
        help="seconds into the load: kill -9 reminder worker 1 after its next claim's pushes (0: no kill)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, SQLite file)")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    return parser.parse_args()


def database_url(given: str | None, folder: Path) -> str:
    if not given:
        return f"sqlite:///{folder / 'race.sqlite'}"
    for prefix in ("postgres://", "postgresql://"):  # as volunteers/config.py reads DATABASE_URL
        if given.startswith(prefix):
            return "postgresql+psycopg://" + given[len(prefix) :]
    return given


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- processes -------------------------------------------------------------------------------


def start_push_service(folder: Path, keys: dict) -> tuple[subprocess.Popen, str]:
    (folder / "keys.json").write_text(json.dumps(keys))
    with (folder / "push-service.log").open("w") as errors:
        process = subprocess.Popen(
            [sys.executable, str(HERE / "service.py"), str(folder / "keys.json")],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
    line = process.stdout.readline()
    if not line.startswith("PORT "):
        process.kill()
        raise SystemExit(f"push service did not start: {line!r}")
    return process, f"http://127.0.0.1:{int(line.split()[1])}"


def start_reminder_worker(args, env: dict, logfile: Path) -> subprocess.Popen:
    command = [
        str(VENV_BIN / "flask"),
        "--app",
        "race_wsgi:app",
        "reminders",
        "run",
        "--interval",
        str(args.interval),
        "--limit",
        str(args.limit),
    ]
    with logfile.open("w") as output:
        return subprocess.Popen(command, cwd=HERE, env=env, stdout=output, stderr=subprocess.STDOUT)


def still_running(processes: list[subprocess.Popen]) -> None:
    """Stop the run at once if a server or worker has ended: what follows would only count its absence."""
    for process in processes:
        if process.poll() is not None:
            raise SystemExit(f"{' '.join(map(str, process.args[:4]))} … ended with {process.returncode}")


def received_pushes(origin: str) -> dict:
    with urllib.request.urlopen(f"{origin}/messages", timeout=30) as response:
        return json.load(response)


# --- the run ---------------------------------------------------------------------------------


def drain(seconds: float, processes: list[subprocess.Popen], lock: threading.Lock) -> tuple[float, int]:
    """Wait until the reminder workers have settled everything due; (seconds waited, still unsettled)."""
    started = time.monotonic()
    while True:
        with lock:
            still_running(processes)
        left = checks.unsettled_due(clock.now())
        if left == 0 or time.monotonic() - started > seconds:
            return time.monotonic() - started, left
        time.sleep(0.5)


def start_servers(args, env: dict, folder: Path, processes: list, killer: Killer | None) -> tuple[int, dict]:
    """gunicorn and the reminder workers, appended to `processes` as they start; (port, log files)."""
    port, logs = free_port(), {"gunicorn": folder / "gunicorn.log"}
    # The project's gunicorn.conf.py named, whatever folder the bench is started from.
    processes.append(
        gunicorn(
            HERE,
            "race_wsgi:app",
            port,
            WEB_WORKERS,
            env,
            logs["gunicorn"],
            pythonpath=str(ROOT),
            options=["--timeout", "30", "--graceful-timeout", "5", "--config", str(ROOT / "gunicorn.conf.py")],
        )
    )
    for n in range(1, REMINDER_WORKERS + 1):
        logs[f"reminders {n}"] = folder / f"reminders-{n}.log"
        armed = dict(env, **killer.env()) if killer and n == KILLED else env
        processes.append(start_reminder_worker(args, armed, logs[f"reminders {n}"]))
    # 90 s: at a load average of 20 on 2 cores four workers take longer than 30 s to import the app.
    wait_for(f"http://127.0.0.1:{port}/healthz", processes[-1 - REMINDER_WORKERS], 90, logfile=logs["gunicorn"])
    return port, logs


def findings(shifts: list[dict]) -> dict:
    """What the database says once everything has stopped."""
    return {
        "dialect": db.engine.dialect.name,
        "shift_rows": checks.shift_rows({s["id"]: s["group"] for s in shifts}),
        "duplicate_signups": checks.duplicate_signups(),
        "notifications": checks.notification_rows(),
        "attempts": checks.delivered_attempts(),
    }


def race(args, folder: Path, url: str) -> dict:
    vapid = Vapid()
    vapid.generate_keys()
    pem, secret = vapid.private_pem().decode(), os.urandom(24).hex()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": secret,
        "VAPID_PRIVATE_KEY": pem,
        "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT)]),
    }
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": secret,
            "VAPID_PRIVATE_KEY": pem,
            "PUSH_ALLOW_LOOPBACK": True,
            "SERVER_NAME": None,
            "MAIL_SERVER": None,
        }
    )
    browsers, processes, lock = make_browsers(args.volunteers), [], threading.Lock()
    killer = None
    try:
        service, origin = start_push_service(folder, dict(browsers, _vapid_public_key=public_key_b64url(vapid)))
        processes.append(service)
        with app.app_context():
            log(f"data: {args.volunteers} volunteers with a push subscription and an API token …")
            data = build(browsers, origin)
            # The 2-hour and 24-hour reminders of early sign-ups fall due while the load runs.
            shifts = make_shifts(data, due_from=STARTUP_SECONDS + 10, due_window=args.load_seconds * 0.6)
            if args.kill_after:
                restarted = folder / f"reminders-{KILLED}-restarted.log"
                killer = Killer(
                    after=args.kill_after,
                    folder=folder,
                    processes=processes,
                    index=1 + KILLED,  # after the push service and gunicorn
                    restart=lambda: start_reminder_worker(args, env, restarted),
                    lock=lock,
                )
            port, logs = start_servers(args, env, folder, processes, killer)
            if killer:
                logs[f"reminders {KILLED} (restarted)"] = restarted
            load_before = load_average()
            log(f"load: rounds of simultaneous requests for {args.load_seconds:g} s on 127.0.0.1:{port} …")
            load = Race(port=port, data=data, shifts=shifts, engine=db.engine, per_round=args.per_round, seed=args.seed)
            started = time.monotonic()
            if killer:
                killer.start()
            outcomes = load.run(args.load_seconds, still_running=lambda: checked(processes, lock))
            load_seconds = time.monotonic() - started
            kill = finish_kill(killer)
            log("drain: waiting for the reminder workers to settle what is due …")
            drained, unsettled = drain(drain_seconds(args, kill), processes, lock)
            pushes, load_after = received_pushes(origin), load_average()
            stop(processes)  # before the logs are read, so that they are complete
            return {
                "shifts": shifts,
                "data": data,
                "outcomes": outcomes,
                "rounds": load.rounds,
                "load_seconds": load_seconds,
                "drained": drained,
                "unsettled": unsettled,
                "pushes": pushes,
                "load_average": (load_before, load_after),
                "logs": logs,
                "kill": kill,
                **findings(shifts),
            }
    finally:
        if killer:
            killer.cancelled.set()
        stop(processes)
        with app.app_context():
            db.engine.dispose()


def checked(processes: list, lock: threading.Lock) -> None:
    with lock:  # not while the killer swaps the killed worker for its restart
        still_running(processes)


def finish_kill(killer: Killer | None):
    """The kill's record once it has happened (it may still wait for its window after the load)."""
    if killer is None:
        return None
    killer.join()
    log(f"kill -9 of reminder worker {KILLED}: {killer.kill}")
    return killer.kill


def drain_seconds(args, kill) -> float:
    """At least until the killed claim's lease has run out, and the rows have been sent again."""
    if kill is None or kill.lease is None:
        return args.drain_seconds
    lease_left = (datetime.fromisoformat(kill.lease) - clock.now()).total_seconds()
    return max(args.drain_seconds, lease_left + AFTER_LEASE_SECONDS)


# --- report ----------------------------------------------------------------------------------


def evaluate(result: dict) -> tuple[list[checks.Check], dict]:
    """The checks, and how the pushes received matched the notification rows."""
    user_of_browser = {v["browser"]: v["user_id"] for v in result["data"]["volunteers"]}
    matched = checks.match_pushes(result["notifications"], result["pushes"]["messages"], user_of_browser)
    return signup_checks(result) + notification_checks(result, matched), matched


def signup_checks(result: dict) -> list[checks.Check]:
    overbooked = [row for row in result["shift_rows"] if not row["ok"]]
    server_errors = sum(
        count
        for (_kind, status, _outcome), count in result["outcomes"].counts.items()
        if status is None or status >= 500
    )
    app_log = checks.log_counts(result["logs"]["gunicorn"], APP_TROUBLE)
    app_errors = app_log["unhandled error"] + app_log["worker timeout"]
    return [
        checks.Check(
            "every shift: confirmed sign-ups = confirmed_count ≤ capacity",
            f"{len(result['shift_rows'])} shifts, {len(overbooked)} wrong",
            not overbooked,
        ),
        checks.Check(
            "no (shift, person) with two sign-up rows",
            str(result["duplicate_signups"]),
            result["duplicate_signups"] == 0,
        ),
        checks.Check("requests answered 5xx or not at all", str(server_errors), server_errors == 0),
        checks.Check(
            "app errors logged by gunicorn (Unhandled error, WORKER TIMEOUT)", str(app_errors), app_errors == 0
        ),
        checks.Check(
            "gunicorn workers booted (4: none died and was replaced)",
            str(app_log["booted workers"]),
            app_log["booted workers"] == WEB_WORKERS,
        ),
    ]


def notification_checks(result: dict, matched: dict) -> list[checks.Check]:
    pushed_twice = sum(1 for count in result["attempts"].values() if count > 1)
    delivered = sum(result["attempts"].values())
    sent = sum(1 for row in result["notifications"] if row["status"] == "sent")
    refused = result["pushes"]["errors"]
    worker_trouble = sum(
        sum(checks.log_counts(path, WORKER_TROUBLE).values())
        for name, path in result["logs"].items()
        if name.startswith("reminders")
    )
    window = killed_window(result)
    resent = sum(window["expected"].values()) - len(window["expected"])
    return [
        *kill_checks(result, window),
        checks.Check(
            "notification rows pushed more than once (delivery log)",
            f"{pushed_twice} of {len(result['attempts'])}",
            pushed_twice == 0,
        ),
        checks.Check(
            "push service: same (recipient, tag = dedupe key) received twice, outside the killed claim",
            f"{matched['duplicates'] - window['duplicates']} of {matched['received']}",
            not window["unexpected"],
        ),
        checks.Check(
            "push service: distinct (recipient, tag) received = delivery log = sent rows",
            f"{matched['distinct']} = {delivered} = {sent}",
            matched["distinct"] == delivered == sent,
        ),
        checks.Check(
            "push service: received − distinct = pushes the killed worker never recorded",
            f"{matched['received'] - matched['distinct']} = {resent}",
            matched["received"] - matched["distinct"] == resent,
        ),
        checks.Check(
            "pushes without a sent row / sent rows never received / two sent rows with one key",
            f"{matched['unmatched']} / {matched['missing']} / {matched['same_key_sent_twice']}",
            matched["unmatched"] == matched["missing"] == matched["same_key_sent_twice"] == 0,
        ),
        checks.Check(
            "Topic header ≠ the notification's key (every push, repeats included)",
            str(matched["wrong_topic"]),
            matched["wrong_topic"] == 0,
        ),
        checks.Check("push service refusals (VAPID signature, aud, exp, decryption)", str(len(refused)), not refused),
        checks.Check(
            f"due notifications left unsettled (waited {result['drained']:.0f} s after the load)",
            str(result["unsettled"]),
            result["unsettled"] == 0,
        ),
        checks.Check(
            "reminder worker errors (pass failed, notification failed, lease ran out, traceback)",
            str(worker_trouble),
            worker_trouble == 0,
        ),
    ]


def killed_window(result: dict) -> dict:
    """The keys the killed claim pushed without recording, how often each may arrive (its pushes
    plus the one re-send), and the keys received more often than they may be."""
    user_of_browser = {v["browser"]: v["user_id"] for v in result["data"]["volunteers"]}
    received = checks.received_per_key(result["pushes"]["messages"], user_of_browser)
    pushed = result["kill"].pushed if result["kill"] else {}
    expected = {
        (row["user_id"], row["tag"]): 1 + pushed[row["id"]] for row in result["notifications"] if pushed.get(row["id"])
    }
    return {
        "expected": expected,
        "received": {key: received[key] for key in expected},
        "duplicates": sum(min(received[key], expected[key]) - 1 for key in expected if received[key] > 1),
        "unexpected": [key for key, count in received.items() if count > expected.get(key, 1)],
    }


def kill_checks(result: dict, window: dict) -> list[checks.Check]:
    kill = result["kill"]
    if kill is None:
        return []
    rows = {row["id"]: row for row in result["notifications"]}
    settled = Counter(rows[row_id]["status"] for row_id in kill.pushed if row_id in rows)
    again = sum(1 for key, n in window["expected"].items() if window["received"][key] == n)
    at = f"{kill.killed_after:.1f} s" if kill.killed_after is not None else "never"
    return [
        checks.Check(
            f"kill -9 of reminder worker {KILLED} after a claim's pushes, before their record; restarted",
            f"at {at} into the load; in the window: {kill.in_window}; restarted: {kill.restarted}",
            kill.in_window and kill.restarted,
        ),
        checks.Check(
            "the killed claim's pushed rows: sent, and received once more after the lease (same Topic, tag)",
            f"{len(kill.pushed)} rows: {dict(settled)}; received again: {again}",
            settled == Counter(sent=len(kill.pushed)) and again == len(window["expected"]),
        ),
    ]


def _percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(share * len(values)))] if values else 0.0


def report(args, result: dict, found: list[checks.Check], matched: dict) -> str:
    outcomes, lines = result["outcomes"], []
    requests = sum(outcomes.counts.values())
    lines += [
        f"Database: {result['dialect']}; {args.volunteers} volunteers, {len(result['shifts'])} shifts; "
        f"{WEB_WORKERS} gunicorn workers, {REMINDER_WORKERS} × `flask reminders run --interval {args.interval:g} "
        f"--limit {args.limit}`; {result['rounds']} rounds, {outcomes.bursts} bursts, {requests} requests in "
        f"{result['load_seconds']:.0f} s; drained in {result['drained']:.1f} s. Load average (1, 5, 15 min) "
        f"before: {result['load_average'][0]}; after: {result['load_average'][1]}",
        "",
        "| check | value | result |",
        "| --- | ---: | --- |",
    ]
    lines += [f"| {c.name} | {c.value} | {'ok' if c.ok else 'FAILED'} |" for c in found]
    if result["kill"]:
        lines += ["", *kill_lines(result)]
    lines += [
        "",
        "Requests (all released in bursts by a barrier):",
        "",
        "| request | HTTP | outcome | count |",
        "| --- | ---: | --- | ---: |",
    ]
    for (kind, status, outcome), count in sorted(outcomes.counts.items(), key=lambda item: str(item[0])):
        lines.append(f"| {kind} | {status or '–'} | {outcome} | {count} |")
    lines += ["", "| request | count | p50 ms | p95 ms | max ms |", "| --- | ---: | ---: | ---: | ---: |"]
    for kind, seconds in sorted(outcomes.seconds.items()):
        seconds = sorted(seconds)
        lines.append(
            f"| {kind} | {len(seconds)} | {_percentile(seconds, 0.5) * 1000:.0f} | "
            f"{_percentile(seconds, 0.95) * 1000:.0f} | {seconds[-1] * 1000:.0f} |"
        )
    lines += [
        "",
        *notification_table(result["notifications"]),
        "",
        *worker_table(result),
        "",
        *shift_table(result["shift_rows"]),
    ]
    problems = [
        *outcomes.server_errors[:5],
        *result["pushes"]["errors"][:5],
        *(f"received twice: user {user}, tag {tag}" for user, tag in matched["duplicate_examples"]),
        *(
            f"{count} × in {path.name}: `{line}`"
            for path in result["logs"].values()
            for line, count in checks.exceptions_logged(path).items()
        ),
    ]
    if problems:
        lines += ["", "First problems, and the exceptions in the logs:", "", *(f"- {line}" for line in problems)]
    return "\n".join(lines)


def kill_lines(result: dict) -> list[str]:
    kill, window = result["kill"], killed_window(result)
    lags = {row["id"]: row for row in result["notifications"]}
    resent = sorted(
        (lags[row_id]["sent_at"] - lags[row_id]["due_at"]).total_seconds()
        for row_id in kill.pushed
        if row_id in lags and lags[row_id]["sent_at"] is not None
    )
    return [
        f"kill -9: reminder worker {KILLED} armed {kill.armed_after:g} s into the load, killed at "
        f"{kill.killed_after or 0:.1f} s, holding a claim of {len(kill.pushed)} rows whose lease ran until "
        f"{kill.lease}; {sum(1 for n in kill.pushed.values() if n)} of them had reached the push service "
        f"unrecorded. Received at the push service: {sorted(window['received'].values())} times each; "
        f"from due to sent for the claim's rows: {', '.join(f'{s:.0f}' for s in resent)} s.",
    ]


def notification_table(notifications: list[dict]) -> list[str]:
    statuses = ("sent", "pending", "sending", "cancelled", "failed", "no_device")
    lines = [
        "Notifications (outbox rows) by kind and status; `pending` are not due yet, `cancelled` were withdrawn "
        "before sending:",
        "",
        f"| kind | created | {' | '.join(statuses)} |",
        "| --- | ---: | " + " | ".join("---:" for _ in statuses) + " |",
    ]
    table = checks.by_kind(notifications)
    total = sum(table.values(), Counter())
    for kind, counts in [*sorted(table.items()), ("all", total)]:
        lines.append(f"| {kind} | {sum(counts.values())} | " + " | ".join(str(counts[s]) for s in statuses) + " |")
    lags = checks.delivery_lags(notifications)
    lines += [
        "",
        f"From due to sent: p50 {_percentile(lags, 0.5):.1f} s, p95 {_percentile(lags, 0.95):.1f} s, "
        f"max {lags[-1] if lags else 0:.1f} s ({len(lags)} sent).",
    ]
    return lines


def worker_table(result: dict) -> list[str]:
    lines = [
        "| reminder worker | passes with work | sent | lost (lease taken over) | error |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, path in result["logs"].items():
        if name.startswith("reminders"):
            done = checks.worker_sent(path)
            lines.append(f"| {name} | {done['passes with work']} | {done['sent']} | {done['lost']} | {done['error']} |")
    return lines


def shift_table(rows: list[dict]) -> list[str]:
    lines = [
        "| shift | group | capacity | confirmed rows | confirmed_count | waitlisted | moved | ok |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    lines += [
        f"| {r['id']} | {r['group']} | {r['capacity']} | {r['confirmed_rows']} | {r['confirmed_count']} | "
        f"{r['waitlisted']} | {r['moves']} | {'ok' if r['ok'] else 'OVERBOOKED'} |"
        for r in rows
    ]
    return lines


def raw(result: dict, found: list[checks.Check], matched: dict) -> dict:
    outcomes = result["outcomes"]
    return {
        "dialect": result["dialect"],
        "rounds": result["rounds"],
        "load_seconds": result["load_seconds"],
        "checks": [vars(c) for c in found],
        "pushes": matched,
        "requests": [
            {"kind": kind, "status": status, "outcome": outcome, "count": count}
            for (kind, status, outcome), count in outcomes.counts.items()
        ],
        "server_errors": outcomes.server_errors,
        "shifts": result["shift_rows"],
        "notifications": {kind: dict(c) for kind, c in checks.by_kind(result["notifications"]).items()},
    }


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` stops every process
    folder = Path(tempfile.mkdtemp(prefix="treffpunkt-bench-race-"))
    url = database_url(args.database_url, folder)
    try:
        result = race(args, folder, url)
    except BaseException:
        log(f"stopped; logs kept in {folder}")
        raise
    found, matched = evaluate(result)
    print(report(args, result, found, matched))
    if args.json:
        args.json.write_text(json.dumps(raw(result, found, matched), indent=1, default=str) + "\n")
    failed = [c for c in found if not c.ok]
    if failed or args.keep:
        log(f"logs and data kept in {folder}")
    else:
        for path in sorted(folder.iterdir()):
            path.unlink()
        folder.rmdir()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
