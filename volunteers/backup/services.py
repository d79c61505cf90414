"""Backups and restores of the configured database, each reporting the rows per table.

SQLite: copied with its online backup API, which reads through SQLite itself and so includes the
transactions still in the write-ahead log (`-wal`); copying the file while the app runs loses them.
A restore builds the new database in a temporary file beside the old one, checks it and renames
it into place, so that no half-written database is ever left behind.

PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --if-exists --no-owner` in one
transaction, then `VACUUM ANALYZE`: after pg_restore the planner has no statistics, and the report
took twice as long until they were back. The password goes to the tools as PGPASSWORD in their
environment, never on a command line that `ps` shows."""

import os
import shutil
import sqlite3
import subprocess  # nosec B404: runs pg_dump/pg_restore with a fixed argv, no shell
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from ..core.errors import DomainError
from ..extensions import db

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"  # how pg_dump's custom format begins


class BackupError(DomainError):
    pass


@dataclass(frozen=True)
class Outcome:
    """What a backup holds or a restore brought back."""

    database: str  # "SQLite" or "PostgreSQL"
    row_counts: dict[str, int]
    integrity: str | None = None  # SQLite's PRAGMA integrity_check


def back_up_database(*, path: Path) -> Outcome:
    """Write a consistent backup of the configured database to `path`, replacing it only once complete."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        database = _sqlite_file(url)
        if not database.is_file():
            raise BackupError(f"Die Datenbank {database} gibt es nicht.", code="missing")
        return _back_up_sqlite(database, path)
    with _reaching(url):
        return _back_up_postgresql(_postgresql(url), path)


def restore_database(*, path: Path) -> Outcome:
    """Replace the configured database by the backup in `path`. The app and its workers must be stopped."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        return _restore_sqlite(path, _sqlite_file(url))
    with _reaching(url):
        return _restore_postgresql(path, _postgresql(url))


# --- SQLite ---------------------------------------------------------------------------


def _sqlite_file(url: sa.URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("Die Datenbank liegt nur im Speicher, nicht in einer Datei.", code="no_database_file")
    return Path(url.database).resolve()


def _back_up_sqlite(database: Path, target: Path) -> Outcome:
    _refuse_same_file(database, target)
    with _temporary_beside(target) as temporary:
        _copy_sqlite(database, temporary)
        outcome = _checked_sqlite(temporary)
        _move_into_place(temporary, target)
    return outcome


def _restore_sqlite(backup: Path, database: Path) -> Outcome:
    _require_file(backup, SQLITE_HEADER, "keine SQLite-Datenbank")
    _refuse_same_file(database, backup)
    with _temporary_beside(database) as temporary:
        _copy_sqlite(backup, temporary)
        outcome = _checked_sqlite(temporary)
        _keep_owner_and_mode(database, temporary)
        _release_connections()
        # A -wal left beside the new file would be replayed into it on the next open.
        for stale in (Path(f"{database}-wal"), Path(f"{database}-shm")):
            stale.unlink(missing_ok=True)
        _move_into_place(temporary, database)
    return outcome


def _copy_sqlite(source: Path, target: Path) -> None:
    try:
        with closing(sqlite3.connect(source, timeout=15)) as original, closing(sqlite3.connect(target)) as copy:
            original.backup(copy)  # all pages in one step: one consistent snapshot
            # A single self-contained file: nothing of it may stay behind in a -wal of its own.
            copy.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} ist nicht lesbar: {error}", code="unreadable") from None


def _checked_sqlite(path: Path) -> Outcome:
    with closing(sqlite3.connect(path)) as connection:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise BackupError(f"integrity_check von {path}: {'; '.join(problems[:5])}", code="integrity")
        names = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
        counts = {name: _count_sqlite(connection, name) for (name,) in names.fetchall()}
    return Outcome("SQLite", counts, integrity="ok")


def _count_sqlite(connection: sqlite3.Connection, table: str) -> int:
    quoted = table.replace('"', '""')
    return connection.execute(f'SELECT count(*) FROM "{quoted}"').fetchone()[0]  # nosec B608: a table's own name, quoted


# --- PostgreSQL -----------------------------------------------------------------------


def _postgresql(url: sa.URL) -> sa.URL:
    if url.get_backend_name() != "postgresql":
        raise BackupError(
            f"Sicherungen gibt es für SQLite und PostgreSQL, nicht für {url.get_backend_name()}.", code="unsupported"
        )
    return url


