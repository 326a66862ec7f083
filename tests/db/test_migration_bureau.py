"""Revision 0004_bureau goes down and up again on both backends, keeping nothing
of its tables behind (SpatiaLite's geometry registration included)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from gridwatch.db import migrate

BUREAU_TABLES = {
    "accidents",
    "standardisation_records",
    "hazard_declarations",
    "safety_officers",
    "annual_targets",
    "assessment_schemes",
    "assessment_manual",
}


def _tables(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def test_bureau_revision_downgrades_and_upgrades(ctx):
    engine = ctx.engine
    assert BUREAU_TABLES <= _tables(engine)
    with engine.begin() as conn:
        command.downgrade(migrate.alembic_config(conn), "0004_bureau-1")
    assert not BUREAU_TABLES & _tables(engine)
    migrate.upgrade(engine)
    assert BUREAU_TABLES <= _tables(engine)
    assert migrate.schema_differences(engine) == []
