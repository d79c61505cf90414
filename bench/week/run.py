"""The coordinators' week plan, before and after, in one run: gunicorn servers of two trees (e.g. a
`git archive HEAD` export, and HEAD with this change's files), the after tree once more with its
kept grids off (unkept_wsgi.py), and the bare Flask endpoint, on the scale benchmark's data, in
interleaved rounds; per row wrk's req/s and the server CPU per request, as bench/lean/run.py
measures them (its helpers; only the ports and the trees are this bench's own).

    .venv/bin/python bench/week/run.py --database-url postgresql+psycopg://… --meta /tmp/…/pg.json \
        --before /tmp/before --after /tmp/after [--rounds 3] [--duration 8] [--meeting-point SLUG]

Everything listens on 127.0.0.1 (ports 8250–8253); the servers are stopped at the end."""

import argparse
import importlib.util
import json
import signal
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "scale"))

from harness import gunicorn, load_average, log, stop, wait_for
from run import Browser, plan_weeks

_spec = importlib.util.spec_from_file_location("lean_run", HERE.parent / "lean" / "run.py")
lean = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lean)

PORTS = {"bare": 8250, "before": 8251, "after": 8252, "after, grid not kept": 8253}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--meta", type=Path, required=True, help="generate.py's JSON")
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--after", type=Path, default=PROJECT)
    parser.add_argument("--work", type=Path, default=Path("/tmp/h2-bench-week"))
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--meeting-point", help="a meeting point's slug: also the plan filtered to it")
    parser.add_argument("--json", type=Path)
    return parser.parse_args()


def servers_for(args) -> dict:
    url, work = args.database_url, args.work
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    servers = {
        "bare": gunicorn(
            HERE.parent / "feeds",
            "bare:app",
            PORTS["bare"],
            args.workers,
            lean.env_for(PROJECT, url),
            work / "bare.log",
        ),
        "after, grid not kept": gunicorn(
            HERE,
            "unkept_wsgi:app",
            PORTS["after, grid not kept"],
            args.workers,
            lean.env_for(trees["after"], url),
            work / "unkept.log",
        ),
    }
    for name, tree in trees.items():
        servers[name] = gunicorn(
            tree, "wsgi:app", PORTS[name], args.workers, lean.env_for(tree, url), work / f"{name}.log"
        )
    return servers


def pages_for(meta: dict, base: str, place: str | None) -> dict:
    coordinator = Browser(base, meta["coordinator"], meta["password"])
    slug = meta["centre_slug"]
    pages = {"week plan": [("GET", f"/centres/{slug}/plan?week={w}", [coordinator.cookie], "") for w in plan_weeks()]}
    if place:
        pages["week plan, one meeting point"] = [
            ("GET", f"/centres/{slug}/plan?week={w}&meeting_point={place}", [coordinator.cookie], "")
            for w in plan_weeks()
        ]
    return pages


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args.work.mkdir(parents=True, exist_ok=True)
    meta = json.loads(args.meta.read_text())
    servers = servers_for(args)
    loadavg, rows = [load_average()], []
    trees = ("before", "after", "after, grid not kept")
    try:
        for name, server in servers.items():
            wait_for(f"http://127.0.0.1:{PORTS[name]}/{'hello' if name == 'bare' else 'healthz'}", server, 60)
        pages = {name: pages_for(meta, f"http://127.0.0.1:{PORTS[name]}", args.meeting_point) for name in trees}
        for round_no in range(args.rounds):
            for page in pages["after"]:
                order = trees if round_no % 2 == 0 else trees[::-1]
                log(f"round {round_no + 1}: {page}")
                bare = lean.one_run("bare", PORTS["bare"], [("GET", "/hello", [], "")], servers["bare"], args)
                for tree in order:
                    run = lean.one_run(page, PORTS[tree], pages[tree][page], servers[tree], args)
                    rows.append({"round": round_no + 1, "page": page, "tree": tree, "bare_rps": bare["rps"], **run})
    finally:
        stop(list(servers.values()))
    loadavg.append(load_average())
    print(markdown(rows, loadavg, args, trees))
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "loadavg": loadavg}, indent=1, default=str))


def markdown(rows: list[dict], loadavg: list[str], args, trees) -> str:
    out = lean.markdown(rows, loadavg, args).split("\n\nMedians")[0].splitlines()
    out += ["", "Medians over the rounds:", "", "| page | tree | × bare | server CPU ms/request | p99 ms |"]
    out.append("| --- | --- | ---: | ---: | ---: |")
    for page in dict.fromkeys(r["page"] for r in rows):
        for tree in trees:
            mine = [r for r in rows if r["page"] == page and r["tree"] == tree]
            share = statistics.median(r["rps"] / r["bare_rps"] for r in mine)
            cpu = statistics.median(r["cpu_ms"] for r in mine)
            p99 = statistics.median(r["p99_us"] / 1000 for r in mine)
            out.append(f"| {page} | {tree} | {share:.3f} | {cpu:.1f} | {p99:.1f} |")
    return "\n".join(out)


if __name__ == "__main__":
    main()
