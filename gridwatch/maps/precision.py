"""How sure an enterprise's point is, for drawing it.

An enterprise placed only at its village or town point is not at that point:
it is somewhere in the village or town. The map draws such points hollow, with
a dashed ring about the size of the unit, and never lets several enterprises
placed on the same point hide one another: each point gets its rank among the
points sharing its coordinates, and the browser spreads them on a small spiral
around it (issue 13: 35 of 54 enterprises stacked on seven town points looked
like seven enterprises).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from gridwatch.crs import METRIC_CRS

__all__ = ["IMPRECISE", "IMPRECISE_LABELS", "imprecision", "stack_ranks"]

#: Precisions drawn hollow, coarsest last (``vocab.PRECISIONS`` keys).
IMPRECISE = ("community", "town", "district")
IMPRECISE_LABELS = {
    "community": "仅定位到村/社区",
    "town": "仅定位到镇/街道",
    "district": "仅定位到区",
}
#: Ring radius when the unit's polygon is not at hand: the equivalent radius of
#: an average Chancheng unit (147 villages/communities and 4 towns in 154 km²:
#: about 1 km² and 38 km²) and of the district.
DEFAULT_RADIUS_M = {"community": 600, "town": 3500, "district": 7000}


def _equivalent_radius_m(units) -> dict[str, float]:
    """code → radius (m) of a circle with the unit's area (metric CRS)."""
    if units is None or len(units) == 0 or "code" not in units.columns:
        return {}
    area = units.to_crs(METRIC_CRS).geometry.area.to_numpy()
    return dict(zip(units["code"].astype(str), np.sqrt(area / np.pi), strict=True))


def imprecision(points, towns=None, communities=None) -> tuple[np.ndarray, np.ndarray]:
    """Per point: 0 (precise) or 1 + index in :data:`IMPRECISE`, and ring metres.

    Parameters
    ----------
    points : GeoDataFrame
        ``precision`` column (optional: without it every point is precise);
        ``community_code`` / ``town_code`` (optional) size the ring from the
        unit's polygon.
    towns, communities : GeoDataFrame, optional
        Polygons with ``code``, any CRS.

    Returns
    -------
    (levels, radius_m)
        int arrays, one per row of ``points``; radius 0 for precise points.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> pts = gpd.GeoDataFrame({"precision": ["door", "town", "community"]},
    ...                        geometry=[Point(113, 23)] * 3, crs=4326)
    >>> levels, radius = imprecision(pts)
    >>> levels.tolist(), radius.tolist()
    ([0, 2, 1], [0, 3500, 600])
    """
    n = len(points)
    if "precision" not in points.columns:
        return np.zeros(n, np.int64), np.zeros(n, np.int64)
    precision = points["precision"].astype(object).to_numpy()
    levels = np.zeros(n, np.int64)
    radius = np.zeros(n, np.float64)
    sized = {
        "community": (_equivalent_radius_m(communities), "community_code"),
        "town": (_equivalent_radius_m(towns), "town_code"),
    }
    for k, level in enumerate(IMPRECISE, start=1):
        mask = precision == level
        if not mask.any():
            continue
        levels[mask] = k
        radius[mask] = DEFAULT_RADIUS_M[level]
        by_code, column = sized.get(level, ({}, None))
        if by_code and column in points.columns:
            codes = points[column].astype(str).to_numpy()[mask]
            known = pd.Series(codes).map(by_code).to_numpy(dtype=float)
            radius[mask] = np.where(np.isnan(known), radius[mask], known)
    return levels, np.round(radius).astype(np.int64)


def stack_ranks(geometry) -> np.ndarray:
    """Rank of each point among points with the same coordinates (about 1 m).

    >>> from shapely.geometry import Point
    >>> stack_ranks([Point(1, 1), Point(2, 2), Point(1, 1), Point(1, 1)]).tolist()
    [0, 0, 1, 2]
    """
    geoms = np.asarray(geometry, dtype=object)
    if len(geoms) == 0:
        return np.zeros(0, np.int64)
    keys = pd.DataFrame(
        {
            "x": np.round(shapely.get_x(geoms) * 1e5),
            "y": np.round(shapely.get_y(geoms) * 1e5),
        }
    )
    return keys.groupby(["x", "y"], sort=False).cumcount().to_numpy(np.int64)
