"""CPU per request and where it goes, in-process, for the pages of the lean read paths (the
open-shift list, my shifts, the week plan), the centre report, /healthz and a personal feed's 304, on the scale
benchmark's data (bench/scale/generate.py): this process's CPU and, on PostgreSQL, that of the
database's server processes for the app's connections (read from /proc: the server runs here), one
request at a time. On a shared host whose neighbours move wrk's req/s by tens of percent, this is
the steadier figure.

    DATABASE_URL=… SECRET_KEY=bench-scale-secret .venv/bin/python bench/lean/cpu.py META.json \
        [--app-root DIR] [--requests 60] [--profile] [--html DIR]

--app-root measures another tree of the project (e.g. a `git archive HEAD` export), --profile adds
cProfile's top functions per page, --html writes each page's body with the CSRF tokens blanked so
that two trees' pages can be compared with diff."""

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/, for harness

from harness import processes_cpu_seconds

OK = (200, 304)
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("meta", type=Path)
    parser.add_argument("--app-root", type=Path, default=Path(__file__).resolve().parents[2])
    parser.add_argument("--requests", type=int, default=60, help="measured requests per page")
    parser.add_argument("--only", help="comma-separated words: measure only the pages whose names contain one")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--html", type=Path, help="folder for the pages' bodies, CSRF tokens blanked")
    return parser.parse_args()


def logged_in(app, email: str, password: str):
    client = app.test_client()
    token = CSRF_INPUT.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"csrf_token": token, "email": email, "password": password})
    if response.status_code != 302:
        raise SystemExit(f"login of {email} failed: {response.status_code}")
    return client


def pages(app, meta: dict) -> dict:
    password, slug = meta["password"], meta["centre_slug"]
    volunteers = [logged_in(app, email, password) for email in meta["volunteers"][:5]]
    coordinator, lead = logged_in(app, meta["coordinator"], password), logged_in(app, meta["lead"], password)
    monday = date.today() - timedelta(days=date.today().weekday())
    weeks = [(monday + timedelta(weeks=n)).isoformat() for n in range(4)]
    anonymous = app.test_client()
    feeds = [f"/calendar/u/{token}.ics" for token in meta["personal_tokens"]]
    etags = [anonymous.get(feed).headers["ETag"] for feed in feeds]
    return {
        "/healthz": [lambda: anonymous.get("/healthz")],
        "personal iCal, 304": [
            lambda f=f, e=e: anonymous.get(f, headers={"If-None-Match": e}) for f, e in zip(feeds, etags, strict=True)
        ],
        "open-shift list": [lambda c=c: c.get("/shifts") for c in volunteers],
        "my shifts": [lambda c=c: c.get("/my/shifts") for c in volunteers],
        "week plan": [lambda w=w: coordinator.get(f"/centres/{slug}/plan?week={w}") for w in weeks],
        "centre report": [lambda: lead.get(f"/reports/centre/{slug}")],
    }


def app_config(**extra) -> dict:
    """The app on DATABASE_URL, served over plain http to the test client."""
    return {
        "SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"],
        "SERVER_NAME": None,
        "SESSION_COOKIE_SECURE": False,
        "PREFERRED_URL_SCHEME": "http",
        **extra,
    }


def blanked(body: str) -> str:
    body = CSRF_INPUT.sub('name="csrf_token" value=""', body)
    return re.sub(r'name="csrf-token" content="[^"]+"', 'name="csrf-token" content=""', body)


def database_cpu_ms(app) -> float:
    """CPU used so far by the PostgreSQL server processes of every connection to the app's database
    (0 on SQLite): the app's, when nothing else uses that database during the run. Asked on a
    connection outside the app's pool, which would hand out the connection it measures."""
    from volunteers.extensions import db

    with app.app_context():
        url = db.engine.url
    if url.get_backend_name() != "postgresql":
        return 0.0
    outside = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with outside.connect() as connection:
        pids = connection.scalars(
            sa.text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        ).all()
    outside.dispose()
    return 1000 * processes_cpu_seconds(pids)


def measure(app, sends: list, requests: int, profile: bool) -> dict:
    for send in sends:  # warm: templates compiled, caches of the first request filled
        assert send().status_code in OK
    database_before = database_cpu_ms(app)
    profiler = cProfile.Profile() if profile else None
    cpu = []
    for n in range(requests):
        send = sends[n % len(sends)]
        if profiler:
            profiler.enable()
        started = time.process_time()
        response = send()
        cpu.append(time.process_time() - started)
        if profiler:
            profiler.disable()
        assert response.status_code in OK, response.status_code
    database = (database_cpu_ms(app) - database_before) / requests
    cpu.sort()
    result = {
        "cpu_ms_median": 1000 * cpu[len(cpu) // 2],
        "cpu_ms_mean": 1000 * sum(cpu) / len(cpu),
        "database_cpu_ms_mean": database,
    }
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(130)
        result["profile"] = out.getvalue()
    return result


def main() -> None:
    args = parse_args()
    sys.path.insert(0, str(args.app_root))
    os.chdir(args.app_root)
    from volunteers import create_app

    meta = json.loads(args.meta.read_text())
    app = create_app(app_config())
    results = {}
    for name, sends in pages(app, meta).items():
        if args.only and not any(word in name for word in args.only.split(",")):
            continue
        if args.html:
            args.html.mkdir(parents=True, exist_ok=True)
            for n, send in enumerate(sends):
                slug = re.sub("[^a-z0-9]+", "-", name)
                (args.html / f"{slug}-{n}.html").write_text(blanked(send().get_data(as_text=True)))
        results[name] = measure(app, sends, args.requests, args.profile)
        print(
            f"{name}: {results[name]['cpu_ms_median']:.2f} ms CPU (median), "
            f"database {results[name]['database_cpu_ms_mean']:.2f} ms (mean)",
            file=sys.stderr,
            flush=True,
        )
        if args.profile:
            print(results[name]["profile"], file=sys.stderr)
    print(json.dumps({k: {m: v for m, v in r.items() if m != "profile"} for k, r in results.items()}))


if __name__ == "__main__":
    main()
