"""Issue 13: units from the official names-and-codes list, drawn illustrative inside
any parent; grid files brought in with their codes checked."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from gridwatch.crs import METRIC_CRS
from gridwatch.errors import InvalidInputError
from gridwatch.grids.divisions import normalise_code, read_divisions
from gridwatch.grids.gridfile import read_grids_file
from gridwatch.grids.illustrative import illustrative_children

DATA = Path(__file__).resolve().parents[1] / "data" / "boundaries"
SHARED = Path("/work/shared/geodata-sources")


def test_read_divisions_nanhai_towns_from_the_foshan_list():
    got = read_divisions(DATA / "foshan_440600_towns_nbs.csv", "town", "440605")
    assert got.units["code"].tolist() == [
        "440605011", "440605121", "440605122", "440605123", "440605124",
        "440605125", "440605126"]
    assert got.units["name"].iloc[0] == "桂城街道"
    assert set(got.units["parent_code"]) == {"440605"}
    # every row accounted for: 7 kept, the other 34 under other districts
    assert got.rows == 41 and got.outside_parent == 34 and not got.rejected


def test_read_divisions_villages_get_kinds_and_short_names():
    got = read_divisions(DATA / "chancheng_440604_villages_nbs.csv", "community")
    assert len(got.units) == 147
    row = got.units.set_index("code").loc["440604100001"]
    assert row["parent_code"] == "440604100"
    assert (got.units["kind"] == "village").sum() == 53  # 53 村民委员会
    assert got.units.set_index("code").loc["440604010001", "short_name"] == "澜石社区"


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared geodata sources not here")
def test_read_divisions_areacity_format_with_mixed_levels():
    path = SHARED / "foshan_440600_admin_level4_pinyin_areacity.csv"
    got = read_divisions(path, "town", "440604")
    assert got.units["code"].tolist() == ["440604010", "440604011", "440604012",
                                          "440604100"]
    assert got.units["name"].tolist()[0] == "石湾镇街道"  # ext_name, the full name
    assert got.other_level == 6  # the city and the five districts


def test_read_divisions_gbk_nbs_headers_and_bad_rows(tmp_path):
    path = tmp_path / "nbs.csv"
    path.write_bytes(
        "统计用区划代码,城乡分类代码,名称\n"
        "440604011000,,张槎街道\n440604011001,111,纯阳社区居委会\n"
        "440604011002,220,大富村民委员会\n4406040110XX,,坏代码\n"
        "440604011002,220,大富村民委员会\n".encode("gbk"))
    got = read_divisions(path, "community")
    assert got.units["code"].tolist() == ["440604011001", "440604011002"]
    assert got.units["kind"].tolist() == ["community", "village"]
    assert got.other_level == 1
    assert [r["reason"] for r in got.rejected] == [
        "not a division code (2 to 12 digits)",
                                                   "the same code again"]


def test_read_divisions_refuses_a_list_without_the_level(tmp_path):
    with pytest.raises(InvalidInputError, match="lists no community under 440699"):
        read_divisions(DATA / "chancheng_440604_villages_nbs.csv", "community",
                       "440699")


@pytest.mark.parametrize("code, level, want", [
    ("440604", "district", "440604"), ("440604000000", "district", "440604"),
    ("440604010000", "town", "440604010"), ("440604010", "town", "440604010"),
    ("440604010001", "community", "440604010001"), ("440604010001", "town", None),
    ("440604010000", "community", None), ("44060401", "town", None),
    ("440604000", "town", None),
    ("abc", "town", None), ("440604010.0", "town", "440604010"),
])
def test_normalise_code(code, level, want):
    assert normalise_code(code, level) == want


def _random_parent(seed):
    rng = np.random.default_rng(seed)
    pieces = []
    for _ in range(rng.integers(1, 4)):
        cx, cy = 113.0 + rng.uniform(0, 0.05), 23.0 + rng.uniform(0, 0.05)
        w, h = rng.uniform(0.01, 0.04, 2)
        rect = box(cx, cy, cx + w, cy + h)
        pieces.append(shapely.affinity.rotate(rect, rng.uniform(0, 60)))
    return shapely.union_all(pieces)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(1, 25),
       villages=st.floats(0, 1))
def test_illustrative_children_tile_any_parent_exactly(seed, n, villages):
    parent = _random_parent(seed)
    kids = pd.DataFrame({"code": [f"440605126{i + 1:03d}" for i in range(n)],
                         "kind": ["village" if i < villages * n else "community"
                                  for i in range(n)]})
    out = illustrative_children(parent, "440605126", kids, seed)
    assert out["code"].tolist() == kids["code"].tolist()
    # exact in WGS-84, the CRS the units are stored and tested in
    union = shapely.union_all(out.geometry.to_numpy())
    assert union.symmetric_difference(parent).area <= 1e-9 * parent.area
    assert out.area.sum() - union.area <= 1e-9 * parent.area  # no overlaps
    m = out.to_crs(METRIC_CRS)
    assert (m.area > 1.0).all() and out.is_valid.all()


def test_illustrative_children_are_deterministic_per_parent():
    parent = box(113.0, 23.0, 113.05, 23.04)
    kids = pd.DataFrame({"code": [f"440605126{i:03d}" for i in range(1, 9)]})
    a = illustrative_children(parent, "440605126", kids, 7)
    b = illustrative_children(parent, "440605126", kids, 7)
    c = illustrative_children(parent, "440605126", kids, 8)
    assert a.geometry.geom_equals_exact(b.geometry, 0).all()
    assert not a.geometry.geom_equals(c.geometry).all()


# --- grid files -----------------------------------------------------------------

UNITS = {"440604", "440604011", "440604011001", "440604011002"}


def _grid_file(tmp_path, rows):
    feats = [{"type": "Feature", "properties": props,
              "geometry": shapely.geometry.mapping(geom)} for props, geom in rows]
    path = tmp_path / "grids.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats},
                               ensure_ascii=False), "utf-8")
    return path


WEST = box(113.00, 23.00, 113.01, 23.02)
EAST = box(113.01, 23.00, 113.02, 23.02)


def test_read_grids_file_takes_codes_and_units(tmp_path):
    path = _grid_file(tmp_path, [
        ({"WGBM": "440604011001001", "SQDM": "440604011001"}, WEST),
        ({"WGBM": "440604011001002", "SQDM": "440604011001"}, EAST)])
    grids, _ = read_grids_file(path, UNITS, parent_field="SQDM",
                                   code_field="WGBM")
    assert grids["code"].tolist() == ["440604011001001", "440604011001002"]
    assert set(grids["parent_code"]) == {"440604011001"}


def test_read_grids_file_assigns_codes_west_to_east(tmp_path):
    path = _grid_file(tmp_path, [({"unit": "440604011002"}, EAST),
                                 ({"unit": "440604011002"}, WEST)])
    grids, notes = read_grids_file(path, UNITS, parent_field="unit")
    assert grids["code"].tolist() == ["440604011002001", "440604011002002"]
    assert grids.geometry.iloc[0].equals(WEST)
    assert any("assigned" in n for n in notes)


def test_read_grids_file_finds_a_town_level_unit_from_the_code(tmp_path):
    path = _grid_file(tmp_path, [({"code": "440604011000001"}, WEST)])
    grids, _ = read_grids_file(path, UNITS, code_field="code")
    assert grids["parent_code"].tolist() == ["440604011"]


@pytest.mark.parametrize("rows, words", [
    ([({"c": "440604011002001", "u": "440604011001"}, WEST)], "do not extend"),
    ([({"c": "44060401100100", "u": "440604011001"}, WEST)], "do not extend"),
    ([({"c": "440604011001001", "u": "440604011001"}, WEST),
      ({"c": "440604011001001", "u": "440604011001"}, EAST)], "appears 2 times"),
    ([({"c": "440604099001001", "u": "440604099001"}, WEST)], "not loaded"),
])
def test_read_grids_file_refuses_bad_codes(tmp_path, rows, words):
    path = _grid_file(tmp_path, rows)
    with pytest.raises(InvalidInputError, match=words):
        read_grids_file(path, UNITS, parent_field="u", code_field="c")
