"""The suite's databases on the RAM disk (tests/conftest.py): a test process that dies leaves its
folder behind, and the next run removes it; the folder of a process still running stays."""

import os
import subprocess
import sys

from tests.conftest import RAM_PREFIX, remove_left_behind


def test_folders_of_ended_test_processes_go_and_those_of_running_ones_stay(tmp_path):
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    left = tmp_path / f"{RAM_PREFIX}{int(ended.stdout)}-k2j4"
    running = tmp_path / f"{RAM_PREFIX}{os.getpid()}-a8f1"
    unrelated = tmp_path / "treffpunkt-other"
    for folder in (left, running, unrelated):
        folder.mkdir()
        (folder / "test.sqlite").write_bytes(b"")
    remove_left_behind(tmp_path)
    assert (left.exists(), running.exists(), unrelated.exists()) == (False, True, True)
