"""The app as the race benchmark serves it (gunicorn) and runs its reminder workers (flask CLI):
the benchmark's database, secret and VAPID key, whatever an instance/settings.py might say, and
push to the local push service on 127.0.0.1 allowed (PUSH_ALLOW_LOOPBACK).

With BENCH_RACE_ARM and BENCH_RACE_WINDOW (paths; the worker to be killed): once the ARM file
exists, the worker's next claim that reached the push service writes what it pushed to the
WINDOW file and waits before recording it, so that the bench's kill -9 lands after the pushes and
before their record, the worst moment."""

import json
import os
import time
from pathlib import Path

from volunteers import create_app

STALL_SECONDS = 120  # far longer than the bench needs to kill this process


def wait_to_be_killed_after_pushes(arm: Path, window: Path) -> None:
    from volunteers.push import worker
    from volunteers.push.models import DELIVERED

    push_claim = worker.push_claim

    def push_then_wait(claim, pusher, *, reserve):
        results = push_claim(claim, pusher, reserve=reserve)
        pushed = {row: sum(r.outcome == DELIVERED for r in done) for row, done in results.items()}
        if arm.exists() and any(pushed.values()):
            temporary = window.with_suffix(".tmp")
            temporary.write_text(json.dumps({"pushed": pushed, "lease": claim.lease.isoformat()}))
            temporary.rename(window)  # whole or not at all: the bench reads it at once
            time.sleep(STALL_SECONDS)
        return results

    worker.push_claim = push_then_wait


app = create_app(
    {
        "SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"],
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "VAPID_PRIVATE_KEY": os.environ["VAPID_PRIVATE_KEY"],
        "PUSH_ALLOW_LOOPBACK": True,
        "SERVER_NAME": None,
        "MAIL_SERVER": None,
    }
)
if os.environ.get("BENCH_RACE_ARM"):
    wait_to_be_killed_after_pushes(Path(os.environ["BENCH_RACE_ARM"]), Path(os.environ["BENCH_RACE_WINDOW"]))
