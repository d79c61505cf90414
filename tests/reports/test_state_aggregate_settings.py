"""The report's aggregates run with PostgreSQL settings of their own (figures.py
AGGREGATE_SETTINGS: memory to hash the breakdown, no JIT), for their transaction only; SQLite
gets no extra statement."""

from datetime import date

import sqlalchemy as sa

from volunteers.extensions import db
from volunteers.reports.figures import AGGREGATE_SETTINGS, Period, centres_figures


def setting(name: str) -> str:
    return db.session.scalar(sa.select(sa.func.current_setting(name)))


def test_settings_last_for_the_reports_transaction_only(app, make_centre):
    centre = make_centre()
    db.session.commit()
    postgresql = db.engine.dialect.name == "postgresql"
    before = {name: setting(name) for name in AGGREGATE_SETTINGS} if postgresql else {}
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        centres_figures([centre], Period(date(2026, 1, 1), date(2026, 12, 31)))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    set_config = [s for s in statements if "set_config" in s]
    assert len(set_config) == (1 if postgresql else 0)
    if postgresql:
        assert {name: setting(name) for name in AGGREGATE_SETTINGS} == AGGREGATE_SETTINGS
        db.session.rollback()
        assert {name: setting(name) for name in AGGREGATE_SETTINGS} == before
