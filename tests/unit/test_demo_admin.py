"""Tests for gridwatch.demo.admin: the district, towns and communities."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from gridwatch.crs import METRIC_CRS
from gridwatch.demo import build_admin, geodata_dir
from gridwatch.demo.admin import TOWN_SHARES
from gridwatch.demo.sources import SOURCE_FILES, read_divisions, short_name
from gridwatch.errors import InvalidInputError

SEED = 20131


@pytest.fixture(scope="module")
def admin():
    return build_admin(seed=SEED)


def _overlap_m2(frame) -> float:
    geoms = frame.to_crs(METRIC_CRS).geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    total = 0.0
    for i, j in tree.query(geoms, predicate="intersects").T:
        if i < j:
            total += shapely.intersection(geoms[i], geoms[j]).area
    return total


def test_build_admin_real_codes_and_names(admin):
    district, towns, communities = admin
    assert district.loc[0, "code"] == "440604" and district.loc[0, "name"] == "禅城区"
    assert not district.loc[0, "is_illustrative"]
    assert dict(zip(towns["code"], towns["name"], strict=True)) == {
        "440604010": "石湾镇街道",
        "440604011": "张槎街道",
        "440604012": "祖庙街道",
        "440604100": "南庄镇",
    }
    assert len(communities) == 147
    assert (communities["kind"] == "community").sum() == 94
    assert (communities["kind"] == "village").sum() == 53
    assert communities["code"].str.len().eq(12).all()
    assert (communities["code"].str[:9] == communities["parent_code"]).all()
    assert towns["is_illustrative"].all() and communities["is_illustrative"].all()
    for frame in admin:
        assert frame.crs.to_epsg() == 4326


def test_build_admin_short_names(admin):
    short = dict(zip(admin[2]["name"], admin[2]["short_name"], strict=True))
    assert short["澜石社区居委会"] == "澜石社区"
    assert short["吉利村民委员会"] == "吉利村"
    assert short["番村村民委员会"] == "番村"
    assert not any(s.endswith(("委会", "委员会")) for s in short.values())


def test_short_name_strips_each_suffix():
    assert short_name("某某社区居民委员会") == "某某社区"
    assert short_name("某某村委会") == "某某村"
    assert short_name("某某居委会") == "某某社区"
    assert short_name("某某") == "某某"


def test_build_admin_towns_tile_district_exactly(admin):
    district, towns, _ = admin
    d_area = district.to_crs(METRIC_CRS).area.sum()
    assert abs(towns.to_crs(METRIC_CRS).area.sum() / d_area - 1) < 1e-4
    assert _overlap_m2(towns) < 1.0
    union = shapely.union_all(towns.to_crs(METRIC_CRS).geometry.to_numpy())
    gap = shapely.symmetric_difference(union, district.to_crs(METRIC_CRS).geometry[0])
    assert gap.area < 1.0


def test_build_admin_communities_tile_each_town_exactly(admin):
    _, towns, communities = admin
    t_area = towns.to_crs(METRIC_CRS).set_index("code").area
    c_metric = communities.to_crs(METRIC_CRS)
    for code, group in c_metric.groupby("parent_code"):
        assert abs(group.area.sum() / t_area[code] - 1) < 1e-4, code
        town = towns.loc[towns["code"] == code].to_crs(METRIC_CRS).geometry.iloc[0]
        outside = shapely.difference(shapely.union_all(group.geometry.to_numpy()), town)
        assert outside.area < 1.0, code
    assert _overlap_m2(communities) < 1.0


def test_build_admin_every_piece_one_valid_polygon(admin):
    _, towns, communities = admin
    for frame in (towns, communities):
        assert (frame.geom_type == "Polygon").all()
        assert frame.is_valid.all()
        assert frame.to_crs(METRIC_CRS).is_valid.all()
        assert (frame.to_crs(METRIC_CRS).area > 10_000).all()


def test_build_admin_town_sizes_and_layout(admin):
    _, towns, _ = admin
    metric = towns.to_crs(METRIC_CRS).set_index("code")
    share = metric.area / metric.area.sum()
    for code, target in TOWN_SHARES.items():
        assert abs(share[code] - target) < 0.02, code
    c = metric.centroid
    zumiao, shiwan, zhangcha, nanzhuang = (
        c[k] for k in ("440604012", "440604010", "440604011", "440604100")
    )
    assert zumiao.x > zhangcha.x and zumiao.y > shiwan.y  # 祖庙 north-east
    assert shiwan.x > nanzhuang.x and zhangcha.y > nanzhuang.y


def test_build_admin_villages_larger_than_urban_communities(admin):
    metric = admin[2].to_crs(METRIC_CRS)
    mean = metric.area.groupby(metric["kind"]).mean()
    assert mean["village"] > 1.5 * mean["community"]


def test_build_admin_deterministic(admin):
    again = build_admin(seed=SEED)
    for a, b in zip(admin, again, strict=True):
        assert_geodataframe_equal(a, b)
    other = build_admin(seed=SEED + 1)[2]
    assert not other.geometry.geom_equals(admin[2].geometry).all()


def test_build_admin_every_pair_of_towns_shares_no_area(admin):
    towns = admin[1].to_crs(METRIC_CRS).geometry.to_numpy()
    for a, b in itertools.combinations(towns, 2):
        assert shapely.intersection(a, b).area < 1.0


def test_geodata_dir_setting_replaces_the_shipped_copy(tmp_path):
    assert geodata_dir(tmp_path) == tmp_path
    with pytest.raises(InvalidInputError, match="GRIDWATCH_GEODATA_DIR"):
        read_divisions(tmp_path)


def test_geodata_dir_setting_is_read_from_the_folder_given(tmp_path):
    src = geodata_dir()
    for name in SOURCE_FILES:
        (tmp_path / name).write_bytes(src.joinpath(name).read_bytes())
    towns, villages = read_divisions(tmp_path)
    assert len(towns) == 4 and len(villages) == 147


def test_geodata_is_package_data_with_its_attribution():
    """What a wheel ships: the files are inside the gridwatch package (found by
    importlib.resources, not by walking up from the source tree), their README
    (sources and licences) beside them, and pyproject's package-data globs
    select every one of them."""
    import glob
    import tomllib
    from importlib import resources
    from pathlib import Path

    shipped = resources.files("gridwatch.data").joinpath("geodata")
    for name in (*SOURCE_FILES, "README.md"):
        assert shipped.joinpath(name).is_file(), name
    readme = shipped.joinpath("README.md").read_text("utf-8")
    assert "MIT" in readme and "WTFPL" in readme
    assert np.isclose(read_divisions()[0].shape[0], 4)
    root = Path(__file__).resolve().parents[2]
    cfg = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))
    globs = cfg["tool"]["setuptools"]["package-data"]["gridwatch"]
    # setuptools expands package-data with glob (``*`` stays within one folder)
    selected = set()
    for g in globs:
        selected |= set(glob.glob(g, root_dir=root / "gridwatch", recursive=True))
    for name in (*SOURCE_FILES, "README.md"):
        assert f"data/geodata/{name}" in selected, name
