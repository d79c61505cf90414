"""One worker process: `send_due(limit=…)` passes until nothing is due or time is up; prints JSON.

    python bench/push/worker_pass.py CONFIG.json [--limit 100] [--max-seconds 120] [--profile OUT.prof]
        [--worker before]

CONFIG.json is the app config (database, VAPID key, PUSH_ALLOW_LOOPBACK) that run.py writes.
Measured in this process only: wall time of the passes, CPU time (time.process_time) and peak
RSS (VmHWM) of the worker, as `flask reminders run` would spend them."""

import argparse
import cProfile
import json
import logging
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from volunteers import create_app


def vm_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def run_passes(send_due, limit: int, max_seconds: float) -> tuple[Counter, int, bool]:
    totals, passes, started = Counter(), 0, time.perf_counter()
    while time.perf_counter() - started < max_seconds:
        counts = send_due(limit=limit)
        passes += 1
        totals.update(counts)
        if not counts:
            return totals, passes, False
    return totals, passes, True


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("config")
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--max-seconds", type=float, default=120)
    parser.add_argument("--profile")
    parser.add_argument("--worker", choices=("new", "before"), default="new", help="before: worker_before.py")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.worker == "before":
        from bench.push.worker_before import send_due
    else:
        from volunteers.push.worker import send_due
    app = create_app(json.loads(Path(args.config).read_text()))
    with app.app_context():
        profiler = cProfile.Profile() if args.profile else None
        rss_before = vm_kib("VmRSS")
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        totals, passes, timed_out = run_passes(send_due, args.limit, args.max_seconds)
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        json.dumps(
            {
                "counts": dict(totals),
                "passes": passes,
                "timed_out": timed_out,
                "wall_seconds": wall,
                "cpu_seconds": cpu,
                "rss_before_mib": rss_before / 1024,
                "peak_rss_mib": vm_kib("VmHWM") / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
