"""Geocoding honesty when the gazetteer covers one town of two (issue 13).

张槎街道 (east) has door plates; 南庄镇 (west) has villages but no plates, the
way a district onboards with a partial gazetteer.
"""

import dataclasses

import geopandas as gpd
import pytest
import sqlalchemy as sa
from shapely.geometry import Point, box

from gridwatch.db.models import Enterprise
from gridwatch.errors import InvalidInputError
from gridwatch.services.admin import replace_gazetteer, upsert_admin_units
from gridwatch.services.enterprises import upsert_enterprises
from gridwatch.services.geocoding import (
    describe_gazetteer,
    former_names_in_force,
    geocode_enterprises,
)
from tests.actors import SYSTEM
from tests.db.conftest import make_code

WGS = "EPSG:4326"
ZC, NZ = "440604011", "440604100"
HAIKOU, JILI = "440604011201", "440604100201"


def _units(ctx):
    west, east = box(113.00, 23.0, 113.05, 23.05), box(113.05, 23.0, 113.10, 23.05)
    for frame, level in (
        ({"code": ["440604"], "name": ["禅城区"]}, "district"),
        (
            {
                "code": [NZ, ZC],
                "name": ["南庄镇", "张槎街道"],
                "parent_code": ["440604"] * 2,
            },
            "town",
        ),
        (
            {
                "code": [JILI, HAIKOU],
                "name": ["吉利村村民委员会", "海口村村民委员会"],
                "short_name": ["吉利村", "海口村"],
                "kind": ["village"] * 2,
                "parent_code": [NZ, ZC],
            },
            "community",
        ),
    ):
        geoms = (
            [box(113.0, 23.0, 113.1, 23.05)] if level == "district" else [west, east]
        )
        upsert_admin_units(
            ctx, SYSTEM, gpd.GeoDataFrame(frame, geometry=geoms, crs=WGS), level, "test"
        )


@pytest.fixture
def partial(ctx):
    _units(ctx)
    plates = gpd.GeoDataFrame(
        {
            "addr_id": ["1", "2"],
            "town_code": [ZC] * 2,
            "community_code": [HAIKOU] * 2,
            "road_name": ["兴业路"] * 2,
            "door_no": [8, 10],
            "door_suffix": ["", ""],
            "place_name": ["", ""],
            "standard_address": [
                "广东省佛山市禅城区张槎街道海口村兴业路8号",
                "广东省佛山市禅城区张槎街道海口村兴业路10号",
            ],
        },
        geometry=[Point(113.07, 23.02), Point(113.0702, 23.0199)],
        crs=WGS,
    )
    replace_gazetteer(ctx, SYSTEM, None, plates)
    records = [
        {"uscc": make_code(1), "name": "甲厂", "address": "张槎街道兴业路8号"},
        {"uscc": make_code(2), "name": "乙厂", "address": "南庄镇吉利村吉利大道5号"},
        {"uscc": make_code(3), "name": "丙厂", "address": "南庄镇某某工业园"},
        {
            "uscc": make_code(4),
            "name": "丁厂",
            "address": "528000 张槎兴业路10号 电话0757-83084971",
        },
    ]
    with ctx.transaction(SYSTEM) as s:
        upsert_enterprises(
            s,
            [
                {**r, "sector": "other", "risk_level": "blue", "lng": None, "lat": None}
                for r in records
            ],
        )
    return ctx


def test_geocode_enterprises_says_what_the_gazetteer_covers(partial):
    r = geocode_enterprises(partial, SYSTEM, "missing")
    cov = r["coverage"]
    assert (cov["covered"], cov["total"], cov["door_plates"]) == (1, 2, 2)
    by_code = {t["code"]: t for t in cov["towns"]}
    assert by_code[ZC]["expected"] == "door" and by_code[NZ]["expected"] == "community"
    assert "1 of 2 towns" in cov["message"] and "南庄镇" in cov["message"]


def test_geocode_enterprises_flags_coarse_placements_for_review(partial):
    r = geocode_enterprises(partial, SYSTEM, "missing")
    assert r["by_precision"] == {"door": 2, "community": 1, "town": 1}
    assert r["needs_review"] == 2
    assert sorted(x["uscc"] for x in r["review"]) == [make_code(2), make_code(3)]
    with partial.engine.connect() as conn:
        flags = dict(
            conn.execute(sa.select(Enterprise.uscc, Enterprise.geocode_flags)).all()
        )
    assert (
        "needs_review" in flags[make_code(2)] and "needs_review" in flags[make_code(3)]
    )
    assert flags[make_code(1)] is None and flags[make_code(4)] is None


def test_describe_gazetteer_per_town(partial):
    cov = describe_gazetteer(partial, SYSTEM)
    assert [(t["code"], t["door_plates"]) for t in cov["towns"]] == [(ZC, 2), (NZ, 0)]


def test_former_names_in_force_with_bureau_file(partial, tmp_path):
    extra = tmp_path / "mine.csv"
    extra.write_text(
        "old_name,level,new_name\n张槎镇,town,张槎街道\n", encoding="utf-8"
    )
    ctx = dataclasses.replace(
        partial, settings=partial.settings.replace(former_names=str(extra))
    )
    rows = former_names_in_force(ctx, SYSTEM)
    assert rows[-1]["old_name"] == "张槎镇" and any(
        r["old_name"] == "石湾区" for r in rows
    )


@pytest.mark.skipif(
    not hasattr(Enterprise, "town_hint"),
    reason="the registry's hint columns are not in this schema yet",
)
def test_geocode_enterprises_uses_registry_hints(partial):
    with partial.transaction(SYSTEM) as s:
        s.execute(
            sa.update(Enterprise)
            .where(Enterprise.uscc == make_code(1))
            .values(town_hint="南庄镇")
        )
        s.execute(
            sa.update(Enterprise)
            .where(Enterprise.uscc == make_code(3))
            .values(community_hint="吉利村")
        )
    r = geocode_enterprises(partial, SYSTEM, "missing")
    assert r["hint_conflicts"] == 1
    with partial.engine.connect() as conn:
        rows = {
            u: (p, rel, f)
            for u, p, rel, f in conn.execute(
                sa.select(
                    Enterprise.uscc,
                    Enterprise.precision,
                    Enterprise.reliability,
                    Enterprise.geocode_flags,
                )
            )
        }
    assert "hint_conflict" in rows[make_code(1)][2] and rows[make_code(1)][1] <= 6
    assert rows[make_code(3)][0] == "community"


def test_gazetteer_refuses_to_be_replaced_by_nothing(partial, tmp_path):
    from gridwatch.geocode.sources import read_gazetteer

    header_only = tmp_path / "empty.csv"
    header_only.write_text("路名,门牌号,经度,纬度\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="no usable door plate"):
        read_gazetteer(header_only)
    bad = tmp_path / "bad.csv"
    bad.write_text("路名,门牌号,经度,纬度\n兴业路,8,x,y\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="row 2: no usable coordinates"):
        read_gazetteer(bad)
    assert describe_gazetteer(partial, SYSTEM)["door_plates"] == 2
