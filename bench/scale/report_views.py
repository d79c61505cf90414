"""Report views in-process on the benchmark's database (generate.py): the state report's first
view (no kept figures: every centre computed) and repeat view, the centre report's first and
repeat view, each with the figures kept and not kept, and the repeat view with the page's kept part
(the tables and charts) rendered anew each time; wall-clock ms per request through Flask's test
client, no HTTP.

    DATABASE_URL=… SECRET_KEY=… .venv/bin/python bench/scale/report_views.py META.json [--rounds 15]
    … report_views.py META.json --profile 200   # cProfile of 200 repeat views of the centre report

Prints JSON: per row the milliseconds of each round, p50 and max. Rounds of the rows take turns,
so that the machine's other load falls on all of them alike."""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from queries import bench_app, logged_in

from volunteers.reports.kept import kept_bodies, kept_figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("meta", type=Path)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--profile", type=int, metavar="N", help="print a profile of N centre report repeat views")
    args = parser.parse_args()
    meta = json.loads(args.meta.read_text())
    app = bench_app()
    lead = logged_in(app, meta["lead"], meta["password"])
    state = logged_in(app, meta.get("state", "land@bench.example"), meta["password"])
    centre = f"/reports/centre/{meta['centre_slug']}"

    def view(client, path: str, *, kept: bool, first: bool, render: bool = False):
        def send() -> float:
            app.config["REPORT_FIGURES_KEPT"] = kept
            if first or render:
                with app.app_context():
                    (kept_figures() if first else kept_bodies()).clear()
            started = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.status_code
            return elapsed

        return send

    rows = {
        "state report, first view (figures computed)": view(state, "/reports/state", kept=True, first=True),
        "state report, repeat view (figures kept)": view(state, "/reports/state", kept=True, first=False),
        "state report, figures not kept": view(state, "/reports/state", kept=False, first=False),
        "centre report, first view": view(lead, centre, kept=True, first=True),
        "centre report, repeat view (figures kept)": view(lead, centre, kept=True, first=False),
        "centre report, repeat view, figures kept, page rendered": view(
            lead, centre, kept=True, first=False, render=True
        ),
        "centre report, figures not kept": view(lead, centre, kept=False, first=False),
    }
    for send in rows.values():
        send()  # warm-up: templates compiled, connections open
    if args.profile:
        profile(rows["centre report, repeat view (figures kept)"], args.profile)
        return
    times = {name: [] for name in rows}
    for _ in range(args.rounds):
        for name, send in rows.items():
            times[name].append(send())
    print(
        json.dumps(
            {
                name: {"p50_ms": statistics.median(ms), "max_ms": max(ms), "ms": [round(m, 1) for m in ms]}
                for name, ms in times.items()
            },
            indent=1,
        )
    )


def profile(send, count: int) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(lambda: [send() for _ in range(count)])
    stats = pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative")
    stats.print_stats(45)
    stats.print_stats("render_template|volunteers/reports/|connection.py.*wait|_load_user")  # the parts named in #16


if __name__ == "__main__":
    main()
