"""Claims under faults: a pass the database fails gives back what it had not begun, a result write
that fails is tried again rather than pushed again, and the rows of a killed worker are due again
within a minute — with a push in flight re-sent only to the device whose result was lost, under
the same Topic. The faults are real errors of the database driver, raised through a SQLAlchemy
event hook at the statement where they strike (the worker's code is not touched)."""

from contextlib import ExitStack, contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.push.test_delivery import queue
from volunteers.core.time import freeze, now
from volunteers.extensions import db
from volunteers.push import worker
from volunteers.push.delivery import topic
from volunteers.push.models import PENDING, SENDING, SENT, DeliveryAttempt, Notification
from volunteers.push.worker import SentButNotRecorded, claim_due

RECORDING_A_RESULT = "INSERT INTO delivery_attempts"


class WorkerKilled(BaseException):
    """Stands for kill -9: nothing of the worker runs after it, no handler, no clean-up."""


@contextmanager
def database_fails(*, at: str, times: int | None = None, then_down: bool = False):
    """Statements beginning with `at` fail `times` times (None: every time) with the driver's
    OperationalError, as when the server goes away; with then_down, every statement after the
    first failure fails too, until the block ends."""
    engine, failures, down = db.engine, [], []

    def strike(connection, _cursor, statement, *_):
        if down or (statement.startswith(at) and (times is None or len(failures) < times)):
            failures.append(statement)
            if then_down:
                down.append(True)
            raise connection.dialect.loaded_dbapi.OperationalError("server closed the connection unexpectedly")

    sa.event.listen(engine, "before_cursor_execute", strike)
    try:
        yield failures
    finally:
        sa.event.remove(engine, "before_cursor_execute", strike)


@contextmanager
def worker_killed(*, at: str, occurrence: int = 1):
    """The worker dies when it is about to run the `occurrence`-th statement beginning with `at`."""
    seen = []

    def kill(_connection, _cursor, statement, *_):
        if statement.startswith(at):
            seen.append(statement)
            if len(seen) == occurrence:
                raise WorkerKilled

    sa.event.listen(db.engine, "before_cursor_execute", kill)
    try:
        with pytest.raises(WorkerKilled):
            yield
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", kill)
        db.session.rollback()


def rows() -> dict[str, tuple]:
    """{dedupe key: (status, attempts, locked_until)}, as committed."""
    db.session.rollback()
    found = db.session.execute(
        sa.select(Notification.dedupe_key, Notification.status, Notification.attempts, Notification.locked_until)
    )
    return {key: (status, attempts, locked_until) for key, status, attempts, locked_until in found}


def received_topics(push_service, browser: str) -> list[str]:
    return [r.headers["topic"] for r in push_service.received_by(browser)]


def test_a_result_write_that_fails_once_is_written_on_the_second_try(make_user, subscribe, push_service, run_worker):
    user = make_user()
    subscribe(user, "phone")
    queue(user, "a")
    with database_fails(at=RECORDING_A_RESULT, times=1) as failures:
        assert run_worker() == {"sent": 1}
    assert len(failures) == 1
    assert len(push_service.received) == 1, "pushed again although the first push went out"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DeliveryAttempt)) == 1
    assert rows()["a"][:2] == (SENT, 1)


def test_a_pass_the_database_fails_gives_back_the_claims_it_had_not_begun(
    monkeypatch, make_user, subscribe, push_service, run_worker
):
    monkeypatch.setattr(worker, "CLAIM_SIZE", 1)  # a claim's pushes are recorded together (batch.py)
    user = make_user()
    subscribe(user, "phone")
    for key in "abc":
        queue(user, key)
    at = now()
    with freeze(at), database_fails(at=RECORDING_A_RESULT, times=2), pytest.raises(SentButNotRecorded):
        run_worker()
    # "a" went out and its result is lost: it keeps its lease. "b" and "c" are free again at once.
    assert rows() == {"a": (SENDING, 1, at + worker.LEASE), "b": (PENDING, 0, None), "c": (PENDING, 0, None)}
    with freeze(at + timedelta(seconds=1)):
        assert run_worker() == {"sent": 2}
    with freeze(at + timedelta(minutes=1, seconds=1)):
        assert run_worker() == {"sent": 1}
    assert sorted(r.payload["tag"] for r in push_service.received) == ["a", "a", "b", "c"]


