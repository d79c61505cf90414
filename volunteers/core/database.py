"""SQLite settings that make it safe for several processes: WAL, a busy timeout, foreign keys,
and write transactions that take the write lock when they begin.

Why BEGIN IMMEDIATE: a deferred SQLite transaction that reads first and writes later fails with
"database is locked" when another process wrote in between; taking the lock up front makes
writers queue instead. Requests that may write (POST, PUT, PATCH, DELETE) begin that way; CLI
commands and workers call `begin_write()` at the start of a unit of work. Everything else reads
in a deferred transaction, which in WAL mode never waits for a writer."""
import sqlite3

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_ONLY_METHODS = ("GET", "HEAD", "OPTIONS")


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection):
    if connection.dialect.name != "sqlite":
        return
    writing = connection.get_execution_options().get("write_lock") or (
        has_request_context() and request.method not in READ_ONLY_METHODS)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def begin_write(session) -> None:
    """Start the session's next transaction as a writer (SQLite: BEGIN IMMEDIATE).
    Call before the first query of a unit of work that will write; a no-op on PostgreSQL."""
    session.connection(execution_options={"write_lock": True})
