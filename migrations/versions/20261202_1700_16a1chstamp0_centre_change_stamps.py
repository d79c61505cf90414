"""a change stamp per centre

Revision ID: 16a1chstamp0
Revises: 18d4inv1tact
Create Date: 2026-12-02 17:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "16a1chstamp0"
down_revision = "18d4inv1tact"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "centre_stamps",
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centres.id"], name=op.f("fk_centre_stamps_centre_id_centres"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("centre_id", name=op.f("pk_centre_stamps")),
    )
    # Every centre starts with a row, so that a raise is an UPDATE of it (stamp.py inserts a
    # missing one too).
    op.execute("INSERT INTO centre_stamps (centre_id, stamp, changed_at) SELECT id, 1, CURRENT_TIMESTAMP FROM centres")


def downgrade():
    op.drop_table("centre_stamps")
