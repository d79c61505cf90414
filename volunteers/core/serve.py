"""`flask --app wsgi serve`: the single-machine way to run Treffpunkt (what `make run` uses):
a threaded web server on 127.0.0.1 plus the background workers as child processes.
Production runs gunicorn and the workers separately (see README)."""

import gc
import os
import subprocess  # nosec B404: starts our own worker command, no shell
import sys

import click
from flask import Flask, current_app
from flask_babel import force_locale
from werkzeug.serving import run_simple

# Background workers started beside the web server: (description, flask sub-command).
WORKERS: list[tuple[str, list[str]]] = [("Erinnerungs-Worker", ["reminders", "run"])]


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=lambda: int(os.environ.get("PORT", 5000)), type=int, show_default="PORT or 5000")
def serve_command(host: str, port: int):
    """Serve the app and run its background workers until interrupted."""
    children = [_start_worker(name, args) for name, args in WORKERS]
    settle(current_app._get_current_object())
    click.echo(f"Treffpunkt läuft auf http://{host}:{port}/ (Strg+C beendet)")
    try:
        run_simple(host, port, current_app._get_current_object(), threaded=True, use_reloader=False)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=10)


def _start_worker(name: str, args: list[str]) -> subprocess.Popen:
    click.echo(f"Starte {name}: flask {' '.join(args)}")
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", *args])  # nosec B603: fixed argv


def settle(app: Flask) -> None:
    """Ready a serving process (gunicorn.conf.py calls this in every worker): compile the templates
    and load each language's data now, then leave everything made so far out of the garbage
    collector's full passes (gc.freeze). Those passes walked the app's long-lived objects and held
    up a request for about 90 ms every 30 or so (bench/results.md, scale)."""
    from ..accounts.models import LOCALES
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
