"""Input checks shared by the demo generators."""

from __future__ import annotations

import pandas as pd

from gridwatch.crs import WGS84
from gridwatch.errors import CRSMismatchError


def require_columns(frame: pd.DataFrame, columns, what: str) -> None:
    """Raise ``TypeError``/``ValueError`` naming a wrong type or the missing columns."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{what} must be a DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks column(s) {', '.join(missing)}")


def require_wgs84(frame, what: str) -> None:
    """Raise :class:`CRSMismatchError` unless ``frame`` is in WGS-84 (EPSG:4326)."""
    if getattr(frame, "crs", None) is None or not frame.crs.equals(WGS84):
        raise CRSMismatchError(
            f"{what} must be in WGS-84 (EPSG:4326), got {frame.crs}."
        )
