"""A GET that must write. The issue fixes GET for the certificate download, and the confirmation
PDF and a failed check leave a trace; but reads commit nothing (core/transactions.py). So these
run their own unit of work: a fresh writer transaction (SQLite: BEGIN IMMEDIATE, so that it never
has to upgrade a reader), committed here, rolled back on any error."""

from contextlib import contextmanager

from ..core.database import begin_write
from ..extensions import db


@contextmanager
def writing_unit():
    db.session.rollback()  # ends the request's reading transaction (the login was read in it)
    begin_write(db.session)
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
