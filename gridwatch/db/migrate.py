"""Alembic wiring: upgrade, current revision and head, without an alembic.ini."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from geoalchemy2 import alembic_helpers
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).with_name("migrations")

# SpatiaLite's own bookkeeping tables (InitSpatialMetaData) are not ours to migrate.
_SYSTEM_TABLES = {
    "data_licenses",
    "ElementaryGeometries",
    "KNN",
    "KNN2",
    "sql_statements_log",
    "SpatialIndex",
    "spatial_ref_sys_aux",
    "spatialite_history",
    "views_geometry_columns",
    "virts_geometry_columns",
    "geometry_columns_auth",
    "geometry_columns_statistics",
    "geometry_columns_field_infos",
    "geometry_columns_time",
    "spatial_ref_sys",
    "geometry_columns",
    "sqlite_sequence",
}


def include_object(obj, name, obj_type, reflected, compare_to):
    if (
        obj_type == "table"
        and reflected
        and compare_to is None
        and (
            name in _SYSTEM_TABLES
            or name.startswith(("idx_", "vector_layers", "virts_"))
            or name.endswith(("_statistics", "_auth", "_field_infos"))
        )
    ):
        return False
    return alembic_helpers.include_object(obj, name, obj_type, reflected, compare_to)


def alembic_config(connection=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Apply migrations up to ``revision`` in one transaction; return (before, after)."""
    before = current_revision(engine)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)
    return before, current_revision(engine)


def autogenerate(engine: Engine, message: str) -> None:
    """Developer helper: write a new revision from the models' difference."""
    with engine.begin() as conn:
        command.revision(alembic_config(conn), message=message, autogenerate=True)


def schema_differences(engine: Engine) -> list:
    """Differences between the models and the database (empty when in sync)."""
    from alembic.autogenerate import compare_metadata

    from gridwatch.db.models import Base

    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object}
        )
        return list(compare_metadata(ctx, Base.metadata))
