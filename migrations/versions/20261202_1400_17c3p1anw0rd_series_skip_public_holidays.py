"""a series may leave out NRW public holidays

Revision ID: 17c3p1anw0rd
Revises: 17d4n0t1fy00
Create Date: 2026-12-02 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '17c3p1anw0rd'
down_revision = '17d4n0t1fy00'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('shift_series', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('skip_public_holidays', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('shift_series', schema=None) as batch_op:
        batch_op.drop_column('skip_public_holidays')
