import sqlalchemy as sa

from gridwatch.db import migrate
from gridwatch.db.models import Base


def test_upgrade_fresh_database_matches_models(ctx):
    assert migrate.current_revision(ctx.engine) == migrate.head_revision()
    assert migrate.schema_differences(ctx.engine) == []


def test_upgrade_is_idempotent(ctx):
    before, after = migrate.upgrade(ctx.engine)
    assert before == after == migrate.head_revision()


def test_every_model_table_exists(ctx):
    names = set(sa.inspect(ctx.engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= names


def test_geometry_columns_are_wgs84(ctx):
    with ctx.engine.connect() as conn:
        if ctx.engine.dialect.name == "sqlite":
            rows = conn.execute(
                sa.text("SELECT f_table_name, srid FROM geometry_columns")
            ).all()
        else:
            rows = conn.execute(
                sa.text(
                    "SELECT f_table_name, srid FROM geometry_columns "
                    "WHERE f_table_schema = 'public'"
                )
            ).all()
    tables = {r[0] for r in rows}
    assert {"enterprises", "grids", "admin_units", "gazetteer_points"} <= tables
    assert {r[1] for r in rows} == {4326}


def test_cleanup_revision_downgrades_and_upgrades_again(ctx):
    """0002_cleanup adds enterprise_grid.is_imprecise; its downgrade removes it."""
    from alembic import command
    from alembic.script import ScriptDirectory

    def columns():
        return {
            c["name"] for c in sa.inspect(ctx.engine).get_columns("enterprise_grid")
        }

    assert "is_imprecise" in columns()
    # to the revision before it, wherever the chain puts it
    before = (
        ScriptDirectory.from_config(migrate.alembic_config())
        .get_revision("0002_cleanup")
        .down_revision
    )
    with ctx.engine.begin() as conn:
        command.downgrade(migrate.alembic_config(conn), before)
    assert "is_imprecise" not in columns()
    migrate.upgrade(ctx.engine)
    assert "is_imprecise" in columns()
    assert migrate.schema_differences(ctx.engine) == []
