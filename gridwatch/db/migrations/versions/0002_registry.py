"""registry: contacts, town/community hints, GB/T 4754 code, extra columns, flags

Revision ID: 0002_registry
Revises: 0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_registry"
down_revision = "0002_cleanup"
branch_labels = None
depends_on = None

COLUMNS = (
    ("industry_code", sa.String(length=8)),
    ("legal_representative", sa.String(length=100)),
    ("principal", sa.String(length=100)),
    ("safety_officer", sa.String(length=100)),
    ("contact_phone", sa.String(length=64)),
    ("town_hint", sa.String(length=100)),
    ("town_hint_code", sa.String(length=12)),
    ("community_hint", sa.String(length=100)),
    ("community_hint_code", sa.String(length=12)),
    ("extra_attrs", sa.JSON()),
    ("registry_flags", sa.String(length=200)),
)
INDEXED = ("town_hint_code", "community_hint_code")


def upgrade() -> None:
    # batch mode: SQLite (SpatiaLite) cannot ALTER a table in place for every
    # change; on PostgreSQL it issues plain ALTER TABLE statements
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        for name in INDEXED:
            batch_op.create_index(
                batch_op.f(f"ix_enterprises_{name}"), [name], unique=False
            )


def downgrade() -> None:
    # never recreate the table: other tables reference enterprises, and SpatiaLite's
    # RenameTable refuses to swap a copy in under those foreign keys; SQLite 3.35+
    # drops a column in place (ALTER TABLE … DROP COLUMN)
    with op.batch_alter_table("enterprises", schema=None, recreate="never") as batch_op:
        for name in INDEXED:
            batch_op.drop_index(batch_op.f(f"ix_enterprises_{name}"))
        for name, _type in reversed(COLUMNS):
            batch_op.drop_column(name)
