"""Revision 0002_street downgrades and upgrades again on both backends."""

import sqlalchemy as sa
from alembic import command

from gridwatch.db import migrate

TABLES = {"jobs", "patrol_plans", "patrol_days", "patrol_stops", "patrol_unplanned"}


def test_0002_street_downgrade_then_upgrade(ctx):
    engine = ctx.engine
    assert TABLES <= set(sa.inspect(engine).get_table_names())
    with engine.begin() as conn:
        command.downgrade(migrate.alembic_config(conn), "0002_web")
    engine.dispose()  # forget reflected metadata and pooled connections
    assert not TABLES & set(sa.inspect(engine).get_table_names())
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert migrate.schema_differences(engine) == []
