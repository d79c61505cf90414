"""Push delivery benchmark: notifications per second from one worker to a local push service.

    .venv/bin/python bench/push/run.py                    # 10,000 reminders, SQLite in a temporary folder
    .venv/bin/python bench/push/run.py --notifications 2000 --profile-notifications 500   # quicker
    .venv/bin/python bench/push/run.py --database-url postgresql+psycopg://postgres@127.0.0.1/EMPTY_DB

Builds a fresh SQLite database through the migrations, one centre with N volunteers, each with
one push subscription at a local push service (service.py, its own process on 127.0.0.1), and
queues N due reminders with queue_notification. Then one worker process (worker_pass.py) runs
`send_due(limit=…)` passes until all are sent or --max-seconds is up. A second, profiled worker
run sends --profile-notifications more, to see what the time goes to. Prints markdown tables.

Target (issue #16): at least 500 notifications per second from one worker, 10,000 due.

--compare --before-root DIR measures another tree's worker (e.g. `git archive HEAD` unpacked) as
"before", alternating with this tree's, in one run."""

import argparse
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid
from werkzeug.security import generate_password_hash

from tests.push.push_service import b64url
from volunteers import create_app
from volunteers.accounts import services as accounts
from volunteers.centres import services as centres
from volunteers.core import time as clock
from volunteers.extensions import db
from volunteers.push import services as push
from volunteers.push.vapid import key_from_text, public_key_b64url

TARGET_PER_SECOND = 500  # issue #16 (earlier: 300)
BATCH = 500  # rows per commit while building the data

