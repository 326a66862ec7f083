"""Read district, town and community boundaries from GeoJSON, Shapefile or GeoPackage.

Chinese boundary files often come as shapefiles whose DBF is GBK-encoded with no
``.cpg`` beside it, so GDAL decodes names as Latin-1 (mojibake). :func:`dbf_encoding`
reads the DBF's records and tries UTF-8 and then GB18030 (a superset of GBK and
GB2312) before the file is opened, and passes the answer to pyogrio.

Coordinates are reprojected once, to WGS-84: from the file's CRS (``.prj``), or
from the ``crs`` argument, which also covers GCJ-02 and BD-09 (no EPSG code
exists for those; :func:`gridwatch.crs.transform_geometry` undoes the shift).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

import geopandas as gpd
import pyogrio
import shapely

from gridwatch.crs import (
    METRIC_CRS,
    WGS84,
    Datum,
    in_china,
    parse_datum,
    transform_geometry,
)
from gridwatch.errors import InvalidInputError

LEVELS = {"district": 6, "town": 9, "community": 12}  # code length per level
CODE_FIELDS = ("code", "adcode", "xzqdm", "xzqhdm", "区划代码", "行政区划代码", "代码",
               "gb", "dm", "id")
NAME_FIELDS = ("name", "xzqmc", "名称", "行政区名称", "村名称", "社区名称", "name_chn",
               "mc")
SUFFIXES = (".geojson", ".json", ".shp", ".gpkg", ".zip")


def _fail(msg: str):
    raise InvalidInputError(msg)


# --- encodings -------------------------------------------------------------------

def dbf_encoding(dbf_bytes: bytes) -> str | None:
    """Encoding of a DBF's text: None (ASCII), "UTF-8" or "GB18030".

    >>> dbf_encoding(b"\\x03" + bytes(31) + "张槎街道".encode("gbk"))
    'GB18030'
    """
    header_len = int.from_bytes(dbf_bytes[8:10], "little") if len(dbf_bytes) > 10 else 0
    body = dbf_bytes[header_len or 32:]
    if all(b < 0x80 for b in body):
        return None
    try:
        body.decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        body.decode("gb18030")
        return "GB18030"
    except UnicodeDecodeError:
        return None  # let GDAL decide (it reads the DBF language driver byte)


def _open_target(path: Path) -> tuple[str, str | None]:
    """(pyogrio path, encoding override) for a file or a zipped shapefile."""
    suffix = path.suffix.lower()
    if suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/")]
            inner = [n for n in names if Path(n).suffix.lower() in SUFFIXES[:4]]
            if not inner:
                _fail(f"The archive {path.name} holds no .shp, .geojson or .gpkg file; "
                      "zip the boundary file itself.")
            target = min(inner, key=lambda n: (not n.lower().endswith(".shp"), n))
            enc = None
            if target.lower().endswith(".shp"):
                stem = target[:-4]
                if not any(n.lower() == f"{stem.lower()}.cpg" for n in names):
                    dbf = [n for n in names if n.lower() == f"{stem.lower()}.dbf"]
                    enc = dbf_encoding(zf.read(dbf[0])) if dbf else None
        return f"/vsizip/{path.resolve()}/{target}", enc
    if suffix == ".shp":
        sidecars = {p.suffix.lower(): p for p in path.parent.glob(path.stem + ".*")}
        cpg, dbf = sidecars.get(".cpg"), sidecars.get(".dbf")
        if cpg is None and dbf is not None:
            return str(path), dbf_encoding(dbf.read_bytes())
    return str(path), None


def _read(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    target, enc = _open_target(path)
    try:
        if layer is None and path.suffix.lower() == ".gpkg":
            layers = pyogrio.list_layers(target)
            poly = [n for n, t in layers if t and "POLYGON" in str(t).upper()]
            layer = poly[0] if poly else (layers[0][0] if len(layers) else None)
        return pyogrio.read_dataframe(target, layer=layer, encoding=enc, force_2d=True,
                                      on_invalid="ignore")
    except pyogrio.errors.DataSourceError as exc:
        _fail(f"Cannot read {path.name} as GeoJSON, Shapefile or GeoPackage ({exc}); "
              "check the file.")


# --- fields and codes ------------------------------------------------------------

def _pick_field(frame, wanted: str | None, candidates, what: str, flag: str):
    cols = [c for c in frame.columns if c != frame.geometry.name]
    if wanted is not None:
        if wanted not in cols:
            _fail(f"The file has no field {wanted!r} for the {what}; its fields are "
                  f"{', '.join(map(str, cols))}.")
        return wanted
    lower = {str(c).lower(): c for c in cols}
    for cand in candidates:
        if cand in lower:
            return lower[cand]
    return None


def _clean_codes(values: pd.Series) -> pd.Series:
    def one(v):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return ""
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return str(v).strip()
    return values.map(one)


def _parent_of(code: str, level: str) -> str:
    if level == "district":
        return code[:4] + "00"
    return code[:6] if level == "town" else code[:9]


# --- CRS -------------------------------------------------------------------------

def _to_wgs84(frame, crs, notes) -> gpd.GeoDataFrame:
    if crs is not None:
        datum = _datum_or_none(crs)
        if datum is None:  # an EPSG code or WKT, e.g. a GK zone file without .prj
            declared = _parse_crs(crs)
            notes.append(f"coordinates read as {declared.name} (--crs) and "
                         "reprojected to WGS-84")
            return frame.set_crs(declared, allow_override=True).to_crs(WGS84)
        if frame.crs is not None and frame.crs.is_projected:
            _fail(f"The file's coordinates are projected ({frame.crs.name}) but "
                  f"--crs {datum.value} says longitude/latitude; drop --crs.")
        if datum in (Datum.GCJ02, Datum.BD09):
            geoms = [transform_geometry(g, datum, Datum.WGS84)
                     for g in frame.geometry.to_numpy()]
            notes.append(f"converted {datum.value.upper()} coordinates to WGS-84")
            return frame.set_geometry(geoms, crs=WGS84)
        return frame.set_crs(WGS84, allow_override=True)
    if frame.crs is None:
        reps = shapely.point_on_surface(frame.geometry.to_numpy())
        pts = shapely.get_coordinates(reps)
        if len(pts) == 0 or not in_china(pts[:, 0], pts[:, 1]).all():
            _fail("The file declares no CRS and its coordinates are not longitude/"
                  "latitude in China; add a .prj or pass --crs wgs84|cgcs2000|gcj02|"
                  "bd09.")
        notes.append("no CRS declared; coordinates read as WGS-84 longitude/latitude "
                     "(pass --crs gcj02 or bd09 if they came from Amap or Baidu)")
        return frame.set_crs(WGS84)
    if not frame.crs.equals(WGS84):
        notes.append(f"reprojected from {frame.crs.name} to WGS-84")
        return frame.to_crs(WGS84)
    return frame


def _datum_or_none(crs: str) -> Datum | None:
    """The datum named by ``crs``, or None when it is an EPSG code or WKT instead."""
    text = str(crs).strip().lower()
    if text.startswith(("epsg:", "esri:", "projcs", "geogcs", "projcrs", "geogcrs")):
        return None
    return parse_datum(crs)


def _parse_crs(crs: str):
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        return CRS.from_user_input(crs)
    except CRSError:
        _fail(f"Unknown CRS {crs!r}; use wgs84, cgcs2000, gcj02, bd09 or an EPSG "
              "code such as EPSG:4547.")


def _polygons_only(geom):
    """Polygonal part of a geometry (make_valid can return lines with polygons)."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom)
             if p.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return None
    return shapely.union_all(parts)


