"""Read district, town and community boundaries from GeoJSON, Shapefile or GeoPackage.

Chinese boundary files often come as shapefiles whose DBF is GBK-encoded with no
``.cpg`` (or a wrong one), or with names cut in half by a narrow field;
:mod:`gridwatch.grids.boundary_files` opens the file and
:mod:`gridwatch.grids.dbftext` decodes its text once, saying what it did.

Coordinates are reprojected once, to WGS-84: from the file's CRS (``.prj``), or
from the ``crs`` argument, which also covers GCJ-02 and BD-09 (no EPSG code
exists for those; :func:`gridwatch.crs.transform_geometry` undoes the shift).
Coordinates that cannot be the longitude/latitude they are read as (metres in a
GeoJSON without a ``crs`` member, which RFC 7946 makes WGS-84) are refused with
the projected CRS that fits (:mod:`gridwatch.grids.plausible`).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from gridwatch.crs import (
    METRIC_CRS,
    WGS84,
    Datum,
    parse_datum,
    transform_geometry,
)
from gridwatch.errors import InvalidInputError
from gridwatch.grids.boundary_fields import (
    CODE_FIELDS,
    NAME_FIELDS,
    apply_where,
    clean_codes,
    fields_note,
    illustrative_flags,
    pick_field,
)
from gridwatch.grids.boundary_files import SUFFIXES, read_file
from gridwatch.grids.codes import CODE_LENGTHS, city_of, district_of, town_of
from gridwatch.grids.plausible import check_lonlat

LEVELS = {k: CODE_LENGTHS[k] for k in ("district", "town", "community")}
__all__ = [
    "CODE_FIELDS",
    "LEVELS",
    "NAME_FIELDS",
    "SUFFIXES",
    "check_children_within",
    "read_boundaries",
]


def _fail(msg: str, **details):
    raise InvalidInputError(msg, details=details)


def _parent_of(code: str, level: str) -> str:
    if level == "district":
        return city_of(code)
    return district_of(code) if level == "town" else town_of(code)


# --- CRS -------------------------------------------------------------------------

def _to_wgs84(frame, crs, notes) -> tuple[gpd.GeoDataFrame, str]:
    """The frame in WGS-84, and how its CRS was decided (for messages)."""
    if crs is not None:
        datum = _datum_or_none(crs)
        if datum is None:  # an EPSG code or WKT, e.g. a GK zone file without .prj
            declared = _parse_crs(crs)
            notes.append(f"coordinates read as {declared.name} (as given) and "
                         "reprojected to WGS-84")
            out = frame.set_crs(declared, allow_override=True).to_crs(WGS84)
            return out, f"{declared.name} (as given)"
        if frame.crs is not None and frame.crs.is_projected:
            _fail(f"The file's coordinates are projected ({frame.crs.name}) but the "
                  f"datum given ({datum.value}) is longitude/latitude; leave the CRS "
                  "to the file.", hint="drop --crs")
        said = f"{datum.value.upper()} longitude/latitude (as given)"
        if datum in (Datum.GCJ02, Datum.BD09):
            geoms = [transform_geometry(g, datum, Datum.WGS84)
                     for g in frame.geometry.to_numpy()]
            notes.append(f"converted {datum.value.upper()} coordinates to WGS-84")
            return frame.set_geometry(geoms, crs=WGS84), said
        return frame.set_crs(WGS84, allow_override=True), said
    if frame.crs is None:
        notes.append("no CRS declared; coordinates read as WGS-84 longitude/latitude "
                     "(give the datum gcj02 or bd09 if they came from Amap or Baidu)")
        return frame.set_crs(WGS84), "longitude/latitude (the file declares no CRS)"
    if not frame.crs.equals(WGS84):
        notes.append(f"reprojected from {frame.crs.name} to WGS-84")
        return frame.to_crs(WGS84), frame.crs.name
    return frame, ("WGS 84 longitude/latitude (its declared CRS, which is also what "
                   "a GeoJSON without a crs member means)")


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
    *,
    where: list[tuple[str, str]] | None = None,
    illustrative: bool = False,
    near=None,
    metric_crs: str = METRIC_CRS,
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Read administrative boundaries into the canonical frame, in WGS-84.

    Parameters
    ----------
    path : str or Path
        GeoJSON, Shapefile (``.shp`` or a ``.zip`` holding one) or GeoPackage.
        DBF text is decoded by :func:`gridwatch.grids.dbftext.decode_values`.
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
    where : list of (field, value), optional
        Keep only matching features (:func:`~gridwatch.grids.boundary_fields.
        apply_where`), e.g. ``[("adcode", "440605")]``.
    illustrative : bool
        Mark every unit illustrative (示意边界); without it a ``示意`` /
        ``illustrative`` property marks features one by one.
    near : shapely geometry, optional
        WGS-84 area the boundaries should lie near (the loaded district), used to
        name the CRS that fits when the coordinates are implausible.
    metric_crs : str
        The configured metric CRS (first guess for files in metres).

    Returns
    -------
    (GeoDataFrame, list[str])
        Columns ``code``, ``name``, ``level``, ``parent_code``,
        ``is_illustrative``, ``geometry`` (Polygon or MultiPolygon, EPSG:4326),
        one row per unit (rows sharing a code are joined into one multi-part
        unit), sorted by code; and notes on what was done (fields used and
        ignored, decoding, reprojection, repairs, dropped rows).

    Raises
    ------
    InvalidInputError
        Missing or unreadable file or layer, text in no known encoding, no
        features (or none matching ``where``), no polygons, coordinates that
        cannot be longitude/latitude in China, bad or missing codes.
    """
    if level not in LEVELS:
        _fail(f"Unknown level {level!r}; use district, town or community.")
    path = Path(path)
    frame, notes, raw_geoms, declared = _read_features(path, layer, where)
    code_col = pick_field(frame, code_field, CODE_FIELDS, "code")
    if code_col is None:
        _fail("No code field found; name the field that holds the official codes "
              f"(fields: {', '.join(map(str, frame.columns[:-1]))}).",
              hint="--code-field FIELD")
    name_col = pick_field(frame, name_field, NAME_FIELDS, "name")
    flags, flag_col, flag_note = illustrative_flags(frame, illustrative, path.name)
    used = {"code": code_col, "name": name_col, "illustrative": flag_col}
    used.update({f"select {f}": f for f, _ in where or ()})
    notes.insert(0, fields_note(frame, used))
    if flag_note:
        notes.append(flag_note)
    frame, declared = _to_wgs84(frame, crs, notes)
    check_lonlat(raw_geoms, frame.geometry.to_numpy(), declared, path.name, near,
                 metric_crs)
    frame = _repair(frame, code_col, notes)
    return _canonical(frame, code_col, name_col, flags, level, parent_code, notes)


