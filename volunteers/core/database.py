"""SQLite settings that make it safe for several processes: WAL, a busy timeout, foreign keys,
and write transactions that take the write lock when they begin.

Why BEGIN IMMEDIATE: a deferred SQLite transaction that reads first and writes later fails with
"database is locked" when another process wrote in between; taking the lock up front makes
writers queue instead. Requests that may write (POST, PUT, PATCH, DELETE) begin that way; CLI
commands and workers call `begin_write()` at the start of a unit of work. Everything else reads
in a deferred transaction, which in WAL mode never waits for a writer.

Why a lock file as well: SQLite lets a waiting writer poll with growing sleeps, and a process that
writes again at once wins every time. Two gunicorn workers signing people up kept one of them out
for seconds (bench/results.md, scale). Writers therefore first queue for an flock on
`<database>-writers`, which the kernel hands over as soon as it is free, and let go of it when
their transaction ends. Each connection opens its own file, so threads queue as well."""

import fcntl
import sqlite3

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

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
    # Deleted and overwritten rows are zeroed on disk, not left in free pages: an erased person
    # (DSGVO Art. 17) must not be readable from the file. Costs some writes; SQLite is the small setup.
    cursor.execute("PRAGMA secure_delete=ON")
    path = cursor.execute("PRAGMA database_list").fetchone()[2]  # "" for an in-memory database
    cursor.close()
    if path:
        _close_writers_queue(None, _record)  # a reconnect of the same pool entry
        _record.info["writers_queue"] = open(f"{path}-writers", "a")  # noqa: SIM115 - the file lives as long as the connection


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection):
    if connection.dialect.name != "sqlite":
        return
    writing = connection.get_execution_options().get("write_lock") or (
        has_request_context() and request.method not in READ_ONLY_METHODS
    )
    queue = connection.info.get("writers_queue")
    if writing and queue is not None:
        fcntl.flock(queue, fcntl.LOCK_EX)
        connection.info["in_writers_queue"] = True
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")
    except Exception:
        _leave_writers_queue(connection)
        raise


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _leave_writers_queue(connection):
    # A connection that went away (a disconnect, an interrupt) closed its queue file with it
    # (_close_writers_queue); asking its info would fail the rollback that must follow.
    if connection.invalidated:
        return
    if connection.info.pop("in_writers_queue", False):
        fcntl.flock(connection.info["writers_queue"], fcntl.LOCK_UN)


@event.listens_for(Pool, "close")
@event.listens_for(Pool, "invalidate")
def _close_writers_queue(_dbapi_connection, record, *_exception):
    """A connection that goes away mid-transaction must not keep the others waiting."""
    queue = record.info.pop("writers_queue", None)
    if queue is not None:
        queue.close()  # closing the file releases its flock
    record.info.pop("in_writers_queue", None)


def begin_write(session) -> None:
    """Start the session's next transaction as a writer (SQLite: BEGIN IMMEDIATE).
    Call before the first query of a unit of work that will write; a no-op on PostgreSQL."""
    session.connection(execution_options={"write_lock": True})
