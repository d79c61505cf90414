"""The monthly roll-ups (reports/rollups.py) are exact after every kind of write: each table equals
its GROUP BY over the entries, and the figures from them equal the figures from the entries alone,
for periods of whole and partial months, across a year's end, on SQLite and PostgreSQL."""

import threading
import time as wall
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import clock_frozen_at
from volunteers.centres.models import Centre, MeetingPoint
from volunteers.core import time
from volunteers.extensions import db
from volunteers.hours.models import HoursEntry
from volunteers.hours.periods import close_period, create_period
from volunteers.hours.services import HoursInput, approve, approve_many, book_correction, edit_entry, log_hours, reject
from volunteers.privacy.services import delete_account
from volunteers.reports import rollups
from volunteers.reports.figures import Period, centres_figures

NOW = time.berlin_local(datetime(2026, 11, 20, 12, 0))
PERIODS = (
    (date(2026, 1, 1), date(2026, 12, 31)),  # a year: whole months only
    (date(2026, 1, 1), date(2026, 11, 20)),  # the report's default: the last month partial
    (date(2025, 12, 10), date(2026, 2, 5)),  # partial months on both sides of a year's end
    (date(2026, 2, 3), date(2026, 2, 20)),  # inside one month
    (date(2026, 2, 1), date(2026, 2, 28)),  # one whole month
    (date(2026, 1, 31), date(2026, 2, 1)),  # two partial months, no whole one
    (date(2020, 1, 1), date(2030, 12, 31)),  # all
    (date(2026, 3, 5), date(2026, 3, 4)),  # empty
)

frozen_clock = clock_frozen_at(NOW)


def table_rows(name: str, columns) -> list[tuple]:
    return sorted(tuple(row) for row in db.session.execute(sa.text(f"SELECT {', '.join(columns)} FROM {name}")))


def assert_exact() -> None:
    """Every roll-up is its GROUP BY, and the report's figures are those of the entries."""
    db.session.flush()
    for name, (columns, select) in rollups.rollup_selects(db.engine.dialect.name).items():
        assert table_rows(name, columns) == sorted(tuple(row) for row in db.session.execute(sa.text(select))), name
    centres = list(db.session.scalars(sa.select(Centre).order_by(Centre.id)))
    for start, end in PERIODS:
        period = Period(start, end)
        assert centres_figures(centres, period) == centres_figures(centres, period, raw=True), (start, end)


@pytest.fixture
def world(app, make_centre, make_meeting_point, make_user):
    app.config["HOURS_MAX_DAYS_BACK"] = 400
    centre, other = make_centre("dortmund"), make_centre("koeln")
    points = [make_meeting_point(centre, default_baustein="A"), make_meeting_point(centre, default_baustein="B")]
    coordinator, lead = make_user("coordinator", centre), make_user("lead", centre)
    people = [make_user("volunteer", centre) for _ in range(3)]
    return {
        "centre": centre,
        "other": other,
        "points": points,
        "coordinator": coordinator,
        "lead": lead,
        "people": people,
    }


def logged(world, person, day, minutes, *, point=0, activity="sprachcafe", kind="volunteer"):
    values = HoursInput(work_date=day, minutes=minutes, activity=activity, meeting_point=world["points"][point])
    by = world["coordinator"] if kind == "staff" else None
    entry, _ = log_hours(centre=world["centre"], person=person, values=values, kind=kind, by=by)
    return entry


def edited(world, entry, **changes):
    values = {
        "work_date": entry.work_date,
        "minutes": entry.minutes,
        "activity": entry.activity,
        "meeting_point": db.session.get(MeetingPoint, entry.meeting_point_id) if entry.meeting_point_id else None,
    }
    values.update(changes)
    return edit_entry(entry=entry, values=HoursInput(**values), by=world["coordinator"], reason="laut Liste")


