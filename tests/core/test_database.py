"""SQLite writers queue for a lock file before they take the database's write lock, so that one
busy process cannot keep the others out (SQLite's own waiting is polling, and unfair)."""

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from volunteers.extensions import db

# The writers' queue is SQLite's; PostgreSQL locks rows.
pytestmark = pytest.mark.database("sqlite")


@pytest.fixture
def engine(app):
    return db.engine


def writer(engine):
    return engine.connect().execution_options(write_lock=True)


def begin_in_thread(engine) -> tuple[threading.Thread, threading.Event, list]:
    """Another writer trying to begin; `began` is set once it is in, `held` keeps its connection."""
    began, held = threading.Event(), []

    def run():
        connection = writer(engine)
        connection.begin()
        began.set()
        held.append(connection)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, began, held


@pytest.mark.parametrize("ending", ["commit", "rollback", "close"])
def test_a_second_writer_waits_for_the_first_and_goes_on_when_it_ends(engine, ending):
    first = writer(engine)
    first.begin()
    first.exec_driver_sql("SELECT 1")
    assert Path(f"{engine.url.database}-writers").exists()
    thread, began, held = begin_in_thread(engine)
    try:
        assert not began.wait(0.5), "the second writer did not wait"
        getattr(first, ending)()
        assert began.wait(5), f"the second writer was still waiting after {ending}"
    finally:
        first.close()
        thread.join(5)
        for connection in held:
            connection.rollback()
            connection.close()


def test_readers_do_not_queue(engine):
    first = writer(engine)
    first.begin()
    try:
        with engine.connect() as reader:  # a deferred BEGIN: WAL readers never wait for a writer
            assert reader.execute(sa.text("SELECT 1")).scalar() == 1
    finally:
        first.rollback()
        first.close()


@pytest.mark.server
def test_a_writer_gets_in_while_another_process_writes_back_to_back(engine, tmp_path):
    """Without the queue the busy process wins every time and the other waits until it stops."""
    import select
    import subprocess
    import sys
    import time

    script = tmp_path / "busy.py"
    script.write_text(f"""
import time, sqlalchemy as sa
from volunteers.core import database  # noqa: F401 - the app's SQLite settings and the queue
engine = sa.create_engine({str(engine.url)!r})
end, told = time.monotonic() + 2.5, False
with engine.connect().execution_options(write_lock=True) as connection:
    while time.monotonic() < end:
        connection.begin()
        connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS busy (x)")
        connection.exec_driver_sql("INSERT INTO busy VALUES (1)")
        time.sleep(0.005)
        connection.commit()
        if not told:
            print("writing", flush=True)
            told = True
""")
    root = Path(__file__).resolve().parents[2]
    busy = subprocess.Popen(
        [sys.executable, str(script)], cwd=root, env={"PYTHONPATH": str(root)}, stdout=subprocess.PIPE, text=True
    )
    try:
        # Its imports take a second or more on a loaded machine: measure once it has written.
        assert select.select([busy.stdout], [], [], 30)[0], "the busy process did not start writing"
        assert busy.stdout.readline() == "writing\n"
        time.sleep(0.2)  # back to back now
        started = time.monotonic()
        with writer(engine) as connection:
            connection.begin()
            waited = time.monotonic() - started
            connection.rollback()
        assert busy.poll() is None, "the busy process ended before the measured write"
        assert waited < 1, f"waited {waited:.2f} s for the write lock"
    finally:
        busy.wait(10)
