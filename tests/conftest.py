"""Fixtures: the clock, a real database (SQLite always, PostgreSQL when TEST_DATABASE_URL is set,
and in CI always; one database per xdist worker), the app, a test client, factories and logins
through the real login form."""

import base64
import contextvars
import os
import shutil
import tempfile
from itertools import count
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask, has_app_context
from flask.testing import FlaskClient

from tests import helpers
from tests.clock import TEST_NOW
from tests.helpers import PASSWORD
from volunteers import create_app
from volunteers.accounts import services as accounts
from volunteers.centres import services as centres
from volunteers.core import time
from volunteers.extensions import db


def _database_of_this_worker(url: str | None) -> str | None:
    """Each xdist worker tests on a PostgreSQL database of its own, made when it is missing."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    own = sa.engine.make_url(url)
    own = own.set(database=f"{own.database}_{worker}")
    server = sa.create_engine(own.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": own.database})
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{own.database}"'))
    server.dispose()
    return own.render_as_string(hide_password=False)


PG_URL = _database_of_this_worker(os.environ.get("TEST_DATABASE_URL"))
# One VAPID key for the whole run, so that no test writes one into the real instance folder.
TEST_VAPID_KEY = (
    base64.urlsafe_b64encode(
        ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value.to_bytes(32, "big")
    )
    .decode()
    .rstrip("=")
)
IN_CI = os.environ.get("CI") == "true"
if IN_CI and not PG_URL:
    raise RuntimeError("CI must test PostgreSQL too: set TEST_DATABASE_URL (.ci/run does).")

DATABASES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=pytest.mark.skipif(not PG_URL, reason="PostgreSQL tests need TEST_DATABASE_URL=postgresql+psycopg://…"),
    ),
]
_schema_ready: set[str] = set()
_serial = count(1)


def pytest_report_header():
    return f"clock: every test starts at {time.to_berlin(TEST_NOW):%Y-%m-%d %H:%M} Europe/Berlin"


def pytest_collection_modifyitems(config, items):
    """Browser tests run on SQLite only, and a test marked `database("…")` only there: the others
    are not collected rather than skipped. Each test is marked with its database, for `-m`."""
    kept, left_out = [], []
    for item in items:
        kind = getattr(item, "callspec", None) and item.callspec.params.get("app")
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.database("sqlite"))
        only = item.get_closest_marker("database")
        if kind:
            item.add_marker(kind)
        (left_out if kind and only and kind not in only.args else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


@pytest.fixture(autouse=True)
def clock():
    """Every test starts at TEST_NOW (tests/clock.py) and its clock runs on from there."""
    with time.travel(TEST_NOW):
        yield TEST_NOW


@pytest.fixture
def today(clock):
    """The test's day in Berlin."""
    return time.to_berlin(clock).date()


def database_url(kind: str, tmp_dir) -> str:
    return PG_URL if kind == "postgresql" else f"sqlite:///{tmp_dir / 'test.sqlite'}"


def config_for_tests(url: str, tmp_dir) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast in tests; production uses scrypt
        "MAIL_OUTBOX_DIR": str(tmp_dir / "mail"),
        "VAPID_PRIVATE_KEY": TEST_VAPID_KEY,
        "SERVER_NAME": None,
        "PREFERRED_URL_SCHEME": "http",  # https would make CSRF demand a Referer header
        # Links as the test client sees the app; the trusted hosts follow (localhost and 127.0.0.1,
        # for the live servers), whatever the environment says.
        "PUBLIC_BASE_URL": "http://localhost",
        "TRUSTED_HOSTS": None,
    }


# Each SQLite commit waits for the disk (fsync of the write-ahead log). The suite's databases live
# in RAM where the machine has a RAM disk: the same SQLite, WAL and locks included, a sixth faster.
RAM_DISK = Path("/dev/shm")
RAM_PREFIX = "treffpunkt-tests-"  # then the test process's pid and a random part


