"""`flask backup` and `flask restore` on both databases: every row comes back and later changes are
gone; SQLite's backup holds what is still only in the write-ahead log; a missing, wrong or broken
file is refused and the database stays as it was."""

import re
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa

from volunteers.backup.services import client_command
from volunteers.centres.models import Centre
from volunteers.extensions import db
from volunteers.shifts.models import Shift


def run(app, *args):
    return app.test_cli_runner().invoke(args=[str(arg) for arg in args])


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    with db.engine.connect() as connection:
        return {
            table.name: [tuple(row) for row in connection.execute(sa.select(table).order_by(*table.primary_key))]
            for table in db.metadata.sorted_tables
        }


def reported_counts(output: str) -> dict[str, int]:
    return {name: int(count) for name, count in re.findall(r"^  (\w+)\s+(\d+)$", output, re.MULTILINE)}


def test_restore_brings_back_every_row_and_drops_what_changed_later(app, make_shift, make_user, make_centre, tmp_path):
    shift = make_shift()
    make_user("coordinator", shift.meeting_point.centre)
    before = snapshot()
    backup = tmp_path / "treffpunkt.backup"

    backed_up = run(app, "backup", backup)
    assert backed_up.exit_code == 0, backed_up.output
    assert reported_counts(backed_up.output).items() >= {name: len(rows) for name, rows in before.items()}.items()

    db.session.get(Centre, shift.meeting_point.centre_id).name = "Später umbenannt"
    db.session.execute(sa.delete(Shift).where(Shift.id == shift.id))
    make_centre("spaeter-angelegt")  # commits the changes above too
    assert snapshot() != before

    restored = run(app, "restore", "--yes", backup)
    assert restored.exit_code == 0, restored.output
    assert snapshot() == before
    assert ("integrity_check: ok" in restored.output) == (db.engine.dialect.name == "sqlite")
    assert reported_counts(restored.output).items() >= {name: len(rows) for name, rows in before.items()}.items()


@pytest.mark.database("sqlite")
def test_sqlite_backup_holds_what_is_still_in_the_write_ahead_log(app, tmp_path):
    database = Path(db.engine.url.database)
    db.session.commit()
    with db.engine.connect() as connection:  # everything so far into the file: the copy below has the schema
        assert connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()[0] == 0
    writer = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)
    with writer.connect() as connection:  # stays open: closing the last connection would checkpoint
        connection.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
        centres = [
            {"slug": f"wal-{n}", "name": f"Im Log {n}", "district": "Kreis", "regierungsbezirk": "Köln"}
            for n in range(3)
        ]
        connection.execute(sa.insert(Centre), centres)
        connection.commit()
        shutil.copyfile(database, tmp_path / "copied.sqlite")  # what one must never do
        result = run(app, "backup", tmp_path / "backup.sqlite")
    writer.dispose()
    assert result.exit_code == 0, result.output
    assert slugs_in(tmp_path / "copied.sqlite") == set()  # the copy lost the committed rows
    assert slugs_in(tmp_path / "backup.sqlite") == {"wal-0", "wal-1", "wal-2"}
    assert not Path(f"{tmp_path / 'backup.sqlite'}-wal").exists()  # one self-contained file


@pytest.mark.database("sqlite")
def test_sqlite_restore_drops_a_write_ahead_log_left_by_a_crash(app, make_centre, tmp_path):
    make_centre("gesichert")
    backup = tmp_path / "backup.sqlite"
    assert run(app, "backup", backup).exit_code == 0
    log = Path(f"{db.engine.url.database}-wal")
    writer = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)
    with writer.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
        connection.execute(
            sa.insert(Centre), [{"slug": "im-alten-log", "name": "X", "district": "Y", "regierungsbezirk": "Köln"}]
        )
        connection.commit()
        left_by_the_crash = log.read_bytes()
    writer.dispose()
    db.session.remove()
    db.engine.dispose()  # the last connection checkpoints and removes the log …
    log.write_bytes(left_by_the_crash)  # … which a crashed process would have left behind
    result = run(app, "restore", "--yes", backup)
    assert result.exit_code == 0, result.output
    assert set(db.session.scalars(sa.select(Centre.slug))) == {"gesichert"}
    assert db.session.scalar(sa.text("PRAGMA integrity_check")) == "ok"


def slugs_in(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as connection:
        return {slug for (slug,) in connection.execute("SELECT slug FROM centres")}


@pytest.mark.parametrize(
    ("content", "code"),
    [(None, "missing"), (b"Dies ist keine Sicherung.\n", "wrong_kind")],
    ids=["missing", "text"],
)
def test_restore_refuses_a_missing_or_foreign_file_and_keeps_the_database(app, make_centre, tmp_path, content, code):
    make_centre()
    before = snapshot()
    path = tmp_path / "treffpunkt.backup"
    if content is not None:
        path.write_bytes(content)
    result = run(app, "restore", "--yes", path)
    assert result.exit_code == 1 and f"({code})" in result.output, result.output
    assert snapshot() == before


@pytest.mark.database("sqlite")
def test_sqlite_restore_refuses_a_broken_backup_and_keeps_the_database(app, make_centre, tmp_path):
    make_centre()
    backup = tmp_path / "backup.sqlite"
    assert run(app, "backup", backup).exit_code == 0
    data = bytearray(backup.read_bytes())
    # Every page after the first lost: the header and the schema intact, the tables not. (Half of
    # the file is not enough: a file that had many rows deleted before may hold only free pages there.)
    page_size = int.from_bytes(data[16:18], "big")
    data[page_size:] = bytes(len(data) - page_size)
    backup.write_bytes(data)
    make_centre("spaeter-angelegt")
    before = snapshot()
    result = run(app, "restore", "--yes", backup)
    assert result.exit_code == 1 and re.search(r"\((unreadable|integrity)\)", result.output), result.output
    assert snapshot() == before
    assert not list(Path(db.engine.url.database).parent.glob("*.partial"))


def test_backup_into_a_missing_folder_fails_and_writes_nothing(app, tmp_path):
    result = run(app, "backup", tmp_path / "fehlt" / "treffpunkt.backup")
    assert result.exit_code == 1 and "(unwritable)" in result.output, result.output
    assert not (tmp_path / "fehlt").exists()


@pytest.mark.database("postgresql")
def test_postgresql_restore_leaves_the_planner_its_statistics(app, make_centre, tmp_path):
    make_centre()
    backup = tmp_path / "treffpunkt.dump"
    assert run(app, "backup", backup).exit_code == 0
    assert backup.read_bytes().startswith(b"PGDMP")
    result = run(app, "restore", "--yes", backup)
    assert result.exit_code == 0, result.output
    # pg_restore creates the tables anew, without statistics; only ANALYZE writes them.
    analysed = db.session.scalar(sa.text("SELECT count(*) FROM pg_stats WHERE tablename = 'centres'"))
    assert analysed > 0


def test_the_password_reaches_pg_dump_in_its_environment_not_its_argv():
    url = sa.make_url("postgresql+psycopg://treffpunkt:g%40heim%3A1@db.internal:6543/treffpunkt?sslmode=require")
    argv, environment = client_command("/usr/bin/pg_dump", url, "--format=custom")
    assert environment["PGPASSWORD"] == "g@heim:1"
    assert argv == [
        "/usr/bin/pg_dump",
        "--format=custom",
        "--dbname=postgresql://treffpunkt@db.internal:6543/treffpunkt?sslmode=require",
    ]
