"""While the database cannot be reached, people get the app's own answer: a 503 page with
Retry-After in their language, the API's error format for scripts, /healthz says "error"; and
once it is back, the same session works again without a restart. The outage is real: SQLite's
folder is taken away, PostgreSQL stops accepting connections and ends the app's ones."""

import socket
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import config_for_tests
from tests.helpers import csrf_token, post_form
from volunteers import create_app
from volunteers.core import liveness
from volunteers.extensions import db

# The tests add routes of their own.
pytestmark = pytest.mark.fresh_app

UNAVAILABLE = {
    "de": "Treffpunkt ist gerade nicht erreichbar.",
    "en": "Treffpunkt is not available right now.",
    "ar": "Treffpunkt غير متاح حاليًا.",
    "uk": "Treffpunkt зараз недоступний.",
}


@pytest.fixture
def app(app, tmp_path):
    """The shared app on PostgreSQL; on SQLite one whose database lies in a folder of its own,
    which the test may take away."""
    if db.engine.dialect.name != "sqlite":
        yield app
        return
    folder = tmp_path / "database"
    folder.mkdir()
    own = create_app(config_for_tests(f"sqlite:///{folder / 'treffpunkt.sqlite'}", tmp_path))
    own.test_client_class = app.test_client_class
    with own.app_context():
        db.create_all()
        yield own
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def database_down(app):
    """`with database_down():` the app's database cannot be reached; afterwards it is back."""
    engine = db.engine

    @contextmanager
    def outage():
        db.session.commit()  # the test holds no connection into the outage
        if engine.dialect.name == "sqlite":
            with _sqlite_folder_gone(Path(engine.url.database).parent, engine):
                yield
        else:
            with _postgresql_refusing(engine.url):
                yield

    return outage


@contextmanager
def _sqlite_folder_gone(folder: Path, engine):
    # An open SQLite connection keeps its files: the pool's go, as after a restart of the process
    # while the disk is gone. Renaming the folder works for root too (chmod 000 does not).
    engine.dispose()
    away = folder.with_name(folder.name + "-away")
    folder.rename(away)
    try:
        yield
    finally:
        away.rename(folder)


