"""The calendar feed benchmark in one command: data, in-process render latency, then gunicorn
under wrk for each feed (full and 304) next to a bare Flask "hello" in the same run.

    .venv/bin/python bench/feeds/run.py            # SQLite in a temporary folder
    .venv/bin/python bench/feeds/run.py --prototypes   # also the prototypes of whatif.py
    DATABASE_URL=postgresql+psycopg://…/empty_db .venv/bin/python bench/feeds/run.py

Prints markdown tables to stdout (progress goes to stderr) and, with --json, the raw numbers.
Both servers are stopped at the end, also on Ctrl+C or an error."""

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))

from harness import gunicorn, load_average, log, stop, wait_for, warm_up, worker_memory, wrk

APP_PORT, BARE_PORT, PROTOTYPE_PORT = 8101, 8102, 8103
FEEDS = ("personal", "public", "centre")
RENDER_TARGET_MS = 50
NOT_MODIFIED_TARGET = 0.5  # the 304 path may be at most twice as slow as the bare endpoint


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--app-root", type=Path, default=PROJECT, help="the Treffpunkt tree to measure (default: this checkout)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers, for both servers")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t")
    parser.add_argument("--connections", type=int, default=8, help="wrk -c")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--runs", type=int, default=50, help="in-process requests per feed for latency")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument(
        "--prototypes",
        action="store_true",
        help="also whatif.py's steps in-process and its prototypes (whatif_app.py) on a third server",
    )
    return parser.parse_args()


# --- data and in-process latency ------------------------------------------------------------


