"""pages: inspections indexed by (enterprise, date) for the coverage status

Revision ID: 0002_pages
Revises: 0003_supervision
Create Date: 2026-12-01
"""

from alembic import op

revision = "0002_pages"
down_revision = "0003_supervision"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_inspections_enterprise_day", "inspections", ["enterprise_id", "inspected_on"]
    )


def downgrade() -> None:
    op.drop_index("ix_inspections_enterprise_day", table_name="inspections")
