"""Query plans of the measured pages on the big data set: every statement a page runs, captured
through Flask's test client, then EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, or on SQLite EXPLAIN
QUERY PLAN and the statement run once more, timed.

    DATABASE_URL=postgresql+psycopg://… SECRET_KEY=bench-scale-secret \
        .venv/bin/python bench/scale/explain.py /tmp/treffpunkt-bench-scale/pg.json [--plans] [--page "state report"]

Prints per page a table of its statements: execution time, rows, and the scans of the big tables
(a sequential scan of shifts, signups or hours_entries is what an index should have spared);
--plans adds the full plans. Read-only statements only; the sign-up's writes are not explained.
The state report is asked with no kept figures, so that all of its centres are computed."""

import argparse
import json
import re
import sys
import time as wall
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa
from queries import bench_app, logged_in

from volunteers.extensions import db
from volunteers.reports.kept import kept_figures

BIG_TABLES = ("shifts", "signups", "hours_entries", "users", "memberships")


def captured(engine: sa.Engine, send) -> list[tuple[str, object]]:
    statements = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        send()
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return statements


def explain(connection, statement: str, parameters) -> dict:
    cursor = connection.connection.cursor()
    cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, parameters)
    plan = cursor.fetchone()[0][0]
    cursor.close()
    scans = []
    _walk(plan["Plan"], scans)
    return {"ms": plan["Execution Time"], "rows": plan["Plan"]["Actual Rows"], "scans": scans, "plan": plan}


def explain_sqlite(connection, statement: str, parameters) -> dict:
    cursor = connection.connection.cursor()
    steps = cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
    started = wall.perf_counter()
    rows = len(cursor.execute(statement, parameters).fetchall())
    elapsed = (wall.perf_counter() - started) * 1000
    cursor.close()
    scans = [detail for *_ids, detail in steps if any(f" {table} " in f"{detail} " for table in BIG_TABLES)]
    return {"ms": elapsed, "rows": rows, "scans": scans, "plan": {"Plan": [detail for *_ids, detail in steps]}}


def _walk(node: dict, scans: list) -> None:
    relation = node.get("Relation Name")
    if relation in BIG_TABLES:
        how = node["Node Type"] + (f" {node['Index Name']}" if "Index Name" in node else "")
        scans.append(f"{relation}: {how}")
    for child in node.get("Plans", ()):
        _walk(child, scans)


def short(statement: str) -> str:
    text = re.sub(r"\s+", " ", statement)
    text = re.sub(r"SELECT .*? FROM", "SELECT … FROM", text, count=1)
    return text[:110]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("meta", type=Path)
    parser.add_argument("--plans", action="store_true", help="also print every plan in full")
    parser.add_argument("--page", action="append", help="only this page (repeatable)")
    args = parser.parse_args()
    meta = json.loads(args.meta.read_text())
    app = bench_app()
    with app.app_context():
        engine = db.engine
    explained = explain if engine.dialect.name == "postgresql" else explain_sqlite
    password, slug = meta["password"], meta["centre_slug"]
    volunteer = logged_in(app, meta["volunteers"][0], password)
    coordinator, lead = logged_in(app, meta["coordinator"], password), logged_in(app, meta["lead"], password)
    state = logged_in(app, meta.get("state", "land@bench.example"), password)

    def first_view(client, path: str):
        with app.app_context():
            kept_figures().clear()
        return client.get(path)

    pages = {
        "open-shift list": lambda: volunteer.get("/shifts"),
        "my shifts": lambda: volunteer.get("/my/shifts"),
        "week plan": lambda: coordinator.get(f"/centres/{slug}/plan"),
        "personal iCal": lambda: app.test_client().get(f"/calendar/u/{meta['personal_tokens'][0]}.ics"),
        "centre report": lambda: lead.get(f"/reports/centre/{slug}"),
        "state report, first view": lambda: first_view(state, "/reports/state"),
    }
    with engine.connect() as connection:
        for name, send in pages.items():
            if args.page and name not in args.page:
                continue
            print(f"\n### {name}\n\n| ms | rows | statement | scans of big tables |\n| ---: | ---: | --- | --- |")
            for statement, parameters in captured(engine, send):
                result = explained(connection, statement, parameters)
                print(
                    f"| {result['ms']:.2f} | {result['rows']} | `{short(statement)}` | {'; '.join(result['scans'])} |"
                )
                if args.plans:
                    print("\n```json\n" + json.dumps(result["plan"]["Plan"], indent=1)[:6000] + "\n```\n")
            # A page's statements in one transaction, as the page ran them (settings it made with
            # set_config(…, true) reach its later statements), then undone.
            connection.rollback()


if __name__ == "__main__":
    main()
