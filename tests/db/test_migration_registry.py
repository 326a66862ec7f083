"""Migration 0002_registry: the new enterprise columns go down and up again with
the data (and its point) intact, on SpatiaLite and PostGIS."""

import sqlalchemy as sa
from alembic import command

from gridwatch.db import migrate
from gridwatch.services.enterprises import upsert_enterprises
from tests.actors import SYSTEM
from tests.db.conftest import make_code

NEW = {
    "legal_representative",
    "contact_phone",
    "town_hint",
    "extra_attrs",
    "registry_flags",
    "industry_code",
    "community_hint_code",
}


def _columns(engine):
    return {c["name"] for c in sa.inspect(engine).get_columns("enterprises")}


def test_registry_migration_downgrades_and_upgrades_keeping_rows(ctx):
    with ctx.transaction(SYSTEM) as s:
        upsert_enterprises(
            s,
            [
                {
                    "uscc": make_code(1),
                    "name": "甲厂",
                    "address": "x",
                    "lng": 113.01,
                    "lat": 23.01,
                    "precision": "supplied",
                    "source_datum": "wgs84",
                    "principal": "张三",
                    "extra_attrs": {"备注": "一"},
                }
            ],
        )
    assert NEW <= _columns(ctx.engine)
    with ctx.engine.begin() as conn:
        command.downgrade(migrate.alembic_config(conn), "0001")
    assert not NEW & _columns(ctx.engine)
    with ctx.engine.connect() as conn:
        x = conn.execute(sa.text("SELECT ST_X(geom) FROM enterprises")).scalar()
    assert abs(x - 113.01) < 1e-9
    migrate.upgrade(ctx.engine)
    assert migrate.schema_differences(ctx.engine) == []
    with ctx.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT name, principal FROM enterprises")).one()
    assert tuple(row) == ("甲厂", None)
