"""In-process render latency of the feeds, without HTTP: each feed requested N times through
`app.test_client()` (every request with its own app context and database session, as under a
server), timed with perf_counter. Prints JSON: per feed and path, p50/p95/max in ms.

`full` and `gzip` are renders: the app's cache of rendered bodies (feeds/cache.py, where the tree
has one) is emptied before each of those requests, outside the timing; `cached` is the same full
request answered from that cache, `not_modified` the 304.

    DATABASE_URL=sqlite:////tmp/feeds.sqlite SECRET_KEY=… python bench/feeds/latency.py /tmp/feeds.json"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, os.environ.get("TREFFPUNKT_ROOT") or str(Path(__file__).resolve().parents[2]))

from volunteers import create_app

WARM_UP = 5


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def forget_bodies(app) -> None:
    bodies = app.extensions.get("feed_bodies")
    if bodies is not None:
        bodies.clear()


def timed(client, path: str, headers: dict, expected: int, runs: int, before=lambda: None) -> dict:
    for _ in range(WARM_UP):
        client.get(path, headers=headers)
    samples, response = [], None
    for _ in range(runs):
        before()
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != expected:
            raise SystemExit(f"{path}: {response.status_code}, expected {expected}")
    return {
        "runs": runs,
        "p50_ms": percentile(samples, 0.5),
        "p95_ms": percentile(samples, 0.95),
        "max_ms": max(samples),
        "mean_ms": statistics.fmean(samples),
        "events": response.data.count(b"BEGIN:VEVENT"),
        "bytes": len(response.data),
    }


def measure(client, path: str, runs: int) -> dict:
    def render():
        forget_bodies(client.application)

    full = timed(client, path, {}, 200, runs, before=render)
    etag = client.get(path).headers["ETag"]
    return {
        "full": full,
        "cached": timed(client, path, {}, 200, runs),
        "not_modified": timed(client, path, {"If-None-Match": etag}, 304, runs),
        "gzip": timed(client, path, {"Accept-Encoding": "gzip"}, 200, runs, before=render),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths_json", type=Path, help="the file make_data.py wrote")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    paths = json.loads(args.paths_json.read_text())
    app = create_app({"SERVER_NAME": None})  # DATABASE_URL and SECRET_KEY from the environment
    client = app.test_client()
    result = {feed: measure(client, paths[feed], args.runs) for feed in ("personal", "public", "centre")}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
