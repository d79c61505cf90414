"""Monthly roll-ups of the hours entries, kept exact by database triggers (issue #16).

The state report sums ~800,000 entries a year; these tables hold the same sums per month, so a
report reads them for the whole months of its period and the entries themselves only for its
partial first and last month (hours_figures.py). Triggers on hours_entries keep them, not the ORM: a
bulk UPDATE, a correction, a pseudonymisation or a foreign key's action changes them too, in the
writing transaction.

One narrow table per figure the report breaks down, minutes and entries per key and month (the
entries count rows: a correction can bring a month's minutes to 0 or below, the row stays):
- hours_rollup_months (centre, status, kind): totals, by month, by year, pending minutes;
- hours_rollup_bausteine (centre, kind, Baustein), approved only;
- hours_rollup_places (centre, meeting point; no meeting point is 0), approved volunteer minutes;
- hours_rollup_activities (centre, activity), approved volunteer minutes;
- hours_rollup_people (centre, person), approved volunteer minutes: the active volunteers.
And hours_first_days: a person's first approved volunteer day in a centre, ever (the new ones);
a removal at or before it looks it up again from the person's entries.

A month is year * 100 + month. The DDL lives here once: the models' metadata creates it after
its tables (tests, create_all), and the migrations 16c1rollup00 and 16d1rollupl0 (the centre's
lock) run the same statements. The SQL is built from this module's own table and column names
only, never from a value that comes from outside: hence its `# nosec B608`."""

import calendar
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, attributes

from ..extensions import db
from ..hours.models import HoursEntry

NO_MEETING_POINT = 0
KEY_TYPES = {
    "centre_id": sa.Integer,
    "status": lambda: sa.String(10),
    "kind": lambda: sa.String(10),
    "baustein": lambda: sa.String(1),
    "meeting_point_id": sa.Integer,
    "activity": lambda: sa.String(60),
    "user_id": sa.Integer,
    "month": sa.Integer,
}
# Which entries each roll-up counts, as SQL on a row (OLD, NEW, e).
ALL, APPROVED_ONLY = "1 = 1", "{row}.status = 'approved'"
APPROVED_VOLUNTEER = "{row}.status = 'approved' AND {row}.kind = 'volunteer'"
# name: (key columns, the month last; which entries count)
ROLLUPS = {
    "hours_rollup_months": (("centre_id", "status", "kind", "month"), ALL),
    "hours_rollup_bausteine": (("centre_id", "kind", "baustein", "month"), APPROVED_ONLY),
    "hours_rollup_places": (("centre_id", "meeting_point_id", "month"), APPROVED_VOLUNTEER),
    "hours_rollup_activities": (("centre_id", "activity", "month"), APPROVED_VOLUNTEER),
    "hours_rollup_people": (("centre_id", "user_id", "month"), APPROVED_VOLUNTEER),
}


def _rollup_table(name: str, keys: tuple[str, ...]) -> sa.Table:
    return sa.Table(
        name,
        db.metadata,
        *(sa.Column(key, KEY_TYPES[key](), primary_key=True, autoincrement=False) for key in keys),
        sa.Column("minutes", sa.BigInteger, nullable=False),
        sa.Column("entries", sa.Integer, nullable=False),
    )


TABLES = {name: _rollup_table(name, keys) for name, (keys, _counts) in ROLLUPS.items()}
hours_first_days = sa.Table(
    "hours_first_days",
    db.metadata,
    sa.Column("centre_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("user_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("first_day", sa.Date, nullable=True),  # None only for a moment, inside a trigger
)
ROLLUP_TABLES = (*TABLES.values(), hours_first_days)
# The columns whose change moves an entry between roll-up rows; an UPDATE of others (a note,
# a review reason) fires nothing.
COUNTED = ("centre_id", "user_id", "status", "kind", "work_date", "minutes", "baustein", "meeting_point_id", "activity")


def _month(row: str, dialect: str) -> str:
    if dialect == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {row}.work_date) * 100 + EXTRACT(MONTH FROM {row}.work_date) AS integer)"
    return f"(CAST(substr({row}.work_date, 1, 4) AS integer) * 100 + CAST(substr({row}.work_date, 6, 2) AS integer))"