@contextmanager
def _postgresql_refusing(url: sa.URL):
    """No new connections to the database, and the app's open ones ended, as in a restart."""
    server = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    name = url.database

    def allow(allowed: bool):
        with server.connect() as connection:
            connection.execute(sa.text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {str(allowed).lower()}'))
            if not allowed:
                connection.execute(
                    sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                    {"name": name},
                )

    allow(False)
    try:
        yield
    finally:
        allow(True)
        server.dispose()


def assert_unavailable_page(response, locale: str):
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page[:300]
    assert response.headers["Retry-After"].isdigit()
    assert response.mimetype == "text/html"
    assert f'<html lang="{locale}"' in page
    assert UNAVAILABLE[locale] in page
    assert "Traceback" not in page and "Abmelden" not in page


def assert_unavailable_json(response):
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert response.headers["Retry-After"].isdigit()
    error = response.get_json()["error"]
    assert error["code"] == "unavailable" and UNAVAILABLE["de"] in error["message"]


@pytest.mark.parametrize(
    ("accept_language", "locale"),
    [(None, "de"), ("en-GB,en;q=0.8", "en"), ("ar", "ar"), ("uk-UA", "uk"), ("fr", "de")],
)
def test_a_signed_in_page_answers_503_in_the_request_language_then_works_again(
    client, login, database_down, accept_language, locale
):
    login("volunteer")
    assert client.get("/my/shifts").status_code == 200
    headers = {"Accept-Language": accept_language} if accept_language else {}
    with database_down():
        assert_unavailable_page(client.get("/my/shifts", headers=headers), locale)
        assert_unavailable_page(client.get("/", headers=headers), locale)
    page = client.get("/my/shifts")
    assert page.status_code == 200 and "Abmelden" in page.get_data(as_text=True)


def test_a_form_sent_while_the_database_is_down_answers_503(client, login, database_down):
    login("volunteer")
    token = csrf_token(client)
    with database_down():
        response = client.post("/settings/notifications", data={"csrf_token": token, "notify_channel": "email"})
        assert_unavailable_page(response, "de")
    assert client.get("/settings").status_code == 200


def test_api_and_push_calls_answer_503_in_the_api_format_then_work_again(client, login, database_down):
    login("volunteer")
    token = csrf_token(client)
    with database_down():
        assert_unavailable_json(client.get("/api/v1/me/shifts"))
        assert_unavailable_json(client.post("/push/test", headers={"X-CSRFToken": token}))
        assert_unavailable_json(client.get("/my/shifts", headers={"Accept": "application/json"}))
    assert client.get("/api/v1/me/shifts").status_code == 200
    refused = client.post("/push/test", headers={"X-CSRFToken": token})  # as usual: the person has no device
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (409, "no_device")


@pytest.mark.database("postgresql")  # a server that ends a connection in the middle of a transaction
def test_a_form_whose_connection_is_ended_mid_transaction_answers_503(app, client, login):
    """A restart or fail-over between two statements of a writing request: the rollback that
    follows must not fail on the connection that went away (core/database.py)."""
    server = sa.create_engine(db.engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")

    @app.post("/test/ended")
    def ended():
        pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
        with server.connect() as connection:
            connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        db.session.execute(sa.text("SELECT 1"))
        return "", 204

    login("volunteer")
    try:
        assert_unavailable_page(post_form(client, "/test/ended"), "de")
    finally:
        server.dispose()
    assert client.get("/my/shifts").status_code == 200


@pytest.mark.database("postgresql")
def test_the_first_request_after_the_server_ended_every_connection_succeeds(app, client, login):
    """A restart between two requests leaves the pool's connections dead. Nothing pings them
    (no pool_pre_ping): the socket tells that the server ended them (core/liveness.py)."""
    login("volunteer")
    for _ in range(3):
        assert client.get("/my/shifts").status_code == 200
    db.session.remove()
    assert db.engine.pool.checkedin() >= 1
    server = sa.create_engine(db.engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            ended = connection.scalar(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": db.engine.url.database},
            )
    finally:
        server.dispose()
    assert ended >= 1
    page = client.get("/my/shifts")
    assert page.status_code == 200 and "Abmelden" in page.get_data(as_text=True)
    assert client.get("/healthz").get_json() == {"status": "ok"}


@pytest.mark.database("postgresql")
def test_a_connection_the_server_keeps_is_used_again(app, client, login):
    """The socket check finds nothing to read on a live connection: no new connection per request
    (a check that saw something there would silently connect anew every time)."""
    login("volunteer")
    assert client.get("/my/shifts").status_code == 200
    connects = []

    def count(*_):
        connects.append(1)

    sa.event.listen(db.engine, "connect", count)
    try:
        for _ in range(5):
            assert client.get("/my/shifts").status_code == 200
            assert client.get("/healthz").get_json() == {"status": "ok"}
    finally:
        sa.event.remove(db.engine, "connect", count)
    assert connects == []


def test_healthz_says_error_while_the_database_is_down(client, database_down):
    with database_down():
        response = client.get("/healthz")
        assert (response.status_code, response.get_json()) == (503, {"status": "error"})
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_the_not_found_page_of_a_signed_in_person_asks_the_database_nothing(app, client, login):
    login("volunteer")
    statements = []

    def record(_connection, _cursor, statement, *_):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get("/no-such-page")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 404
    assert statements == []


# --- a PostgreSQL server that does not answer at all ------------------------------------------


@pytest.fixture
def silent_server():
    """A port that accepts TCP connections and never says anything, like a host behind a
    partition: without a connect timeout libpq waits for ever."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield listener.getsockname()[1]
    listener.close()


@pytest.mark.parametrize(
    ("given", "timeout"),
    [("postgres://treffpunkt@db/treffpunkt", "3"), ("postgresql://t@db/t?connect_timeout=9", "9")],
)
def test_postgresql_urls_get_a_connect_timeout_unless_they_name_one(monkeypatch, given, timeout):
    monkeypatch.setenv("DATABASE_URL", given)
    monkeypatch.setenv("SECRET_KEY", "x")
    url = sa.make_url(create_app().config["SQLALCHEMY_DATABASE_URI"])
    assert (url.drivername, url.query["connect_timeout"]) == ("postgresql+psycopg", timeout)


def test_healthz_answers_503_soon_when_postgresql_does_not_answer(monkeypatch, silent_server):
    monkeypatch.setenv("DATABASE_URL", f"postgresql://treffpunkt@127.0.0.1:{silent_server}/treffpunkt")
    monkeypatch.setenv("SECRET_KEY", "x")
    app = create_app({"TESTING": True})
    answers = []
    asking = threading.Thread(target=lambda: answers.append(app.test_client().get("/healthz")), daemon=True)
    asking.start()
    asking.join(15)  # the connect timeout is 3 s; without one this waits until the listener closes
    assert answers, "/healthz was still waiting for the database"
    assert (answers[0].status_code, answers[0].get_json()) == (503, {"status": "error"})


@pytest.mark.database("postgresql")
def test_a_connection_lost_after_the_answer_does_not_turn_it_into_a_bare_500(app, client, caplog):
    """The server can drop the connection between a read's view and its teardown (a restart). The
    rollback at teardown then fails outside every error handler; the answer stays as it was."""

    @app.get("/test/answer-then-lose-the-connection")
    def answer_then_lose_the_connection():
        pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
        with sa.create_engine(db.engine.url).connect() as other:
            other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return "answered"

    response = client.get("/test/answer-then-lose-the-connection")

    assert response.status_code == 200
    assert response.text == "answered"
    assert "Session not closed cleanly" in caplog.text
    assert client.get("/healthz").status_code == 200  # the pool replaced the connection


@pytest.mark.database("postgresql")
def test_a_server_that_ends_each_new_connection_at_once_answers_503_not_500(app, client, login, monkeypatch):
    """During a restart the server may end a connection it has just accepted: the pool's second
    try then finds that one ended too. The socket check is made to see every connection ended,
    old and new, as then."""
    login("volunteer")
    assert client.get("/my/shifts").status_code == 200
    monkeypatch.setattr(liveness, "_has_something_to_read", lambda _pgconn: True)
    assert_unavailable_page(client.get("/my/shifts"), "de")
    health = client.get("/healthz")
    assert (health.status_code, health.get_json()) == (503, {"status": "error"})
    monkeypatch.undo()
    assert client.get("/my/shifts").status_code == 200
