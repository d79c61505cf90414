"""covering index for the report's aggregates over hours entries

Revision ID: 3f1d2c9a7b10
Revises: a99071777d03
Create Date: 2026-11-22 01:05:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3f1d2c9a7b10'
down_revision = 'a99071777d03'
branch_labels = None
depends_on = None

COLUMNS = ['centre_id', 'status', 'work_date', 'kind', 'user_id', 'minutes', 'baustein', 'meeting_point_id',
           'activity']


def upgrade():
    # On a large PostgreSQL table, create it beforehand with CREATE INDEX CONCURRENTLY under this
    # name to avoid blocking writes (docs/deploy.md); then this step finds nothing to do.
    op.create_index('ix_hours_entries_report', 'hours_entries', COLUMNS, unique=False, if_not_exists=True)


def downgrade():
    op.drop_index('ix_hours_entries_report', table_name='hours_entries')
