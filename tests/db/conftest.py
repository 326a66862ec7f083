"""A tiny district in the database: 1 town, 2 communities, 60 enterprises, 4 wardens."""

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from gridwatch.registry import make_uscc
from gridwatch.services.admin import upsert_admin_units
from gridwatch.services.enterprises import upsert_enterprises
from gridwatch.services.users import add_user
from tests.actors import SYSTEM

TOWN = "440604011"
COMMS = ["440604011001", "440604011002"]
WGS = "EPSG:4326"


def make_code(n: int) -> str:
    """A valid credit code (both check characters, GB 32100 and GB 11714)."""
    return make_uscc(f"MA{n:06d}")


@pytest.fixture
def small_district(ctx):
    return build_small_district(ctx)


def build_small_district(ctx):
    west, east = box(113.00, 23.00, 113.02, 23.02), box(113.02, 23.00, 113.04, 23.02)
    upsert_admin_units(
        ctx,
        SYSTEM,
        gpd.GeoDataFrame(
            {"code": ["440604"], "name": ["禅城区"]},
            geometry=[box(113, 23, 113.04, 23.02)],
            crs=WGS,
        ),
        "district",
        "test",
    )
    upsert_admin_units(
        ctx,
        SYSTEM,
        gpd.GeoDataFrame(
            {"code": [TOWN], "name": ["张槎街道"], "parent_code": ["440604"]},
            geometry=[box(113, 23, 113.04, 23.02)],
            crs=WGS,
        ),
        "town",
        "test",
    )
    upsert_admin_units(
        ctx,
        SYSTEM,
        gpd.GeoDataFrame(
            {
                "code": COMMS,
                "name": ["甲社区居委会", "乙村村民委员会"],
                "parent_code": [TOWN] * 2,
                "kind": ["community", "village"],
            },
            geometry=[west, east],
            crs=WGS,
        ),
        "community",
        "test",
    )
    rng = np.random.default_rng(1)
    records = [
        {
            "uscc": make_code(i),
            "name": f"企业{i}",
            "address": f"张槎路{i}号",
            "sector": "ceramics",
            "risk_level": ["red", "blue", "yellow"][i % 3],
            "lng": float(rng.uniform(113.001, 113.039)),
            "lat": float(rng.uniform(23.001, 23.019)),
            "source_datum": "wgs84",
            "precision": "supplied",
        }
        for i in range(60)
    ]
    records.append(
        {
            "uscc": make_code(99),
            "name": "无坐标厂",
            "address": "某村委会旁",
            "sector": "other",
            "risk_level": "blue",
            "lng": None,
            "lat": None,
        }
    )
    with ctx.transaction(SYSTEM) as s:
        upsert_enterprises(s, records)
    for i in range(4):
        add_user(
            ctx,
            SYSTEM,
            f"zc_warden_{i:03d}",
            f"网格员{i}",
            "warden",
            TOWN,
            password="correct horse battery",
        )
    return ctx
