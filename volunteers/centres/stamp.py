"""The change stamp of each centre, raised by every write that changes what the centre's pages,
feeds or reports show, in the transaction of that write.

One place, not a call in every service: a session listener notes the centres that a flush
touches (the rows of the kinds in WATCHED, a person's name in every centre they belong to) and
a bulk UPDATE or DELETE on those tables touches the centres of the rows it matches; the commit
raises each noted centre's stamp once, with one statement. What keeps computed results (report
figures, feed ETags) keys them by the stamps and never has to know which write happened.

The raise comes last, just before the commit: its row lock serialises the commits of one centre's
writers, not their whole transactions (two sign-ups for different shifts of a centre wait for each
other only for the commit itself). Readers in a transaction that touched a centre must not keep
what they compute (`touched_in_transaction`): the stamp moves only at its commit, and a rollback
would leave a kept result that no stamp describes."""

import secrets
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, attributes
from sqlalchemy.orm import util as orm_util

from ..accounts.models import Membership, User
from ..activities.models import CentreActivity
from ..availability.models import Invitation
from ..core import time
from ..extensions import db
from ..hours.models import HoursEntry, ReportPeriod
from ..reports.models import Grant
from ..shifts.models import Handover, Shift, ShiftSeries, Signup
from .models import Centre, CentreStamp, MeetingPoint

# Kinds of rows whose every change shows in their centre (their centre_id says which).
WATCHED = (Shift, ShiftSeries, Signup, Handover, Invitation, MeetingPoint, CentreActivity, HoursEntry, ReportPeriod)
WATCHED += (Grant, Membership)
# What of a person the centres show: their name and what they let others see.
PERSON_SHOWN = ("name", "shows_first_name", "phone", "shares_phone", "deleted_at")
PENDING, TOUCHED = "centre_stamps_pending", "centre_stamps_touched"
REMEMBERED = "centre_stamps_remembered"
_BY_CENTRE_ID = {model.__table__.name: model.__table__ for model in WATCHED}


def touch_centres(session: Session, centre_ids: Iterable[int | None]) -> None:
    """Have the stamps of these centres raised when the session commits. For writes the listener
    cannot see (SQL text, a connection of its own); ORM flushes and bulk statements need no call."""
    ids = {i for i in centre_ids if i is not None}
    if ids:
        session.info.setdefault(PENDING, set()).update(ids)
        session.info.setdefault(TOUCHED, set()).update(ids)


def touched_in_transaction(session: Session | None = None) -> set[int]:
    """The centres this session's open transaction changed: their stamps do not yet say so."""
    return (session or db.session()).info.get(TOUCHED, set())


def current_stamps(centre_ids: Iterable[int] | None = None, connection=None) -> dict[int, int]:
    """The stamps of these centres (all without ids) in one statement; a centre never stamped has 0.
    Stamps this transaction has read already with another statement (`remember_stamps`) are not
    read again: a stamp read earlier is as good as one read now for keeping what is read after it."""
    ids = None if centre_ids is None else sorted(set(centre_ids))
    if ids is not None and connection is None and (known := _remembered(db.session(), ids)) is not None:
        return known
    statement = sa.select(CentreStamp.centre_id, CentreStamp.stamp)
    if ids is not None:
        statement = statement.where(CentreStamp.centre_id.in_(ids))
    found = dict((connection or db.session).execute(statement).all())
    if ids is None:
        return found
    stamps = {i: found.get(i, 0) for i in ids}
    if connection is None:
        remember_stamps(stamps)
    return stamps


def remember_stamps(stamps: dict[int, int], session: Session | None = None) -> None:
    """Stamps this transaction has read (current_stamps itself, or a statement that read them along
    with other things: the signed-in person's, with their memberships, accounts.services), for
    current_stamps. Only for this transaction: after a commit they are read anew."""
    session = session or db.session()
    transaction, known = session.info.get(REMEMBERED, (None, {}))
    if transaction is not session.get_transaction():
        known = {}
    session.info[REMEMBERED] = (session.get_transaction(), {**known, **stamps})


def _remembered(session: Session, ids: list[int]) -> dict[int, int] | None:
    transaction, stamps = session.info.get(REMEMBERED, (None, {}))
    if transaction is None or transaction is not session.get_transaction() or not stamps.keys() >= set(ids):
        return None
    return {i: stamps[i] for i in ids}


def stamp_of(centre_id: int) -> int:
    return current_stamps([centre_id])[centre_id]


def raise_stamps(session: Session, centre_ids: Iterable[int]) -> None:
    """One statement for all. Sorted, so that two writers of the same centres lock their rows in
    the same order and cannot deadlock. A missing row starts at a random value rather than at 1:
    a centre id used again after its rows were emptied (tests do that) must not meet what was kept
    for the old centre under the same stamp. 40 bits: the feeds' sums stay far from 63."""
    ids = sorted(set(centre_ids))
    if not ids:
        return
    connection = session.connection()
    dialect = sqlite if connection.dialect.name == "sqlite" else postgresql
    at = time.now()
    rows = [{"centre_id": i, "stamp": secrets.randbits(40), "changed_at": at} for i in ids]
    insert = dialect.insert(CentreStamp).values(rows)
    statement = insert.on_conflict_do_update(
        index_elements=[CentreStamp.centre_id], set_={"stamp": CentreStamp.stamp + 1, "changed_at": at}
    )
    connection.execute(statement)


# --- what a flush touches ------------------------------------------------------------------------


