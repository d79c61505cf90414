"""A pooled PostgreSQL connection that the server has ended is not handed out again.

Why not the pool's pre-ping: it sends `SELECT 1` at every checkout, one more round trip for every
request, about a quarter of a feed's 304 (bench/results.md, session 9). A server that ends a connection
(a restart, a fail-over, pg_terminate_backend, idle_session_timeout) first sends its reason and
then closes the socket, so an idle connection that has anything to read has been ended: nothing
else arrives unasked, since the app never LISTENs. Asking the socket costs a few microseconds
and no round trip.

What it cannot see is a peer that vanished without closing (a cable, a host gone), but neither
can a ping: it would wait for TCP to give up. A connection ended mid-request fails that request
with the 503 of core/error_pages.py, as before. So does a connection the server ended right after
it accepted it (a restart under way): the pool would try once more and then give up with
SQLAlchemy's "This connection is closed", which no error handler can tell from a bug (a 500)."""

import select

import psycopg
from sqlalchemy import event, exc
from sqlalchemy.pool import Pool

NEW = "not_checked_out_yet"  # in a pool entry's record_info, from its connection's opening to its first checkout


@event.listens_for(Pool, "connect")
def _note_new_connection(_dbapi_connection, record):
    record.record_info[NEW] = True


@event.listens_for(Pool, "checkout")
def _refuse_ended_connection(dbapi_connection, record, _proxy):
    new = record.record_info.pop(NEW, False)
    pgconn = getattr(dbapi_connection, "pgconn", None)  # psycopg; SQLite's file has no server to end it
    if pgconn is None:
        return
    if dbapi_connection.closed or _has_something_to_read(pgconn):
        if new:  # SQLAlchemy wraps it as OperationalError: the 503 of an outage
            raise psycopg.OperationalError("the database server ended a connection it had just accepted")
        # The pool opens a new connection in its place. This one only: after a restart each of the
        # others is found out the same way at its own checkout, and one ended by a timeout or by
        # pg_terminate_backend leaves the healthy ones alone.
        raise exc.DisconnectionError("the database server ended this connection")


def _has_something_to_read(pgconn) -> bool:
    try:
        socket_fd = pgconn.socket
    except psycopg.OperationalError:  # libpq has closed it already
        return True
    poll = select.poll()  # not select(): it fails for descriptors above 1023
    poll.register(socket_fd, select.POLLIN | select.POLLPRI)
    return bool(poll.poll(0))
