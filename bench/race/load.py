"""The race benchmark's load: rounds of simultaneous requests against the gunicorn server.

Every round takes a few shifts (turn about, so that all 20 come up) and sends two bursts, each
released at once by a barrier, one thread and one connection per request:

1. rush: everyone of those shifts' pools (each shift has its own group of volunteers) who is not
   signed up to it signs up; a few volunteers sign up to a random shift (overlaps with their other
   shifts are refused); one sign-up is sent twice (a double tap); the coordinator moves one of the
   shifts by 10 seconds (PATCH starts_at/ends_at: change notifications to everyone on it, reminders
   moved).
2. churn: on each shift about half of the confirmed cancel (one of them twice), which promotes
   from the waitlist; the last on the waitlist cancels, and the first (the one being promoted)
   taps "sign up" again; the coordinator gives a shift one more place (more promotions) or moves
   one. Every other pass over the shifts everyone on them cancels instead, the waitlist racing
   its own promotions, so that the next rush on those shifts is a race for all their places.

Who is signed up to what is read from the database between bursts (the load's own knowledge,
not what is checked)."""

import http.client
import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import sqlalchemy as sa

SIGNUP, CANCEL, CHANGE = "sign-up", "cancellation", "shift change (coordinator)"
# Requests sent on purpose twice (a double tap: which of the two gets the 409 is chance), or by a
# waitlisted person tapping "sign up" again (a 409, unless they cancelled in the same burst).
SIGNUP_AGAIN, CANCEL_AGAIN = "sign-up again (double tap, or already waitlisted)", "cancellation again (double tap)"
MOVE = timedelta(seconds=10)
MAX_CAPACITY = 3


@dataclass
class Call:
    kind: str
    method: str
    path: str
    token: str
    body: dict | None = None


@dataclass
class Outcomes:
    """What came back: counts by (kind, HTTP status, outcome), latencies, and the server errors."""

    counts: Counter = field(default_factory=Counter)
    seconds: dict = field(default_factory=dict)
    server_errors: list = field(default_factory=list)
    bursts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, call: Call, status: int | None, answer, elapsed: float) -> None:
        with self.lock:
            self.counts[call.kind, status, _outcome(status, answer)] += 1
            self.seconds.setdefault(call.kind, []).append(elapsed)
            if status is None or status >= 500:
                self.server_errors.append(f"{call.method} {call.path}: {status} {str(answer)[:300]}")


def _outcome(status: int | None, answer) -> str:
    if status is None:
        return "no answer"
    if not isinstance(answer, dict):
        return "not JSON"
    if "error" in answer:
        return answer["error"].get("code", "?")
    return answer.get("status", "ok") if "signup_id" in answer else "changed"


def _call(port: int, call: Call, barrier: threading.Barrier, outcomes: Outcomes) -> None:
    headers = {"Authorization": f"Bearer {call.token}"}
    body = None
    if call.body is not None:
        body, headers["Content-Type"] = json.dumps(call.body), "application/json"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    status, answer, started = None, None, time.perf_counter()
    try:
        connection.connect()
        barrier.wait(timeout=60)
        started = time.perf_counter()
        connection.request(call.method, call.path, body=body, headers=headers)
        response = connection.getresponse()
        status, raw = response.status, response.read()
        try:
            answer = json.loads(raw or b"null")
        except ValueError:
            answer = raw[:300].decode(errors="replace")
    except Exception as error:
        answer = repr(error)
    finally:
        connection.close()
    outcomes.add(call, status, answer, time.perf_counter() - started)


