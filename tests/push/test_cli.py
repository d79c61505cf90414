"""`flask reminders send-due` and `flask reminders run`."""

import os
import signal
import threading
import time

import pytest

from volunteers.accounts.models import User
from volunteers.core.database import begin_write
from volunteers.extensions import db
from volunteers.push import services


def queue(user, key: str):
    services.queue_notification(
        user=user, kind="reminder", title="Erinnerung", body="Morgen", url="/me/shifts", dedupe_key=key
    )
    db.session.commit()


def test_send_due_runs_one_pass_and_prints_the_counts(app, make_user, subscribe, push_service):
    user, nobody = make_user(), make_user()
    subscribe(user, "phone")
    queue(user, "a"), queue(nobody, "b")
    result = app.test_cli_runner().invoke(args=["reminders", "send-due"])
    assert result.exit_code == 0, result.output
    assert "no_device=1" in result.output and "sent=1" in result.output
    assert len(push_service.received) == 1
    again = app.test_cli_runner().invoke(args=["reminders", "send-due"])
    assert "Nichts fällig." in again.output and len(push_service.received) == 1


def test_run_keeps_sending_until_sigterm_and_then_stops_cleanly(app, make_user, subscribe, push_service):
    user = make_user()
    subscribe(user, "phone")
    queue(user, "first")
    previous_handler = signal.getsignal(signal.SIGTERM)

    user_id = user.id

    def queue_more_then_stop():
        try:
            wait_for(lambda: len(push_service.received) == 1)
            with app.app_context():
                begin_write(db.session)
                queue(db.session.get(User, user_id), "second")
            wait_for(lambda: len(push_service.received) == 2)
        finally:
            if signal.getsignal(signal.SIGTERM) is not previous_handler:  # only the loop's own handler
                os.kill(os.getpid(), signal.SIGTERM)

    helper = threading.Thread(target=queue_more_then_stop, daemon=True)
    helper.start()
    result = app.test_cli_runner().invoke(args=["reminders", "run", "--interval", "0.05"])
    helper.join(5)
    assert result.exit_code == 0, result.output
    assert "Erinnerungs-Worker beendet." in result.output
    assert sorted(r.payload["tag"] for r in push_service.received) == ["first", "second"]
    assert signal.getsignal(signal.SIGTERM) == previous_handler


@pytest.mark.database("sqlite")  # signals, not SQL
def test_a_sigterm_that_another_thread_catches_stops_the_waiting_worker_at_once(app):
    """The kernel hands a process's signal to any of its threads (the pusher's pool, a server's);
    Python then runs the handler only when the main thread next wakes up. The worker waiting out a
    long interval must stop at once all the same, not after the interval."""
    previous_handler = signal.getsignal(signal.SIGTERM)
    interval = 60

    def stop_from_another_thread():
        wait_for(lambda: signal.getsignal(signal.SIGTERM) is not previous_handler)
        time.sleep(0.2)  # the worker has done its (empty) pass and waits
        signal.pthread_kill(threading.get_ident(), signal.SIGTERM)  # caught by this thread, not the main one

    helper = threading.Thread(target=stop_from_another_thread, daemon=True)
    helper.start()
    started = time.monotonic()
    result = app.test_cli_runner().invoke(args=["reminders", "run", "--interval", str(interval)])
    assert result.exit_code == 0, result.output
    assert "Erinnerungs-Worker beendet." in result.output
    assert time.monotonic() - started < interval / 2


def wait_for(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_run_starts_the_next_pass_at_once_while_passes_are_full(app, make_user, subscribe, push_service):
    for n in range(5):
        user = make_user()
        subscribe(user, f"phone{n}")
        queue(user, f"k{n}")
    previous_handler = signal.getsignal(signal.SIGTERM)

    def stop_when_all_arrived():
        try:
            wait_for(lambda: len(push_service.received) == 5)  # passes of 2, 2 and 1, no interval between
        finally:
            if signal.getsignal(signal.SIGTERM) is not previous_handler:
                os.kill(os.getpid(), signal.SIGTERM)

    helper = threading.Thread(target=stop_when_all_arrived, daemon=True)
    helper.start()
    result = app.test_cli_runner().invoke(args=["reminders", "run", "--interval", "60", "--limit", "2"])
    helper.join(5)
    assert result.exit_code == 0, result.output
    assert len(push_service.received) == 5