def _centres_of(obj, passive=attributes.PASSIVE_OFF) -> set[int]:
    """The centre (or centres) a changed row is shown in; both before and after a move."""
    if isinstance(obj, Centre):
        return {obj.id}
    if isinstance(obj, WATCHED):
        history = attributes.get_history(obj, "centre_id", passive=passive)
        return {i for i in (*history.added, *history.unchanged, *history.deleted) if i is not None}
    return set()


def _person_shown_changed(user: User) -> bool:
    state = sa.inspect(user)
    return any(state.attrs[name].history.has_changes() for name in PERSON_SHOWN)


def _centres_of_people(session: Session, people: list[User]) -> set[int]:
    """Every centre the people belong to (from their loaded memberships, else one read) and every
    centre they have sign-ups or hours in: a centre's feed and reports name them also after they left."""
    ids = {m.centre_id for user in people if "memberships" in user.__dict__ for m in user.memberships}
    unloaded = [user.id for user in people if "memberships" not in user.__dict__]
    if unloaded:
        rows = session.connection().execute(sa.select(Membership.centre_id).where(Membership.user_id.in_(unloaded)))
        ids |= set(rows.scalars())
    if people:
        ids |= set(session.connection().execute(_signup_centres([user.id for user in people])).scalars())
    return ids


def _signup_centres(user_ids) -> sa.Select:
    """Centres whose shifts or hours name the people, members or not (any more)."""
    return sa.union(
        sa.select(Signup.centre_id).where(Signup.user_id.in_(user_ids)),
        sa.select(HoursEntry.centre_id).where(HoursEntry.user_id.in_(user_ids)),
    )


@event.listens_for(Session, "before_flush")
def _note_changed(session: Session, _context, _instances) -> None:
    """Changed and deleted rows, while they can still be read; new ones have no ids yet."""
    ids, people = set(), []
    for obj in session.deleted:
        ids |= _centres_of(obj)
    for obj in session.dirty:
        if isinstance(obj, User):
            if _person_shown_changed(obj):
                people.append(obj)
        elif session.is_modified(obj, include_collections=False):
            ids |= _centres_of(obj)
    touch_centres(session, ids | _centres_of_people(session, people))


@event.listens_for(Session, "after_flush")
def _note_new(session: Session, _context) -> None:
    """New rows, now with ids; and rows the flush deleted by cascade (an orphaned membership),
    from what is loaded of them: they are gone from the database."""
    ids = {i for obj in session.new for i in _centres_of(obj)}
    ids |= {i for obj in session.deleted for i in _centres_of(obj, attributes.PASSIVE_NO_INITIALIZE)}
    touch_centres(session, ids)


# --- what a bulk statement touches ---------------------------------------------------------------


@event.listens_for(Session, "do_orm_execute")
def _note_bulk(state) -> None:
    """An UPDATE or DELETE bypasses the flush: the centres of the rows it will match, read with its
    own WHERE before it runs (a shift already in the session needs no read)."""
    if not (state.is_update or state.is_delete):
        return
    table = state.statement.table
    if table.name in _BY_CENTRE_ID:
        touch_centres(state.session, _bulk_centres(state, table))
    elif table.name == User.__tablename__ and _sets_person_shown(state.statement):
        user_ids = sa.select(table.c.id).where(state.statement.whereclause)
        rows = state.session.execute(sa.select(Membership.centre_id).where(Membership.user_id.in_(user_ids)))
        touch_centres(state.session, rows.scalars())
        touch_centres(state.session, state.session.execute(_signup_centres(user_ids)).scalars())


def _sets_person_shown(statement) -> bool:
    names = {getattr(key, "key", key) for key in getattr(statement, "_values", None) or {}}
    return statement.is_delete or bool(names & set(PERSON_SHOWN))


def _bulk_centres(state, table) -> set[int]:
    known = _shift_in_session(state.session, table, state.statement.whereclause)
    if known is not None:
        return {known}
    where = state.statement.whereclause
    query = sa.select(table.c.centre_id).distinct()
    rows = state.session.execute(query if where is None else query.where(where))
    return set(rows.scalars())


def _shift_in_session(session: Session, table, where) -> int | None:
    """The centre of the one shift a statement names by id (`shifts.id = X`, `signups.shift_id =
    X`) when that shift is already loaded: the sign-up path's counter updates need no extra read."""
    column = {"shifts": "id", "signups": "shift_id"}.get(table.name)
    if column is None or where is None:
        return None
    for clause in _conjuncts(where):
        left, right = getattr(clause, "left", None), getattr(clause, "right", None)
        named = (
            getattr(left, "key", None) == column and getattr(getattr(left, "table", None), "name", None) == table.name
        )
        if named and clause.operator is sa.sql.operators.eq and hasattr(right, "effective_value"):
            shift = session.identity_map.get(orm_util.identity_key(Shift, right.effective_value))
            return None if shift is None else shift.centre_id
    return None


def _conjuncts(where):
    if isinstance(where, sa.sql.elements.BooleanClauseList) and where.operator is sa.sql.operators.and_:
        return list(where.clauses)
    return [where]


# --- the raise, once per commit ------------------------------------------------------------------


@event.listens_for(Session, "before_commit")
def _raise_noted(session: Session) -> None:
    session.flush()  # what is still unflushed notes its centres first
    raise_stamps(session, session.info.pop(PENDING, set()))


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:  # the outermost: a savepoint's end keeps what the rest noted
        session.info.pop(PENDING, None)
        session.info.pop(TOUCHED, None)
