"""Queueing and withdrawing notifications: exactly one row per dedupe key, also under concurrency."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from volunteers.accounts.models import User
from volunteers.core.database import begin_write
from volunteers.core.time import now
from volunteers.extensions import db
from volunteers.push import services
from volunteers.push.models import CANCELLED, PENDING, SENT, Notification


def queue(user, key=None, **values):
    defaults = {"kind": "reminder", "title": "Morgen: Sprachcafé", "body": "Beginn 10:00 Uhr", "url": "/me/shifts"}
    return services.queue_notification(user=user, dedupe_key=key, **{**defaults, **values})


def rows():
    return list(db.session.scalars(sa.select(Notification).order_by(Notification.id)))


def test_queue_defaults_to_due_now_with_the_next_attempt_at_the_due_time(make_user):
    user = make_user()
    notification = queue(user, "reminder-24h:shift:1:user:1")
    db.session.commit()
    assert notification.status == PENDING and notification.attempts == 0
    assert notification.next_attempt_at == notification.due_at <= now()
    assert notification.tag == "reminder-24h:shift:1:user:1"


def test_queueing_the_same_key_twice_gives_one_row(make_user):
    user = make_user()
    first = queue(user, "reminder-24h:shift:12:user:7")
    second = queue(user, "reminder-24h:shift:12:user:7", title="anders")
    db.session.commit()
    assert first is not None and second is None
    assert [(n.dedupe_key, n.title) for n in rows()] == [("reminder-24h:shift:12:user:7", "Morgen: Sprachcafé")]


def test_notifications_without_key_are_never_deduplicated(make_user):
    user = make_user()
    queue(user), queue(user)
    db.session.commit()
    assert len(rows()) == 2


def test_a_rolled_back_transaction_leaves_nothing_in_the_outbox(make_user):
    user = make_user()
    queue(user, "reminder-2h:shift:3:user:1")
    db.session.rollback()
    assert rows() == []


def test_concurrent_duplicates_insert_one_row_and_never_raise(app, make_user):
    user_id = make_user().id
    db.session.commit()
    barrier, results, errors = threading.Barrier(4), [], []

    def worker():
        with app.app_context():
            try:
                barrier.wait()
                begin_write(db.session)
                user = db.session.get(User, user_id)
                results.append(queue(user, "waitlist:shift:5:user:9", kind="waitlist_promoted") is not None)
                db.session.commit()
            except Exception as error:
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    db.session.commit()  # end the test's snapshot (SQLite) to see what the threads committed
    assert errors == []
    assert sorted(results) == [False, False, False, True]
    assert len(rows()) == 1


def test_notification_urls_must_be_paths_of_this_app(make_user):
    user = make_user()
    for url in ("https://evil.example/", "//evil.example/x", "me/shifts"):
        with pytest.raises(ValueError):
            queue(user, url=url)


def test_cancel_withdraws_pending_rows_of_the_prefix_and_frees_their_keys(make_user):
    user = make_user()
    queue(user, "reminder-24h:shift:1:user:1")
    queue(user, "reminder-24h:shift:12:user:1")
    sent = queue(user, "reminder-24h:shift:1:user:2")
    sent.status = SENT
    db.session.commit()
    assert services.cancel_notifications(dedupe_key_prefix="reminder-24h:shift:1:") == 1
    db.session.commit()
    assert [(n.status, n.dedupe_key) for n in rows()] == [
        (CANCELLED, None),
        (PENDING, "reminder-24h:shift:12:user:1"),
        (SENT, "reminder-24h:shift:1:user:2"),
    ]
    # The shift moved: the same reminder can be queued again for the new time.
    later = now() + timedelta(days=2)
    assert queue(user, "reminder-24h:shift:1:user:1", due_at=later).due_at == later
    assert queue(user, "reminder-24h:shift:1:user:2") is None  # already sent: stays sent once


def test_cancel_compares_keys_exactly(make_user):
    user = make_user()
    queue(user, "Reminder-24h:shift:1:user:1")
    queue(user, "reminder-24h_shift:1:user:1")
    db.session.commit()
    assert services.cancel_notifications(dedupe_key_prefix="reminder-24h:") == 0
    with pytest.raises(ValueError):
        services.cancel_notifications(dedupe_key_prefix="")