# What the profile summary adds up, by (file ending, function name); cumulative seconds.
PROFILE_PARTS = [
    ("whole passes: send_due", "push/worker.py", "send_due"),
    ("DB: claim_due (claim a pass's rows)", "push/worker.py", "claim_due"),
    ("DB: take_up_claim (rows, users, devices of a claim; commit)", "push/batch.py", "take_up_claim"),
    ("DB: record_claim (log, devices, outcomes of a claim; commit)", "push/batch.py", "record_claim"),
    ("waiting for the pushing threads: push_claim", "push/batch.py", "push_claim"),
    ("push: push_to_device", "push/delivery.py", "push_to_device"),
    ("  check_endpoint (SSRF check before each push)", "push/endpoints.py", "check_endpoint"),
    ("  VAPID: Vapid.sign (JWT + ES256)", "py_vapid/__init__.py", "sign"),
    ("  encryption: WebPusher.encode (ECDH, HKDF, AES-GCM)", "pywebpush/__init__.py", "encode"),
    ("    of it: EC key generation", "ec.py", "generate_private_key"),
    ("  VAPID header (reused per push service)", "push/vapid.py", "header_for"),
    ("  HTTP: PushClient.post (urllib3)", "push/client.py", "post"),
    ("build_message (payload, headers)", "push/delivery.py", "build_message"),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notifications", type=int, default=10_000)
    parser.add_argument("--profile-notifications", type=int, default=2_000, help="0: no profiled run")
    parser.add_argument("--limit", type=int, default=100, help="send_due(limit=…) per pass (the CLI's default)")
    parser.add_argument("--max-seconds", type=float, default=120)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--json", help="write the raw numbers here")
    parser.add_argument(
        "--compare",
        action="store_true",
        help="timed runs of the worker before the batched pass and the new one, before-new-before-new",
    )
    parser.add_argument(
        "--before-root",
        type=Path,
        help="with --compare: 'before' is that tree's worker (a `git archive HEAD` export), not worker_before.py",
    )
    parser.add_argument("--rounds", type=int, default=2, help="with --compare: before/new pairs")
    parser.add_argument("--database-url", help="an empty database (PostgreSQL) instead of SQLite in the folder")
    return parser.parse_args()


def app_config(folder: Path, vapid_pem: str, database_url: str | None) -> dict:
    return {
        "SECRET_KEY": "bench-push",
        "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{folder / 'push.sqlite'}",
        "PUSH_ALLOW_LOOPBACK": True,
        "VAPID_PRIVATE_KEY": vapid_pem,
        "SERVER_NAME": None,
        "MAIL_SERVER": None,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }


def make_browsers(count: int) -> dict:
    """name -> (private value hex, auth hex): the fake browsers' keys, shared with service.py."""
    browsers = {}
    for n in range(count):
        private = ec.generate_private_key(ec.SECP256R1())
        browsers[f"b{n}"] = (f"{private.private_numbers().private_value:064x}", os.urandom(16).hex())
    return browsers


def public_parts(private_hex: str, auth_hex: str) -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization

    public = ec.derive_private_key(int(private_hex, 16), ec.SECP256R1()).public_key()
    point = public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(point), b64url(bytes.fromhex(auth_hex))


def build_data(config: dict, browsers: dict, origin: str, notifications: int) -> list[int]:
    """Tables, a centre, one volunteer with one subscription per browser; returns user ids."""
    app = create_app(config)
    with app.app_context():
        # The models, not the migrations: the work tree may hold models whose migration is not merged yet.
        db.create_all()
        centre = centres.create_centre(
            name="Benchmark Push", district="Kreis Benchmark", regierungsbezirk="Arnsberg", slug="bench-push"
        )
        password_hash = generate_password_hash("bench-password", method="pbkdf2:sha256:1000")
        user_ids = []
        for n, (name, (private_hex, auth_hex)) in enumerate(browsers.items()):
            user = accounts.create_user(
                email=f"volunteer{n}@bench.example",
                name=f"Volunteer {n}",
                password="",
                password_hash=password_hash,
                role="volunteer",
                centre=centre,
            )
            p256dh, auth = public_parts(private_hex, auth_hex)
            push.subscribe_device(
                user=user, endpoint=f"{origin}/wpush/v2/{name}", p256dh=p256dh, auth=auth, user_agent="Benchmark"
            )
            user_ids.append(user.id)
            if n % BATCH == BATCH - 1:
                db.session.commit()
        db.session.commit()
    queue(config, user_ids[:notifications], prefix="bench")
    return user_ids


def queue(config: dict, user_ids: list[int], *, prefix: str) -> None:
    """One due reminder per user, for a shift tomorrow, committed in batches."""
    from volunteers.accounts.models import User

    app = create_app(config)
    with app.app_context():
        at = clock.now()
        for n, user_id in enumerate(user_ids):
            push.queue_notification(
                user=db.session.get(User, user_id),
                kind="reminder",
                title="Erinnerung: Sprachcafé morgen",
                body="Morgen 16:00–18:00 Uhr, Ankommenstreffpunkt Bahnhof. Bitte 10 Minuten früher da sein.",
                url="/shifts/1",
                dedupe_key=f"{prefix}:reminder-24h:shift:1:user:{user_id}",
                expires_at=at + timedelta(hours=24),
                due_at=at,
            )
            if n % BATCH == BATCH - 1:
                db.session.commit()
        db.session.commit()


def start_service(keys_path: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bench/push/service.py"), str(keys_path)], stdout=subprocess.PIPE, text=True
    )
    line = process.stdout.readline()
    if not line.startswith("PORT "):
        process.kill()
        raise RuntimeError(f"push service did not start: {line!r}")
    return process, f"http://127.0.0.1:{int(line.split()[1])}"


def service_stats(origin: str) -> dict:
    with urllib.request.urlopen(f"{origin}/stats", timeout=10) as response:
        return json.load(response)


def run_worker(config_path: Path, args, profile: Path | None = None, worker: str = "new") -> dict:
    root = []
    if worker == "before" and args.before_root:
        worker, root = "new", ["--root", str(args.before_root)]
    command = [
        sys.executable,
        str(ROOT / "bench/push/worker_pass.py"),
        str(config_path),
        "--limit",
        str(args.limit),
        "--max-seconds",
        str(args.max_seconds),
        "--worker",
        worker,
        *root,
    ]
    if profile:
        command += ["--profile", str(profile)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=args.max_seconds + 120)
    if done.returncode != 0:
        raise RuntimeError(f"worker failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measured_run(config_path: Path, origin: str, args, profile: Path | None = None, worker: str = "new") -> dict:
    before = service_stats(origin)
    result = run_worker(config_path, args, profile, worker)
    after = service_stats(origin)
    result["service"] = {
        key: after[key] - before[key]
        for key in (
            "requests",
            "connections",
            "client_ports",
            "vapid_tokens",
            "full_checks",
            "decrypted",
            "errors",
            "cpu_seconds",
        )
    }
    result["service"]["first_errors"] = after["first_errors"]
    sent = result["counts"].get("sent", 0)
    result["sent"] = sent
    result["per_second"] = sent / result["wall_seconds"] if result["wall_seconds"] else 0.0
    return result


def profile_summary(path: Path, sent: int) -> tuple[list[tuple], list[tuple]]:
    stats = pstats.Stats(str(path))
    parts = []
    for label, file_end, name in PROFILE_PARTS:
        calls, cumulative = 0, 0.0
        for (filename, _line, function), (_cc, nc, _tt, ct, _callers) in stats.stats.items():
            if function == name and filename.endswith(file_end):
                calls, cumulative = calls + nc, cumulative + ct
        parts.append((label, calls, cumulative, cumulative / sent * 1000 if sent else 0.0))
    top = sorted(
        (
            (ct, nc, f"{Path(fn).parent.name}/{Path(fn).name}:{line}({func})")
            for (fn, line, func), (_cc, nc, _tt, ct, _c) in stats.stats.items()
        ),
        reverse=True,
    )[:25]
    return parts, top


def unit_costs(origin: str, browsers: dict, vapid_pem: str, rounds: int = 300) -> list[tuple[str, float]]:
    """Wall µs per call of the three parts of one push, without a profiler, in this process."""
    import requests
    from pywebpush import WebPusher

    vapid = key_from_text(vapid_pem)
    name, (private_hex, auth_hex) = next(iter(browsers.items()))
    p256dh, auth = public_parts(private_hex, auth_hex)
    subscription = {"endpoint": f"{origin}/wpush/v2/{name}", "keys": {"p256dh": p256dh, "auth": auth}}
    payload = json.dumps({"title": "Erinnerung", "body": "x" * 120, "url": "/shifts/1", "tag": "t"}).encode()

    def per_call(step) -> float:
        started = time.perf_counter()
        for _ in range(rounds):
            step()
        return (time.perf_counter() - started) / rounds * 1e6

    def claims():
        return {"sub": "mailto:bench@example.org", "aud": origin, "exp": int(time.time()) + 3600}

    headers = vapid.sign(claims())
    encoded = WebPusher(subscription).encode(payload, "aes128gcm")
    from volunteers.push.client import PushClient

    with requests.Session() as session, PushClient() as client:
        post = {
            "data": encoded["body"],
            "timeout": 10,
            "headers": {"Authorization": headers["Authorization"], "Content-Encoding": "aes128gcm", "TTL": "60"},
        }
        return [
            ("VAPID: Vapid.sign(claims) (JWT + ES256)", per_call(lambda: vapid.sign(claims()))),
            (
                "encryption: WebPusher.encode (ECDH, HKDF, AES-GCM)",
                per_call(lambda: WebPusher(subscription).encode(payload, "aes128gcm")),
            ),
            (
                "HTTP: requests Session.post on a kept-alive connection (the worker before)",
                per_call(lambda: session.post(subscription["endpoint"], **post)),
            ),
            (
                "HTTP: PushClient.post (urllib3) on a kept-alive connection",
                per_call(lambda: client.post(subscription["endpoint"], body=post["data"], headers=post["headers"])),
            ),
        ]


def print_report(runs: dict, parts, top, args, load_before, load_after, units=()) -> None:
    print(f"\nLoad average (1, 5, 15 min) before: {load_before}; after: {load_after}\n")
    print(
        "| run | sent | passes | wall s | notifications/s | worker CPU s | CPU ms/notification "
        f"| peak RSS MiB | TCP connections | VAPID signatures | service errors | target ≥ {TARGET_PER_SECOND}/s |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, r in runs.items():
        s = r["service"]
        met = "met" if r["per_second"] >= TARGET_PER_SECOND and not r["timed_out"] else "MISSED"
        print(
            f"| {name} | {r['sent']} | {r['passes']} | {r['wall_seconds']:.1f} | {r['per_second']:.0f} "
            f"| {r['cpu_seconds']:.1f} | {r['cpu_seconds'] / max(r['sent'], 1) * 1000:.2f} "
            f"| {r['peak_rss_mib']:.1f} | {s['connections']} ({s['client_ports']} ports) "
            f"| {s['vapid_tokens']} | {s['errors']} | {'(profiled)' if name == 'profiled' else met} |"
        )
    for name, r in runs.items():
        s = r["service"]
        print(
            f"\n{name}: counts {r['counts']}; push service: {s['requests']} requests, "
            f"{s['full_checks']} fully checked (VAPID signature + decryption), service CPU {s['cpu_seconds']:.1f} s; "
            f"timed out: {r['timed_out']}; RSS before the passes {r['rss_before_mib']:.1f} MiB"
        )
        if s["first_errors"]:
            print(f"  service errors: {s['first_errors']}")
    if units:
        print("\nOne push taken apart, without profiler (this process, 300 calls each):\n")
        print("| step | µs per call |")
        print("| --- | ---: |")
        for label, micros in units:
            print(f"| {label} | {micros:.0f} |")
    if parts:
        print("\nProfile (cProfile, profiled run), cumulative:\n")
        print("| part | calls | cumulative s | ms per notification |")
        print("| --- | ---: | ---: | ---: |")
        for label, calls, cumulative, per in parts:
            print(f"| {label} | {calls} | {cumulative:.2f} | {per:.2f} |")
        print("\nTop functions by cumulative time:\n")
        print("| cumulative s | calls | function |")
        print("| ---: | ---: | --- |")
        for ct, nc, name in top:
            print(f"| {ct:.2f} | {nc} | `{name}` |")


def main() -> None:
    args = parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-push-"))
    vapid = Vapid()
    vapid.generate_keys()
    vapid_pem = vapid.private_pem().decode()
    config = app_config(folder, vapid_pem, args.database_url)
    config_path = folder / "config.json"
    config_path.write_text(json.dumps(config))
    users = max(args.notifications, args.profile_notifications)
    started = time.perf_counter()
    browsers = make_browsers(users)
    keys = dict(browsers, _vapid_public_key=public_key_b64url(key_from_text(vapid_pem)))
    (folder / "keys.json").write_text(json.dumps(keys))
    service, origin = start_service(folder / "keys.json")
    try:
        user_ids = build_data(config, browsers, origin, args.notifications)
        print(
            f"data: {len(user_ids)} volunteers with one subscription each, {args.notifications} due reminders "
            f"({time.perf_counter() - started:.0f} s); folder {folder}",
            file=sys.stderr,
        )
        load_before = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        runs = {"timed": measured_run(config_path, origin, args)}
        if args.compare:  # alternating, so that the shared machine's load falls on both alike
            for n, worker in enumerate(("before", "new") * args.rounds, start=1):
                queue(config, user_ids[: args.notifications], prefix=f"bench-{worker}-{n}")
                runs[f"{worker} #{n}"] = measured_run(config_path, origin, args, worker=worker)
        parts, top = [], []
        if args.profile_notifications:
            queue(config, user_ids[: args.profile_notifications], prefix="bench-profile")
            profile = folder / "worker.prof"
            runs["profiled"] = measured_run(config_path, origin, args, profile)
            parts, top = profile_summary(profile, runs["profiled"]["sent"])
        load_after = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        units = unit_costs(origin, browsers, vapid_pem)
    finally:
        service.terminate()
        service.wait(timeout=10)
    print_report(runs, parts, top, args, load_before, load_after, units)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "runs": runs,
                    "profile": parts,
                    "top": top,
                    "unit_costs": units,
                    "load_before": load_before,
                    "load_after": load_after,
                },
                indent=1,
            )
        )
    if not args.keep:
        for path in sorted(folder.iterdir()):
            path.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
