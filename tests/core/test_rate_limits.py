"""Rate limits hold when two requests use the same key at the same moment: the second counts the
first's hit, because it waits for the first's transaction (the lock is taken before the check)."""

import threading
from datetime import timedelta

import pytest

from volunteers.core.database import begin_write
from volunteers.core.errors import TooManyRequests
from volunteers.core.rate_limits import Limit, RateLimitHit, count_use
from volunteers.extensions import db

ONCE_AN_HOUR = (Limit(count=1, within=timedelta(hours=1)),)


def test_two_uses_at_once_of_a_key_allowed_once_let_one_through(app):
    counted, outcomes = threading.Event(), {}
    commit = threading.Event()

    def use(name: str, *, hold: bool) -> None:
        with app.app_context():
            begin_write(db.session)
            try:
                count_use(key="mail:ada@example.org", limits=ONCE_AN_HOUR, message="Zu oft.")
                outcomes[name] = "passed"
                if hold:  # the first one has counted and written, not yet committed
                    counted.set()
                    commit.wait(timeout=10)
                db.session.commit()
            except TooManyRequests:
                outcomes[name] = "refused"
                db.session.rollback()
            finally:
                db.session.remove()

    first = threading.Thread(target=use, args=("first",), kwargs={"hold": True})
    first.start()
    assert counted.wait(timeout=10)
    second = threading.Thread(target=use, args=("second",), kwargs={"hold": False})
    second.start()
    second.join(timeout=0.5)  # without the lock it would pass now, before the first commits
    commit.set()
    first.join(timeout=10)
    second.join(timeout=10)
    assert outcomes == {"first": "passed", "second": "refused"}
    assert db.session.query(RateLimitHit).count() == 1


@pytest.mark.parametrize("count", [1, 3])
def test_a_key_passes_as_often_as_its_limit_allows(app, count):
    limits = (Limit(count=count, within=timedelta(hours=1)),)
    for _ in range(count):
        count_use(key="push-trial:7", limits=limits, message="Zu oft.")
    with pytest.raises(TooManyRequests):
        count_use(key="push-trial:7", limits=limits, message="Zu oft.")
    count_use(key="push-trial:8", limits=limits, message="Zu oft.")  # another key counts apart
