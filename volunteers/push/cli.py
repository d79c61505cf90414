"""`flask reminders send-due` (one pass, for cron) and `flask reminders run` (the worker loop)."""

import logging
import signal
import threading
import time
from contextlib import contextmanager

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from .worker import send_due

log = logging.getLogger(__name__)
# The kernel hands SIGTERM to any thread of the process (the pusher's pool, say), and Python runs
# the handler only once the main thread wakes up: it waits in slices this long, not a whole interval.
SIGNAL_CHECK_SECONDS = 0.2

reminders_cli = AppGroup("reminders", help="Erinnerungen und andere Push-Benachrichtigungen versenden.")


@reminders_cli.command("send-due")
@click.option("--limit", default=100, show_default=True, help="Höchstens so viele Benachrichtigungen.")
def send_due_command(limit: int):
    """Fällige Benachrichtigungen einmal versenden (für cron)."""
    counts = send_due(limit=limit)
    click.echo(_summary(counts))


@reminders_cli.command("run")
@click.option("--interval", default=5.0, show_default=True, help="Sekunden zwischen zwei Durchläufen.")
@click.option("--limit", default=100, show_default=True, help="Höchstens so viele je Durchlauf.")
def run_command(interval: float, limit: int):
    """Fällige Benachrichtigungen laufend versenden, bis SIGTERM oder Strg+C kommt."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # urllib3 logs request lines with the endpoint's path, which is the subscription's secret.
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    app = current_app._get_current_object()
    with _stop_on_signals() as stop:
        click.echo(f"Erinnerungs-Worker läuft (alle {interval:g} s).")
        while not stop.is_set():
            if not _one_pass(app, limit):
                _pause(stop, interval)
    click.echo("Erinnerungs-Worker beendet.")


def _one_pass(app, limit: int) -> bool:
    """Whether the pass did its whole limit: then more is probably due, and the next pass starts
    at once (a backlog of 10,000 would otherwise take 100 intervals)."""
    # A fresh app context per pass: its own database session, nothing carried over.
    with app.app_context():
        try:
            counts = send_due(limit=limit)
        except Exception:  # e.g. the database restarting: log it and try again next pass
            db.session.rollback()
            log.exception("reminder pass failed")
            return False
    return not counts["released"] and counts.total() >= limit


def _pause(stop: threading.Event, seconds: float) -> None:
    """Until `seconds` have passed or `stop` is set, whichever thread the signal went to."""
    deadline = time.monotonic() + seconds
    while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
        stop.wait(min(left, SIGNAL_CHECK_SECONDS))


@contextmanager
def _stop_on_signals():
    """An Event set by SIGTERM or SIGINT, so the loop ends after the pass it is in."""
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _summary(counts) -> str:
    if not counts:
        return "Nichts fällig."
    return " ".join(f"{status}={count}" for status, count in sorted(counts.items()))