def test_every_kind_of_write_keeps_the_roll_ups_exact(world):
    amal, olena, yusuf = world["people"]
    coordinator = world["coordinator"]
    first = logged(world, amal, date(2026, 1, 31), 120)
    assert_exact()  # logged, waiting
    approve(entry=first, by=coordinator)
    assert_exact()
    batch = [logged(world, p, date(2026, m, d), 30 * m) for p in (amal, olena) for m, d in ((2, 1), (3, 15), (11, 20))]
    batch.append(logged(world, yusuf, date(2025, 12, 28), 45, point=1, activity="behoerdenbegleitung"))
    batch.append(logged(world, amal, date(2026, 2, 14), 50))  # Amal twice in February
    logged(world, coordinator, date(2026, 2, 3), 60, kind="staff")
    assert_exact()
    assert approve_many(entries=batch, by=coordinator) == len(batch)
    assert_exact()
    rejected = logged(world, olena, date(2026, 2, 10), 90)
    reject(entry=rejected, by=coordinator, reason="doppelt")
    assert_exact()
    edited(world, batch[0], minutes=75)
    assert_exact()
    edited(world, batch[1], work_date=date(2026, 4, 1))  # to another month
    assert_exact()
    edited(world, first, work_date=date(2025, 12, 31))  # into the year before: Amal's first day moves
    assert_exact()
    edited(world, batch[-1], work_date=date(2026, 1, 2))  # out of the year before: Yusuf's too
    assert_exact()
    edited(world, batch[2], activity="behoerdenbegleitung", meeting_point=world["points"][1])  # Baustein B
    assert_exact()
    edited(world, batch[3], meeting_point=None)
    assert_exact()
    db.session.delete(batch[4])  # an entry deleted
    assert_exact()
    db.session.execute(sa.update(HoursEntry).where(HoursEntry.user_id == olena.id).values(status="submitted"))
    assert_exact()  # a bulk status change, past the ORM
    db.session.execute(sa.update(HoursEntry).where(HoursEntry.user_id == olena.id).values(status="approved"))
    assert_exact()


def test_corrections_pseudonymisation_and_meeting_points_keep_them_exact(world):
    amal, olena, _ = world["people"]
    october = logged(world, amal, date(2026, 10, 12), 180)
    approve(entry=october, by=world["coordinator"])
    approve(entry=logged(world, olena, date(2026, 10, 13), 60, point=1), by=world["coordinator"])
    period = create_period(
        centre=world["centre"], label="Oktober", starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31)
    )
    close_period(period=period, by=world["lead"])
    book_correction(original=october, minutes=-180, by=world["coordinator"], reason="laut Liste 0 h")
    assert_exact()  # Amal's October sums to 0: not active in October, still there
    delete_account(user=amal)
    assert_exact()
    point = world["points"][1]
    db.session.execute(
        sa.update(HoursEntry).where(HoursEntry.meeting_point_id == point.id).values(meeting_point_id=None)
    )
    db.session.delete(point)
    assert_exact()
    db.session.execute(sa.delete(HoursEntry))
    assert_exact()
    assert all(table_rows(t.name, ["*"]) == [] for t in rollups.ROLLUP_TABLES)


# --- random writes, straight to the table -----------------------------------------------------------

DAYS = st.sampled_from(
    [date(2025, 12, 9), date(2025, 12, 31), date(2026, 1, 1), date(2026, 1, 31), date(2026, 2, 1), date(2026, 2, 4)]
    + [date(2026, 2, 28), date(2026, 3, 1), date(2026, 11, 20)]
)
VALUES = {
    # Weighted so that rows meet in the same roll-up rows often.
    "status": st.sampled_from(["approved", "approved", "submitted", "rejected"]),
    "kind": st.sampled_from(["volunteer", "volunteer", "volunteer", "staff"]),
    "work_date": DAYS,
    "minutes": st.sampled_from([-60, 15, 30, 240]),
    "activity": st.sampled_from(["sprachcafe", "behoerdenbegleitung"]),
    "baustein": st.sampled_from(["A", "B", "C"]),
    "meeting_point": st.sampled_from([None, 0, 1]),
    "person": st.sampled_from([0, 0, 1, 2]),
    "centre": st.sampled_from([0, 0, 0, 1]),
}
insert = st.fixed_dictionaries({"op": st.just("insert"), **VALUES})
update = st.fixed_dictionaries(
    {"op": st.just("update"), "pick": st.integers(0, 50)},
    optional={name: strategy for name, strategy in VALUES.items() if name != "person"},
)
bulk = st.fixed_dictionaries(
    {"op": st.just("bulk"), "where": st.sampled_from(list(VALUES)), "pick": st.integers(0, 50)},
    optional={name: VALUES[name] for name in ("status", "work_date", "minutes", "meeting_point")},
)
delete = st.fixed_dictionaries({"op": st.just("delete"), "pick": st.integers(0, 50), "many": st.booleans()})
rows = st.lists(insert, min_size=4, max_size=15)
writes = st.lists(st.one_of(insert, update, update, bulk, delete), min_size=1, max_size=20)