def _read_features(path: Path, layer, where):
    """Polygon features of the file (its CRS), notes, raw geometries."""
    if not path.is_file():
        _fail(f"There is no file {path}; check the path.", file=str(path))
    if path.suffix.lower() not in SUFFIXES:
        _fail(f"{path.name} is not a .geojson, .json, .shp, .zip or .gpkg file.")
    frame, notes = read_file(path, layer)
    if len(frame) == 0:
        _fail(f"{path.name} holds no features; export the boundaries again.")
    frame, kept = apply_where(frame, where, path.name)
    if kept:
        notes.append(kept)
    frame = _polygonal(frame, path, notes)
    return frame, notes, frame.geometry.to_numpy(), None


def read_polygons(path, crs: str | None = None, layer: str | None = None, *,
                  where=None, near=None, metric_crs: str = METRIC_CRS,
                  label_field: str | None = None):
    """Polygon features of any boundary file in WGS-84, repaired, with attributes.

    The reading half of :func:`read_boundaries` (decoding, ``where``, CRS and
    its plausibility, repairs) for other polygon files, such as grids.

    Returns
    -------
    (GeoDataFrame, list[str])
        The file's attributes and geometry (EPSG:4326), and notes.
    """
    path = Path(path)
    frame, notes, raw_geoms, _ = _read_features(path, layer, where)
    frame, declared = _to_wgs84(frame, crs, notes)
    check_lonlat(raw_geoms, frame.geometry.to_numpy(), declared, path.name, near,
                 metric_crs)
    label = label_field if label_field in frame.columns else frame.columns[0]
    return _repair(frame, label, notes), notes


def _polygonal(frame, path: Path, notes: list[str]):
    geoms = frame.geometry.to_numpy()
    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6, 7))
    if not polygonal.any():
        _fail(f"{path.name} holds no polygons (only points or lines); boundaries "
              "must be areas.")
    if not polygonal.all():
        notes.append(f"dropped {int((~polygonal).sum())} feature(s) that are not "
                     "polygons")
        frame = frame.loc[polygonal]
    return frame


def _canonical(frame, code_col, name_col, flags, level, parent_code, notes):
    """The canonical frame (see :func:`read_boundaries`) from the read features."""
    codes = clean_codes(frame[code_col])
    digits = LEVELS[level]
    bad = codes[~codes.str.fullmatch(rf"\d{{{digits}}}")]
    if len(bad):
        _fail(f"{len(bad)} {level} code(s) are not {digits} digits (e.g. "
              f"{bad.iloc[0]!r}); fix the {code_col} field or pick another code "
              "field.", hint="--code-field FIELD")
    names = frame[name_col].astype(str).str.strip() if name_col else codes
    if name_col is None:
        notes.append("no name field found; names set to the codes (name the field)")
    out = gpd.GeoDataFrame({"code": codes.to_numpy(), "name": names.to_numpy(),
                            "is_illustrative": np.asarray(flags, dtype=bool)},
                           geometry=frame.geometry.to_numpy(), crs=WGS84)
    out = out[~out.geometry.isna()]
    if out.code.duplicated().any():
        n_dup = int(out.code.duplicated().sum())
        notes.append(f"joined {n_dup} extra part(s) into units with the same code")
        out = out.dissolve(by="code", aggfunc={"name": "first",
                                               "is_illustrative": "max"},
                           as_index=False)
    out["level"] = level
    out["parent_code"] = (str(parent_code) if parent_code is not None
                          else out["code"].map(lambda c: _parent_of(c, level)))
    out = out[["code", "name", "level", "parent_code", "is_illustrative",
               "geometry"]]
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