def _values(row: str, dialect: str) -> dict[str, str]:
    values = {column: f"{row}.{column}" for column in KEY_TYPES}
    values["month"] = _month(row, dialect)
    values["meeting_point_id"] = f"COALESCE({row}.meeting_point_id, {NO_MEETING_POINT})"
    return values


def _where(columns, values: dict[str, str]) -> str:
    return " AND ".join(f"{column} = {values[column]}" for column in columns)


def _removal(dialect: str) -> list[str]:
    """What an entry's old row took out of the roll-ups; only UPDATEs and DELETEs, never an
    INSERT (emptying the tables in any order leaves them empty)."""
    v, statements = _values("OLD", dialect), []
    for name, (keys, counts) in ROLLUPS.items():
        where = f"{_where(keys, v)} AND {counts.format(row='OLD')}"
        statements += [
            f"UPDATE {name} SET minutes = minutes - OLD.minutes, entries = entries - 1 WHERE {where}",  # nosec B608
            f"DELETE FROM {name} WHERE {where} AND entries <= 0",  # nosec B608
        ]
    person = f"centre_id = OLD.centre_id AND user_id = OLD.user_id AND {APPROVED_VOLUNTEER.format(row='OLD')}"
    first_day = (
        "SELECT min(work_date) FROM hours_entries WHERE user_id = OLD.user_id AND centre_id = OLD.centre_id"
        " AND status = 'approved' AND kind = 'volunteer'"
    )
    return statements + [
        f"UPDATE hours_first_days SET first_day = ({first_day}) WHERE {person} AND first_day >= OLD.work_date",  # nosec B608
        f"DELETE FROM hours_first_days WHERE {person} AND first_day IS NULL",  # nosec B608
    ]


def _addition(dialect: str) -> list[str]:
    """What an entry's new row adds: upserts (INSERT … SELECT … WHERE: the rows that count; the
    WHERE also makes SQLite's ON CONFLICT unambiguous)."""
    v, statements = _values("NEW", dialect), []
    for name, (keys, counts) in ROLLUPS.items():
        columns = ", ".join(keys)
        statements.append(
            f"INSERT INTO {name} ({columns}, minutes, entries) SELECT {', '.join(v[key] for key in keys)},"  # nosec B608
            f" NEW.minutes, 1 WHERE {counts.format(row='NEW')} ON CONFLICT ({columns}) DO UPDATE SET"
            f" minutes = {name}.minutes + excluded.minutes, entries = {name}.entries + 1"
        )
    least = "LEAST" if dialect == "postgresql" else "min"
    return statements + [
        "INSERT INTO hours_first_days (centre_id, user_id, first_day)"  # nosec B608
        f" SELECT NEW.centre_id, NEW.user_id, NEW.work_date WHERE {APPROVED_VOLUNTEER.format(row='NEW')}"
        f" ON CONFLICT (centre_id, user_id) DO UPDATE SET first_day = {least}(hours_first_days.first_day,"
        " excluded.first_day)"
    ]


def _changed(distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in COUNTED)


def _body(statements: list[str], indent: str) -> str:
    return "".join(f"{indent}{statement};\n" for statement in statements)


# The advisory lock (two int4 keys: this class, the centre) that a transaction holds from its first
# roll-up of a centre's entries until it ends.
CENTRE_LOCK_CLASS = 1601


def _centre_locks() -> str:
    """PostgreSQL, first in the trigger: the centre's lock before its roll-up rows. AFTER row
    triggers run at the end of their statement, one row after the other: two multi-row writes of
    one centre (bulk approvals, a shift's attendance, a correction) updated the same roll-up rows in
    different orders and deadlocked, and one of them failed. With the lock the roll-ups of one centre
    are written by one transaction at a time, which its roll-up rows mostly made so anyway (one per
    centre, month and status); an entry moved between centres takes both locks, in order."""
    lock = f"PERFORM pg_advisory_xact_lock({CENTRE_LOCK_CLASS}, {{}});\n"
    return (
        "    IF TG_OP = 'UPDATE' THEN\n"
        f"        {lock.format('LEAST(OLD.centre_id, NEW.centre_id)')}"
        f"        {lock.format('GREATEST(OLD.centre_id, NEW.centre_id)')}"
        "    ELSIF TG_OP = 'INSERT' THEN\n"
        f"        {lock.format('NEW.centre_id')}"
        "    ELSE\n"
        f"        {lock.format('OLD.centre_id')}"
        "    END IF;\n"
    )


