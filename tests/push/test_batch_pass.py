"""The batched pass (push/batch.py): a claim's database work in a handful of statements, one VAPID
signature per push service, and the lease still the guard — a row another worker took over while
the pushes were out is not recorded, and pushes not begun in time are given back untried."""

from contextlib import ExitStack, contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.push.test_claims import database_fails
from tests.push.test_delivery import queue
from volunteers.core.time import freeze, now
from volunteers.extensions import db
from volunteers.push import worker
from volunteers.push.models import PENDING, SENDING, SENT, DeliveryAttempt, Notification, PushSubscription
from volunteers.push.vapid import TOKEN_REUSE_SECONDS, VapidTokens, key_from_text


@contextmanager
def statements():
    """The SQL statements the block sends, as the driver gets them (an executemany counts once)."""
    sent = []

    def note(_connection, _cursor, statement, *_):
        sent.append(statement.split(None, 3)[:3])

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)


def subscribed_users(make_user, subscribe, count: int) -> list:
    users = [make_user() for _ in range(count)]
    for n, user in enumerate(users):
        subscribe(user, f"phone{n}")
    return users


def test_a_claim_is_recorded_in_one_insert_and_a_handful_of_statements(make_user, subscribe, push_service, run_worker):
    for n, user in enumerate(subscribed_users(make_user, subscribe, 30)):
        queue(user, f"k{n}")
    with statements() as sent:
        assert run_worker(limit=30) == {"sent": 30}
    inserts = [s for s in sent if s[:3] == ["INSERT", "INTO", "delivery_attempts"]]
    assert len(inserts) == 1
    # Claim, take-up and record: a dozen or so statements for 30 notifications, not nine each.
    assert len(sent) < 30, "\n".join(" ".join(s) for s in sent)
    assert len(push_service.received) == 30 and push_service.errors == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DeliveryAttempt)) == 30


def test_one_vapid_signature_serves_every_push_to_a_push_service(make_user, subscribe, push_service, run_worker):
    for n, user in enumerate(subscribed_users(make_user, subscribe, 5)):
        queue(user, f"k{n}")
    assert run_worker(limit=2) == {"sent": 2}
    assert run_worker() == {"sent": 3}  # a later pass of the same process reuses it too
    tokens = {r.headers["authorization"] for r in push_service.received}
    assert len(tokens) == 1
    assert {r.claims["aud"] for r in push_service.received} == {push_service.origin}


def test_a_vapid_header_is_signed_again_when_its_reuse_is_over(app):
    from tests.push.conftest import VAPID_PEM

    clock = [1_000_000.0]
    tokens = VapidTokens(key_from_text(VAPID_PEM), "mailto:a@example.org", clock=lambda: clock[0])
    first = tokens.header_for("https://push.example.net/a")
    assert tokens.header_for("https://push.example.net/b") == first
    assert tokens.header_for("https://other.example.org/a") != first  # another audience
    clock[0] += TOKEN_REUSE_SECONDS
    assert tokens.header_for("https://push.example.net/a") != first


def test_failures_of_one_device_for_several_notifications_all_count(make_user, subscribe, push_service, run_worker):
    user = make_user()
    subscribe(user, "phone")
    push_service.answer("phone", 400, 400, 400)
    for key in "abc":
        queue(user, key)
    assert run_worker() == {"failed": 3}
    assert db.session.scalar(sa.select(PushSubscription.failure_count)) == 3


def test_a_row_another_worker_took_over_during_the_pushes_is_not_recorded(
    monkeypatch, make_user, subscribe, push_service, run_worker
):
    users = subscribed_users(make_user, subscribe, 3)
    for n, user in enumerate(users):
        queue(user, f"k{n}")
    taken_over = db.session.scalar(sa.select(Notification.id).where(Notification.dedupe_key == "k1"))
    real_push_claim, other_lease = worker.push_claim, now() + timedelta(minutes=5)

    def push_while_another_worker_takes_one(claim, pusher, **kwargs):
        results = real_push_claim(claim, pusher, **kwargs)
        with db.engine.begin() as other_worker:  # its own connection and transaction
            other_worker.execute(
                sa.update(Notification).where(Notification.id == taken_over).values(locked_until=other_lease)
            )
        return results

    monkeypatch.setattr(worker, "push_claim", push_while_another_worker_takes_one)
    assert run_worker() == {"sent": 2, "lost": 1}
    row = db.session.get(Notification, taken_over)
    assert (row.status, row.locked_until) == (SENDING, other_lease)
    logged = db.session.scalars(sa.select(DeliveryAttempt.notification_id)).all()
    assert len(logged) == 2 and taken_over not in logged


def test_pushes_not_begun_before_the_lease_runs_short_are_given_back_untried(
    monkeypatch, make_user, subscribe, push_service, run_worker
):
    user = make_user()
    subscribe(user, "phone")
    queue(user, "a"), queue(user, "b")
    real_take_up, clock = worker.take_up_claim, ExitStack()

    def take_up_then_stall(*args, **kwargs):
        claim = real_take_up(*args, **kwargs)
        clock.enter_context(freeze(claim.lease - worker.PUSH_RESERVE + timedelta(seconds=1)))
        return claim

    monkeypatch.setattr(worker, "take_up_claim", take_up_then_stall)
    with clock:
        assert run_worker() == {"released": 2}
    assert push_service.answered == []
    assert {(n.status, n.attempts, n.locked_until) for n in db.session.scalars(sa.select(Notification))} == {
        (PENDING, 0, None)
    }
    monkeypatch.undo()
    assert run_worker() == {"sent": 2}


def test_a_database_failure_while_taking_up_a_claim_gives_it_back_untried(
    make_user, subscribe, push_service, run_worker
):
    user = make_user()
    subscribe(user, "phone")
    queue(user, "a"), queue(user, "b")
    with database_fails(at="SELECT push_subscriptions", times=1), pytest.raises(sa.exc.OperationalError):
        run_worker()
    assert {(n.status, n.attempts) for n in db.session.scalars(sa.select(Notification))} == {(PENDING, 0)}
    assert push_service.answered == []
    assert run_worker() == {"sent": 2}
    assert {n.status for n in db.session.scalars(sa.select(Notification))} == {SENT}


def test_passes_of_one_process_share_its_connections_and_threads(
    monkeypatch, make_user, subscribe, push_service, run_worker
):
    accepted = []
    serve = push_service.server.process_request

    def note(request, address):
        accepted.append(address)
        serve(request, address)

    monkeypatch.setattr(push_service.server, "process_request", note)
    for n, user in enumerate(subscribed_users(make_user, subscribe, 5)):
        queue(user, f"k{n}")
    assert run_worker(limit=2) == {"sent": 2}
    assert run_worker(limit=2) == {"sent": 2}
    assert run_worker() == {"sent": 1}
    assert len(push_service.received) == 5
    assert len(accepted) <= 2  # at most two pushes were out at once; each pass before opened its own
