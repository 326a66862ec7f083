"""PostGIS SQL text for assignment (no database needed)."""

import pytest

from gridwatch.assign.sql import covers_join_sql, grid_index_ddl, nearest_grid_sql


def test_covers_join_sql_uses_covers_and_c_collation_tie_rule():
    sql = covers_join_sql("app.enterprise_points", "app.grids")
    assert "ST_Covers(g.geom, p.geom)" in sql
    assert 'min(c.code COLLATE "C") AS code' in sql
    assert "GROUP BY c.id" in sql and "n_covering" not in sql


def test_covers_join_sql_drives_from_the_grids():
    sql = covers_join_sql("pts", "grids")
    # the grids are the outer loop, and OFFSET 0 keeps the planner from
    # flattening the lateral subquery back into a point-driven join
    assert "FROM grids g\n      CROSS JOIN LATERAL (SELECT p.id FROM pts p" in sql
    assert "OFFSET 0" in sql


def test_covers_join_sql_can_count_the_covering_grids():
    sql = covers_join_sql("pts", "grids", with_count=True)
    assert ", count(*) AS n_covering" in sql


def test_covers_join_sql_adds_version_filter():
    sql = covers_join_sql("pts", "grids", version_filter="g.version_id = :v")
    assert "AND (g.version_id = :v)" in sql


@pytest.mark.parametrize("bad", ["pts; DROP TABLE grids", "a.b.c", "1pts", ""])
def test_covers_join_sql_rejects_non_identifiers(bad):
    with pytest.raises(ValueError):
        covers_join_sql(bad, "grids")


def test_nearest_grid_sql_measures_in_metric_crs_and_breaks_ties_by_code():
    sql = nearest_grid_sql("pts", "grids", version_filter="g.version_id = :v")
    assert "ST_Transform(p.geom, 4547)" in sql
    assert "<-> o.geom" in sql
    assert "round(ST_Distance(" in sql and 'g.code COLLATE "C"' in sql
    assert sql.count("(g.version_id = :v)") == 3


def test_nearest_grid_sql_takes_the_metric_srid_of_the_setting():
    sql = nearest_grid_sql("pts", "grids", metric_srid=32649)
    assert "ST_Transform(p.geom, 32649)" in sql and "4547" not in sql


def test_grid_index_ddl_names_index_without_schema_dot():
    ddl = grid_index_ddl("app.grids")
    assert ddl == (
        "CREATE INDEX IF NOT EXISTS app_grids_geom_gist ON app.grids USING GIST (geom)"
    )
