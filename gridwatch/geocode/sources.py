"""Read a real standard-address gazetteer (标准地址库) from files.

Door plates come as CSV (Chinese or English headers, 经度/纬度 and a 坐标系
column or a datum for the whole file) or as any vector file GDAL reads
(GeoJSON, GeoPackage, Shapefile); roads with door-number ranges as a vector
file or a CSV with a WKT column. Everything is returned in WGS-84 in the
schema :meth:`Gazetteer.build` takes; rows that cannot be used are dropped and
listed in ``frame.attrs["rejects"]`` as (row, reason).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridwatch.crs import WGS84, parse_datum, to_wgs84, transform_geometry
from gridwatch.errors import InvalidInputError
from gridwatch.geocode.gazetteer import town_aliases
from gridwatch.geocode.lookalike import fold_lookalikes
from gridwatch.geocode.normalize import normalise_address

__all__ = ["read_gazetteer"]

POINT_ALIASES = {
    "addr_id": ("addr_id", "id", "地址编码", "门牌编码", "编码", "地址id"),
    "town_code": ("town_code", "镇街代码", "街道代码", "乡镇代码"),
    "town_name": ("town_name", "town", "镇街", "镇街名称", "街道", "乡镇", "所属镇街"),
    "community_code": ("community_code", "村居代码", "社区代码", "村社区代码"),
    "community_name": (
        "community_name",
        "community",
        "村居",
        "社区",
        "村社区",
        "所属村居",
        "所属社区",
    ),
    "road_name": (
        "road_name",
        "road",
        "路名",
        "道路",
        "街路巷",
        "街路巷名称",
        "道路名称",
    ),
    "door_no": ("door_no", "door", "门牌号", "门牌", "门牌号码", "门楼牌号"),
    "door_suffix": ("door_suffix", "suffix", "门牌后缀", "附号"),
    "place_name": ("place_name", "place", "地名", "小区", "建筑物", "小区名称", "楼宇"),
    "standard_address": ("standard_address", "标准地址", "地址", "address", "全地址"),
    "lng": ("lng", "lon", "longitude", "x", "经度"),
    "lat": ("lat", "latitude", "y", "纬度"),
    "datum": ("datum", "坐标系", "crs"),
}
ROAD_ALIASES = {
    "road_id": ("road_id", "id", "道路编码", "编码"),
    "name": ("name", "road_name", "路名", "道路名称", "街路巷名称"),
    "town_code": ("town_code", "镇街代码", "街道代码"),
    "town_name": ("town_name", "镇街", "街道", "镇街名称"),
    "door_from": ("door_from", "起始门牌", "起始门牌号", "门牌起", "start_no"),
    "door_to": ("door_to", "终止门牌", "终止门牌号", "门牌止", "end_no"),
    "geometry": ("geometry", "wkt", "geom", "几何"),
}
_DOOR = re.compile(r"^(\d+)号?(之[一二三四五六七八九十]+)?$")


def _key(text) -> str:
    # headers get the same look-alike folding as addresses (⻔牌号 is 门牌号)
    text = fold_lookalikes(unicodedata.normalize("NFKC", str(text)))
    return text.strip().lower().replace(" ", "")


def _rename(frame: pd.DataFrame, aliases: dict) -> pd.DataFrame:
    lookup = {_key(a): f for f, names in aliases.items() for a in names}
    mapping = {}
    for col in frame.columns:
        field = lookup.get(_key(col))
        if field and field not in mapping.values():
            mapping[col] = field
    return frame.rename(columns=mapping)


def _read_table(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InvalidInputError(f"{path} does not exist or is not a file.")
    if path.suffix.lower() in (".csv", ".txt"):
        from gridwatch.registry.reader import detect_encoding

        return pd.read_csv(
            path,
            dtype=str,
            encoding=detect_encoding(path),
            keep_default_na=False,
            sep=None,
            engine="python",
        )
    from pyogrio.errors import DataLayerError, DataSourceError

    try:
        return gpd.read_file(path)
    except (DataSourceError, DataLayerError, OSError, ValueError) as exc:
        raise InvalidInputError(
            f"{path.name} is not a readable CSV or vector file ({exc})."
        ) from None


def _as_points(frame: pd.DataFrame, path: Path, datum, rejects) -> gpd.GeoDataFrame:
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.notna().any():
        gdf = (
            frame
            if frame.crs is None or frame.crs.to_epsg() == 4326
            else frame.to_crs(WGS84)
        )
        lng, lat = (
            shapely.get_x(gdf.geometry.values),
            shapely.get_y(gdf.geometry.values),
        )
    else:
        missing = [c for c in ("lng", "lat") if c not in frame.columns]
        if missing:
            raise InvalidInputError(
                f"{path.name} has no 经度/纬度 (lng/lat) columns; add them or use GeoJSON."
            )
        lng = pd.to_numeric(frame["lng"], errors="coerce").to_numpy(float)
        lat = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(float)
    lng, lat = np.asarray(lng, float), np.asarray(lat, float)
    datums = (
        frame["datum"]
        if "datum" in frame.columns
        else pd.Series([datum or "wgs84"] * len(frame), index=frame.index)
    )
    out_lng, out_lat = lng.copy(), lat.copy()
    for name, idx in (
        datums.fillna("")
        .astype(str)
        .groupby(datums.fillna("").astype(str))
        .groups.items()
    ):
        pos = frame.index.get_indexer(idx)
        try:
            d = parse_datum(name or datum or "wgs84")
        except InvalidInputError as exc:
            rejects += [(int(p) + 2, exc.user_msg) for p in pos]
            out_lng[pos] = np.nan
            continue
        out_lng[pos], out_lat[pos] = to_wgs84(lng[pos], lat[pos], d)
    bad = ~(np.isfinite(out_lng) & np.isfinite(out_lat))
    rejects += [
        (int(p) + 2, "no usable coordinates")
        for p in np.flatnonzero(bad)
        if (int(p) + 2) not in {r for r, _ in rejects}
    ]
    geom = shapely.points(out_lng, out_lat)
    gdf = gpd.GeoDataFrame(
        pd.DataFrame(
            frame.drop(
                columns=[
                    c for c in ("geometry", "lng", "lat", "datum") if c in frame.columns
                ]
            )
        ),
        geometry=geom,
        crs=WGS84,
    )
    return gdf[~bad]


def _split_doors(gdf: gpd.GeoDataFrame, rejects) -> gpd.GeoDataFrame:
    doors, suffixes, keep = [], [], []
    given = (
        gdf["door_suffix"].fillna("").astype(str).tolist()
        if "door_suffix" in gdf.columns
        else [""] * len(gdf)
    )
    for pos, (value, suffix) in enumerate(
        zip(gdf["door_no"].tolist(), given, strict=True)
    ):
        text = normalise_address(str(value)) if value is not None else ""
        text = text.removesuffix(".0")
        m = _DOOR.match(text)
        if text and m is None:
            rejects.append(
                (int(gdf.index[pos]) + 2, f"door number {value!r} unreadable")
            )
            keep.append(False)
            doors.append(None)
            suffixes.append("")
            continue
        keep.append(True)
        doors.append(int(m.group(1)) if m else None)
        suffixes.append(
            (m.group(2) if m and m.group(2) else "") or normalise_address(suffix)
        )
    gdf = gdf.assign(door_no=pd.array(doors, dtype="Int64"), door_suffix=suffixes)
    return gdf[np.array(keep, bool)]


def _fill_codes(gdf, towns, communities) -> gpd.GeoDataFrame:
    """town_code/community_code from names (or from the polygons) when absent."""
    gdf = gdf.copy()
    if towns is not None and (
        gdf.get("town_code") is None or (gdf["town_code"].fillna("") == "").any()
    ):
        alias = {
            a: str(c)
            for c, n in zip(towns["code"], towns["name"], strict=True)
            for a in town_aliases(normalise_address(n))
        }
        by_name = (
            gdf.get("town_name", pd.Series("", index=gdf.index))
            .fillna("")
            .map(lambda n: alias.get(normalise_address(n), ""))
        )
        by_poly = _within(gdf, towns)
        cur = (
            gdf.get("town_code", pd.Series("", index=gdf.index)).fillna("").astype(str)
        )
        gdf["town_code"] = cur.where(cur != "", by_name.where(by_name != "", by_poly))
    if communities is not None and (
        gdf.get("community_code") is None
        or (gdf["community_code"].fillna("") == "").any()
    ):
        cur = (
            gdf.get("community_code", pd.Series("", index=gdf.index))
            .fillna("")
            .astype(str)
        )
        gdf["community_code"] = cur.where(cur != "", _within(gdf, communities))
    if communities is not None and "community_name" not in gdf.columns:
        names = dict(
            zip(communities["code"].astype(str), communities["short_name"], strict=True)
        )
        # object dtype first: when no code maps (no village polygons in a
        # district onboarded with towns only) the map is all-NaN float64, and
        # pandas 3 refuses to fill a float column with text
        named = gdf["community_code"].map(names).astype(object)
        gdf["community_name"] = named.where(named.notna(), "")
    return gdf


def _within(points: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame) -> pd.Series:
    polys = polygons.to_crs(WGS84)
    left, right = polys.sindex.query(points.geometry.values, predicate="intersects")
    out = pd.Series("", index=points.index, dtype=object)
    out.iloc[left] = polys["code"].astype(str).to_numpy()[right]
    return out


def read_gazetteer(
    points_path,
    roads_path=None,
    datum: str | None = None,
    towns: gpd.GeoDataFrame | None = None,
    communities: gpd.GeoDataFrame | None = None,
):
    """Read door plates (and roads) into the gazetteer schema, WGS-84.

    Parameters
    ----------
    points_path : str or Path
        CSV (headers such as 地址编码, 镇街代码, 村居, 路名, 门牌号, 地名, 标准地址,
        经度, 纬度, 坐标系) or a vector file of Points.
    roads_path : str or Path, optional
        Vector file of LineStrings, or CSV with a WKT ``geometry`` column;
        fields 路名/name, 镇街代码/town_code, 起始门牌/door_from, 终止门牌/door_to.
    datum : str, optional
        Datum of CSV coordinates when the file has no 坐标系 column (default
        wgs84), or of a vector file whose coordinates are really GCJ-02/BD-09.
    towns, communities : GeoDataFrame, optional
        Used to fill missing town/community codes from names or by location.

    Returns
    -------
    (address_points, roads)
        GeoDataFrames in EPSG:4326; roads is None without ``roads_path``.
        ``attrs["rejects"]`` lists dropped rows as (row, reason).

    Raises
    ------
    InvalidInputError
        Unreadable file, missing required columns (named), an unknown
        ``datum``, or no usable door plate at all (so nothing is replaced).
    """
    points_path = Path(points_path)
    if datum:
        parse_datum(datum)  # a bad --datum is one sentence, not every row rejected
    rejects: list[tuple[int, str]] = []
    frame = _rename(_read_table(points_path), POINT_ALIASES).reset_index(drop=True)
    needed = [c for c in ("road_name", "door_no") if c not in frame.columns]
    if needed:
        raise InvalidInputError(
            f"{points_path.name} lacks the column(s) {', '.join(needed)} (路名, 门牌号)."
        )
    gdf = _as_points(frame, points_path, datum, rejects)
    gdf = _split_doors(gdf, rejects)
    gdf = _fill_codes(gdf, towns, communities)
    for col in (
        "addr_id",
        "town_code",
        "community_code",
        "town_name",
        "community_name",
        "place_name",
        "standard_address",
    ):
        if col not in gdf.columns:
            gdf[col] = ""
        gdf[col] = gdf[col].fillna("").astype(str)
    if (gdf["addr_id"] == "").any():
        gdf["addr_id"] = gdf["addr_id"].where(
            gdf["addr_id"] != "", [f"p{i + 2}" for i in gdf.index]
        )
    if (gdf["standard_address"] == "").any():
        made = (
            gdf["town_name"]
            + gdf["community_name"]
            + gdf["road_name"]
            + gdf["door_no"].astype(str).replace("<NA>", "")
            + "号"
            + gdf["door_suffix"]
        )
        gdf["standard_address"] = gdf["standard_address"].where(
            gdf["standard_address"] != "", made
        )
    gdf.attrs["rejects"] = rejects
    if gdf.empty:
        # never let an empty or all-rejected file replace a working gazetteer
        first = f"; row {rejects[0][0]}: {rejects[0][1]}" if rejects else ""
        raise InvalidInputError(
            f"{points_path.name} has no usable door plate ({len(frame)} rows, "
            f"{len(rejects)} rejected{first}); nothing was replaced.",
            details={"rejects": rejects[:100]},
        )
    roads = _read_roads(Path(roads_path), datum, towns) if roads_path else None
    return gdf.reset_index(drop=True), roads


def _read_roads(path: Path, datum, towns) -> gpd.GeoDataFrame:
    frame = _rename(_read_table(path), ROAD_ALIASES)
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.isna().all():
        if "geometry" not in frame.columns:
            raise InvalidInputError(f"{path.name} has no geometry (a WKT column).")
        frame = gpd.GeoDataFrame(
            frame,
            geometry=gpd.GeoSeries.from_wkt(frame["geometry"].replace("", None)),
            crs=WGS84,
        )
    needed = [c for c in ("name", "door_from", "door_to") if c not in frame.columns]
    if needed:
        raise InvalidInputError(
            f"{path.name} lacks the column(s) {', '.join(needed)} (路名, 起始门牌, 终止门牌)."
        )
    gdf = frame.to_crs(WGS84) if frame.crs is not None else frame.set_crs(WGS84)
    if datum:
        gdf = gdf.set_geometry(
            gdf.geometry.map(
                lambda g: None if g is None else transform_geometry(g, datum)
            )
        )
    if "town_code" not in gdf.columns and towns is not None:
        alias = {
            a: str(c)
            for c, n in zip(towns["code"], towns["name"], strict=True)
            for a in town_aliases(normalise_address(n))
        }
        gdf["town_code"] = gdf.get("town_name", pd.Series("", index=gdf.index)).map(
            lambda n: alias.get(normalise_address(str(n)), "")
        )
    if "road_id" not in gdf.columns:
        gdf["road_id"] = [f"r{i + 2}" for i in range(len(gdf))]
    for col in ("door_from", "door_to"):
        gdf[col] = pd.to_numeric(gdf[col], errors="coerce")
    ok = gdf["door_from"].notna() & gdf["door_to"].notna() & gdf.geometry.notna()
    gdf = gdf[ok].astype({"door_from": int, "door_to": int})
    gdf["road_id"] = gdf["road_id"].astype(str)
    gdf["town_code"] = gdf["town_code"].fillna("").astype(str)
    return gdf.reset_index(drop=True)