@contextmanager
def _reaching(url: sa.URL) -> Iterator[None]:
    try:
        yield
    except sa.exc.OperationalError as error:
        where = url.render_as_string(hide_password=True)
        raise BackupError(f"Keine Verbindung zu {where}: {error.orig}", code="unreachable") from None


def _back_up_postgresql(url: sa.URL, target: Path) -> Outcome:
    with _temporary_beside(target) as temporary, db.engine.connect() as connection:
        # pg_dump reads the snapshot of this transaction, so the counts below are those of the dump.
        connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.scalar(sa.text("SELECT pg_export_snapshot()"))
            _run("pg_dump", url, "--format=custom", f"--snapshot={snapshot}", f"--file={temporary}")
            counts = _row_counts(connection)
        _move_into_place(temporary, target)
    return Outcome("PostgreSQL", counts)


def _restore_postgresql(backup: Path, url: sa.URL) -> Outcome:
    _require_file(backup, PG_DUMP_HEADER, "kein Archiv von pg_dump --format=custom")
    _release_connections()  # an open transaction of our own would block the DROPs
    _run("pg_restore", url, "--clean", "--if-exists", "--no-owner", "--single-transaction", str(backup))
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")  # VACUUM runs outside a transaction
        connection.exec_driver_sql("VACUUM ANALYZE")
        counts = _row_counts(connection)
    return Outcome("PostgreSQL", counts)


def _run(tool: str, url: sa.URL, *args: str) -> None:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(f"{tool} fehlt: bitte die PostgreSQL-Client-Programme installieren.", code="tool_missing")
    argv, environment = client_command(executable, url, *args)
    result = subprocess.run(argv, env=environment, capture_output=True, text=True, check=False)  # nosec B603: no shell
    if result.returncode != 0:
        raise BackupError(f"{tool} ist gescheitert: {result.stderr.strip()}", code="tool_failed")


def client_command(executable: str, url: sa.URL, *args: str) -> tuple[list[str], dict[str, str]]:
    """The argv and environment to run a PostgreSQL client program on `url`: the password in
    PGPASSWORD, never in the argv that every user of the machine can read with `ps`."""
    conninfo = sa.URL.create(
        "postgresql", username=url.username, host=url.host, port=url.port, database=url.database, query=url.query
    )
    environment = {**os.environ, "PGPASSWORD": url.password} if url.password else {**os.environ}
    return [executable, *args, f"--dbname={conninfo.render_as_string(hide_password=False)}"], environment


def _row_counts(connection: sa.Connection) -> dict[str, int]:
    names = sorted(sa.inspect(connection).get_table_names())
    return {name: connection.scalar(sa.select(sa.func.count()).select_from(sa.table(name))) for name in names}


# --- files ----------------------------------------------------------------------------


def _require_file(path: Path, header: bytes, wrong_kind: str) -> None:
    if not path.is_file():
        raise BackupError(f"Die Datei {path} gibt es nicht.", code="missing")
    with path.open("rb") as handle:
        if handle.read(len(header)) != header:
            raise BackupError(f"{path} ist {wrong_kind}.", code="wrong_kind")


def _refuse_same_file(database: Path, other: Path) -> None:
    if other.resolve() == database:
        raise BackupError(f"{other} ist die Datenbank selbst.", code="same_file")


@contextmanager
def _temporary_beside(path: Path) -> Iterator[Path]:
    """A new empty file in the folder of `path`, so that renaming it there is atomic; gone afterwards."""
    try:
        handle, name = tempfile.mkstemp(dir=path.resolve().parent, prefix=f".{path.name}.", suffix=".partial")
    except OSError as error:
        raise BackupError(f"In {path.parent} lässt sich nicht schreiben: {error}", code="unwritable") from None
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)


def _keep_owner_and_mode(original: Path, new: Path) -> None:
    """The new file as the app could open the old one, also when root restores for the app's user."""
    if not original.exists():
        return
    status = original.stat()
    with suppress(PermissionError):
        os.chown(new, status.st_uid, status.st_gid)
    os.chmod(new, status.st_mode & 0o777)


def _move_into_place(temporary: Path, target: Path) -> None:
    """Rename `temporary` to `target` durably: its data on disk first, then the rename."""
    with temporary.open("rb") as handle:
        os.fsync(handle.fileno())
    try:
        os.replace(temporary, target)
    except OSError as error:
        raise BackupError(f"{target} lässt sich nicht ersetzen: {error}", code="unwritable") from None
    folder = os.open(target.resolve().parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _release_connections() -> None:
    """End this process's session and pooled connections: they would go on using the old database."""
    db.session.remove()
    db.engine.dispose()
