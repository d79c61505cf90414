"""user preference: co-volunteers of a shift may see the first name

Revision ID: 17a1f1rst5cr
Revises: 4b7e0c1d9a21
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '17a1f1rst5cr'
down_revision = '4b7e0c1d9a21'
branch_labels = None
depends_on = None


def upgrade():
    # Nobody has allowed it yet: existing accounts start hidden.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shows_first_name', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('shows_first_name')
