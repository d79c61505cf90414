"""sign-ups keep the reason a volunteer gave with "Ich kann nicht"

Revision ID: 17b2sh1ftact
Revises: 17a1f1rst5cr
Create Date: 2026-12-02 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '17b2sh1ftact'
down_revision = '17a1f1rst5cr'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('signups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('signups', schema=None) as batch_op:
        batch_op.drop_column('cancel_reason')
