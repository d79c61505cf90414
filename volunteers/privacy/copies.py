"""Copies of a deleted person's data outside the rows: mails waiting in the instance's mail folder
(development's outbox, MAIL_OUTBOX_DIR) and, on SQLite, the old pages in the write-ahead log; and
the note in the erasure ledger that a restore will need (erasures.py).
Run after the commit that erased the rows: before it, a rollback would have lost them for nothing."""

from email.parser import BytesHeaderParser
from email.utils import getaddresses
from pathlib import Path

from flask import current_app

from ..extensions import db
from .erasures import note_erasures


def erase_copies(*, emails: list[str], user_ids: list[int]) -> None:
    delete_outbox_mails(emails=emails)
    checkpoint_sqlite()
    note_erasures(user_ids)


def delete_outbox_mails(*, emails: list[str]) -> int:
    """Delete the .eml files addressed to any of `emails`; returns how many."""
    folder = Path(current_app.config["MAIL_OUTBOX_DIR"])
    wanted = {email.casefold() for email in emails}
    deleted = 0
    for path in folder.glob("*.eml") if folder.is_dir() else ():
        if wanted & _recipients(path):
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


def _recipients(path: Path) -> set[str]:
    with path.open("rb") as file:
        headers = BytesHeaderParser().parse(file)
    fields = [str(value) for name in ("To", "Cc", "Bcc") for value in headers.get_all(name, [])]
    return {address.casefold() for _name, address in getaddresses(fields) if address}


def checkpoint_sqlite() -> None:
    """Copy the write-ahead log into the database file and empty it: until then the WAL holds the
    pages as they were before the deletion. (secure_delete, core/database.py, overwrites what the
    deletion freed in the database file itself.)"""
    if db.engine.dialect.name != "sqlite":
        return
    connection = db.engine.raw_connection()  # outside any transaction: a checkpoint cannot run inside one
    try:
        connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
