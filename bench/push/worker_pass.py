"""One worker process: `send_due(limit=…)` passes until nothing is due or time is up; prints JSON.

    python bench/push/worker_pass.py CONFIG.json [--limit 100] [--max-seconds 120] [--profile OUT.prof]
        [--worker before] [--root TREE]

--root runs another tree of the project (e.g. `git archive HEAD` unpacked), its volunteers package
and its worker_before.py. CONFIG.json is the app config (database, VAPID key, PUSH_ALLOW_LOOPBACK) that run.py writes.
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

ROOT = Path(__file__).resolve().parents[2]


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


def profile_pushing_threads(profiles: list) -> None:
    """cProfile sees only the thread it was enabled in: give each pushing thread its own profiler,
    switched on around each of its pushes (merged with the main thread's at the end)."""
    import threading

    from volunteers.push import batch

    mine, push = threading.local(), batch.Pusher.push

    def profiled_push(self, device, message):
        if not hasattr(mine, "profile"):
            mine.profile = cProfile.Profile()
            profiles.append(mine.profile)
        mine.profile.enable()
        try:
            return push(self, device, message)
        finally:
            mine.profile.disable()

    batch.Pusher.push = profiled_push


def dump_profiles(path: str, profiles: list) -> None:
    import pstats

    stats = pstats.Stats(profiles[0])
    for profile in profiles[1:]:
        stats.add(profile)
    stats.dump_stats(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("config")
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--max-seconds", type=float, default=120)
    parser.add_argument("--profile")
    parser.add_argument("--worker", choices=("new", "before"), default="new", help="before: worker_before.py")
    parser.add_argument("--root", type=Path, default=ROOT, help="the tree of the project to run")
    args = parser.parse_args()
    sys.path.insert(0, str(args.root.resolve()))
    logging.basicConfig(level=logging.WARNING)
    from volunteers import create_app

    if args.worker == "before":
        from bench.push.worker_before import send_due
    else:
        from volunteers.push.worker import send_due
    app = create_app(json.loads(Path(args.config).read_text()))
    with app.app_context():
        profiler, profiles = (cProfile.Profile() if args.profile else None), []
        if profiler and args.worker == "new":
            profile_pushing_threads(profiles)
        rss_before = vm_kib("VmRSS")
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        totals, passes, timed_out = run_passes(send_due, args.limit, args.max_seconds)
        if profiler:
            profiler.disable()
            dump_profiles(args.profile, [profiler, *profiles])
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
