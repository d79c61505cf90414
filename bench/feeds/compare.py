"""The feeds' 304s of two trees side by side, interleaved, next to a bare Flask "hello" and
/healthz in the same run: one database (made by make_data.py of the newer tree), one gunicorn
server per tree and one for the bare app, and rounds in which every case takes its turn.

    git archive HEAD | tar -x -C /tmp/before
    .venv/bin/python bench/feeds/compare.py --before /tmp/before            # SQLite in a temporary folder
    DATABASE_URL=postgresql+psycopg://…/empty_db .venv/bin/python bench/feeds/compare.py --before /tmp/before

Prints a markdown table per round and the medians over the rounds (progress goes to stderr)."""

import argparse
import json
import secrets
import signal
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from harness import gunicorn, load_average, log, stop, wait_for, warm_up, workers_cpu_seconds, wrk
from run import FEEDS, PROJECT, app_env, database, fetch, run_python

TARGET = 0.25  # issue #16: the personal feed's 304 at least this share of the bare endpoint


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="the older tree")
    parser.add_argument("--after", type=Path, default=PROJECT, help="the newer tree (default: this checkout)")
    parser.add_argument("--port", type=int, default=8701, help="first of three ports")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers per server")
    parser.add_argument("--connections", type=int, default=8, help="wrk -c")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--render", type=Path, help="only print the tables of a --json file written before")
    return parser.parse_args()


def cases(paths: dict, ports: dict) -> list[tuple[str, str, str, int, bool]]:
    """(case, tree, url, expected status, conditional)."""
    rows = [("bare /hello", "bare", f"http://127.0.0.1:{ports['bare']}/hello", 200, False)]
    rows += [("/healthz", tree, f"http://127.0.0.1:{ports[tree]}/healthz", 200, False) for tree in ("before", "after")]
    for feed in FEEDS:
        rows += [
            (f"{feed} 304", tree, f"http://127.0.0.1:{ports[tree]}{paths[feed]}", 304, True)
            for tree in ("before", "after")
        ]
    return rows


def measure(case, args, masters: dict) -> dict:
    name, tree, url, expected, conditional = case
    etag, _body = fetch(url)
    headers = [f"If-None-Match: {etag}"] if conditional else []
    warm_up(url, headers, expected)
    log(f"wrk {name} ({tree})")
    cpu = workers_cpu_seconds(masters[tree])
    result = wrk(
        url,
        threads=args.threads,
        connections=args.connections,
        seconds=args.duration,
        script=HERE.parent / "report.lua",
        headers=headers,
    )
    cpu = workers_cpu_seconds(masters[tree]) - cpu
    return {"case": name, "tree": tree, "cpu_ms": cpu * 1000 / max(result["requests"], 1), **result}


def table(rows: list[dict], bare: float) -> list[str]:
    lines = [
        "| case | tree | req/s | × bare | server CPU ms/request | p50 ms | p99 ms | errors |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['case']} | {row['tree']} | {row['rps']:.0f} | {row['rps'] / bare:.2f} | {row['cpu_ms']:.2f} | "
            f"{row['p50_us'] / 1000:.1f} | {row['p99_us'] / 1000:.1f} | {row['errors']} |"
        )
    return lines


def medians(rounds: list[list[dict]]) -> list[str]:
    """Per case and tree: the median over the rounds of req/s and of its ratio to that round's bare."""
    lines = [
        "| case | tree | req/s (median) | × bare (median of rounds) | server CPU ms/request (median) "
        "| bare CPU / CPU | after / before (× bare) | target |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    ratios, rps, cpu = {}, {}, {}
    for rows in rounds:
        bare = next(row["rps"] for row in rows if row["tree"] == "bare")
        for row in rows:
            key = (row["case"], row["tree"])
            ratios.setdefault(key, []).append(row["rps"] / bare)
            rps.setdefault(key, []).append(row["rps"])
            cpu.setdefault(key, []).append(row["cpu_ms"])
    for (name, tree), values in ratios.items():
        ratio = statistics.median(values)
        gain = ""
        if tree == "after":
            gain = f"{statistics.median(values) / statistics.median(ratios[(name, 'before')]):.2f}"
        target = ""
        if name.endswith("304"):
            target = f"≥ {TARGET}: {'met' if ratio >= TARGET else 'MISSED'}"
        cpu_ms = statistics.median(cpu[(name, tree)])
        by_cpu = statistics.median(cpu[("bare /hello", "bare")]) / cpu_ms
        lines.append(
            f"| {name} | {tree} | {statistics.median(rps[(name, tree)]):.0f} | {ratio:.2f} | {cpu_ms:.2f} "
            f"| {by_cpu:.2f} | {gain} | {target} |"
        )
    return lines


def report(rounds: list[list[dict]], loadavg: list[str], settings: dict) -> str:
    wrk_args = f"wrk -t{settings['threads']} -c{settings['connections']} -d{settings['duration']}s"
    out = [f"Load average (1, 5, 15 min) before: {loadavg[0]}; after: {loadavg[1]}", ""]
    out += [f"gunicorn {settings['workers']} sync workers per server; {wrk_args}", ""]
    for number, rows in enumerate(rounds, 1):
        bare_rps = next(row["rps"] for row in rows if row["tree"] == "bare")
        out += [f"Round {number}:", "", *table(rows, bare_rps), ""]
    return "\n".join([*out, "Medians over the rounds:", "", *medians(rounds)])


def main() -> None:
    args = parse_args()
    if args.render:
        raw = json.loads(args.render.read_text())
        print(report(raw["rounds"], raw["loadavg"], raw["settings"]))
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    loadavg = [load_average()]
    ports = {"before": args.port, "after": args.port + 1, "bare": args.port + 2}
    with tempfile.TemporaryDirectory(prefix="treffpunkt-bench-feeds-compare-") as folder:
        work, secret = Path(folder), secrets.token_urlsafe(32)
        url, data_args = database(work)
        log("making data …")
        paths = json.loads(run_python("make_data.py", data_args, app_env(args.after.resolve(), url, secret)))
        servers = []
        try:
            for tree, root in (("before", args.before), ("after", args.after)):
                env = app_env(root.resolve(), url, secret)
                server = gunicorn(root.resolve(), "wsgi:app", ports[tree], args.workers, env, work / f"{tree}.log")
                servers.append((server, f"http://127.0.0.1:{ports[tree]}/healthz"))
            bare_env = app_env(args.after.resolve(), url, secret)
            bare = gunicorn(HERE, "bare:app", ports["bare"], args.workers, bare_env, work / "bare.log")
            servers.append((bare, f"http://127.0.0.1:{ports['bare']}/hello"))
            for server, check in servers:
                wait_for(check, server, seconds=120)
            masters = {"before": servers[0][0], "after": servers[1][0], "bare": servers[2][0]}
            rounds = [[measure(case, args, masters) for case in cases(paths, ports)] for _ in range(args.rounds)]
        finally:
            stop([server for server, _ in servers])
    loadavg.append(load_average())
    print(report(rounds, loadavg, vars(args)))
    if args.json:
        args.json.write_text(json.dumps({"rounds": rounds, "loadavg": loadavg, "settings": vars(args)}, default=str))


if __name__ == "__main__":
    main()
