"""PostgreSQL: the roll-up trigger takes the centre's lock before its roll-up rows (no deadlocks)

Revision ID: 16d1rollupl0
Revises: 16c1rollup00
Create Date: 2026-12-03 09:00:00

"""

from pathlib import Path

from alembic import op

# revision identifiers, used by Alembic.
revision = "16d1rollupl0"
down_revision = "16c1rollup00"
branch_labels = None
depends_on = None


# The SQL as this revision made it, kept beside the migrations (see 16c1rollup00).
TRIGGERS = Path(__file__).parents[1] / "frozen" / "16d1rollupl0_postgresql_triggers.sql"


def upgrade():
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":  # SQLite has one writer at a time: nothing to order
        # CREATE OR REPLACE, DROP … IF EXISTS: idempotent
        for statement in TRIGGERS.read_text(encoding="utf-8").split("\n-- next statement\n"):
            connection.exec_driver_sql(statement)


def downgrade():
    # Nothing to take back: 16c1rollup00's code reads the same roll-ups, and the lock only orders
    # the writers.
    pass
