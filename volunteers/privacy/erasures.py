"""The erasure ledger: which accounts were deleted, kept outside the database, so that a restore
from a backup made before a deletion deletes the person again (DSGVO Art. 17 and backups: the
backup itself cannot be edited, but what comes back from it must not bring the person back).

One line per deleted account, `<user id>\t<UTC time>`: an id says nothing about the person once
their row is pseudonymised, so the ledger holds no personal data. It is written after the commit
that erased the rows (a rollback must not list someone who was not deleted); a crash in between
would miss one line, which `flask privacy reapply-erasures` cannot know about either. A restore
keeps the ledger as it is now: it is not part of the backup (docs/deploy.md, Backups)."""

import os
from datetime import datetime
from pathlib import Path

from flask import current_app

from ..accounts.models import User
from ..core import time
from ..extensions import db


def ledger_path() -> Path:
    return Path(current_app.config["ERASURE_LEDGER"])


def note_erasures(user_ids: list[int]) -> None:
    """Append the deleted accounts to the ledger, on disk before this returns."""
    if not user_ids:
        return
    path = ledger_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    at = time.now().isoformat()
    with path.open("a", encoding="ascii") as ledger:
        ledger.writelines(f"{user_id}\t{at}\n" for user_id in user_ids)
        ledger.flush()
        os.fsync(ledger.fileno())


def erased_ids() -> dict[int, datetime]:
    """Every account the ledger lists, with when it was first deleted; lines that cannot be read
    (a torn last line after a crash) are skipped."""
    path = ledger_path()
    if not path.is_file():
        return {}
    erased = {}
    for line in path.read_text(encoding="ascii", errors="replace").splitlines():
        user_id, _, at = line.partition("\t")
        try:
            erased.setdefault(int(user_id), datetime.fromisoformat(at))
        except ValueError:
            continue
    return erased


def undone_erasures() -> list[User]:
    """Accounts the ledger lists as deleted that the database holds undeleted: brought back by a
    restore. Only accounts made before their deletion: an id given anew is someone else."""
    erased = erased_ids()
    ids, undone = list(erased), []
    for start in range(0, len(ids), 500):
        candidates = db.session.scalars(
            db.select(User).where(User.id.in_(ids[start : start + 500]), User.deleted_at.is_(None)).order_by(User.id)
        )
        undone += [user for user in candidates if user.created_at <= erased[user.id]]
    return undone
