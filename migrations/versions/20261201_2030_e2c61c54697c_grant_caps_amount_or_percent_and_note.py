"""grant caps as an amount or a percentage of eligible costs, a note, one grant per centre and year

Revision ID: e2c61c54697c
Revises: 3f1d2c9a7b10
Create Date: 2026-12-01 20:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e2c61c54697c'
down_revision = '3f1d2c9a7b10'
branch_labels = None
depends_on = None

ONE_CAP = 'in_kind_cap_amount_eur IS NULL OR in_kind_cap_percent IS NULL'


def upgrade():
    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('in_kind_cap_amount_eur', sa.Numeric(precision=12, scale=2), nullable=True))
        batch_op.add_column(sa.Column('in_kind_cap_percent', sa.Numeric(precision=5, scale=2), nullable=True))
        batch_op.add_column(sa.Column('note', sa.String(length=500), nullable=False, server_default=''))

    # A share of 0.200 is 20.00 percent.
    op.execute('UPDATE grants SET in_kind_cap_percent = in_kind_cap_share * 100 WHERE in_kind_cap_share IS NOT NULL')

    # The report values a year's hours against the year's grant: a second grant in the same year would
    # count them twice. The old constraint also named the programme; the name stays the same.
    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.drop_column('in_kind_cap_share')
        batch_op.drop_constraint('uq_grants_centre_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_grants_centre_id'), ['centre_id', 'year'])
        batch_op.create_check_constraint(batch_op.f('ck_grants_one_cap'), ONE_CAP)


def downgrade():
    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('in_kind_cap_share', sa.Numeric(precision=4, scale=3), nullable=True))

    # Percentages go back to shares; a cap given as an amount has no share and is lost.
    op.execute('UPDATE grants SET in_kind_cap_share = in_kind_cap_percent / 100 WHERE in_kind_cap_percent IS NOT NULL')

    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_grants_one_cap'), type_='check')
        batch_op.drop_constraint('uq_grants_centre_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_grants_centre_id'), ['centre_id', 'programme', 'year'])
        batch_op.drop_column('note')
        batch_op.drop_column('in_kind_cap_percent')
        batch_op.drop_column('in_kind_cap_amount_eur')
