"""Several workers at once: every notification is pushed exactly once (counted at the push service)."""

import threading
from collections import Counter

import pytest
import sqlalchemy as sa

from volunteers.extensions import db
from volunteers.push import services
from volunteers.push.models import SENT, Notification
from volunteers.push.worker import claim_due, send_due


def queue_many(users, count: int) -> None:
    for n in range(count):
        services.queue_notification(
            user=users[n % len(users)],
            kind="reminder",
            title=f"Schicht {n}",
            body="Morgen",
            url="/me/shifts",
            dedupe_key=f"reminder-24h:shift:{n}:user:1",
        )
    db.session.commit()


def run_in_threads(app, target, workers: int) -> list[str]:
    barrier, errors = threading.Barrier(workers), []

    def run():
        with app.app_context():
            try:
                barrier.wait()
                target()
            except Exception as error:
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def test_concurrent_workers_push_each_notification_exactly_once(app, make_user, subscribe, push_service):
    users = [make_user() for _ in range(4)]
    for n, user in enumerate(users):
        subscribe(user, f"phone-{n}")
    queue_many(users, 40)
    passes = Counter()

    def work_until_empty():
        while counts := send_due(limit=3):
            passes.update(counts)

    assert run_in_threads(app, work_until_empty, workers=4) == []
    assert push_service.errors == []
    tags = Counter(received.payload["tag"] for received in push_service.received)
    assert len(tags) == 40 and set(tags.values()) == {1}
    assert passes == {"sent": 40}
    db.session.commit()
    assert set(db.session.scalars(sa.select(Notification.status))) == {SENT}


@pytest.mark.database("postgresql")  # SQLite has no row locks; its claims are serialized by the write lock
def test_a_claim_skips_rows_that_another_worker_has_locked(app, make_user):
    """PostgreSQL: FOR UPDATE SKIP LOCKED takes other rows instead of waiting for the lock."""
    queue_many([make_user()], 3)
    first_id = db.session.scalar(sa.select(sa.func.min(Notification.id)))
    db.session.commit()
    claimed = []
    claimer = threading.Thread(target=run_in_threads, args=(app, lambda: claimed.extend(claim_due(limit=10)[0]), 1))
    with db.engine.connect() as other_worker:
        other_worker.execute(sa.select(Notification.id).where(Notification.id == first_id).with_for_update())
        claimer.start()
        claimer.join(10)
        finished_while_locked = not claimer.is_alive()
        other_worker.rollback()
    claimer.join(10)
    assert finished_while_locked, "the claim waited for the other worker's lock"
    assert first_id not in claimed and len(claimed) == 2