def waits_for_a_lock(pid: int, done: threading.Event) -> bool:
    """Whether that PostgreSQL backend comes to wait for another's lock within 10 s (False once
    its writer is done). pg_blocking_pids, not pg_stat_activity: that one shows a snapshot per
    transaction."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as watcher:
        deadline = wall.monotonic() + 10
        while wall.monotonic() < deadline and not done.is_set():
            if watcher.execute(sa.text("SELECT cardinality(pg_blocking_pids(:pid)) > 0"), {"pid": pid}).scalar():
                return True
    return False


@pytest.mark.database("postgresql")  # SQLite has one writer at a time: nothing to order
def test_two_writers_of_a_centre_s_hours_in_opposite_month_order_do_not_deadlock(world):
    """As two coordinators approving at once, each flushing one UPDATE per entry: the first writes
    January, then February; the second February, then January. Without the centre's lock in the
    roll-up trigger each held one month's roll-up row and waited for the other's: a deadlock."""
    amal, olena, _ = world["people"]
    january_1, february_1 = logged(world, amal, date(2026, 1, 5), 60), logged(world, amal, date(2026, 2, 5), 60)
    february_2, january_2 = logged(world, olena, date(2026, 2, 6), 60), logged(world, olena, date(2026, 1, 6), 60)
    db.session.commit()
    january_1, february_1, february_2, january_2 = (e.id for e in (january_1, february_1, february_2, january_2))
    approve = "UPDATE hours_entries SET status = 'approved' WHERE id = %(id)s"
    failures, second_done = [], threading.Event()
    first, second = db.engine.raw_connection(), db.engine.raw_connection()

    def second_writer():
        try:
            with second.cursor() as cursor:
                for entry in (february_2, january_2):
                    cursor.execute(approve, {"id": entry})
            second.commit()
        except Exception as error:
            failures.append(error)
            second.rollback()
        finally:
            second_done.set()

    try:
        with second.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            second_pid = cursor.fetchone()[0]
        with first.cursor() as cursor:
            cursor.execute(approve, {"id": january_1})
            writer = threading.Thread(target=second_writer)
            writer.start()
            # Now on the centre's lock; without it, on January's roll-up row.
            assert waits_for_a_lock(second_pid, second_done), failures
            try:
                cursor.execute(approve, {"id": february_1})
                first.commit()
            except Exception as error:
                failures.append(error)
                first.rollback()
        writer.join(timeout=30)
    finally:
        first.close()
        second.close()
    assert failures == []
    db.session.expire_all()
    assert_exact()
    assert db.session.scalar(sa.select(sa.func.count()).where(HoursEntry.status == "approved")) == 4


@pytest.mark.database("postgresql")
def test_an_edit_racing_a_bulk_approval_of_the_same_entries_does_not_deadlock(world):
    """Through the ORM, as the services write: the approval has flushed its first entry; an edit of
    its second entry, in another month, waits for the centre's lock before it holds that entry's
    row, so the approval's next UPDATE finds the row free. (With the lock taken by the trigger only,
    the edit held the row while it waited: a deadlock.)"""
    amal, olena, _ = world["people"]
    first, second = logged(world, amal, date(2026, 1, 5), 60), logged(world, olena, date(2026, 2, 6), 60)
    db.session.commit()
    first, second = first.id, second.id
    failures, edited_entry = [], threading.Event()
    approval, edit = sa.orm.Session(db.engine), sa.orm.Session(db.engine)

    def editor():
        try:
            edit.get(HoursEntry, second).minutes = 75
            edit.commit()
        except Exception as error:
            failures.append(error)
            edit.rollback()
        finally:
            edited_entry.set()

    try:
        approval.get(HoursEntry, first).status = "approved"
        approval.flush()
        edit_pid = edit.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
        writer = threading.Thread(target=editor)
        writer.start()
        assert waits_for_a_lock(edit_pid, edited_entry), failures
        try:
            approval.get(HoursEntry, second).status = "approved"
            approval.commit()
        except Exception as error:
            failures.append(error)
            approval.rollback()
        writer.join(timeout=30)
    finally:
        approval.close()
        edit.close()
    assert failures == []
    db.session.expire_all()
    assert db.session.get(HoursEntry, second).minutes == 75
    assert_exact()


def columns(world, write: dict) -> dict:
    values = {k: v for k, v in write.items() if k in ("status", "kind", "work_date", "minutes", "activity", "baustein")}
    if "meeting_point" in write:
        values["meeting_point_id"] = (
            None if write["meeting_point"] is None else world["points"][write["meeting_point"]].id
        )
    if "centre" in write:
        values["centre_id"] = (world["centre"], world["other"])[write["centre"]].id
    if "person" in write:
        values["user_id"] = world["people"][write["person"]].id
    return values


def apply(world, write: dict) -> None:
    ids = list(db.session.scalars(sa.select(HoursEntry.id).order_by(HoursEntry.id)))
    if write["op"] == "insert":
        db.session.execute(sa.insert(HoursEntry).values(note="", review_reason="", **columns(world, write)))
        return
    if not ids:
        return
    picked = ids[write["pick"] % len(ids)]
    if write["op"] == "update" and (values := columns(world, write)):
        db.session.execute(sa.update(HoursEntry).where(HoursEntry.id == picked).values(**values))
    elif write["op"] == "bulk" and (values := columns(world, write)):
        # Every entry that shares one value with the picked one: several rows, one statement.
        column = {"meeting_point": "meeting_point_id", "person": "user_id", "centre": "centre_id"}.get(write["where"])
        column = getattr(HoursEntry, column or write["where"])
        shared = sa.select(column).where(HoursEntry.id == picked).scalar_subquery()
        db.session.execute(sa.update(HoursEntry).where(column.is_not_distinct_from(shared)).values(**values))
    elif write["op"] == "delete":
        chosen = HoursEntry.user_id == db.session.get(HoursEntry, picked).user_id if write["many"] else None
        db.session.execute(sa.delete(HoursEntry).where(chosen if chosen is not None else HoursEntry.id == picked))
    db.session.expire_all()


@pytest.mark.slow  # make test, not make check
# 12 sequences of up to 35 writes, each checked (40 cost a minute of CPU per database in make test;
# every kind of write also has its own test above).
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=rows, sequence=writes)
def test_random_writes_past_the_orm_keep_the_roll_ups_exact(world, first, sequence):
    db.session.execute(sa.delete(HoursEntry))
    for write in first:
        apply(world, write)
    assert_exact()
    for write in sequence:
        apply(world, write)
        assert_exact()
    db.session.rollback()


def test_the_period_splits_into_whole_months_and_partial_ones():
    split = rollups.split_period
    assert split(date(2026, 1, 1), date(2026, 12, 31)) == ((202601, 202612), [])
    assert split(date(2026, 1, 1), date(2026, 11, 20)) == ((202601, 202610), [(date(2026, 11, 1), date(2026, 11, 20))])
    assert split(date(2025, 12, 10), date(2026, 2, 5)) == (
        (202601, 202601),
        [(date(2025, 12, 10), date(2025, 12, 31)), (date(2026, 2, 1), date(2026, 2, 5))],
    )
    assert split(date(2026, 2, 3), date(2026, 2, 20)) == (None, [(date(2026, 2, 3), date(2026, 2, 20))])
    assert split(date(2024, 2, 1), date(2024, 2, 29)) == ((202402, 202402), [])
    assert split(date(2026, 3, 5), date(2026, 3, 4)) == (None, [])
    assert split(date(9999, 12, 2), date(9999, 12, 31)) == (None, [(date(9999, 12, 2), date(9999, 12, 31))])
    assert split(date(1, 1, 1), date(1, 1, 15)) == (None, [(date(1, 1, 1), date(1, 1, 15))])
