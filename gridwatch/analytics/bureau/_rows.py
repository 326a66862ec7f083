"""Small helpers shared by the figure functions (dates, masks, tally rows)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridwatch.analytics.bureau.period import Period


def ts(values) -> pd.Series:
    """Dates (date, str, Timestamp or None) as normalised Timestamps (NaT)."""
    return pd.to_datetime(pd.Series(values), errors="coerce").dt.normalize()


def within(values, period: Period) -> pd.Series:
    """True where the date lies in the period (both ends included)."""
    d = ts(values)
    return (d >= pd.Timestamp(period.start)) & (d <= pd.Timestamp(period.end))


def on_or_before(values, day) -> pd.Series:
    """True where the date is known and not after ``day``."""
    d = ts(values)
    return d.notna() & (d <= pd.Timestamp(day))


def month_of(values) -> pd.Series:
    """``YYYY-MM`` of each date ("" when unknown)."""
    d = ts(values)
    return d.dt.strftime("%Y-%m").fillna("")


def _aligned(values, idx: pd.Index, name: str):
    """Scalars as they are; a Series must share the frame's index (no silent
    re-alignment to NaN); arrays are positional."""
    if np.isscalar(values) or values is None:
        return values
    if isinstance(values, pd.Series):
        if not values.index.equals(idx):
            raise ValueError(f"tally column {name!r} is not aligned with its frame")
        return values.to_numpy()
    arr = np.asarray(values, dtype=object)
    if len(arr) != len(idx):
        raise ValueError(f"tally column {name!r} has {len(arr)} values for {len(idx)}")
    return arr


def tally_rows(
    frame: pd.DataFrame,
    town,
    num,
    den=np.nan,
    month="",
    **detail,
) -> pd.DataFrame:
    """The rows of a tally: town, month, num, den, then detail columns.

    ``frame`` gives the rows; a Series argument must share its index, scalars
    broadcast.
    """
    idx = frame.index
    out = pd.DataFrame(index=pd.RangeIndex(len(idx)))
    cols = {"town_code": town, "month": month, "num": num, "den": den, **detail}
    for name, values in cols.items():
        out[name] = _aligned(values, idx, name)
    out["town_code"] = out["town_code"].fillna("").astype(str)
    out["month"] = out["month"].fillna("").astype(str)
    for name in ("num", "den"):
        out[name] = pd.to_numeric(out[name], errors="coerce").astype(float)
    return out


def town_of(frame: pd.DataFrame, towns: pd.Series) -> pd.Series:
    """The town of each row's enterprise (``enterprise_id``; "" when unknown)."""
    return frame["enterprise_id"].map(towns).fillna("").astype(str)
