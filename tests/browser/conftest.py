"""Headless Chromium (Debian's, never a downloaded one) against the app served on 127.0.0.1."""

import os
import sqlite3
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from volunteers.core import time
from volunteers.demo.services import seed_demo
from volunteers.extensions import db

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# One database is enough for what the browser sees (tests/conftest.py collects these on SQLite
# only); the server-side rules run on both elsewhere.


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: .ci/run must install Debian's chromium")
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium to run browser tests")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "permissions": ["notifications"], "locale": "de-DE", "timezone_id": "Europe/Berlin"}


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def console_errors(page):
    """Everything the page logs as an error, CSP violations included."""
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


# The demo as first seeded in this worker at a given minute, copied into the test's database on
# later use: seeding goes through the services (~3 s, ~300 sign-ups), a copy takes milliseconds.
# tests/availability, tests/shifts/test_holidays.py and tests/core test the seeding itself.
_demo_copies: dict[tuple, sqlite3.Connection] = {}


@pytest.fixture
def demo_data(app):
    """The demo (volunteers.demo), committed, in this test's still empty SQLite database."""
    db.session.commit()
    key = (str(db.engine.url), time.now().replace(second=0, microsecond=0))
    with db.engine.connect() as connection:
        here = connection.connection.driver_connection
        assert here.execute("SELECT count(*) FROM users").fetchone()[0] == 0, "the demo goes into an empty database"
        if key in _demo_copies:
            _demo_copies[key].backup(here)
            return
    seed_demo()
    db.session.commit()
    with db.engine.connect() as connection:
        _demo_copies[key] = sqlite3.connect(":memory:")
        connection.connection.driver_connection.backup(_demo_copies[key])
