"""Boundary import: encodings, archives, datums, repairs and refusals."""

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from gridwatch.crs import METRIC_CRS
from gridwatch.errors import InvalidInputError
from gridwatch.grids.boundaries import (
    check_children_within,
    read_boundaries,
)
from gridwatch.grids.dbftext import decode_values

DATA = Path(__file__).resolve().parents[1] / "data" / "grids"
WEST = box(113.080, 23.040, 113.090, 23.050)


def test_read_boundaries_decodes_gbk_shapefile_without_cpg():
    assert not (DATA / "gbk_villages.cpg").exists()
    frame, _ = read_boundaries(DATA / "gbk_villages.shp", "community")
    assert frame["name"].tolist() == ["张槎村", "大富村"]
    assert frame["code"].tolist() == ["440604011001", "440604011002"]
    assert frame["parent_code"].tolist() == ["440604011", "440604011"]
    assert frame.crs.to_epsg() == 4326


def test_read_boundaries_reads_zipped_shapefile():
    frame, _ = read_boundaries(DATA / "gbk_villages.zip", "community")
    assert frame["name"].tolist() == ["张槎村", "大富村"]


def test_read_boundaries_converts_gcj02_to_wgs84():
    frame, notes = read_boundaries(DATA / "gcj02_village.geojson", "community",
                                   crs="gcj02")
    got = frame.geometry.iloc[0]
    # the GCJ-02 shift near Foshan is ~500 m; back in WGS-84 we are within 1 cm
    assert got.symmetric_difference(WEST).area < 1e-10
    assert got.hausdorff_distance(WEST) < 1e-7
    assert any("GCJ02" in n for n in notes)


def test_read_boundaries_repairs_bow_tie():
    frame, notes = read_boundaries(DATA / "bowtie_village.geojson", "community")
    geom = frame.geometry.iloc[0]
    assert len(frame) == 1 and geom.is_valid
    assert geom.geom_type == "MultiPolygon" and len(geom.geoms) == 2
    assert any("make_valid" in n and "440604011003" in n for n in notes)


def test_read_boundaries_reprojects_geopackage_in_metres():
    frame, notes = read_boundaries(DATA / "metric_towns.gpkg", "town")
    assert frame["name"].tolist() == ["张槎街道", "祖庙街道"]
    assert frame.geometry.iloc[0].symmetric_difference(WEST).area < 1e-12
    assert any("reprojected" in n for n in notes)


def test_read_boundaries_joins_rows_of_one_unit_into_a_multipolygon(tmp_path):
    frame = gpd.GeoDataFrame(
        {"code": ["440604011001", "440604011001"], "name": ["甲村", "甲村"]},
        geometry=[box(113.08, 23.04, 113.09, 23.05), box(113.10, 23.04, 113.11, 23.05)],
        crs="EPSG:4326")
    path = tmp_path / "parts.geojson"
    frame.to_file(path)
    out, notes = read_boundaries(path, "community")
    assert len(out) == 1 and out.geometry.iloc[0].geom_type == "MultiPolygon"
    assert any("joined" in n for n in notes)


def test_read_boundaries_is_deterministic():
    a, _ = read_boundaries(DATA / "gbk_villages.shp", "community")
    b, _ = read_boundaries(DATA / "gbk_villages.zip", "community")
    assert a.to_wkb().equals(b.to_wkb())


@pytest.mark.parametrize("name, words", [
    ("empty.geojson", "no features"),
    ("points.geojson", "no polygons"),
    ("noprj_metric.shp", "no CRS"),
])
def test_read_boundaries_refuses_bad_files(name, words):
    with pytest.raises(InvalidInputError, match=words):
        read_boundaries(DATA / name, "community")


def test_read_boundaries_takes_an_epsg_code_for_a_file_without_prj():
    frame, notes = read_boundaries(DATA / "noprj_metric.shp", "community",
                                   crs="EPSG:4547")
    back = frame.to_crs(METRIC_CRS).geometry.iloc[0]
    assert back.symmetric_difference(box(408000, 2545000, 409000, 2546000)).area < 1e-3
    assert any("EPSG:4547" in n or "Gauss-Kruger" in n for n in notes)


def test_read_boundaries_refuses_an_unknown_crs_name():
    with pytest.raises(InvalidInputError, match="datum"):
        read_boundaries(DATA / "gbk_villages.shp", "community", crs="xian80")


def test_read_boundaries_refuses_codes_of_the_wrong_level():
    with pytest.raises(InvalidInputError, match="not 9 digits"):
        read_boundaries(DATA / "gbk_villages.shp", "town")


def test_read_boundaries_names_missing_field():
    with pytest.raises(InvalidInputError, match="XZQDM"):
        read_boundaries(DATA / "gbk_villages.shp", "community", code_field="DM2")


def test_decode_values_tells_utf8_from_gbk():
    assert decode_values(["大富村".encode()]).codec == "utf-8"
    assert decode_values(["大富村".encode("gbk")]).codec == "gb18030"
    assert decode_values([b"plain"]).codec is None


def test_check_children_within_flags_child_mostly_outside():
    towns = gpd.GeoDataFrame({"code": ["440604011"]},
                             geometry=[box(0, 0, 100, 100)], crs=METRIC_CRS)
    kids = gpd.GeoDataFrame(
        {"code": ["440604011001", "440604011002", "440604011003"],
         "parent_code": ["440604011", "440604011", "440604099"]},
        geometry=[box(0, 0, 60, 100), box(70, 0, 170, 100), box(0, 0, 10, 10)],
        crs=METRIC_CRS)
    out = check_children_within(kids, towns)
    assert [c["code"] for c in out] == ["440604011002", "440604011003"]
    assert np.isclose(out[0]["share_inside"], 0.3)
    assert out[1]["share_inside"] == 0.0
