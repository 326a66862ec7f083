"""A :class:`Tally`: the items behind one figure, so every total adds up.

A figure function returns the items it counted (enterprises, hazards,
inspections, penalty decisions, ...), one row each, with the town/street and
month the item belongs to and its numerator and denominator contribution. The
district total, the figure of each town, the monthly series and the drill-down
list are then all read from those same rows: a town's figure and the list
behind it cannot disagree, and the towns add up to the district.

Rows: ``town_code`` (``""`` when unknown), ``month`` (``YYYY-MM`` or ``""``),
``num`` and ``den`` (floats; ``den`` is NaN for a plain count), plus whatever
detail columns the drill-down shows. A figure whose parts do not simply add up
(penalty money added in whole fen, distinct wardens) brings its own
aggregation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gridwatch.analytics.assessment.sources import Measured

__all__ = ["Tally", "unavailable"]

Aggregate = Callable[[pd.DataFrame, list[str]], pd.DataFrame]
_BASE = ("town_code", "month", "num", "den")


def _sum(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    if not by:
        return pd.DataFrame(
            {"num": [float(rows["num"].sum())], "den": [_den(rows["den"])]}
        )
    g = rows.groupby(by, dropna=False, sort=True)
    out = pd.DataFrame({"num": g["num"].sum().astype(float)})
    out["den"] = g["den"].agg(_den)
    return out


def _den(values: pd.Series) -> float:
    """The sum of denominators; NaN when the figure is a count (all NaN)."""
    v = pd.to_numeric(values, errors="coerce")
    return float(v.sum()) if v.notna().any() else np.nan


@dataclass(frozen=True)
class Tally:
    """The counted items of one figure for one period.

    Attributes
    ----------
    key : str
        The figure's key.
    rows : DataFrame
        One row per item (columns in the module docstring).
    kind : {"count", "sum", "rate"}
        ``count``/``sum``: the value is ``num``; ``rate``: ``num / den``.
    aggregate : callable, optional
        ``(rows, by) -> DataFrame`` with columns ``num``, ``den`` indexed by
        ``by`` (one row when ``by`` is empty); default: sums.
    available : bool
        False when gridwatch holds no records of this kind at all (the value is
        None, shown as —, never a confident 0).
    note : str
        A caveat for the reader (Chinese).
    """

    key: str
    rows: pd.DataFrame
    kind: str = "count"
    aggregate: Aggregate | None = field(default=None, compare=False)
    available: bool = True
    note: str = ""

    def __post_init__(self):
        missing = [c for c in _BASE if c not in self.rows.columns]
        if missing:
            raise ValueError(f"tally {self.key!r} rows lack columns {missing}")
        if self.kind not in ("count", "sum", "rate"):
            raise ValueError(f"tally {self.key!r}: unknown kind {self.kind!r}")

    def _agg(self, rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
        return (self.aggregate or _sum)(rows, by)

    def parts(self, town: str | None = None) -> tuple[float | None, float | None]:
        """(numerator, denominator) for the whole scope or one town."""
        if not self.available:
            return None, None
        rows = self.rows if town is None else self.rows[self.rows["town_code"] == town]
        out = self._agg(rows, []).iloc[0]
        den = None if pd.isna(out["den"]) else float(out["den"])
        return float(out["num"]), den

    def value(self, town: str | None = None) -> float | None:
        """The figure: the count/sum, or the rate (None when nothing to measure)."""
        num, den = self.parts(town)
        if num is None:
            return None
        if self.kind == "rate":
            return num / den if den else None
        return num

    def measured(self, town: str | None = None, ref: str | None = None) -> Measured:
        """The figure as the assessment takes it (rates carry their parts)."""
        num, den = self.parts(town)
        if num is None:
            return Measured(None, note=self.note, ref=ref)
        if self.kind == "rate":
            return Measured.ratio(num, den or 0.0, note=self.note, ref=ref)
        return Measured(num, note=self.note, ref=ref)

    def by(self, column: str) -> pd.DataFrame:
        """``num``, ``den`` and ``value`` per value of ``column`` (town_code or
        month), in order; empty when unavailable."""
        if not self.available or self.rows.empty:
            return pd.DataFrame(columns=["num", "den", "value"])
        out = self._agg(self.rows, [column])
        if self.kind == "rate":
            out["value"] = out["num"] / out["den"].where(out["den"] > 0)
        else:
            out["value"] = out["num"]
        return out

    def items(self, town: str | None = None) -> pd.DataFrame:
        """The rows behind the figure (for one town), for drill-down lists."""
        if town is None:
            return self.rows
        return self.rows[self.rows["town_code"] == town]


def unavailable(key: str, note: str, kind: str = "count") -> Tally:
    """A tally for a kind of record gridwatch does not hold (yet)."""
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in _BASE})
    return Tally(key, empty, kind, available=False, note=note)
