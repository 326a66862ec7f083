"""warden pages: inspection check-in columns and the photos table

Revision ID: 0002_warden
Revises: 0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_warden"
down_revision = "0002_registry"
branch_labels = None
depends_on = None

_CHECKIN = (
    ("checkin_status", sa.String(length=16)),
    ("checkin_lng", sa.Float()),
    ("checkin_lat", sa.Float()),
    ("checkin_datum", sa.String(length=16)),
    ("checkin_accuracy_m", sa.Float()),
    ("checkin_distance_m", sa.Float()),
    ("checkin_at", sa.DateTime()),
)


def upgrade() -> None:
    # plain ADD COLUMN (nullable) works on both SQLite and PostgreSQL without
    # rebuilding the table
    for name, type_ in _CHECKIN:
        op.add_column("inspections", sa.Column(name, type_, nullable=True))
    op.create_index("ix_inspections_checkin_status", "inspections", ["checkin_status"])
    op.create_table(
        "photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=True),
        sa.Column("taken_at", sa.DateTime(), nullable=True),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("hazard_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"]),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspections.id"]),
        sa.ForeignKeyConstraint(["hazard_id"], ["hazards.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for col in ("sha256", "enterprise_id", "inspection_id", "hazard_id"):
        op.create_index(f"ix_photos_{col}", "photos", [col])


def downgrade() -> None:
    for col in ("sha256", "enterprise_id", "inspection_id", "hazard_id"):
        op.drop_index(f"ix_photos_{col}", table_name="photos")
    op.drop_table("photos")
    op.drop_index("ix_inspections_checkin_status", table_name="inspections")
    # SQLite drops columns through a table rebuild (batch mode)
    with op.batch_alter_table("inspections") as batch:
        for name, _ in reversed(_CHECKIN):
            batch.drop_column(name)
