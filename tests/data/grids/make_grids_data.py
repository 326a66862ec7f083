"""Make the tiny boundary files the grids tests read (run from anywhere).

    python tests/data/grids/make_grids_data.py

* ``gbk_villages.shp`` (+ ``.zip``): two villages with Chinese names in a GBK DBF,
  no ``.cpg`` and the DBF language-driver byte cleared, as exported by old
  Chinese GIS software; GDAL alone would read the names as Latin-1 mojibake.
* ``gcj02_village.geojson``: one village whose lon/lat are GCJ-02 (Amap).
* ``bowtie_village.geojson``: a self-intersecting "bow-tie" ring.
* ``metric_towns.gpkg``: two towns in EPSG:4547 (CGCS2000 GK CM114E), metres.
* ``empty.geojson``, ``points.geojson``: nothing to import.
* ``noprj_metric.shp``: metres but no ``.prj``, so its CRS is unknown.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
from shapely.geometry import Point, Polygon, box, mapping

from gridwatch.crs import from_wgs84

HERE = Path(__file__).resolve().parent
#: Two squares side by side near Zhangcha (张槎), Foshan, WGS-84.
WEST = box(113.080, 23.040, 113.090, 23.050)
EAST = box(113.090, 23.040, 113.100, 23.050)


def _write_json(name: str, features: list[dict], crs: bool = True) -> None:
    doc = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name",
                      "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    (HERE / name).write_text(json.dumps(doc, ensure_ascii=False, indent=1), "utf-8")


def _feature(code, name, geom) -> dict:
    return {"type": "Feature", "properties": {"code": code, "name": name},
            "geometry": mapping(geom)}


def gbk_shapefile() -> None:
    frame = gpd.GeoDataFrame(
        {"XZQDM": ["440604011001", "440604011002"], "XZQMC": ["张槎村", "大富村"]},
        geometry=[WEST, EAST], crs="EPSG:4326")
    shp = HERE / "gbk_villages.shp"
    frame.to_file(shp, engine="pyogrio", encoding="GBK")
    shp.with_suffix(".cpg").unlink(missing_ok=True)
    dbf = shp.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    data[29] = 0  # clear the language driver id, as many real files have it
    dbf.write_bytes(bytes(data))
    with zipfile.ZipFile(HERE / "gbk_villages.zip", "w") as zf:
        for ext in (".shp", ".shx", ".dbf", ".prj"):
            zf.write(shp.with_suffix(ext), f"villages/gbk_villages{ext}")


def gcj02_geojson() -> None:
    xs, ys = WEST.exterior.coords.xy
    gx, gy = from_wgs84(list(xs), list(ys), "gcj02")
    _write_json("gcj02_village.geojson",
                [_feature("440604011001", "张槎村", Polygon(zip(gx, gy)))])


def bowtie_geojson() -> None:
    ring = [(113.08, 23.04), (113.09, 23.05), (113.09, 23.04), (113.08, 23.05)]
    _write_json("bowtie_village.geojson",
                [_feature("440604011003", "蝴蝶村", Polygon(ring))])


def metric_gpkg() -> None:
    frame = gpd.GeoDataFrame(
        {"code": ["440604011", "440604012"], "name": ["张槎街道", "祖庙街道"]},
        geometry=[WEST, EAST], crs="EPSG:4326").to_crs("EPSG:4547")
    path = HERE / "metric_towns.gpkg"
    path.unlink(missing_ok=True)
    frame.to_file(path, layer="towns", engine="pyogrio")


def refusals() -> None:
    _write_json("empty.geojson", [])
    point = _feature("440604011001", "点", Point(113.08, 23.04))
    _write_json("points.geojson", [point])
    frame = gpd.GeoDataFrame({"code": ["440604011001"], "name": ["x"]},
                             geometry=[box(408000, 2545000, 409000, 2546000)])
    frame.to_file(HERE / "noprj_metric.shp", engine="pyogrio")


if __name__ == "__main__":
    gbk_shapefile()
    gcj02_geojson()
    bowtie_geojson()
    metric_gpkg()
    refusals()
    print("wrote", sorted(p.name for p in HERE.iterdir() if p.suffix != ".py"))
