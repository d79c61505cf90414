"""handovers: a confirmed sign-up offered to colleagues; centres may ask for approval

Revision ID: 18a1handover
Revises: 17c3p1anw0rd
Create Date: 2026-12-02 15:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '18a1handover'
down_revision = '17c3p1anw0rd'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('handovers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('signup_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('taker_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_handovers_centre_id_centres')),
    sa.ForeignKeyConstraint(['shift_id'], ['shifts.id'], name=op.f('fk_handovers_shift_id_shifts')),
    sa.ForeignKeyConstraint(
        ['signup_id'], ['signups.id'], name=op.f('fk_handovers_signup_id_signups'), ondelete='CASCADE'
    ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_handovers_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['taker_id'], ['users.id'], name=op.f('fk_handovers_taker_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handovers')),
    sa.UniqueConstraint('signup_id', name=op.f('uq_handovers_signup_id'))
    )
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.create_index('ix_handovers_centre_status', ['centre_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_handovers_shift_id'), ['shift_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handovers_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handovers_taker_id'), ['taker_id'], unique=False)
    with op.batch_alter_table('centres', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('handover_needs_approval', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('centres', schema=None) as batch_op:
        batch_op.drop_column('handover_needs_approval')
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handovers_taker_id'))
        batch_op.drop_index(batch_op.f('ix_handovers_user_id'))
        batch_op.drop_index(batch_op.f('ix_handovers_shift_id'))
        batch_op.drop_index('ix_handovers_centre_status')
    op.drop_table('handovers')
