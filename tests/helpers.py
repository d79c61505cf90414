"""Helpers for tests that go through HTTP like a browser would."""

import re

import pytest
import sqlalchemy as sa

from volunteers.core import time
from volunteers.extensions import db

PASSWORD = "richtig-geheim-123"

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def statements_of(action) -> list[str]:
    """The SQL statements `action()` runs, without transaction control."""
    seen = []

    def record(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return seen


def csrf_token(client) -> str:
    """The session's CSRF token, read from the language form that every page carries."""
    page = client.get("/privacy").get_data(as_text=True)
    return CSRF_INPUT.search(page).group(1)


def post_form(client, url: str, data: dict | None = None, **kwargs):
    return client.post(url, data={"csrf_token": csrf_token(client), **(data or {})}, **kwargs)


def login(client, user_or_email, password: str = PASSWORD):
    email = getattr(user_or_email, "email", user_or_email)
    response = post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def clock_frozen_at(instant):
    """The autouse fixture of a test module whose tests all run at one instant:
    `frozen_clock = clock_frozen_at(NOW)`."""

    @pytest.fixture(autouse=True)
    def frozen_clock():
        with time.freeze(instant):
            yield

    return frozen_clock
