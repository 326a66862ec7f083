"""Are these coordinates longitude/latitude in China? If not, which CRS fits?

A GeoJSON without a ``crs`` member is WGS-84 by definition (RFC 7946), so a file
exported in metres without one reaches the reader as "degrees" such as
(400564, 2547055), which no longitude/latitude can be. :func:`check_lonlat`
refuses such coordinates, and coordinates that are longitude/latitude but not in
China, and :func:`guess_projected` names the projected CRSs Chinese survey data
is usually in whose reading of the numbers lands in China (and near the loaded
district, when one is given), so the refusal can carry the fix.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Transformer

from gridwatch.crs import METRIC_CRS, WGS84, in_china
from gridwatch.errors import InvalidInputError

#: Projected CRSs Chinese boundary data comes in: CGCS2000 3-degree Gauss-Kruger by
#: central meridian (EPSG:4534-4554) and by zone with the zone number prefixed to x
#: (4513-4533), 6-degree by central meridian (4502-4512) and zone (4491-4501), and
#: WGS 84 / UTM zones 43N-53N (32643-32653) which cover China.
CANDIDATE_EPSG = (
    *range(4534, 4555),
    *range(4513, 4534),
    *range(4502, 4513),
    *range(4491, 4502),
    *range(32643, 32654),
)
#: Candidates farther than this from the ``near`` geometry are dropped (degrees,
#: about 30 km): a neighbouring zone's reading lands hundreds of km away.
NEAR_DEG = 0.3


def _sample(geoms) -> np.ndarray:
    """Representative points and bounding-box corners of the geometries (x, y)."""
    geoms = np.asarray(geoms, dtype=object)
    geoms = geoms[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)]
    if len(geoms) == 0:
        return np.zeros((0, 2))
    reps = shapely.get_coordinates(shapely.point_on_surface(geoms))
    b = shapely.bounds(geoms)
    corners = np.vstack([b[:, [0, 1]], b[:, [2, 3]]])
    return np.vstack([reps, corners])


@lru_cache(maxsize=len(CANDIDATE_EPSG) + 4)
def _to_wgs84(epsg: int) -> Transformer:
    return Transformer.from_crs(CRS.from_epsg(epsg), WGS84, always_xy=True)


@lru_cache(maxsize=len(CANDIDATE_EPSG) + 4)
def _name(epsg: int) -> str:
    return CRS.from_epsg(epsg).name


def _fits(xy: np.ndarray, epsg: int, near) -> tuple[float, float, float] | None:
    """(lon, lat, distance to ``near`` in degrees) of the sample read as ``epsg``."""
    t = _to_wgs84(epsg)
    lon, lat = t.transform(xy[:, 0], xy[:, 1], errcheck=False)
    lon, lat = np.asarray(lon), np.asarray(lat)
    if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
        return None
    if not in_china(lon, lat).all():
        return None
    dist = 0.0
    if near is not None:
        pts = shapely.points(lon, lat)
        dist = float(shapely.distance(near, pts).max())
        if dist > NEAR_DEG:
            return None
    return float(np.median(lon)), float(np.median(lat)), dist


def guess_projected(geoms, near=None, metric_crs: str = METRIC_CRS) -> list[dict]:
    """Projected CRSs under which these numbers land in China (and near ``near``).

    Parameters
    ----------
    geoms : array of shapely geometries
        As read from the file, in its unknown units.
    near : shapely geometry, optional
        WGS-84 area the data should lie near (the loaded district's outline).
    metric_crs : str
        The configured metric CRS; listed first when it fits.

    Returns
    -------
    list[dict]
        ``{"crs": "EPSG:4547", "name", "lon", "lat"}``, best first: the
        configured CRS, then by distance to ``near``, then by EPSG code.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = [box(400564, 2547055, 404693, 2551511)]
    >>> guess_projected(g)[0]["crs"]
    'EPSG:4547'
    """
    xy = _sample(geoms)
    if len(xy) == 0 or not np.isfinite(xy).all():
        return []
    own = CRS.from_user_input(metric_crs).to_epsg()
    order = ([own] if own else []) + [c for c in CANDIDATE_EPSG if c != own]
    found = []
    for rank, epsg in enumerate(order):
        hit = _fits(xy, epsg, near)
        if hit is not None:
            found.append((epsg != own, hit[2], rank, epsg, hit))
    found.sort()
    return [{"crs": f"EPSG:{e}", "name": _name(e),
             "lon": round(h[0], 3), "lat": round(h[1], 3)}
            for *_, e, h in found]


def _raw_is_lonlat_in_china(raw) -> bool:
    xy = _sample(raw)
    return bool(len(xy) and (np.abs(xy[:, 0]) <= 180).all()
                and (np.abs(xy[:, 1]) <= 90).all()
                and in_china(xy[:, 0], xy[:, 1]).all())


def check_lonlat(geoms_raw, geoms_wgs84, declared: str, source: str, near=None,
                 metric_crs: str = METRIC_CRS) -> None:
    """Refuse coordinates that cannot be the longitude/latitude they claim to be.

    Parameters
    ----------
    geoms_raw : array of shapely geometries
        As in the file (for guessing its real CRS).
    geoms_wgs84 : array of shapely geometries
        After reading with the declared CRS and converting to WGS-84.
    declared : str
        How the CRS was decided, for the message (``"WGS-84 (GeoJSON default)"``).
    source : str
        File name for the message.
    near, metric_crs
        As in :func:`guess_projected`.

    Raises
    ------
    InvalidInputError
        A coordinate outside ±180/±90 or outside China; the message names the
        projected CRS that fits, and ``details["hint"]`` the option that gives it.
    """
    xy = _sample(geoms_wgs84)
    if len(xy) == 0:
        return
    lon, lat = xy[:, 0], xy[:, 1]
    finite = np.isfinite(lon) & np.isfinite(lat)
    is_lonlat = finite & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    if is_lonlat.all() and in_china(lon, lat).all():
        return
    raw = np.asarray(geoms_raw, dtype=object)
    raw = raw[~shapely.is_missing(raw) & ~shapely.is_empty(raw)]
    b = shapely.total_bounds(raw) if len(raw) else np.array([*xy.min(0), *xy.max(0)])
    where = f"from ({b[0]:.10g}, {b[1]:.10g}) to ({b[2]:.10g}, {b[3]:.10g})"
    what = ("cannot be longitude/latitude (they look like metres)"
            if not is_lonlat.all() else "lie outside China as longitude/latitude")
    guesses = guess_projected(geoms_raw, near, metric_crs)
    if len(raw) and _raw_is_lonlat_in_china(shapely.transform(
            raw, lambda a: a[:, ::-1])):
        fix = ("the numbers are latitude, longitude in China (the axes are "
               "swapped); export the file with longitude first")
        hint = "re-export as longitude, latitude"
    elif len(raw) and _raw_is_lonlat_in_china(raw):
        fix = ("the numbers themselves are longitude/latitude in China, so declare "
               "the datum wgs84 (gcj02 or bd09 if they came from Amap or Baidu)")
        hint = "--crs wgs84"
    elif guesses:
        g = guesses[0]
        others = ", ".join(x["crs"] for x in guesses[1:4])
        fix = (f"read as {g['crs']} ({g['name']}) they lie at {g['lon']}°E "
               f"{g['lat']}°N, so declare that CRS"
               + (f" (other fits: {others})" if others else ""))
        hint = f"--crs {g['crs']}"
    else:
        fix = "declare the CRS the file was exported in (an EPSG code)"
        hint = "--crs EPSG:CODE"
    raise InvalidInputError(
        f"The coordinates of {source}, {where}, {what}, but the file is read "
        f"as {declared}; {fix}.",
        details={"hint": hint, "file": source, "guesses": guesses[:5]},
    )