def _repair(frame, code_col, notes) -> gpd.GeoDataFrame:
    geoms = frame.geometry.to_numpy()
    bad = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
    if bad.any():
        reasons = [shapely.is_valid_reason(g) for g in geoms[bad]]
        geoms = geoms.copy()
        geoms[bad] = shapely.make_valid(geoms[bad])
        codes = frame[code_col].to_numpy()[bad]
        notes.append(f"repaired {int(bad.sum())} invalid polygon(s) with make_valid: "
                     + "; ".join(f"{c} ({r})"
                                 for c, r in zip(codes[:10], reasons[:10])))
    geoms = np.array([_polygons_only(g) for g in geoms], dtype=object)
    return frame.set_geometry(gpd.GeoSeries(geoms, crs=frame.crs, index=frame.index))


# --- the public functions --------------------------------------------------------

def read_boundaries(
    path,
    level: str,
    crs: str | None = None,
    name_field: str | None = None,
    code_field: str | None = None,
    parent_code: str | None = None,
    layer: str | None = None,
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Read administrative boundaries into the canonical frame, in WGS-84.

    Parameters
    ----------
    path : str or Path
        GeoJSON, Shapefile (``.shp`` or a ``.zip`` holding one) or GeoPackage.
        A DBF without ``.cpg`` is decoded as UTF-8 or GB18030 by content.
    level : {"district", "town", "community"}
        Admin level; codes must have 6, 9 or 12 digits.
    crs : str, optional
        wgs84, cgcs2000, gcj02 or bd09, for files without a ``.prj`` or whose
        lon/lat come from Amap/Baidu; or an EPSG code (``EPSG:4547``) for a
        projected file without ``.prj``. Default: the file's own CRS.
    name_field, code_field : str, optional
        Attribute names; default: the first of the usual names present
        (``name``/``名称``/``XZQMC``…, ``code``/``adcode``/``XZQDM``…).
    parent_code : str, optional
        Parent unit's code for every row; default: the code's prefix.
    layer : str, optional
        Layer of a GeoPackage; default: its first polygon layer.

    Returns
    -------
    (GeoDataFrame, list[str])
        Columns ``code``, ``name``, ``level``, ``parent_code``, ``geometry``
        (Polygon or MultiPolygon, EPSG:4326), one row per unit (rows sharing a
        code are joined into one multi-part unit), sorted by code; and notes on
        what was done (reprojection, repairs, dropped rows).

    Raises
    ------
    InvalidInputError
        Missing or unreadable file, no features, no polygons, unknown CRS with
        coordinates outside China, bad or missing codes.
    """
    path = Path(path)
    if level not in LEVELS:
        _fail(f"Unknown level {level!r}; use district, town or community.")
    if not path.exists():
        _fail(f"There is no file {path}; check the path.")
    if path.suffix.lower() not in SUFFIXES:
        _fail(f"{path.name} is not a .geojson, .json, .shp, .zip or .gpkg file.")
    notes: list[str] = []
    frame = _read(path, layer)
    if len(frame) == 0:
        _fail(f"{path.name} holds no features; export the boundaries again.")
    geoms = frame.geometry.to_numpy()
    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6, 7))
    if not polygonal.any():
        _fail(f"{path.name} holds no polygons (only points or lines); boundaries "
              "must be areas.")
    if not polygonal.all():
        notes.append(f"dropped {int((~polygonal).sum())} feature(s) that are not "
                     "polygons")
        frame = frame.loc[polygonal]
    code_col = _pick_field(frame, code_field, CODE_FIELDS, "code", "--code-field")
    if code_col is None:
        _fail("No code field found; name it with --code-field (fields: "
              f"{', '.join(map(str, frame.columns[:-1]))}).")
    name_col = _pick_field(frame, name_field, NAME_FIELDS, "name", "--name-field")
    frame = _to_wgs84(frame, crs, notes)
    frame = _repair(frame, code_col, notes)
    codes = _clean_codes(frame[code_col])
    digits = LEVELS[level]
    bad = codes[~codes.str.fullmatch(rf"\d{{{digits}}}")]
    if len(bad):
        _fail(f"{len(bad)} {level} code(s) are not {digits} digits (e.g. "
              f"{bad.iloc[0]!r}); fix the {code_col} field or pick another with "
              "--code-field.")
    names = frame[name_col].astype(str).str.strip() if name_col else codes
    if name_col is None:
        notes.append("no name field found; names set to the codes (use --name-field)")
    out = gpd.GeoDataFrame({"code": codes.to_numpy(), "name": names.to_numpy()},
                           geometry=frame.geometry.to_numpy(), crs=WGS84)
    out = out[~out.geometry.isna()]
    if out.code.duplicated().any():
        n_dup = int(out.code.duplicated().sum())
        notes.append(f"joined {n_dup} extra part(s) into units with the same code")
        out = out.dissolve(by="code", aggfunc="first", as_index=False)
    out["level"] = level
    out["parent_code"] = (str(parent_code) if parent_code is not None
                          else out["code"].map(lambda c: _parent_of(c, level)))
    out = out[["code", "name", "level", "parent_code", "geometry"]]
    out["geometry"] = shapely.normalize(out.geometry.to_numpy())
    return out.sort_values("code").reset_index(drop=True), notes


def check_children_within(children, parents, min_share: float = 0.5,
                          metric_crs: str = METRIC_CRS) -> list[dict]:
    """Children whose area lies mostly outside the parent named by ``parent_code``.

    Parameters
    ----------
    children : GeoDataFrame
        Columns ``code``, ``parent_code``; any CRS.
    parents : GeoDataFrame
        Column ``code``; any CRS.
    min_share : float
        Smallest share of a child's area that must lie in its parent.
    metric_crs : str
        CRS for areas.

    Returns
    -------
    list[dict]
        ``{"code", "parent_code", "share_inside"}`` per offending child (share
        0 when the parent is missing), in code order.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> towns = gpd.GeoDataFrame({"code": ["440604011"]}, geometry=[box(0, 0, 1, 1)],
    ...                          crs=METRIC_CRS)
    >>> kids = gpd.GeoDataFrame({"code": ["440604011001", "440604011002"],
    ...     "parent_code": ["440604011"] * 2},
    ...     geometry=[box(0, 0, 1, 1), box(0.8, 0, 1.8, 1)], crs=METRIC_CRS)
    >>> [c["code"] for c in check_children_within(kids, towns)]
    ['440604011002']
    """
    kids = children.to_crs(metric_crs)
    lookup = dict(zip(parents["code"].astype(str),
                      parents.to_crs(metric_crs).geometry.to_numpy()))
    out = []
    for code, pcode, geom in zip(kids["code"].astype(str),
                                 kids["parent_code"].astype(str),
                                 kids.geometry.to_numpy()):
        parent = lookup.get(pcode)
        area = geom.area if geom is not None else 0.0
        share = 0.0 if parent is None or area <= 0 else \
            shapely.intersection(geom, parent).area / area
        if share < min_share:
            out.append({"code": code, "parent_code": pcode,
                        "share_inside": round(float(share), 4)})
    return sorted(out, key=lambda d: d["code"])
