"""Enterprise workload: risk-level weights, and checks shared by the grids modules."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridwatch.crs import METRIC_CRS
from gridwatch.defaults import RISK_WEIGHTS
from gridwatch.errors import InvalidInputError
from gridwatch.frames import require_geoframe

#: The shipped defaults of ``risk_weights`` (gridwatch.defaults, also the settings'
#: default); callers pass the configured weights, this is the library fallback.
DEFAULT_RISK_WEIGHTS = RISK_WEIGHTS


def check_seed(seed) -> int:
    """A seed numpy's generators take: a whole number from 0 to 2**32 - 1.

    >>> check_seed(7)
    7
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) \
            or not 0 <= int(seed) < 2**32:
        raise InvalidInputError(
            f"The seed must be a whole number from 0 to {2**32 - 1}, got {seed!r}.")
    return int(seed)


def require_frame(frame, name: str, columns: tuple[str, ...] = ()) -> None:
    """Raise if ``frame`` is not a GeoDataFrame with a CRS and ``columns``."""
    require_geoframe(frame, columns, name)


def enterprise_weights(enterprises: pd.DataFrame, weights: dict | None) -> np.ndarray:
    """Workload of each enterprise from its ``risk_level`` (missing level: lowest).

    >>> df = pd.DataFrame({"risk_level": ["red", "blue", None]})
    >>> enterprise_weights(df, {"red": 4, "blue": 1}).tolist()
    [4.0, 1.0, 1.0]
    """
    weights = dict(DEFAULT_RISK_WEIGHTS if weights is None else weights)
    if "risk_level" not in enterprises.columns:
        return np.ones(len(enterprises))
    levels = enterprises["risk_level"]
    unknown = set(levels.dropna().astype(str)) - set(weights)
    if unknown:
        raise InvalidInputError(
            f"Unknown risk level(s) {sorted(unknown)}; use one of "
            f"{', '.join(weights)} or give them a weight.")
    lowest = min(weights.values()) if weights else 1.0
    return levels.map(weights).fillna(lowest).to_numpy(dtype=float)


def enterprise_points_metric(enterprises, metric_crs: str = METRIC_CRS):
    """(points in metric CRS, row positions) of enterprises that have a geometry."""
    require_frame(enterprises, "enterprises")
    geom = enterprises.geometry
    has = ~(geom.isna() | geom.is_empty).to_numpy()
    pts = enterprises.loc[has].to_crs(metric_crs).geometry.to_numpy()
    return pts, np.flatnonzero(has)


def enterprise_ids(enterprises: pd.DataFrame) -> np.ndarray:
    """Identifiers used in reports: ``uscc`` if present, else ``name``, else index."""
    for col in ("uscc", "name"):
        if col in enterprises.columns:
            return enterprises[col].astype(str).to_numpy()
    return enterprises.index.astype(str).to_numpy()
