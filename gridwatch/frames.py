"""The one module of input checks for frames: name the wrong type, the missing
column or the wrong CRS.

- :func:`require_columns` — a DataFrame with these columns (``TypeError`` for a
  non-frame, :class:`~gridwatch.errors.InvalidInputError` naming what is missing);
- :func:`require_geoframe` — the same for a GeoDataFrame that carries a CRS;
- :func:`require_wgs84` — raises unless the geometries are in WGS-84 (EPSG:4326):
  for stored geometries, which are never reprojected behind the caller's back;
- :func:`reproject_to_wgs84` — converts explicitly (any CRS in, EPSG:4326 out;
  no CRS is an error): for display and export, which take any CRS.

Datum shifts of coordinates (GCJ-02, BD-09) are :mod:`gridwatch.crs`'s, not these.
"""

from __future__ import annotations

import pandas as pd
from pyproj import CRS

from gridwatch.errors import CRSMismatchError, InvalidInputError

_EPSG_4326 = CRS.from_epsg(4326)


def require_columns(frame, required, name: str) -> None:
    """Raise TypeError for a non-frame, InvalidInputError naming missing columns."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a DataFrame, got {type(frame).__name__}")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InvalidInputError(
            f"{name} lacks required column(s): {', '.join(missing)}."
        )


def require_geoframe(frame, columns, name: str) -> None:
    """Like :func:`require_columns` for a GeoDataFrame that must carry a CRS."""
    import geopandas as gpd

    if not isinstance(frame, gpd.GeoDataFrame):
        raise TypeError(f"{name} must be a GeoDataFrame, got {type(frame).__name__}")
    if frame.crs is None:
        raise CRSMismatchError(f"{name} has no CRS; set it (e.g. EPSG:4326) first.")
    require_columns(frame, columns, name)


def is_wgs84(crs) -> bool:
    """Whether ``crs`` (anything pyproj reads, or None) is WGS-84 longitude/latitude
    (EPSG:4326; OGC:CRS84, its lng-first twin, counts: geopandas is x-first)."""
    if crs is None:
        return False
    return CRS.from_user_input(crs).equals(_EPSG_4326, ignore_axis_order=True)


def require_wgs84(frame, name: str, hint: str = "") -> None:
    """Raise :class:`~gridwatch.errors.CRSMismatchError` unless ``frame`` (a
    GeoDataFrame or GeoSeries) is in WGS-84 (EPSG:4326); never reprojects.

    ``hint`` ends the message (e.g. "pass the stored geometries").
    """
    crs = getattr(frame, "crs", None)
    if not is_wgs84(crs):
        got = "no CRS" if crs is None else CRS.from_user_input(crs).to_string()
        raise CRSMismatchError(
            f"{name} must be in WGS-84 (EPSG:4326), not {got}"
            + (f"; {hint}." if hint else ".")
        )


def reproject_to_wgs84(frame, name: str):
    """``frame`` (a GeoDataFrame or GeoSeries) in EPSG:4326: itself when it already
    is, else a reprojected copy; None (an optional layer left out) stays None; a
    frame without CRS raises :class:`~gridwatch.errors.CRSMismatchError` (its
    coordinates cannot be placed)."""
    if frame is None:
        return None
    crs = getattr(frame, "crs", None)
    if crs is None:
        raise CRSMismatchError(f"{name} has no CRS; set it (e.g. EPSG:4326) first.")
    return frame if is_wgs84(crs) else frame.to_crs(_EPSG_4326)
