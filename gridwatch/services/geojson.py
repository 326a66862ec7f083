"""Frames and records as JSON-safe data: GeoJSON FeatureCollections, plain dicts.

Pages use the frames directly; the API and the map layers call these so dates
become ISO text, NaN/NA/NaT become null and numpy scalars plain numbers.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
import shapely.geometry

from gridwatch.frames import reproject_to_wgs84


def plain(value: Any) -> Any:
    """One value as JSON-safe Python (dates ISO, missing None)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, np.ndarray)):
        return [plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)  # e.g. a pandas Period: its text ("2026-03")


def records(frame: pd.DataFrame, columns: list[str] | None = None) -> list[dict]:
    """Rows as dicts of Python values (dates kept as ``datetime.date``, missing
    values None): for templates and :func:`plain`."""
    cols = [c for c in (columns or frame.columns) if c != "geometry"]
    out = []
    for row in frame[cols].itertuples(index=False, name=None):
        rec = {}
        for c, v in zip(cols, row):
            if isinstance(v, np.generic):
                v = v.item()
            if v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
                v = None
            rec[c] = v
        out.append(rec)
    return out


def feature_collection(frame, columns: list[str] | None = None) -> dict:
    """A GeoDataFrame in EPSG:4326 as a GeoJSON FeatureCollection (RFC 7946).

    ``columns`` limits the properties (default: all but geometry). Rows without a
    geometry become features with ``"geometry": null`` (RFC 7946 §3.2).
    """
    if frame.crs is not None:  # a frame without CRS is taken as stored (WGS-84)
        frame = reproject_to_wgs84(frame, "frame")
    props = records(frame, columns)
    feats = []
    for geom, rec in zip(frame.geometry, props):
        shape = None
        if geom is not None and not geom.is_empty:
            shape = shapely.geometry.mapping(geom)
        feats.append({"type": "Feature", "geometry": shape, "properties": plain(rec)})
    return {"type": "FeatureCollection", "features": feats}