@event.listens_for(Session, "before_flush")
def _lock_centres_before_their_entries(session: Session, _context, _instances) -> None:
    """PostgreSQL: the centres' locks (above) before a flush writes their entries, sorted. The
    trigger takes them only after its statement has locked its rows: a single edit waiting there
    for a bulk approval's lock would hold a row the approval's next UPDATE needs (a deadlock the
    roll-up rows alone caused only within one month). The locks last to the transaction's end, so
    the trigger's are then free."""
    changed = [obj for obj in (*session.new, *session.dirty, *session.deleted) if isinstance(obj, HoursEntry)]
    if not changed:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    centres = set()
    for entry in changed:
        history = attributes.get_history(entry, "centre_id")
        centres |= {i for i in (*history.added, *history.unchanged, *history.deleted) if i is not None}
    for centre_id in sorted(centres):
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(CENTRE_LOCK_CLASS, centre_id)))


def _postgresql_ddl() -> list[str]:
    """One plpgsql function: each roll-up only where the row counts in it (IF, not a WHERE that
    runs the statement anyway), an emptied row deleted only when the UPDATE left it so."""
    old, new, body = _values("OLD", "postgresql"), _values("NEW", "postgresql"), []
    for name, (keys, counts) in ROLLUPS.items():
        columns = ", ".join(keys)
        body.append(
            f"IF TG_OP <> 'INSERT' AND {counts.format(row='OLD')} THEN\n"  # nosec B608
            f"    UPDATE {name} SET minutes = minutes - OLD.minutes, entries = entries - 1"
            f" WHERE {_where(keys, old)} RETURNING entries INTO remaining;\n"
            f"    IF remaining <= 0 THEN DELETE FROM {name} WHERE {_where(keys, old)}; END IF;\n"
            "END IF;\n"
            f"IF TG_OP <> 'DELETE' AND {counts.format(row='NEW')} THEN\n"
            f"    INSERT INTO {name} ({columns}, minutes, entries) VALUES ({', '.join(new[key] for key in keys)},"
            f" NEW.minutes, 1) ON CONFLICT ({columns}) DO UPDATE SET minutes = {name}.minutes + excluded.minutes,"
            f" entries = {name}.entries + 1;\n"
            "END IF;\n"
        )
    first_day = (
        "SELECT min(work_date) FROM hours_entries WHERE user_id = OLD.user_id AND centre_id = OLD.centre_id"
        " AND status = 'approved' AND kind = 'volunteer'"
    )
    person = "centre_id = OLD.centre_id AND user_id = OLD.user_id"
    body.append(
        f"IF TG_OP <> 'INSERT' AND {APPROVED_VOLUNTEER.format(row='OLD')} THEN\n"  # nosec B608
        f"    UPDATE hours_first_days SET first_day = ({first_day}) WHERE {person} AND first_day >= OLD.work_date;\n"
        f"    IF FOUND THEN DELETE FROM hours_first_days WHERE {person} AND first_day IS NULL; END IF;\n"
        "END IF;\n"
        f"IF TG_OP <> 'DELETE' AND {APPROVED_VOLUNTEER.format(row='NEW')} THEN\n"
        "    INSERT INTO hours_first_days (centre_id, user_id, first_day) VALUES (NEW.centre_id, NEW.user_id,"
        " NEW.work_date) ON CONFLICT (centre_id, user_id) DO UPDATE SET first_day ="
        " LEAST(hours_first_days.first_day, excluded.first_day);\n"
        "END IF;\n"
    )
    indented = "".join("    " + line + "\n" for part in body for line in part.splitlines())
    function = (
        "CREATE OR REPLACE FUNCTION hours_rollups_apply() RETURNS trigger LANGUAGE plpgsql AS $body$\n"
        f"DECLARE\n    remaining integer;\nBEGIN\n{_centre_locks()}{indented}    RETURN NULL;\nEND\n$body$"
    )
    return [
        function,
        "DROP TRIGGER IF EXISTS hours_rollups_insert_delete ON hours_entries",
        "CREATE TRIGGER hours_rollups_insert_delete AFTER INSERT OR DELETE ON hours_entries"
        " FOR EACH ROW EXECUTE FUNCTION hours_rollups_apply()",
        "DROP TRIGGER IF EXISTS hours_rollups_update ON hours_entries",
        f"CREATE TRIGGER hours_rollups_update AFTER UPDATE OF {', '.join(COUNTED)} ON hours_entries"
        f" FOR EACH ROW WHEN ({_changed('IS DISTINCT FROM')}) EXECUTE FUNCTION hours_rollups_apply()",
    ]


