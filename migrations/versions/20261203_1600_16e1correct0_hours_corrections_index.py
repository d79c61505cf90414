"""An index on hours_entries.corrects_id for an entry's corrections

Revision ID: 16e1correct0
Revises: 16d1rollupl0
Create Date: 2026-12-03 16:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "16e1correct0"
down_revision = "16d1rollupl0"
branch_labels = None
depends_on = None

ONLY_CORRECTIONS = sa.text("corrects_id IS NOT NULL")


def upgrade():
    op.create_index(
        "ix_hours_entries_corrects",
        "hours_entries",
        ["corrects_id"],
        postgresql_where=ONLY_CORRECTIONS,
        sqlite_where=ONLY_CORRECTIONS,
    )


def downgrade():
    op.drop_index("ix_hours_entries_corrects", table_name="hours_entries")
