"""check-in scans: each tap on the poster with its own time, once per client id

Revision ID: 19a6check1n0
Revises: 17b2sh1ftact
Create Date: 2026-12-02 12:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '19a6check1n0'
down_revision = '17b2sh1ftact'
branch_labels = None
depends_on = None


def upgrade():
    # Check-ins recorded before this revision stay on the sign-ups; their scans were not kept.
    op.create_table('checkin_scans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=True),
    sa.Column('signup_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('scanned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(
        ['signup_id'], ['signups.id'], name=op.f('fk_checkin_scans_signup_id_signups'), ondelete='CASCADE'
    ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_checkin_scans_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_scans')),
    sa.UniqueConstraint('user_id', 'client_id', name=op.f('uq_checkin_scans_user_id'))
    )
    with op.batch_alter_table('checkin_scans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_scans_signup_id'), ['signup_id'], unique=False)


def downgrade():
    with op.batch_alter_table('checkin_scans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_scans_signup_id'))

    op.drop_table('checkin_scans')
