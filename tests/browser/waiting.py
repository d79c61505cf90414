"""Waiting in the browser for what only an asynchronous script can tell (IndexedDB, the caches)."""

import time as wall


def wait_until(page, script: str, *, seconds: float = 10) -> None:
    """Until the async `script` gives true. Not page.wait_for_function: it takes an async
    predicate's promise, always truthy, for success at once and resolves with its false (the
    predicate is meant to be synchronous). Between tries Playwright runs the test's route handlers."""
    deadline = wall.monotonic() + seconds
    while not page.evaluate(script):
        assert wall.monotonic() < deadline, f"still false after {seconds} s: {script}"
        page.wait_for_timeout(100)
