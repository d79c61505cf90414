"""The kill -9 of the race benchmark: reminder worker 1 is killed while the load runs, right after
a claim's pushes reached the push service and before their record (race_wsgi.py holds it there),
then started again. What its claim had pushed comes back after the lease, from either worker."""

import json
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

WAIT_FOR_WINDOW_SECONDS = 30  # after arming: worker 1 may have nothing to push for a while


@dataclass
class Kill:
    armed_after: float  # seconds into the load
    killed_after: float | None = None
    in_window: bool = False  # the kill landed after pushes and before their record
    pushed: dict[int, int] = field(default_factory=dict)  # notification id -> devices reached, unrecorded
    lease: str | None = None  # of the killed claim: when the rows are due again
    restarted: bool = False


class Killer(threading.Thread):
    """Arms worker `index` after `after` seconds, kills it (SIGKILL) once it waits in the window
    (or after WAIT_FOR_WINDOW_SECONDS anyway) and puts a restarted worker in its place in
    `processes`, holding `lock` meanwhile (the load's liveness check takes it too)."""

    def __init__(self, *, after: float, folder: Path, processes: list, index: int, restart, lock: threading.Lock):
        super().__init__(name="killer", daemon=True)
        self.after, self.processes, self.index, self.restart, self.lock = after, processes, index, restart, lock
        self.arm, self.window = folder / "kill.arm", folder / "kill.window"
        self.started_at = 0.0
        self.kill = Kill(armed_after=after)
        self.cancelled = threading.Event()

    def env(self) -> dict:
        """What the worker to be killed needs in its environment."""
        return {"BENCH_RACE_ARM": str(self.arm), "BENCH_RACE_WINDOW": str(self.window)}

    def run(self) -> None:
        self.started_at = time.monotonic()
        if self.cancelled.wait(self.after):
            return
        self.arm.touch()
        deadline = time.monotonic() + WAIT_FOR_WINDOW_SECONDS
        while not self.window.exists() and time.monotonic() < deadline:
            if self.cancelled.wait(0.05):
                return
        with self.lock:
            victim = self.processes[self.index]
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            self.kill.killed_after = time.monotonic() - self.started_at
            self.arm.unlink()
            if self.window.exists():
                found = json.loads(self.window.read_text())
                self.kill.in_window = True
                self.kill.pushed = {int(row): n for row, n in found["pushed"].items()}
                self.kill.lease = found["lease"]
            self.processes[self.index] = self.restart()
            self.kill.restarted = True
