"""A statement timeout for web requests on PostgreSQL, so that no single request holds a worker
for long: a statement that runs longer is cancelled by the server, and the request answers 503
with Retry-After like an outage (core/error_pages.py: the cancel arrives as an OperationalError,
logged as "Database unavailable on GET /path: QueryCanceled(…)").

Only requests: CLI commands (backup, restore, report exports, migrations) and the reminder worker
run outside a request and keep the server's own setting (none, unless the role or the database
sets one). Set per connection when it is checked out of the pool, and only when it changes
(once in a web process's connection's life), through the driver itself: no statement per
request, nothing in SQLAlchemy's statement events, and pg_dump never sees it (it is not in the
URL). SQLite has no such setting (its writers wait at most the busy timeout, core/database.py).

DATABASE_STATEMENT_TIMEOUT_MS (config or environment; 0 turns it off) defaults to 10 s: far
above what a page's statements take (milliseconds; the centre report at NRW scale under 130 ms,
bench/results.md), below gunicorn's 30 s timeout, which would kill the worker instead of
answering. It bounds each statement, not a request of many."""

import os

from flask import Flask, current_app, has_app_context, has_request_context
from sqlalchemy import event
from sqlalchemy.pool import Pool

DEFAULT_TIMEOUT_MS = 10_000
_APPLIED = "statement_timeout_ms"  # in the pool record's info: what this connection has now


def init_statement_timeout(app: Flask) -> None:
    """Give this app's web requests the statement timeout (a no-op on SQLite)."""
    setting = app.config.get("DATABASE_STATEMENT_TIMEOUT_MS", os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS"))
    app.extensions["statement_timeout_ms"] = DEFAULT_TIMEOUT_MS if setting in (None, "") else int(setting)


def request_timeout_ms(app: Flask) -> int | None:
    """The timeout this app's requests run under, or None when it is not installed or off."""
    timeout = app.extensions.get("statement_timeout_ms")
    return timeout or None


@event.listens_for(Pool, "checkout")
def _timeout_for_this_context(dbapi_connection, record, _proxy) -> None:
    if not has_app_context() or not _is_postgresql(dbapi_connection):
        return
    wanted = request_timeout_ms(current_app) if has_request_context() else None
    if record.info.get(_APPLIED) == wanted:  # a fresh connection has the server's setting: None
        return
    with dbapi_connection.cursor() as cursor:
        if wanted is None:
            cursor.execute("RESET statement_timeout")
        else:
            cursor.execute(f"SET statement_timeout = {int(wanted)}")
    dbapi_connection.commit()  # a SET inside a transaction that is rolled back would be undone
    record.info[_APPLIED] = wanted


def _is_postgresql(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("psycopg")