def _sqlite_ddl() -> list[str]:
    def trigger(name: str, event_clause: str, statements: list[str]) -> str:
        return (
            f"CREATE TRIGGER IF NOT EXISTS hours_rollups_{name} {event_clause} ON hours_entries FOR EACH ROW"
            f"\nBEGIN\n{_body(statements, '    ')}END"
        )

    removal, addition = _removal("sqlite"), _addition("sqlite")
    return [
        trigger("delete", "AFTER DELETE", removal),
        trigger("insert", "AFTER INSERT", addition),
        trigger("update", f"AFTER UPDATE OF {', '.join(COUNTED)}", removal + addition).replace(
            " FOR EACH ROW\n", f" FOR EACH ROW WHEN {_changed('IS NOT')}\n"
        ),
    ]


def trigger_ddl(dialect: str) -> list[str]:
    return _postgresql_ddl() if dialect == "postgresql" else _sqlite_ddl()


def drop_trigger_ddl(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [
            "DROP TRIGGER IF EXISTS hours_rollups_update ON hours_entries",
            "DROP TRIGGER IF EXISTS hours_rollups_insert_delete ON hours_entries",
            "DROP FUNCTION IF EXISTS hours_rollups_apply()",
        ]
    return [f"DROP TRIGGER IF EXISTS hours_rollups_{name}" for name in ("update", "insert", "delete")]


def backfill_sql(dialect: str) -> list[str]:
    """The roll-ups from the entries as they are (the migration)."""
    return [
        f"INSERT INTO {table} ({', '.join(columns)}) {select}"
        for table, (columns, select) in rollup_selects(dialect).items()
    ]


def rollup_selects(dialect: str) -> dict[str, tuple[tuple[str, ...], str]]:
    """Each roll-up table as a GROUP BY over the entries: its columns and the SELECT that gives
    them (the backfill, and what the tests compare the tables with)."""
    e, selects = _values("e", dialect), {}
    for name, (keys, counts) in ROLLUPS.items():
        group = ", ".join(e[key] for key in keys)
        selects[name] = (
            (*keys, "minutes", "entries"),
            f"SELECT {group}, sum(e.minutes), count(*) FROM hours_entries e WHERE {counts.format(row='e')}"  # nosec B608
            f" GROUP BY {group}",
        )
    selects["hours_first_days"] = (
        ("centre_id", "user_id", "first_day"),
        "SELECT e.centre_id, e.user_id, min(e.work_date) FROM hours_entries e"  # nosec B608
        f" WHERE {APPROVED_VOLUNTEER.format(row='e')} GROUP BY e.centre_id, e.user_id",
    )
    return selects


@event.listens_for(db.metadata, "after_create")
def _create_triggers(target, connection, **kw) -> None:
    """create_all (tests, a new database without migrations) gets the triggers too."""
    for statement in trigger_ddl(connection.dialect.name):
        connection.exec_driver_sql(statement)


def month_key(day: date) -> int:
    return day.year * 100 + day.month


def split_period(start: date, end: date) -> tuple[tuple[int, int] | None, list[tuple[date, date]]]:
    """The period's whole months (first and last month key; None: it holds none) and the stretches
    of days around them that only the entries can count (its partial first and last month)."""
    if start > end:
        return None, []
    try:
        first = start if start.day == 1 else (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        month_end = calendar.monthrange(end.year, end.month)[1]
        last = end if end.day == month_end else end.replace(day=1) - timedelta(days=1)
    except OverflowError:  # the edges of the calendar: the entries count it all
        return None, [(start, end)]
    if first > last:
        return None, [(start, end)]
    partial = [(start, first - timedelta(days=1))] if start < first else []
    partial += [(last + timedelta(days=1), end)] if last < end else []
    return (month_key(first), month_key(last)), partial