def database(work: Path) -> tuple[str, list[str]]:
    """The database URL for the servers, and make_data.py's arguments to fill it."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url, ["--out", str(work / "feeds.json")]
    return f"sqlite:///{work / 'feeds.sqlite'}", [str(work / "feeds.sqlite")]


def run_python(script: str, args: list[str], env: dict) -> str:
    result = subprocess.run(
        [sys.executable, str(HERE / script), *args], env=env, check=True, stdout=subprocess.PIPE, text=True
    )
    return result.stdout


def app_env(app_root: Path, url: str, secret: str) -> dict:
    return {**os.environ, "TREFFPUNKT_ROOT": str(app_root), "DATABASE_URL": url, "SECRET_KEY": secret}


# --- load ------------------------------------------------------------------------------------


def fetch(url: str) -> tuple[str, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.headers["ETag"], response.read()


def load_cases(paths: dict, prototypes: bool) -> list[tuple[str, str, int, list[str], int]]:
    """(name, path, port, headers, expected status); ETags are filled in by `measure_load`."""
    cases = [
        ("bare /hello", "/hello", BARE_PORT, [], 200),
        ("treffpunkt /healthz (1 query, for reference)", "/healthz", APP_PORT, [], 200),
    ]
    for feed in FEEDS:
        cases += feed_cases(feed, paths[feed], APP_PORT)
    cases.append(("public full, gzip (200)", paths["public"], APP_PORT, ["Accept-Encoding: gzip"], 200))
    if prototypes:
        slug = paths["public"].removeprefix("/calendar/p/").removesuffix(".ics")
        cases += [
            ("prototype: Treffpunkt route without the database", "/whatif/nothing", PROTOTYPE_PORT, [], 200),
            ("prototype: /healthz, pool_pre_ping off", "/healthz", PROTOTYPE_PORT, [], 200),
            ("prototype: public full (200), rendered each time", paths["public"], PROTOTYPE_PORT, [], 200),
            (
                "prototype: public 304, pool_pre_ping off",
                paths["public"],
                PROTOTYPE_PORT,
                ["If-None-Match: {etag}"],
                304,
            ),
            (
                "prototype: 304 from a point lookup (kept feed stamp)",
                f"/whatif/p/{slug}.ics",
                PROTOTYPE_PORT,
                ["If-None-Match: {etag}"],
                304,
            ),
            (
                "prototype: 304 without the database (fingerprint remembered)",
                f"/whatif/remembered/{slug}.ics",
                PROTOTYPE_PORT,
                ["If-None-Match: {etag}"],
                304,
            ),
        ]
    return cases


def feed_cases(name: str, path: str, port: int) -> list[tuple]:
    return [(f"{name} full (200)", path, port, [], 200), (f"{name} 304", path, port, ["If-None-Match: {etag}"], 304)]


CHEAP_PATHS = ("/healthz", "/whatif/nothing")


def measure_load(paths: dict, args) -> list[dict]:
    """Each case under wrk. Other work on the machine comes and goes, so the bare endpoint is
    measured again right before every cheap case (a 304, /healthz) and its ratio taken to that."""
    results, bare = [], None
    for name, path, port, headers, expected in load_cases(paths, args.prototypes):
        if port != BARE_PORT and (expected == 304 or path in CHEAP_PATHS):
            bare = measure_one("bare /hello (paired)", "/hello", BARE_PORT, [], 200, args)["rps"]
        result = measure_one(name, path, port, headers, expected, args)
        bare = result["rps"] if port == BARE_PORT else bare
        results.append({**result, "bare_rps": bare})
    return results


def measure_one(name: str, path: str, port: int, headers: list[str], expected: int, args) -> dict:
    url = f"http://127.0.0.1:{port}{path}"
    etag, body = fetch(url)  # also checks that the answer is a 200
    headers = [header.format(etag=etag) for header in headers]
    log(f"wrk {name}: {url} {' '.join(headers)}")
    warm_up(url, headers, expected)
    return {
        "name": name,
        "path": path,
        "headers": headers,
        "expected_status": expected,
        "events": body.count(b"BEGIN:VEVENT"),
        "body_bytes": len(body),
        **wrk(
            url,
            threads=args.threads,
            connections=args.connections,
            seconds=args.duration,
            script=HERE.parent / "report.lua",
            headers=headers,
        ),
    }


# --- report ----------------------------------------------------------------------------------


def markdown(load: list[dict], latency: dict, memory: dict, loadavg: list[str]) -> str:
    lines = [
        f"Load average (1, 5, 15 min) before: {loadavg[0]}; after: {loadavg[1]}",
        "",
        "| endpoint | events | req/s | bare req/s | × bare | p50 ms | p99 ms | errors | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in load:
        errors = sum(row[key] for key in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
        ratio, target = row["rps"] / row["bare_rps"], ""
        if row["expected_status"] == 304:
            target = f"≥ {NOT_MODIFIED_TARGET} × bare: {'met' if ratio >= NOT_MODIFIED_TARGET else 'MISSED'}"
        lines.append(
            f"| {row['name']} | {row['events'] or ''} | {row['rps']:.0f} | {row['bare_rps']:.0f} | "
            f"{ratio:.2f} | {row['p50_us'] / 1000:.1f} | {row['p99_us'] / 1000:.1f} | {errors} | {target} |"
        )
    return "\n".join([*lines, "", latency_table(latency), "", memory_table(memory)])


def latency_table(latency: dict) -> str:
    lines = [
        "In-process (test client, no HTTP), ms; `full` and `gzip` are renders, `cached` the full answer from the",
        "cache of rendered bodies (where the tree has one):",
        "",
        "| feed | events | full p50 | full p95 | gzip p50 | cached p50 | 304 p50 | 304 p95 "
        "| full render < 50 ms (p95) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for feed in FEEDS:
        full, gz, not_modified = (latency[feed][key] for key in ("full", "gzip", "not_modified"))
        cached = f"{latency[feed]['cached']['p50_ms']:.2f}" if "cached" in latency[feed] else ""
        verdict = "met" if full["p95_ms"] < RENDER_TARGET_MS else "MISSED"
        lines.append(
            f"| {feed} | {full['events']} | {full['p50_ms']:.1f} | {full['p95_ms']:.1f} | "
            f"{gz['p50_ms']:.1f} | {cached} | {not_modified['p50_ms']:.2f} | {not_modified['p95_ms']:.2f} | "
            f"{verdict if feed != 'personal' else '(150 events) ' + verdict} |"
        )
    return "\n".join(lines)


def memory_table(memory: dict) -> str:
    lines = [
        "Gunicorn workers after the load, MiB:",
        "",
        "| server | worker | peak RSS | RSS now |",
        "| --- | --- | ---: | ---: |",
    ]
    for server, workers in memory.items():
        lines += [f"| {server} | {w['pid']} | {w['peak_mib']:.1f} | {w['rss_mib']:.1f} |" for w in workers]
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` stops the servers
    loadavg = [load_average()]  # other processes on the machine skew the numbers: say how busy it was
    with tempfile.TemporaryDirectory(prefix="treffpunkt-bench-feeds-") as folder:
        work, secret = Path(folder), secrets.token_urlsafe(32)
        url, data_args = database(work)
        env = app_env(args.app_root.resolve(), url, secret)
        log("making data …")
        paths = json.loads(run_python("make_data.py", data_args, env))
        log("in-process latency …")
        latency = json.loads(run_python("latency.py", [str(work / "feeds.json"), "--runs", str(args.runs)], env))
        whatif = run_python("whatif.py", [str(work / "feeds.json")], env) if args.prototypes else ""
        servers = {}  # name: (process, URL that answers 200 once it is up)
        try:
            servers["treffpunkt"] = (
                gunicorn(args.app_root, "wsgi:app", APP_PORT, args.workers, env, work / "app.log"),
                f"http://127.0.0.1:{APP_PORT}/healthz",
            )
            servers["bare"] = (
                gunicorn(HERE, "bare:app", BARE_PORT, args.workers, env, work / "bare.log"),
                f"http://127.0.0.1:{BARE_PORT}/hello",
            )
            if args.prototypes:
                log_file = work / "prototypes.log"
                prototypes = gunicorn(HERE, "whatif_app:app", PROTOTYPE_PORT, args.workers, env, log_file)
                servers["prototypes"] = (prototypes, f"http://127.0.0.1:{PROTOTYPE_PORT}/healthz")
            for process, url in servers.values():
                wait_for(url, process)
            load = measure_load(paths, args)
            memory = {name: worker_memory(process) for name, (process, _) in servers.items()}
        finally:
            stop([process for process, _ in servers.values()])
    loadavg.append(load_average())
    print(markdown(load, latency, memory, loadavg))
    if whatif:
        print("\nA request taken apart, in-process (whatif.py):\n\n" + whatif)
    if args.json:
        raw = {
            "load": load,
            "latency": latency,
            "memory": memory,
            "loadavg": loadavg,
            "settings": vars(args),
            "whatif": whatif,
        }
        args.json.write_text(json.dumps(raw, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
