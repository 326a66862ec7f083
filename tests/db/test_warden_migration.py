"""Revision 0002_warden downgrades and upgrades again on both backends."""

import sqlalchemy as sa
from alembic import command

from gridwatch.db import migrate


def _columns(engine, table):
    return {c["name"] for c in sa.inspect(engine).get_columns(table)}


def test_0002_warden_downgrade_then_upgrade(ctx):
    engine = ctx.engine
    assert {"checkin_status", "checkin_distance_m"} <= _columns(engine, "inspections")
    with engine.begin() as conn:
        command.downgrade(migrate.alembic_config(conn), "0001")
    engine.dispose()  # forget reflected metadata and pooled connections
    assert "photos" not in sa.inspect(engine).get_table_names()
    assert not {c for c in _columns(engine, "inspections") if c.startswith("checkin")}
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert migrate.schema_differences(engine) == []
