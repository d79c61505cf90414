"""One commit per request, in one place, as Indico's RH.process does: views and API handlers never
commit or roll back themselves; services flush.

A request that may write (POST, PUT, PATCH, DELETE) commits once after its view answered with a
success or a redirect, and rolls back when the view raised or answered with an error; the error
handlers then turn an exception into the error page or the API's error format. The commit comes
before the response goes out, so a failing commit ends on the error page like any exception of a
view, never on a success page. Reads commit nothing: their transaction ends at teardown.
What may only happen once the changes are safe (a mail, signing in) goes to after_commit().

On SQLite a writing request began as a writer (core/database.py); its commit or rollback here is
where it leaves the writers' queue. CLI commands and the push worker commit their own unit of work."""

import sqlalchemy as sa
from flask import Flask, current_app, g, request, session

from ..extensions import db
from .database import READ_ONLY_METHODS


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


def init_transactions(app: Flask) -> None:
    """Call after db.init_app: teardown functions run in reverse order, so this one ends the
    session before Flask-SQLAlchemy's own teardown would."""

    @app.teardown_appcontext
    def end_session_quietly(_error):
        # A database that went away after the answer was made must not turn it into the server's
        # bare 500 page: the rollback at teardown fails on the dead connection outside every error
        # handler. The answer is already complete; forget the session and let the pool replace it.
        try:
            db.session.remove()
        except sa.exc.DBAPIError as error:
            current_app.logger.warning("Session not closed cleanly: %s", type(error.orig).__name__)
            db.session.registry.clear()
