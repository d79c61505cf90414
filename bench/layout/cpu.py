"""The layout and the signed-in user, before and after, in one run: CPU per request in-process (test
client, no HTTP) of simple pages and the open-shift list, for two trees of the project taking turns
round by round, on the scale benchmark's data (bench/scale/generate.py); with the statements of
each request and the pages' bodies (CSRF tokens blanked) compared byte for byte.

    DATABASE_URL=… SECRET_KEY=bench-scale-secret .venv/bin/python bench/layout/cpu.py META.json \
        --before /tmp/treffpunkt-before [--rounds 6] [--requests 40] [--profile after]

Each round starts one process per tree (before, then after, then the next round the other way
round), signs in, warms every page and measures `--requests` requests per page; the table has the
median over rounds of each round's median CPU milliseconds."""

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TREES = ("before", "after")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("meta", type=Path)
    parser.add_argument("--before", type=Path, required=True, help="the tree to compare with")
    parser.add_argument("--after", type=Path, default=PROJECT)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--requests", type=int, default=40, help="measured requests per page and round")
    parser.add_argument("--profile", choices=TREES, help="cProfile of one tree's pages, once, at the end")
    parser.add_argument("--html", type=Path, default=Path("/tmp/treffpunkt-bench-layout"))
    parser.add_argument("--child", choices=TREES, help=argparse.SUPPRESS)
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
    volunteers = [logged_in(app, email, password) for email in meta["volunteers"][:4]]
    coordinator = logged_in(app, meta["coordinator"], password)
    guest = app.test_client()
    return {
        "settings (volunteer)": [lambda c=c: c.get("/settings") for c in volunteers],
        "home (volunteer)": [lambda c=c: c.get("/") for c in volunteers],
        "open-shift list (volunteer)": [lambda c=c: c.get("/shifts") for c in volunteers],
        "settings (coordinator)": [lambda: coordinator.get("/settings")],
        "centre overview (coordinator)": [lambda: coordinator.get(f"/centres/{slug}/")],
        "privacy (guest)": [lambda: guest.get("/privacy")],
    }


def blanked(body: str) -> str:
    """The body without what differs between two requests anyway: CSRF tokens, the number of
    sign-ins (each run of the bench signs in again)."""
    body = re.sub(r'(name="[\w-]*csrf_token"[^>]*value=")[^"]+', r"\1", body)
    body = re.sub(r'name="csrf-token" content="[^"]+"', 'name="csrf-token" content=""', body)
    return re.sub(r"in \d+ Browsern", "in N Browsern", body)


def statements_of(engine, send) -> int:
    import sqlalchemy as sa

    seen = []

    def record(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        send()
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return len(seen)


def child(args) -> None:
    """One tree's measurements, as JSON on stdout."""
    root = args.before if args.child == "before" else args.after
    sys.path.insert(0, str(root))
    os.chdir(root)
    from volunteers import create_app
    from volunteers.extensions import db

    meta = json.loads(args.meta.read_text())
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"],
            "SERVER_NAME": None,
            "SESSION_COOKIE_SECURE": False,
            "PREFERRED_URL_SCHEME": "http",
        }
    )
    with app.app_context():
        engine = db.engine
    profiler = cProfile.Profile() if args.profile == args.child else None
    results = {}
    for name, sends in pages(app, meta).items():
        for n, send in enumerate(sends):  # warm: templates compiled, first-request caches filled
            response = send()
            assert response.status_code == 200, (name, response.status_code)
            slug = re.sub("[^a-z0-9]+", "-", name).strip("-")
            args.html.mkdir(parents=True, exist_ok=True)
            (args.html / f"{args.child}-{slug}-{n}.html").write_text(blanked(response.get_data(as_text=True)))
        cpu = []
        for n in range(args.requests):
            send = sends[n % len(sends)]
            if profiler:
                profiler.enable()
            started = time.process_time()
            send()
            cpu.append(1000 * (time.process_time() - started))
            if profiler:
                profiler.disable()
        results[name] = {"cpu_ms": statistics.median(cpu), "statements": statements_of(engine, sends[0])}
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(80)
        results["profile"] = out.getvalue()
    print(json.dumps(results))


def run_tree(args, tree: str, profile: str | None = None) -> dict:
    command = [sys.executable, __file__, str(args.meta), "--before", str(args.before), "--after", str(args.after)]
    command += ["--requests", str(args.requests), "--html", str(args.html), "--child", tree]
    command += ["--profile", profile] if profile else []
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{tree} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    args = parse_args()
    if args.child:
        return child(args)
    load_before = os.getloadavg()[0]
    rounds = {tree: [] for tree in TREES}
    for n in range(args.rounds):
        for tree in TREES if n % 2 == 0 else reversed(TREES):
            rounds[tree].append(run_tree(args, tree))
            print(f"round {n + 1} {tree} done", file=sys.stderr, flush=True)
    load_after = os.getloadavg()[0]
    print(f"load average {load_before:.2f} before, {load_after:.2f} after; {args.rounds} rounds × {args.requests}")
    print()
    print("| page | before ms CPU | after ms CPU | after/before | statements before | after | same HTML |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for name in rounds["before"][0] if args.rounds else ():
        before = statistics.median(r[name]["cpu_ms"] for r in rounds["before"])
        after = statistics.median(r[name]["cpu_ms"] for r in rounds["after"])
        slug = re.sub("[^a-z0-9]+", "-", name).strip("-")
        same = all(
            (args.html / f"before-{slug}-{k}.html").read_bytes() == path.read_bytes()
            for k, path in enumerate(sorted(args.html.glob(f"after-{slug}-*.html")))
        )
        counts = [rounds[t][0][name]["statements"] for t in TREES]
        print(f"| {name} | {before:.2f} | {after:.2f} | {after / before:.2f} | {counts[0]} | {counts[1]} | {same} |")
    if args.profile:
        print(run_tree(args, args.profile, profile=args.profile)["profile"], file=sys.stderr)


if __name__ == "__main__":
    main()
