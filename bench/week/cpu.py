"""CPU per request of the coordinators' week plan, in-process, on the scale benchmark's data
(bench/scale/generate.py): the four weeks bench/lean measures, with and without a meeting-point
filter; bench/lean/cpu.py's helpers, this page only.

    DATABASE_URL=… SECRET_KEY=bench-scale-secret .venv/bin/python bench/week/cpu.py META.json \
        [--app-root DIR] [--requests 60] [--rounds 1] [--unkept] [--profile] [--html DIR]

--app-root measures another tree (e.g. a `git archive HEAD` export); several trees given as
--app-root A --app-root B are measured in turns in separate processes. --html writes the pages'
bodies with the CSRF tokens blanked, for a diff of two trees."""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("meta", type=Path)
    parser.add_argument("--app-root", type=Path, action="append")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--html", type=Path)
    parser.add_argument("--unkept", action="store_true", help="WEEK_PLAN_KEPT=False: every grid rendered anew")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # a child: one tree, one round
    return parser.parse_args()


def week_urls(meta: dict, meeting_point: str | None) -> list[str]:
    monday = date.today() - timedelta(days=date.today().weekday())
    extra = f"&meeting_point={meeting_point}" if meeting_point else ""
    slug = meta["centre_slug"]
    return [f"/centres/{slug}/plan?week={(monday + timedelta(weeks=n)).isoformat()}{extra}" for n in range(4)]


def one(args) -> None:
    root = args.app_root[0]
    sys.path.insert(0, str(root))
    sys.path.insert(0, str(HERE.parent / "lean"))
    os.chdir(root)
    import cpu
    from cpu import app_config, blanked, logged_in, measure

    # CPU time, not wall time: the waits for PostgreSQL are not this process's work.
    cpu.cProfile.Profile = lambda p=cpu.cProfile.Profile: p(time.process_time)

    from volunteers import create_app

    meta = json.loads(args.meta.read_text())
    app = create_app(app_config(WEEK_PLAN_KEPT=not args.unkept))
    coordinator = logged_in(app, meta["coordinator"], meta["password"])
    first = coordinator.get(week_urls(meta, None)[0]).get_data(as_text=True)
    place = re.search(r'<option value="([^"]+)"', first).group(1)
    results = {}
    for name, place_slug in (("week plan", None), ("week plan, one meeting point", place)):
        sends = [lambda u=u: coordinator.get(u) for u in week_urls(meta, place_slug)]
        if args.html:
            args.html.mkdir(parents=True, exist_ok=True)
            for n, send in enumerate(sends):
                slug = re.sub("[^a-z0-9]+", "-", name)
                (args.html / f"{slug}-{n}.html").write_text(blanked(send().get_data(as_text=True)))
        results[name] = measure(app, sends, args.requests, args.profile)
        if args.profile:
            print(results[name].pop("profile"), file=sys.stderr)
    print(json.dumps(results))


def main() -> None:
    args = parse_args()
    if args.one:
        return one(args)
    roots = args.app_root or [HERE.parents[1]]
    rows = []
    for n in range(args.rounds):
        for root in roots if n % 2 == 0 else roots[::-1]:
            command = [sys.executable, __file__, str(args.meta), "--app-root", str(root), "--one"]
            command += ["--requests", str(args.requests)] + (["--profile"] if args.profile else [])
            command += ["--unkept"] if args.unkept else []
            command += ["--html", str(args.html / root.name)] if args.html else []
            out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
            result = json.loads(out.strip().splitlines()[-1])
            rows += [(n + 1, name, str(root), r["cpu_ms_median"]) for name, r in result.items()]
    print(f"load average: {os.getloadavg()}")
    print("| round | page | tree | CPU ms/request (median) |\n| ---: | --- | --- | ---: |")
    for row in rows:
        print(f"| {row[0]} | {row[1]} | {row[2]} | {row[3]:.2f} |")


if __name__ == "__main__":
    main()
