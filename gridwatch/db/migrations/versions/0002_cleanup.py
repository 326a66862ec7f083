"""cleanup: enterprise_grid.is_imprecise (community-level placements are flagged)

Revision ID: 0002_cleanup
Revises: 0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_cleanup"
down_revision = "0002_web"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # existing rows were all written as confident answers: false
    with op.batch_alter_table("enterprise_grid", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "is_imprecise", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    # drop in place (SQLite 3.35+): recreating the table is not needed for a column
    with op.batch_alter_table(
        "enterprise_grid", schema=None, recreate="never"
    ) as batch_op:
        batch_op.drop_column("is_imprecise")
