"""What the roll-up triggers (volunteers/reports/rollups.py) cost a write: the same writes on a
database with the triggers and on a copy without, taking turns round by round.

    .venv/bin/python bench/scale/rollup_write_cost.py \
        --pair postgresql+psycopg://…/with_triggers postgresql+psycopg://…/without \
        --pair sqlite:////tmp/with.sqlite sqlite:////tmp/without.sqlite [--entries 1000] [--rounds 5]

Each round, in one transaction that is rolled back at the end (the databases stay as they were;
the commit itself is left out): N entries logged one INSERT each (as log_hours flushes them),
approved one UPDATE each (as approve / approve_many decide them), taken back to submitted in one
bulk UPDATE, their minutes changed one UPDATE each; the rollback takes them away (a DELETE of an
entry costs a scan of hours_entries on PostgreSQL with or without triggers: corrects_id has no
index for its foreign key's check). Wall-clock ms per step; prints a Markdown table with the p50
of each step per database and the ratio."""

import argparse
import os
import statistics
import time
from datetime import date, timedelta

import sqlalchemy as sa

STEPS = ("log", "approve", "bulk back to submitted", "change minutes")


def one_round(engine, entries: int) -> dict[str, float]:
    timings = {}
    with engine.connect() as connection:
        transaction = connection.begin()
        centre_id, user_id = connection.execute(
            sa.text("SELECT centre_id, user_id FROM memberships WHERE role = 'volunteer' ORDER BY id LIMIT 1")
        ).one()
        first = date(2026, 1, 1)

        def step(name, statements):
            started = time.perf_counter()
            for statement, params in statements:
                connection.execute(sa.text(statement), params)
            timings[name] = (time.perf_counter() - started) * 1000

        insert = (
            "INSERT INTO hours_entries (centre_id, user_id, kind, work_date, minutes, activity, baustein, note,"
            " status, review_reason, created_at, updated_at) VALUES (:c, :u, 'volunteer', :d, :m, 'sprachcafe',"
            " 'A', 'bench', 'submitted', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id"
        )
        ids = []
        started = time.perf_counter()
        for i in range(entries):
            params = {"c": centre_id, "u": user_id, "d": first + timedelta(days=i % 330), "m": 30 + i % 90}
            ids.append(connection.execute(sa.text(insert), params).scalar_one())
        timings["log"] = (time.perf_counter() - started) * 1000
        step("approve", [("UPDATE hours_entries SET status = 'approved' WHERE id = :i", {"i": i}) for i in ids])
        marked = "UPDATE hours_entries SET status = 'submitted' WHERE note = 'bench' AND user_id = :u"
        step("bulk back to submitted", [(marked, {"u": user_id})])
        step(
            "change minutes", [("UPDATE hours_entries SET minutes = minutes + 1 WHERE id = :i", {"i": i}) for i in ids]
        )
        transaction.rollback()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pair", nargs=2, action="append", required=True, metavar=("WITH", "WITHOUT"))
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    engines = {}
    for with_url, without_url in args.pair:
        engines[(with_url, "with triggers")] = sa.create_engine(with_url)
        engines[(with_url, "without")] = sa.create_engine(without_url)
    results = {key: [] for key in engines}
    load_before = os.getloadavg()
    for _ in range(args.rounds):
        for key, engine in engines.items():
            results[key].append(one_round(engine, args.entries))
    load_after = os.getloadavg()
    print(
        f"Load average before: {' '.join(f'{x:.2f}' for x in load_before)}; after: "
        f"{' '.join(f'{x:.2f}' for x in load_after)}. {args.rounds} rounds of {args.entries} entries, taking turns.\n"
    )
    print("| database | step | without ms (p50) | with triggers ms (p50) | ratio | per entry, added (ms) |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for with_url, _without in args.pair:
        name = with_url.split(":", 1)[0].split("+")[0]
        for step in STEPS:
            without = statistics.median(r[step] for r in results[(with_url, "without")])
            with_ = statistics.median(r[step] for r in results[(with_url, "with triggers")])
            added = (with_ - without) / args.entries
            print(f"| {name} | {step} | {without:.1f} | {with_:.1f} | {with_ / without:.2f} | {added:.3f} |")


if __name__ == "__main__":
    main()