def all_at_once(port: int, calls: list[Call], outcomes: Outcomes) -> None:
    """Send every call from its own thread, released together by a barrier."""
    if not calls:
        return
    barrier = threading.Barrier(len(calls))
    threads = [threading.Thread(target=_call, args=(port, call, barrier, outcomes), daemon=True) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    outcomes.bursts += 1


class Race:
    """The load's view of the data and the rounds it sends."""

    def __init__(self, *, port: int, data: dict, shifts: list[dict], engine: sa.Engine, per_round: int, seed: int):
        self.port, self.engine, self.per_round = port, engine, per_round
        self.shifts = shifts
        self.volunteers = data["volunteers"]
        self.coordinator = data["coordinator_token"]
        self.token_of = {v["user_id"]: v["token"] for v in self.volunteers}
        # Each shift has its own pool of volunteers, so that a rush is about one shift's places.
        self.pools = {s["id"]: [v["user_id"] for v in self.volunteers[n :: len(shifts)]] for n, s in enumerate(shifts)}
        self.moved = {s["id"]: False for s in shifts}
        self.capacity = {s["id"]: s["capacity"] for s in shifts}
        self.random = random.Random(seed)
        self.outcomes = Outcomes()
        self.rounds = 0

    def run(self, seconds: float, *, still_running, pause: float = 0.5) -> Outcomes:
        """Rounds until `seconds` are up; `still_running()` is called before each and may raise."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            still_running()
            count = len(self.shifts)
            targets = [self.shifts[(self.rounds * self.per_round + k) % count]["id"] for k in range(self.per_round)]
            all_at_once(self.port, self.rush(targets, self.signed_up()), self.outcomes)
            clearing = (self.rounds * self.per_round // count) % 2 == 1  # every other pass over the shifts
            all_at_once(self.port, self.churn(targets, self.signed_up(), clearing), self.outcomes)
            self.rounds += 1
            time.sleep(pause)
        return self.outcomes

    def signed_up(self) -> dict[int, dict[str, list[int]]]:
        """shift id -> status -> user ids in waitlist order."""
        query = sa.text("SELECT shift_id, user_id, status FROM signups ORDER BY requested_at, id")
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        state: dict[int, dict[str, list[int]]] = {}
        for shift_id, user_id, status in rows:
            state.setdefault(shift_id, {}).setdefault(status, []).append(user_id)
        return state

    def rush(self, targets: list[int], state: dict) -> list[Call]:
        calls = []
        for shift_id in targets:
            active = self._active(state, shift_id)
            calls += [self._sign_up(shift_id, user_id) for user_id in self.pools[shift_id] if user_id not in active]
        for _ in range(4):  # anyone to any shift: overlaps with their other shifts are refused
            shift, person = self.random.choice(self.shifts), self.random.choice(self.volunteers)
            calls.append(self._sign_up(shift["id"], person["user_id"]))
        if calls:
            calls.append(replace(self.random.choice(calls), kind=SIGNUP_AGAIN))  # a double tap
        calls.append(self._move(self.random.choice(targets)))
        return calls

    def churn(self, targets: list[int], state: dict, clearing: bool) -> list[Call]:
        calls = []
        for shift_id in targets:
            statuses = state.get(shift_id, {})
            confirmed, waitlisted = statuses.get("confirmed", []), statuses.get("waitlisted", [])
            leaving = confirmed if clearing else confirmed[: max(1, len(confirmed) // 2)]
            calls += [self._cancel(shift_id, user_id) for user_id in leaving]
            if leaving:
                calls.append(replace(self._cancel(shift_id, leaving[0]), kind=CANCEL_AGAIN))  # a double tap
            # Clearing: everyone leaves, the waitlist racing its own promotions, so that the next rush
            # on this shift is a race for all its places again; else only the last one waiting leaves.
            calls += [self._cancel(shift_id, user_id) for user_id in (waitlisted if clearing else waitlisted[-1:])]
            if waitlisted:
                # The first on the waitlist, whom a cancellation above promotes, taps "sign up" again.
                calls.append(replace(self._sign_up(shift_id, waitlisted[0]), kind=SIGNUP_AGAIN))
        growable = [s for s in targets if self.capacity[s] < MAX_CAPACITY]
        calls.append(self._grow(growable[0]) if growable else self._move(self.random.choice(targets)))
        return calls

    @staticmethod
    def _active(state: dict, shift_id: int) -> set[int]:
        statuses = state.get(shift_id, {})
        return {u for status in ("confirmed", "waitlisted", "pending") for u in statuses.get(status, [])}

    def _sign_up(self, shift_id: int, user_id: int) -> Call:
        return Call(SIGNUP, "POST", f"/api/v1/shifts/{shift_id}/signup", self.token_of[user_id])

    def _cancel(self, shift_id: int, user_id: int) -> Call:
        return Call(CANCEL, "DELETE", f"/api/v1/shifts/{shift_id}/signup", self.token_of[user_id])

    def _move(self, shift_id: int) -> Call:
        """Move the shift 10 seconds later, or back where it was."""
        shift = next(s for s in self.shifts if s["id"] == shift_id)
        self.moved[shift_id] = not self.moved[shift_id]
        offset = MOVE if self.moved[shift_id] else timedelta(0)
        starts, ends = (datetime.fromisoformat(shift[key]) + offset for key in ("starts_at", "ends_at"))
        return Call(
            CHANGE,
            "PATCH",
            f"/api/v1/shifts/{shift_id}",
            self.coordinator,
            {"starts_at": starts.isoformat(), "ends_at": ends.isoformat()},
        )

    def _grow(self, shift_id: int) -> Call:
        self.capacity[shift_id] += 1
        return Call(
            CHANGE, "PATCH", f"/api/v1/shifts/{shift_id}", self.coordinator, {"capacity": self.capacity[shift_id]}
        )
