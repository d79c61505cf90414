"""`flask --app wsgi serve`: the single-machine way to run Treffpunkt (what `make run` uses):
a threaded web server on 127.0.0.1 plus the background workers as child processes.
Production runs gunicorn and the workers separately (see README)."""

import gc
import os
import signal
import subprocess  # nosec B404: starts our own worker command, no shell
import sys
from time import monotonic

import click
from flask import Flask, current_app
from flask_babel import force_locale
from werkzeug.serving import run_simple

from .logs import redact_request_log

# Background workers started beside the web server: (description, flask sub-command).
WORKERS: list[tuple[str, list[str]]] = [("Erinnerungs-Worker", ["reminders", "run"])]
# Seconds the workers get to finish their pass once asked to stop; then they are killed.
STOP_TIMEOUT = 10.0


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=lambda: int(os.environ.get("PORT", 5000)), type=int, show_default="PORT or 5000")
def serve_command(host: str, port: int):
    """Serve the app and run its background workers until interrupted (Ctrl+C or SIGTERM)."""
    app = current_app._get_current_object()
    # Python's default SIGTERM ends the process without unwinding, which left the workers running
    # without their server; a service manager stops us with SIGTERM, so it must end us as Ctrl+C does.
    signal.signal(signal.SIGTERM, _interrupt)
    children: list[subprocess.Popen] = []
    try:
        for name, args in WORKERS:
            children.append(_start_worker(name, args))
        settle(app)
        redact_request_log()  # no reset or feed token in the request log
        click.echo(f"Treffpunkt läuft auf http://{host}:{port}/ (Strg+C beendet)")
        run_simple(host, port, app, threaded=True, use_reloader=False)  # returns on KeyboardInterrupt
    finally:
        stop_workers(children)


def _interrupt(_signum, _frame) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the shutdown short
    raise KeyboardInterrupt


def _start_worker(name: str, args: list[str]) -> subprocess.Popen:
    click.echo(f"Starte {name}: flask {' '.join(args)}")
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", *args])  # nosec B603: fixed argv


def stop_workers(children: list[subprocess.Popen], timeout: float = STOP_TIMEOUT) -> None:
    """Ask every worker to stop (SIGTERM), wait for them together, kill those still running after `timeout`."""
    for child in children:
        child.terminate()
    deadline = monotonic() + timeout
    for child in children:
        try:
            child.wait(timeout=max(deadline - monotonic(), 0))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def settle(app: Flask) -> None:
    """Ready a serving process (gunicorn.conf.py calls this in every worker): compile the templates
    and load each language's data now, then leave everything made so far out of the garbage
    collector's full passes (gc.freeze). Those passes walked the app's long-lived objects and held
    up a request for about 90 ms every 30 or so (bench/results.md, scale)."""
    from .i18n import LOCALES
    from .templating import catalogue, format_datetime, format_day
    from .time import now

    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
    with app.test_request_context():
        for locale in LOCALES:
            with force_locale(locale):
                catalogue()
                format_day(now())
                format_datetime(now(), "short")
    gc.freeze()
