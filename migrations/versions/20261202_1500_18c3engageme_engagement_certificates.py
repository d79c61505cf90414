"""certificates of engagement; the centre's Ehrenamtskarte criteria

Revision ID: 18c3engageme
Revises: 18b2availab1
Create Date: 2026-12-02 15:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '18c3engageme'
down_revision = '18b2availab1'
branch_labels = None
depends_on = None


def upgrade():
    # NRW's criteria of February 2026 as the defaults (docs/ehrenamtskarte.md).
    with op.batch_alter_table('centres', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ehrenamtskarte_hours_per_year', sa.Integer(), nullable=False, server_default='200'))
        batch_op.add_column(sa.Column('ehrenamtskarte_hours_per_week', sa.Integer(), nullable=False, server_default='4'))
        batch_op.add_column(sa.Column('ehrenamtskarte_min_years', sa.Integer(), nullable=False, server_default='2'))
    op.create_table(
        'engagement_certificates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('centre_id', sa.Integer(), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('total_minutes', sa.Integer(), nullable=False),
        sa.Column('holder_name', sa.String(length=200), nullable=False),
        sa.Column('centre_name', sa.String(length=200), nullable=False),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['centre_id'], ['centres.id'], name=op.f('fk_engagement_certificates_centre_id_centres')
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_engagement_certificates_user_id_users'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_engagement_certificates')),
        sa.UniqueConstraint('code', name=op.f('uq_engagement_certificates_code')),
    )
    with op.batch_alter_table('engagement_certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_engagement_certificates_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_engagement_certificates_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('engagement_certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_engagement_certificates_user_id'))
        batch_op.drop_index(batch_op.f('ix_engagement_certificates_centre_id'))
    op.drop_table('engagement_certificates')
    with op.batch_alter_table('centres', schema=None) as batch_op:
        batch_op.drop_column('ehrenamtskarte_min_years')
        batch_op.drop_column('ehrenamtskarte_hours_per_week')
        batch_op.drop_column('ehrenamtskarte_hours_per_year')
