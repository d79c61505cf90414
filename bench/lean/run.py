"""The lean read paths, before and after, in one run: the open-shift list, my shifts and the week
plan served by gunicorn from two trees of the project (e.g. a `git archive` export of the commit
before the change, and the work tree) next to the bare Flask endpoint, on the scale benchmark's
data, in interleaved rounds; per row wrk's req/s and the server's CPU per request (utime + stime
of the gunicorn workers over the run, divided by the requests answered).

    .venv/bin/python bench/lean/run.py --database-url postgresql+psycopg://… --meta /tmp/…/pg.json \
        --before /tmp/treffpunkt-before [--rounds 3] [--duration 8]

The data come from bench/scale/generate.py (bench/scale/run.py makes them; --meta is its JSON).
Everything listens on 127.0.0.1; the servers are stopped at the end, also on Ctrl+C."""

import argparse
import json
import os
import re
import signal
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "scale"))

from harness import gunicorn, load_average, log, stop, wait_for, warm_up, workers_cpu_seconds, wrk
from run import SECRET_KEY, Browser, plan_weeks, write_lines

PORTS = {"bare": 8152, "before": 8153, "after": 8154}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--meta", type=Path, required=True, help="generate.py's JSON")
    parser.add_argument("--before", type=Path, required=True, help="the tree to compare with")
    parser.add_argument("--work", type=Path, default=Path("/tmp/treffpunkt-bench-lean"))
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--json", type=Path)
    return parser.parse_args()


def env_for(tree: Path, url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET_KEY,
        "PYTHONPATH": str(tree),
        "SESSION_COOKIE_SECURE": "0",
    }


def lines_for(meta: dict, base: str) -> dict:
    password = meta["password"]
    volunteers = [Browser(base, email, password) for email in meta["volunteers"]]
    coordinator = Browser(base, meta["coordinator"], password)
    slug = meta["centre_slug"]
    return {
        "open-shift list": [("GET", "/shifts", [v.cookie], "") for v in volunteers],
        "my shifts": [("GET", "/my/shifts", [v.cookie], "") for v in volunteers],
        "week plan": [("GET", f"/centres/{slug}/plan?week={week}", [coordinator.cookie], "") for week in plan_weeks()],
    }


def one_run(name: str, port: int, lines: list, master, args) -> dict:
    file = args.work / f"lines-{port}-{re.sub('[^a-z0-9]+', '-', name)}.tsv"
    write_lines(file, lines)
    method, path, headers, _body = lines[0]
    warm_up(f"http://127.0.0.1:{port}{path}", headers, 200, count=12)
    cpu = workers_cpu_seconds(master)
    result = wrk(
        f"http://127.0.0.1:{port}/",
        threads=2,
        connections=args.connections,
        seconds=args.duration,
        script=HERE.parent / "scale" / "load.lua",
        script_args=[str(file), "2"],
    )
    result["cpu_ms"] = 1000 * (workers_cpu_seconds(master) - cpu) / max(result["requests"], 1)
    return result


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args.work.mkdir(parents=True, exist_ok=True)
    meta = json.loads(args.meta.read_text())
    trees = {"before": args.before.resolve(), "after": PROJECT}
    servers = {
        "bare": gunicorn(
            HERE.parent / "feeds",
            "bare:app",
            PORTS["bare"],
            args.workers,
            env_for(PROJECT, args.database_url),
            args.work / "bare.log",
        ),
        **{
            name: gunicorn(
                tree, "wsgi:app", PORTS[name], args.workers, env_for(tree, args.database_url), args.work / f"{name}.log"
            )
            for name, tree in trees.items()
        },
    }
    loadavg = [load_average()]
    rows = []
    try:
        for name, server in servers.items():
            wait_for(f"http://127.0.0.1:{PORTS[name]}/{'hello' if name == 'bare' else 'healthz'}", server, 60)
        pages = {name: lines_for(meta, f"http://127.0.0.1:{PORTS[name]}") for name in trees}
        bare_lines = [("GET", "/hello", [], "")]
        for round_no in range(args.rounds):
            for page in pages["after"]:
                order = ("before", "after") if round_no % 2 == 0 else ("after", "before")
                log(f"round {round_no + 1}: {page}")
                bare = one_run("bare", PORTS["bare"], bare_lines, servers["bare"], args)
                for tree in order:
                    run = one_run(page, PORTS[tree], pages[tree][page], servers[tree], args)
                    rows.append({"round": round_no + 1, "page": page, "tree": tree, "bare_rps": bare["rps"], **run})
    finally:
        stop(list(servers.values()))
    loadavg.append(load_average())
    print(markdown(rows, loadavg, args))
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "loadavg": loadavg}, indent=1, default=str))


def markdown(rows: list[dict], loadavg: list[str], args) -> str:
    out = [
        f"Load average (1, 5, 15 min) before: {loadavg[0]}; after: {loadavg[1]}. gunicorn {args.workers} sync "
        f"workers per server; wrk -t2 -c{args.connections} -d{args.duration}s; {args.rounds} interleaved rounds.",
        "",
        "| round | page | tree | req/s | bare req/s | × bare | server CPU ms/request | p50 ms | p99 ms | errors |",
        "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        out.append(
            f"| {r['round']} | {r['page']} | {r['tree']} | {r['rps']:.0f} | {r['bare_rps']:.0f} | "
            f"{r['rps'] / r['bare_rps']:.3f} | {r['cpu_ms']:.1f} | {r['p50_us'] / 1000:.1f} | "
            f"{r['p99_us'] / 1000:.1f} | {r['errors']} |"
        )
    out += [
        "",
        "Medians over the rounds:",
        "",
        "| page | tree | × bare | server CPU ms/request |",
        "| --- | --- | ---: | ---: |",
    ]
    for page in dict.fromkeys(r["page"] for r in rows):
        for tree in ("before", "after"):
            mine = [r for r in rows if r["page"] == page and r["tree"] == tree]
            share = statistics.median(r["rps"] / r["bare_rps"] for r in mine)
            cpu = statistics.median(r["cpu_ms"] for r in mine)
            out.append(f"| {page} | {tree} | {share:.3f} | {cpu:.1f} |")
    return "\n".join(out)


if __name__ == "__main__":
    main()
