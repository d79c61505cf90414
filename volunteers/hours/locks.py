"""Locks taken before hours are checked and written, so that what a check saw still holds at commit.

PostgreSQL: row locks, always in this order, so that two transactions never wait for each other in
a circle (a transaction may skip a step, never go back one):

1. the centre's report periods, through the centre's row: FOR SHARE by everyone who writes hours
   (they do not wait for one another), FOR NO KEY UPDATE by whoever creates or closes a period.
   Closing thus waits for the hours being written and then sees them in the figures it freezes,
   and hours written afterwards see the period closed. New rows that point to the centre take only
   KEY SHARE, which neither mode blocks.
2. the person whose hours are written (FOR NO KEY UPDATE, as shifts/signups.py locks a person): one
   person's entries of a day are added up one transaction at a time (at most 24 hours).
3. the entries, by id: a second approval or correction waits, then reads the first one's result.

Locked rows are read again (populate_existing): the objects a view loaded before may be stale.

SQLite has one write lock for the whole database. A writing request takes it when it begins
(core/database.py); a unit of work outside a request (CLI, tests) takes it here, before the first
read, through begin_write(). Locking clauses are then no-ops."""

import sqlalchemy as sa

from ..accounts.models import User
from ..centres.models import Centre
from ..core.database import begin_write
from ..extensions import db
from .models import HoursEntry


def _begin() -> None:
    # Inside a request (or an open unit of work) the transaction has begun as a writer already.
    if not db.session().in_transaction():
        begin_write(db.session)


def lock_periods(centre_id: int, *, exclusive: bool = False) -> None:
    """Step 1: shared by writers of hours, exclusive to create or close a period."""
    _begin()
    query = sa.select(Centre.id).where(Centre.id == centre_id)
    db.session.execute(query.with_for_update(key_share=True) if exclusive else query.with_for_update(read=True))


def lock_person(person_id: int) -> None:
    """Step 2: the person whose entries are added up."""
    _begin()
    db.session.execute(sa.select(User.id).where(User.id == person_id).with_for_update(key_share=True))


def lock_entries(ids) -> list[HoursEntry]:
    """Step 3: entries, in the order of their ids, read again under the lock."""
    _begin()
    return list(
        db.session.scalars(
            sa.select(HoursEntry)
            .where(HoursEntry.id.in_(list(ids)))
            .order_by(HoursEntry.id)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
    )
