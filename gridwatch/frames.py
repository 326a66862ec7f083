"""Input checks shared by the domain packages: name the wrong type or missing column."""

from __future__ import annotations

import pandas as pd

from gridwatch.errors import InvalidInputError


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

    from gridwatch.errors import CRSMismatchError

    if not isinstance(frame, gpd.GeoDataFrame):
        raise TypeError(f"{name} must be a GeoDataFrame, got {type(frame).__name__}")
    if frame.crs is None:
        raise CRSMismatchError(f"{name} has no CRS; set it (e.g. EPSG:4326) first.")
    require_columns(frame, columns, name)
