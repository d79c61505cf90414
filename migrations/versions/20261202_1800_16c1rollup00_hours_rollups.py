"""monthly roll-ups of the hours entries, kept by triggers

Revision ID: 16c1rollup00
Revises: 16a1chstamp0
Create Date: 2026-12-02 18:00:00

"""

from pathlib import Path

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "16c1rollup00"
down_revision = "16a1chstamp0"
branch_labels = None
depends_on = None


# (table, its key columns, the month last): each also has minutes and entries.
ROLLUPS = (
    ("hours_rollup_months", ("centre_id", "status", "kind", "month")),
    ("hours_rollup_bausteine", ("centre_id", "kind", "baustein", "month")),
    ("hours_rollup_places", ("centre_id", "meeting_point_id", "month")),
    ("hours_rollup_activities", ("centre_id", "activity", "month")),
    ("hours_rollup_people", ("centre_id", "user_id", "month")),
)
TYPES = {"status": 10, "kind": 10, "baustein": 1, "activity": 60}  # strings of this length; the rest integers


def frozen(part: str, dialect: str) -> list[str]:
    """The SQL as this revision made it (volunteers/reports/rollups.py of that day), kept beside
    the migrations: code that changes later must not change what this migration does."""
    text = (Path(__file__).parents[1] / "frozen" / f"16c1rollup00_{dialect}_{part}.sql").read_text(encoding="utf-8")
    return text.split("\n-- next statement\n")


def upgrade():
    for name, keys in ROLLUPS:
        op.create_table(
            name,
            *(
                sa.Column(key, sa.String(length=TYPES[key]) if key in TYPES else sa.Integer(), autoincrement=False)
                for key in keys
            ),
            sa.Column("minutes", sa.BigInteger(), nullable=False),
            sa.Column("entries", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint(*keys, name=op.f(f"pk_{name}")),
        )
    op.create_table(
        "hours_first_days",
        sa.Column("centre_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("first_day", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("centre_id", "user_id", name=op.f("pk_hours_first_days")),
    )
    connection = op.get_bind()
    # The triggers first, then the backfill, in this one transaction: an entry written meanwhile
    # waits for it (PostgreSQL: the lock of CREATE TRIGGER; SQLite: the database's).
    for statement in frozen("triggers", connection.dialect.name) + frozen("backfill", connection.dialect.name):
        connection.exec_driver_sql(statement)
    if connection.dialect.name == "postgresql":  # the planner's statistics now, not at autovacuum's leisure
        connection.exec_driver_sql(f"ANALYZE {', '.join(name for name, _keys in ROLLUPS)}, hours_first_days")


def downgrade():
    connection = op.get_bind()
    for statement in frozen("drop", connection.dialect.name):
        connection.exec_driver_sql(statement)
    op.drop_table("hours_first_days")
    for name, _keys in reversed(ROLLUPS):
        op.drop_table(name)
