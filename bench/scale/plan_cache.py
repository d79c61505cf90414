"""What PostgreSQL's plan cache does with the measured pages' statements once psycopg has prepared
them: each statement a page runs (captured as explain.py does, for several subjects), prepared on
a connection of its own and run again and again under each `plan_cache_mode`, timed in the
client (planning, execution and the round trip together, as a request pays them).

    DATABASE_URL=postgresql+psycopg://… SECRET_KEY=bench-scale-secret \
        .venv/bin/python bench/scale/plan_cache.py /tmp/treffpunkt-bench-scale/pg.json [--runs 40]

`auto` is the server's default: custom plans for a statement's first five runs, then the generic
plan unless its estimated cost is higher than the custom plans' average, in which case PostgreSQL
plans every run anew. The table shows, per statement, the median milliseconds per run in each
mode and which plan `auto` ended up using; a generic plan that is slower than the custom one for
some subject is what would make forcing it a bad idea."""

import argparse
import json
import statistics
import sys
import time as wall
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg
from explain import captured, short
from queries import bench_app, logged_in

from volunteers.extensions import db

MODES = ("auto", "force_custom_plan", "force_generic_plan")


def timed_runs(dsn: str, mode: str, statement: str, parameters, runs: int) -> tuple[float, str]:
    """Median ms per run of the prepared statement, and the plans the server chose for it."""
    with psycopg.connect(dsn, prepare_threshold=0) as connection:
        connection.execute(f"SET plan_cache_mode = {mode}")
        times = []
        with connection.cursor() as cursor:
            for _ in range(runs):
                started = wall.perf_counter()
                cursor.execute(statement, parameters, prepare=True)
                cursor.fetchall()
                times.append((wall.perf_counter() - started) * 1000)
            cursor.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements")
            generic, custom = (sum(column) for column in zip(*cursor.fetchall(), strict=True))
        connection.rollback()
    return statistics.median(times[5:]), f"{generic} generic, {custom} custom"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("meta", type=Path)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--subjects", type=int, default=3, help="volunteers asked for the open list and my shifts")
    args = parser.parse_args()
    meta = json.loads(args.meta.read_text())
    app = bench_app()
    with app.app_context():
        engine = db.engine
        dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    password, slug = meta["password"], meta["centre_slug"]
    volunteers = [logged_in(app, email, password) for email in meta["volunteers"][: args.subjects]]
    coordinator, lead = logged_in(app, meta["coordinator"], password), logged_in(app, meta["lead"], password)
    state = logged_in(app, meta.get("state", "land@bench.example"), password)
    pages = {
        "open-shift list": [lambda c=c: c.get("/shifts") for c in volunteers],
        "my shifts": [lambda c=c: c.get("/my/shifts") for c in volunteers],
        "week plan": [lambda w=w: coordinator.get(f"/centres/{slug}/plan?week={w}") for w in meta.get("plan_weeks", [])]
        or [lambda: coordinator.get(f"/centres/{slug}/plan")],
        "centre report": [lambda: lead.get(f"/reports/centre/{slug}")],
        "state report": [lambda: state.get("/reports/state")],
    }
    print("| page | subject | statement | " + " | ".join(f"{m} ms" for m in MODES) + " | auto used |")
    print("| --- | ---: | --- | " + " | ".join("---:" for _ in MODES) + " | --- |")
    for name, sends in pages.items():
        for subject, send in enumerate(sends, 1):
            for statement, parameters in captured(engine, send):
                results = [timed_runs(dsn, mode, statement, parameters, args.runs) for mode in MODES]
                cells = " | ".join(f"{ms:.2f}" for ms, _plans in results)
                print(f"| {name} | {subject} | `{short(statement)[:70]}` | {cells} | {results[0][1]} |", flush=True)


if __name__ == "__main__":
    main()