def test_when_the_database_stays_down_the_claims_come_back_within_a_minute(
    make_user, subscribe, push_service, run_worker
):
    user = make_user()
    subscribe(user, "phone")
    for key in "abc":
        queue(user, key)
    at = now()
    with freeze(at), database_fails(at=RECORDING_A_RESULT, then_down=True), pytest.raises(SentButNotRecorded):
        run_worker()  # nothing can be given back either
    assert {key: row[0] for key, row in rows().items()} == {"a": SENDING, "b": SENDING, "c": SENDING}
    with freeze(at + timedelta(minutes=1, seconds=1)):
        assert run_worker() == {"sent": 3}
    # The claim's three pushes were recorded together, and lost together (batch.py).
    assert sorted(r.payload["tag"] for r in push_service.received) == ["a", "a", "b", "b", "c", "c"]


def test_the_claims_of_a_worker_killed_before_sending_are_taken_again_within_a_minute(
    make_user, subscribe, push_service, run_worker
):
    user = make_user()
    subscribe(user, "phone")
    queue(user, "a"), queue(user, "b")
    at = now()
    with freeze(at):
        claim_due(limit=10)  # and then the worker died
    with freeze(at + worker.LEASE - timedelta(seconds=1)):
        assert run_worker() == {}  # the lease still runs: that worker may only be slow
    with freeze(at + timedelta(minutes=1, seconds=1)):
        assert run_worker() == {"sent": 2}
    assert {key: row[:2] for key, row in rows().items()} == {"a": (SENT, 2), "b": (SENT, 2)}
    assert len(push_service.received) == 2


def test_a_worker_killed_between_a_push_and_its_record_repeats_only_that_push_under_the_same_topic(
    make_user, subscribe, push_service, run_worker
):
    user = make_user()
    subscribe(user, "phone"), subscribe(user, "laptop")
    queue(user, "reminder-2h:shift:12:user:7")
    at = now()
    # The worker dies while recording the claim's results (both pushes: batch.py records them together).
    with freeze(at), worker_killed(at=RECORDING_A_RESULT):
        run_worker()
    assert [r.browser for r in push_service.received] == ["phone", "laptop"]
    with freeze(at + worker.LEASE - timedelta(seconds=1)):
        assert run_worker() == {}
    with freeze(at + timedelta(minutes=1, seconds=1)):
        assert run_worker() == {"sent": 1}
    assert [r.browser for r in push_service.received] == ["phone", "laptop", "phone", "laptop"]
    expected = topic("reminder-2h:shift:12:user:7")
    assert received_topics(push_service, "laptop") == [expected, expected]
    assert received_topics(push_service, "phone") == [expected, expected]
    assert push_service.errors == []


def test_a_row_taken_up_late_in_its_claim_is_held_for_its_push_beyond_the_claim(
    monkeypatch, make_user, subscribe, push_service, run_worker
):
    """A slow pass: the claim's lease would run out while the push is in flight, so taking the row
    up extends it; another worker must not push it meanwhile."""
    user = make_user()
    subscribe(user, "phone")
    queue(user, "a")
    at, real_claim_due, clock = now(), worker.claim_due, ExitStack()
    late = at + worker.LEASE - worker.LEASE_RESERVE - timedelta(seconds=1)  # still before the reserve

    def claim_then_stall(**kwargs):
        claimed = real_claim_due(**kwargs)
        clock.enter_context(freeze(late))
        return claimed

    monkeypatch.setattr(worker, "claim_due", claim_then_stall)
    with freeze(at), clock, worker_killed(at=RECORDING_A_RESULT):
        run_worker()
    monkeypatch.undo()
    assert rows()["a"][2] == late + worker.SEND_LEASE > at + worker.LEASE
    with freeze(at + worker.LEASE + timedelta(seconds=1)):
        assert run_worker() == {}  # the claim's lease is over, the push's is not
    with freeze(late + worker.SEND_LEASE + timedelta(seconds=1)):
        assert run_worker() == {"sent": 1}
    assert [r.payload["tag"] for r in push_service.received] == ["a", "a"]


def test_the_topic_is_one_per_dedupe_key(make_user, subscribe, push_service, run_worker):
    user = make_user()
    subscribe(user, "phone")
    queue(user, "reminder-24h:shift:12:user:7"), queue(user, "reminder-2h:shift:12:user:7")
    assert run_worker() == {"sent": 2}
    topics = {r.payload["tag"]: r.headers["topic"] for r in push_service.received}
    assert topics == {key: topic(key) for key in ("reminder-24h:shift:12:user:7", "reminder-2h:shift:12:user:7")}
    assert len(set(topics.values())) == 2
