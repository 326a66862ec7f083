import datetime as dt

import sqlalchemy as sa

from gridwatch.services import grids as gsvc
from gridwatch.services.assignment import (
    assign_enterprises_to_grids,
    assign_wardens,
    responsible_on,
    set_override,
)
from tests.actors import SYSTEM
from tests.db.conftest import make_code

D1, D2 = dt.date(2026, 1, 1), dt.date(2026, 6, 1)


def _setup(ctx, k=2):
    v = gsvc.build_version(ctx, SYSTEM, "balanced", grids_per_unit=k, activate=True)["version"]
    return v


def test_assign_puts_every_located_enterprise_in_one_grid(small_district):
    _setup(small_district)
    r = assign_enterprises_to_grids(small_district, SYSTEM, today=D1)
    assert r["assigned"] == 60 and r["outside"] == []
    assert [n["uscc"] for n in r["no_location"]] == [make_code(99)]
    again = assign_enterprises_to_grids(small_district, SYSTEM, today=D1)
    assert again["rows_opened"] == again["rows_closed"] == 0  # idempotent


def test_redraw_is_effective_dated_and_past_dates_answer(small_district):
    _setup(small_district, 2)
    assign_enterprises_to_grids(small_district, SYSTEM, today=D1)
    assign_wardens(small_district, SYSTEM, today=D1)
    before = responsible_on(small_district, SYSTEM, make_code(5), D1)
    v2 = gsvc.build_version(
        small_district,
        SYSTEM, "balanced", grids_per_unit=3, activate=True
    )["version"]
    r = assign_enterprises_to_grids(small_district, SYSTEM, today=D2)
    assert r["rows_opened"] == 60 and r["rows_closed"] == 60
    w = assign_wardens(small_district, SYSTEM, today=D2)
    # the churn is the share of the 60 enterprises whose warden changed overnight
    from gridwatch.services.assignment import enterprise_wardens_on

    with small_district.engine.connect() as conn:
        old = enterprise_wardens_on(conn, D2 - dt.timedelta(days=1))
        new = enterprise_wardens_on(conn, D2)
    changed = int((old[new.index] != new).sum())
    assert w["churn_compared"] == 60 and w["churn_changed"] == changed
    assert w["churn"] == round(changed / 60, 4)
    past = responsible_on(small_district, SYSTEM, make_code(5), D2 - dt.timedelta(days=1))
    now = responsible_on(small_district, SYSTEM, make_code(5), D2)
    assert past == {**before, "date": past["date"]}
    assert before["deputies"] == []
    assert now["version"] == v2 and now["warden"]


def test_wardens_rerun_writes_nothing_and_override_wins(small_district):
    _setup(small_district, 3)
    assign_enterprises_to_grids(small_district, SYSTEM, today=D1)
    first = assign_wardens(small_district, SYSTEM, today=D1)
    assert first["rows_opened"] == 6 and not first["unstaffed_grids"]
    again = assign_wardens(small_district, SYSTEM, today=D1)
    assert again["rows_opened"] == 0 and again["rows_closed"] == 0
    set_override(small_district, SYSTEM, "440604011001001", "zc_warden_003", today=D2)
    assign_wardens(small_district, SYSTEM, today=D2)
    who = responsible_on(
        small_district,
        SYSTEM, _enterprise_in(small_district, "440604011001001"), D2
    )
    assert who["warden"] == "zc_warden_003"


def _enterprise_in(ctx, grid_code):
    with ctx.engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT e.uscc FROM enterprises e JOIN enterprise_grid g ON g.enterprise_id = e.id"
                " WHERE g.grid_code = :c AND g.valid_to IS NULL"
            ),
            {"c": grid_code},
        ).scalar()


def test_memory_and_sql_paths_agree_edges_included(small_district):
    import pytest

    from gridwatch.services.assignment import locate_enterprises
    from gridwatch.services.enterprises import upsert_enterprises

    ctx = small_district
    v = _setup(ctx, 3)
    # vertices of the stored grids (shared by neighbours) and points outside
    import shapely

    grids = gsvc.read_grids(ctx, SYSTEM, v)
    coords = shapely.get_coordinates(grids.geometry.boundary.to_numpy())
    edge = [tuple(c) for c in coords[:: max(1, len(coords) // 12)]]
    edge += [(113.05, 23.01), (112.99, 23.03)]
    with ctx.transaction(SYSTEM) as s:
        upsert_enterprises(
            s,
            [
                {
                    "uscc": make_code(200 + i),
                    "name": f"边{i}",
                    "sector": "other",
                    "risk_level": "blue",
                    "lng": x,
                    "lat": y,
                    "precision": "supplied",
                    "source_datum": "wgs84",
                }
                for i, (x, y) in enumerate(edge)
            ],
        )
    with ctx.engine.connect() as conn:
        _, mem = locate_enterprises(ctx, conn, v, "memory")
        if conn.dialect.name != "postgresql":
            with pytest.raises(Exception, match="needs PostGIS"):
                locate_enterprises(ctx, conn, v, "sql")
            return
        _, sql = locate_enterprises(ctx, conn, v, "sql")
    cols = ["uscc", "grid_code", "status", "n_covering", "nearest_code"]
    assert mem[cols].fillna("-").astype(str).equals(sql[cols].fillna("-").astype(str))
    out = mem["status"] == "outside"
    assert (abs(mem.loc[out, "distance_m"] - sql.loc[out, "distance_m"]) < 0.01).all()
    assert (mem["n_covering"] > 1).sum() >= 3  # the edge points really were on edges


def test_deputy_is_dated_and_listed(small_district):
    from gridwatch.services.assignment import set_deputy

    _setup(small_district, 2)
    assign_enterprises_to_grids(small_district, SYSTEM, today=D1)
    assign_wardens(small_district, SYSTEM, today=D1)
    uscc = _enterprise_in(small_district, "440604011001001")
    set_deputy(small_district, SYSTEM, "440604011001001", "zc_warden_002", today=D1)
    set_deputy(
        small_district,
        SYSTEM, "440604011001001", "zc_warden_002", remove=True, today=D2
    )
    assert responsible_on(small_district, SYSTEM, uscc, D1)["deputies"] == ["zc_warden_002"]
    assert responsible_on(small_district, SYSTEM, uscc, D2)["deputies"] == []
