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
        raise InvalidInputError(f"{name} lacks required column(s): {', '.join(missing)}.")
