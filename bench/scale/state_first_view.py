"""The state report's first view (no kept figures: all centres computed) in-process, on the
benchmark's databases (generate.py), for one or more trees of the project side by side.

    SECRET_KEY=bench-scale-secret .venv/bin/python bench/scale/state_first_view.py META.json \
        --database postgresql+psycopg://…/treffpunkt_bench_scale --database sqlite:////tmp/scale.sqlite \
        [--app-root /tmp/before --app-root .] [--rounds 15] [--json out.json]

One worker process per (tree, database) stays open; the rounds take turns across them, so the
machine's other load falls on all alike. Each round empties the worker's kept figures and asks
for /reports/state (HTML) as the state viewer through Flask's test client: wall-clock ms of the
request, and of `state_report()` alone (the figures, without the page). Prints a Markdown table
(p50 and max per row) and, per database, whether every tree gave the same figures (a digest of
the state report's JSON, sorted keys) and how many statements the request ran."""

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()


def worker(app_root: Path, meta_path: Path) -> None:
    """Answers one line per line read: the timings of one round, as JSON."""
    sys.path[:0] = [str(app_root), str(app_root / "bench" / "scale")]
    os.chdir(app_root)
    import sqlalchemy as sa
    from queries import bench_app, logged_in

    from volunteers.core import time as app_time
    from volunteers.extensions import db
    from volunteers.reports.kept import kept_figures
    from volunteers.reports.services import parse_period, state_report

    meta = json.loads(meta_path.read_text())
    app = bench_app()
    client = logged_in(app, meta.get("state", "land@bench.example"), meta["password"])
    with app.app_context():
        engine = db.engine
    statements = []
    sa.event.listen(engine, "before_cursor_execute", lambda *_args: statements.append(1))

    def page() -> float:
        with app.app_context():
            kept_figures().clear()
        statements.clear()
        started = time.perf_counter()
        response = client.get("/reports/state")
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        return elapsed

    def figures() -> tuple[float, str]:
        with app.test_request_context():
            kept_figures().clear()
            period = parse_period(None, None, app_time.to_berlin(app_time.now()).date())
            started = time.perf_counter()
            result = state_report(period)
            elapsed = (time.perf_counter() - started) * 1000
            db.session.remove()
        digest = hashlib.sha256(json.dumps(result, sort_keys=True, default=str).encode()).hexdigest()[:16]
        return elapsed, digest

    page()  # warm-up: templates compiled, connections open
    for _line in sys.stdin:
        page_ms = page()
        count = len(statements)
        figures_ms, digest = figures()
        print(json.dumps({"page": page_ms, "figures": figures_ms, "digest": digest, "statements": count}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("meta", type=Path, nargs="+", help="generate.py's JSON, one per --database or one for all")
    parser.add_argument("--database", action="append", required=True, help="a DATABASE_URL (repeatable)")
    parser.add_argument("--app-root", type=Path, action="append", help="a tree of the project (repeatable)")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.meta[0])
    roots = [root.resolve() for root in args.app_root or [HERE.parents[2]]]
    metas = args.meta if len(args.meta) == len(args.database) else args.meta[:1] * len(args.database)
    workers = {}
    for url, meta in zip(args.database, metas, strict=True):
        for root in roots:
            env = {**os.environ, "DATABASE_URL": url}
            command = [sys.executable, str(HERE), str(meta.resolve()), "--database", url, "--worker", str(root)]
            workers[(url, root)] = subprocess.Popen(
                command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
            )
    load_before = os.getloadavg()
    results = {key: [] for key in workers}
    for _ in range(args.rounds):
        for key, process in workers.items():
            process.stdin.write("go\n")
            process.stdin.flush()
            results[key].append(json.loads(process.stdout.readline()))
    for process in workers.values():
        process.stdin.close()
        process.wait()
    report(args, roots, results, load_before, os.getloadavg())


def report(args, roots, results, load_before, load_after) -> None:
    print(
        f"Load average (1, 5, 15 min) before: {' '.join(f'{x:.2f}' for x in load_before)}; "
        f"after: {' '.join(f'{x:.2f}' for x in load_after)}. {args.rounds} rounds, taking turns.\n"
    )
    print("| database | tree | page p50 ms | page max ms | figures p50 ms | figures max ms | statements | digest |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    summary = []
    for (url, root), rounds in results.items():
        page, figures = [r["page"] for r in rounds], [r["figures"] for r in rounds]
        digests = sorted({r["digest"] for r in rounds})
        row = {
            "database": url.split(":", 1)[0].split("+")[0],
            "tree": str(root),
            "page_p50_ms": statistics.median(page),
            "page_max_ms": max(page),
            "figures_p50_ms": statistics.median(figures),
            "figures_max_ms": max(figures),
            "statements": rounds[-1]["statements"],
            "digests": digests,
            "page_ms": [round(m, 1) for m in page],
        }
        summary.append(row)
        print(
            f"| {row['database']} | {root} | {row['page_p50_ms']:.1f} | {row['page_max_ms']:.1f} | "
            f"{row['figures_p50_ms']:.1f} | {row['figures_max_ms']:.1f} | {row['statements']} | {', '.join(digests)} |"
        )
    for url in dict.fromkeys(url for url, _root in results):
        digests = {d for (u, _root), rounds in results.items() if u == url for d in (r["digest"] for r in rounds)}
        verdict = "same figures in every tree and round" if len(digests) == 1 else "FIGURES DIFFER"
        print(f"\n{url.split(':', 1)[0]}: {verdict}")
    if args.json:
        args.json.write_text(
            json.dumps({"load_before": load_before, "load_after": load_after, "rows": summary}, indent=1)
        )


if __name__ == "__main__":
    main()