@pytest.fixture(scope="session")
def session_tmp(tmp_path_factory):
    if not (RAM_DISK.is_dir() and os.access(RAM_DISK, os.W_OK)):
        yield tmp_path_factory.mktemp("db")
        return
    remove_left_behind(RAM_DISK)
    folder = Path(tempfile.mkdtemp(prefix=f"{RAM_PREFIX}{os.getpid()}-", dir=RAM_DISK))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def remove_left_behind(ram_disk: Path) -> None:
    """The folders of test processes that ended without removing theirs (a crash, kill -9)."""
    for folder in ram_disk.glob(f"{RAM_PREFIX}*-*"):
        pid = folder.name.removeprefix(RAM_PREFIX).split("-")[0]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's
        pass
    return True


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as a real server does: its own app context, `g` and
    database session, not the test's. The test's own transaction ends before and after, so that
    the request sees what the test wrote and the test then sees what the request committed."""

    def open(self, *args, **kwargs):
        outermost = has_app_context()  # not when called again inside, to follow a redirect
        if outermost:
            db.session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if outermost:
            db.session.commit()
        return response


# One app per database kind and xdist worker, shared by the tests: building one costs ~50 ms
# (werkzeug compiles every route), which is most of a short test. Each test gets the app as it
# was built (config and lazily added extensions put back afterwards) and empty tables; a test
# that changes the app itself (routes, engine events) asks for its own with @pytest.mark.fresh_app.
_shared_apps: dict[str, Flask] = {}


def _new_app(url: str, tmp_dir) -> Flask:
    app = create_app(config_for_tests(url, tmp_dir))
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture(params=DATABASES)
def app(request, session_tmp, tmp_path):
    url = database_url(request.param, session_tmp)
    fresh = request.node.get_closest_marker("fresh_app") is not None
    if fresh:
        app = _new_app(url, tmp_path)
    else:
        app = _shared_apps.get(url) or _shared_apps.setdefault(url, _new_app(url, session_tmp))
    config, extensions = dict(app.config), set(app.extensions)
    app.config["MAIL_OUTBOX_DIR"] = str(tmp_path / "mail")
    app.config["ERASURE_LEDGER"] = str(tmp_path / "erasures.log")
    try:
        with app.app_context():
            if url not in _schema_ready:
                _reset_schema()
                _schema_ready.add(url)
            yield app
            db.session.remove()
            _empty_all_tables()
            if fresh:
                db.engine.dispose()
    finally:
        app.config.clear()
        app.config.update(config)
        for name in set(app.extensions) - extensions:
            del app.extensions[name]


def _reset_schema() -> None:
    """A fresh schema from the models; on PostgreSQL also dropping tables the models do not know
    (left by another branch's test run)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    else:
        db.drop_all()
    db.create_all()


def _empty_all_tables() -> None:
    """DELETE rather than TRUNCATE on PostgreSQL: TRUNCATE makes new files for every table and
    costs ~50 ms, DELETE of a test's few rows ~5 ms. Sequences start again at 1 as after a new
    schema, so that ids do not depend on which tests ran before."""
    tables = db.metadata.sorted_tables
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # One round trip: a query without parameters goes as one "simple query", statements and all.
            deletes = "".join(f'DELETE FROM "{table.name}";' for table in reversed(tables))
            connection.connection.cursor().execute(deletes + _RESTART_SEQUENCES)
        else:
            for table in reversed(tables):
                connection.execute(table.delete())


_RESTART_SEQUENCES = """
SELECT setval(format('%I', sequencename)::regclass, 1, false)
FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL"""


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(client, make_user):
    """Signs `client` in through the login form, as a new person of `role` in `centre` or as `user`;
    returns who is signed in: `coordinator = login("coordinator", centre)`."""

    def sign_in(role: str = "volunteer", centre=None, *, user=None):
        user = user or make_user(role, centre)
        helpers.login(client, user)
        return user

    return sign_in


# --- factories ------------------------------------------------------------------------


@pytest.fixture
def make_centre(app):
    def make(slug: str | None = None, **values):
        n = next(_serial)
        centre = centres.create_centre(
            name=values.pop("name", f"Kommunales Integrationszentrum Test {n}"),
            district=values.pop("district", f"Kreis Test {n}"),
            regierungsbezirk=values.pop("regierungsbezirk", "Arnsberg"),
            slug=slug or f"test-{n}",
            **values,
        )
        db.session.commit()
        return centre

    return make


@pytest.fixture
def make_meeting_point(app):
    def make(centre, **values):
        n = next(_serial)
        defaults = {
            "name": f"Treffpunkt {n}",
            "municipality": "Siegen",
            "street": f"Hauptstraße {n}",
            "postcode": "57072",
            "city": "Siegen",
            "languages": ["de", "ar"],
        }
        meeting_point = centres.create_meeting_point(centre=centre, **{**defaults, **values})
        db.session.commit()
        return meeting_point

    return make


@pytest.fixture
def make_user(app, make_centre):
    def make(
        role: str = "volunteer",
        centre=None,
        email: str | None = None,
        name: str | None = None,
        password: str = PASSWORD,
    ):
        if centre is None and role in ("volunteer", "coordinator", "lead"):
            centre = make_centre()
        n = next(_serial)
        user = accounts.create_user(
            email=email or f"person{n}@example.org",
            name=name or f"Person {n}",
            password=password,
            role=role,
            centre=centre,
        )
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_shift(app, make_centre, make_meeting_point):
    """A published shift (by default tomorrow 16–18 h Berlin) at a new or given meeting point."""
    from datetime import datetime, timedelta

    from volunteers.core import time
    from volunteers.shifts.planning import ShiftValues, create_shift

    def make(meeting_point=None, *, starts=None, hours: float = 2, publish: bool = True, **values):
        meeting_point = meeting_point or make_meeting_point(make_centre())
        if starts is None:
            tomorrow = time.to_berlin(time.now()).date() + timedelta(days=1)
            starts = time.berlin_local(datetime.combine(tomorrow, datetime.min.time()).replace(hour=16))
        shift_values = ShiftValues(
            meeting_point=meeting_point,
            activity=values.pop("activity", "sprachcafe"),
            **{"capacity_min": 1, "capacity_max": 2, **values},
        )
        shift = create_shift(
            centre=meeting_point.centre,
            values=shift_values,
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
            publish=publish,
        )
        db.session.commit()
        return shift

    return make
