"""No web request holds a worker for long on PostgreSQL: a statement that runs past
DATABASE_STATEMENT_TIMEOUT_MS is cancelled and the request answers 503 with Retry-After (the page,
or the error format), logged; the next request on the same connection works. Outside a request
(CLI commands, the reminder worker) the same statement runs to the end."""

import logging

import pytest
import sqlalchemy as sa

from volunteers import create_app
from volunteers.core.statement_timeout import DEFAULT_TIMEOUT_MS, init_statement_timeout, request_timeout_ms
from volunteers.extensions import db

pytestmark = [pytest.mark.database("postgresql"), pytest.mark.fresh_app]

TIMEOUT_MS = 300
LONGER = 1.0  # seconds: clearly past the timeout, and short enough for the suite


def _sleep(seconds: float) -> str:
    db.session.execute(sa.text("SELECT pg_sleep(:seconds)"), {"seconds": seconds})
    return "done"


def _setting() -> dict:
    return {"statement_timeout": db.session.scalar(sa.text("SHOW statement_timeout"))}


@pytest.fixture
def app(app):
    """The test app with a short timeout and routes that run a statement as long as they are told."""
    app.config["DATABASE_STATEMENT_TIMEOUT_MS"] = TIMEOUT_MS
    init_statement_timeout(app)
    app.add_url_rule("/test/sleep/<float:seconds>", "test_sleep", _sleep)
    app.add_url_rule("/api/v1/test/sleep/<float:seconds>", "test_api_sleep", _sleep)
    app.add_url_rule("/test/setting", "test_setting", _setting)
    return app


def test_a_statement_past_the_timeout_answers_503_and_the_next_request_works(app, client, caplog):
    # A migration run earlier in this process (alembic's fileConfig) disables existing loggers.
    disabled, app.logger.disabled = app.logger.disabled, False
    try:
        with caplog.at_level(logging.WARNING, logger=app.logger.name):
            response = client.get(f"/test/sleep/{LONGER}")
    finally:
        app.logger.disabled = disabled
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page[:300]
    assert response.headers["Retry-After"].isdigit()
    assert response.mimetype == "text/html" and "Treffpunkt ist gerade nicht erreichbar." in page
    assert "statement timeout" in caplog.text
    assert client.get("/test/sleep/0.0").status_code == 200
    assert client.get("/test/setting").get_json() == {"statement_timeout": f"{TIMEOUT_MS}ms"}


def test_the_api_answers_a_timeout_in_its_error_format(client):
    response = client.get(f"/api/v1/test/sleep/{LONGER}")
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert response.headers["Retry-After"].isdigit()
    assert response.get_json()["error"]["code"] == "unavailable"


def test_outside_a_request_the_statement_runs_to_the_end(app, client):
    """As in `flask backup`, `flask report …` and the reminder worker: an app context, no request.
    After a request has set the timeout on a connection, the pool hands it back without."""
    assert client.get("/test/setting").get_json() == {"statement_timeout": f"{TIMEOUT_MS}ms"}
    db.session.commit()
    for _ in range(3):  # whichever pooled connection comes
        assert db.session.scalar(sa.text("SHOW statement_timeout")) != f"{TIMEOUT_MS}ms"
        assert db.session.scalar(sa.text("SELECT pg_sleep(:s)::text"), {"s": LONGER}) == ""
        db.session.commit()


def test_zero_turns_it_off(app, client):
    app.config["DATABASE_STATEMENT_TIMEOUT_MS"] = 0
    init_statement_timeout(app)
    assert request_timeout_ms(app) is None
    assert client.get(f"/test/sleep/{LONGER}").status_code == 200


def test_create_app_installs_it_with_ten_seconds(app):
    """Every app the project makes has it; the default comes from DATABASE_STATEMENT_TIMEOUT_MS or 10 s."""
    own = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SERVER_NAME": None})
    own.add_url_rule("/test/setting", "test_setting", _setting)
    assert request_timeout_ms(own) == DEFAULT_TIMEOUT_MS
    with own.app_context():
        try:
            assert own.test_client().get("/test/setting").get_json() == {"statement_timeout": "10s"}
        finally:
            db.engine.dispose()
