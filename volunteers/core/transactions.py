"""One commit per request, in one place, as Indico's RH.process does: views and API handlers never
commit or roll back themselves; services flush.

A request that may write (POST, PUT, PATCH, DELETE) commits once after its view answered with a
success or a redirect, and rolls back when the view raised or answered with an error; the error
handlers then turn an exception into the error page or the API's error format. The commit comes
before the response goes out, so a failing commit ends on the error page like any exception of a
view, never on a success page. Reads commit nothing: their transaction ends at teardown, with a
COMMIT where it wrote nothing (see _end_read), else with a rollback.
What may only happen once the changes are safe (a mail, signing in) goes to after_commit().

On SQLite a writing request began as a writer (core/database.py); its commit or rollback here is
where it leaves the writers' queue. CLI commands and the push worker commit their own unit of work."""

import sqlalchemy as sa
from flask import Flask, current_app, g, request, session
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from .database import READ_ONLY_METHODS

WROTE = "wrote"  # in session.info: this transaction flushed, or ran an INSERT, UPDATE or DELETE


class TransactionalFlask(Flask):
    """Flask that runs each writing request's view in one database transaction (see above)."""

    def dispatch_request(self):
        if request.method in READ_ONLY_METHODS:
            return super().dispatch_request()
        try:
            response = self.make_response(super().dispatch_request())
        except Exception:
            _end_transaction(commit=g.get("commit_despite_error", False))
            raise
        _end_transaction(commit=response.status_code < 400 or g.get("commit_despite_error", False))
        return response


def after_commit(callback) -> None:
    """Run `callback` once this request's changes are committed: a mail about them, signing in to
    an account just made. A request that rolls back drops it."""
    g.setdefault("after_commit", []).append(callback)


def commit_despite_error() -> None:
    """Commit this request's changes even though it answers with an error: a counted login
    failure must stay counted."""
    g.commit_despite_error = True


def _end_transaction(*, commit: bool) -> None:
    if not commit:
        db.session.rollback()
        return
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        # Its messages said it worked: the error page must not show them (older ones waiting go too).
        session.pop("_flashes", None)
        raise
    for callback in g.pop("after_commit", []):
        callback()


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context) -> None:
    session.info[WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_write(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_write(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(WROTE, None)


def _end_read(session: Session) -> None:
    """End a read's transaction with a COMMIT where it wrote nothing: for the database the same as
    a rollback, but psycopg forgets every prepared statement at a ROLLBACK (it cannot know what the
    transaction undid). With a rollback per request no statement reached its fifth run, when
    psycopg prepares it, and PostgreSQL parsed and planned every statement of every page anew
    (bench/results.md, session 11). A read that wrote after all is rolled back, as before."""
    transaction = session.get_transaction()  # None before any statement; inactive after a failed flush
    pending = session.new or session.dirty or session.deleted
    if transaction is not None and transaction.is_active and not session.info.get(WROTE) and not pending:
        session.commit()


def init_transactions(app: Flask) -> None:
    """Call after db.init_app: teardown functions run in reverse order, so this one ends the
    session before Flask-SQLAlchemy's own teardown would."""

    @app.teardown_request
    def end_read(_error):
        if request.method in READ_ONLY_METHODS and db.session.registry.has():  # not one made for nothing
            _quietly(lambda: _end_read(db.session()))

    @app.teardown_appcontext
    def end_session_quietly(_error):
        _quietly(db.session.remove)


def _quietly(end) -> None:
    # A database that went away after the answer was made must not turn it into the server's bare
    # 500 page: ending the session at teardown fails on the dead connection outside every error
    # handler. The answer is already complete; forget the session and let the pool replace it.
    try:
        end()
    except sa.exc.DBAPIError as error:
        current_app.logger.warning("Session not closed cleanly: %s", type(error.orig).__name__)
        db.session.registry.clear()
