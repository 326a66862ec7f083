import datetime as dt

import geopandas as gpd
import sqlalchemy as sa
from shapely.geometry import Point, Polygon

from gridwatch.db.models import AdminUnit, Enterprise
from gridwatch.db.queries import bulk_insert, read_frame, wkb


def test_bulk_insert_and_read_frame_roundtrip_geometry(ctx):
    rows = gpd.GeoDataFrame(
        {
            "uscc": ["91440604MA4UJ8NX1Y", "91440604MA4UJ8NX2W"],
            "name": ["甲<img src=x>", "乙 😀"],
            "sector": ["ceramics", "furniture"],
            "risk_level": ["red", "blue"],
            "is_three_in_one": [True, False],
            "has_hazchem": [False, False],
            "precision": ["door", "none"],
            "registered_on": [dt.date(2020, 1, 2), None],
            "created_at": [dt.datetime(2026, 1, 1)] * 2,
            "updated_at": [dt.datetime(2026, 1, 1)] * 2,
            "geom": [Point(113.1, 23.0), None],
        },
        geometry="geom",
        crs="EPSG:4326",
    )
    with ctx.engine.begin() as conn:
        assert bulk_insert(conn, "enterprises", rows) == 2
    with ctx.engine.connect() as conn:
        out = read_frame(
            conn,
            sa.select(
                Enterprise.uscc,
                Enterprise.name,
                Enterprise.registered_on,
                wkb(Enterprise.geom),
            ).order_by(Enterprise.uscc),
        )
    assert out.crs.to_epsg() == 4326
    assert list(out["name"]) == ["甲<img src=x>", "乙 😀"]
    assert out.geometry.iloc[0].equals(Point(113.1, 23.0))
    assert out.geometry.iloc[1] is None
    assert out["registered_on"].iloc[0] == dt.date(2020, 1, 2)


def test_bulk_insert_polygon_spatial_query(ctx):
    square = Polygon([(113.0, 23.0), (113.1, 23.0), (113.1, 23.1), (113.0, 23.1)])
    with ctx.engine.begin() as conn:
        bulk_insert(
            conn,
            "admin_units",
            [
                {
                    "code": "440604011001",
                    "name": "测试社区居委会",
                    "level": "community",
                    "is_illustrative": True,
                    "geom": square,
                    "updated_at": dt.datetime(2026, 1, 1),
                }
            ],
        )
    with ctx.engine.connect() as conn:
        hit = conn.execute(
            sa.select(AdminUnit.code).where(
                sa.func.ST_Contains(
                    AdminUnit.geom, sa.func.ST_GeomFromText("POINT(113.05 23.05)", 4326)
                )
            )
        ).all()
    assert hit == [("440604011001",)]
