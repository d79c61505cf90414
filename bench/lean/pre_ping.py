"""The pool's pre-ping against the socket check (core/liveness.py), side by side in one process:
two apps on the same data, one with `pool_pre_ping`, one without, their requests taking turns in
each round; this process's CPU and the database server's per request (bench/lean/cpu.py).

    DATABASE_URL=postgresql+psycopg://… SECRET_KEY=bench-scale-secret \
        .venv/bin/python bench/lean/pre_ping.py META.json [--rounds 4] [--requests 1000]

Prints a markdown table."""

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))

from cpu import app_config, measure, pages

from volunteers import create_app

REQUESTS = ("/healthz", "personal iCal, 304", "open-shift list")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("meta", type=Path, help="bench/scale/generate.py's JSON")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--requests", type=int, default=1000, help="per request kind, app and round")
    args = parser.parse_args()
    meta = json.loads(args.meta.read_text())
    apps = {ping: create_app(app_config(SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": ping})) for ping in (True, False)}
    sends = {ping: pages(app, meta) for ping, app in apps.items()}
    print("| round | request | checked by | app CPU ms (median) | database CPU ms (mean) |")
    print("| ---: | --- | --- | ---: | ---: |")
    for round_ in range(1, args.rounds + 1):
        for name in REQUESTS:
            for ping in (True, False):
                result = measure(apps[ping], sends[ping][name], args.requests, False)
                print(
                    f"| {round_} | {name} | {'pre-ping' if ping else 'socket'} | {result['cpu_ms_median']:.2f} "
                    f"| {result['database_cpu_ms_mean']:.2f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
