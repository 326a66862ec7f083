"""Hazard rates per cell, smoothed with empirical Bayes, for the rate hotspot map.

A count hotspot map finds a dense industrial park "hot" merely for being dense.
The rate measures ask instead where enterprises are worse than expected:

* ``rate_per_inspected``: severity-weighted hazards found at the enterprises
  inspected in the period, per inspected enterprise;
* ``rate_per_inspection``: the same hazards per inspection (spot check,
  inspection or patrol) in the period.

The numerator counts only hazards of enterprises inspected in the period, so that
numerator and denominator describe the same enterprises; hazards of enterprises
not inspected (self-reports) are left out and counted in
``attrs["n_hazards_uninspected"]``.

A cell with two inspected enterprises can swing from 0 to 3 hazards per
enterprise by chance. Empirical Bayes shrinks each raw rate toward a reference
rate, the more the fewer enterprises the cell has (Marshall 1991, "Mapping disease
and mortality rates using empirical Bayes estimators", Applied Statistics 40:
283-294), using esda's estimators:

* ``smoothing="global"`` (default): :class:`esda.smoothing.Empirical_Bayes`,
  toward the district rate. The default because the smoothed rates go on to
  Gi*, which tests for spatial clustering: the spatial estimator's shrinkage
  toward each cell's neighbours would itself manufacture clustering.
* ``"spatial"``: :class:`esda.smoothing.Spatial_Empirical_Bayes`, toward each
  cell's neighbourhood rate.
* ``"none"``: the raw rate.

esda's global estimator does not clip a negative between-cell variance (rates no
more variable than chance alone); its shrinkage factor then leaves [0, 1] and the
"smoothed" rates move away from the mean. Marshall sets that variance to zero,
which shrinks every rate to the district rate; :func:`smooth_rates` does so.

Cells where nobody was inspected have no rate: ``has_exposure`` is False,
``rate_smoothed`` is NaN, and the Gi* test leaves them out and labels them
``no_data`` (:data:`NO_DATA`) rather than giving them an invented value that
would take part in their neighbours' tests.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from gridwatch.errors import InvalidInputError
from gridwatch.frames import require_columns

__all__ = [
    "MEASURES",
    "MEASURE_LABELS",
    "NO_DATA",
    "SMOOTHINGS",
    "add_rate_columns",
    "smooth_rates",
]

MEASURES: tuple[str, ...] = ("count", "rate_per_inspected", "rate_per_inspection")
#: What was analysed, for legends and report captions.
MEASURE_LABELS: dict[str, str] = {
    "count": "加权隐患数（含企业密集的影响）",
    "rate_per_inspected": "每家受检企业的加权隐患数（隐患率，经验贝叶斯平滑）",
    "rate_per_inspection": "每次检查发现的加权隐患数（经验贝叶斯平滑）",
}
SMOOTHINGS: tuple[str, ...] = ("global", "spatial", "none")
SMOOTHING_LABELS: dict[str, str] = {
    "global": "向全区平均收缩",
    "spatial": "向相邻单元平均收缩",
    "none": "未平滑",
}
#: Label of a cell without inspected enterprises (not tested).
NO_DATA = "no_data"


def check_measure(measure: str, smoothing: str = "global") -> None:
    """ValueError naming a wrong ``measure`` or ``smoothing``."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, got {measure!r}")
    if smoothing not in SMOOTHINGS:
        raise ValueError(f"smoothing must be one of {SMOOTHINGS}, got {smoothing!r}")


def smooth_rates(events, exposure, smoothing: str = "global", w=None):
    """Empirical Bayes rates of ``events / exposure`` (every exposure > 0).

    Parameters
    ----------
    events, exposure : array-like of float
        Per cell; ``exposure`` strictly positive.
    smoothing : {"global", "spatial", "none"}
    w : libpysal.weights.W, optional
        Needed for ``"spatial"``, in the order of ``events``.

    Returns
    -------
    (ndarray, str)
        The rates and a note (empty, or why every rate is the district rate).

    Examples
    --------
    Three cells, one with 9 hazards on one enterprise: with so few cells that
    outlier dominates the between-cell variance and is barely shrunk (EB needs
    a district's worth of cells to estimate it; the unit tests use 36):

    >>> r, note = smooth_rates([0, 1, 9], [10, 10, 1])
    >>> r.round(3).tolist(), note
    ([0.006, 0.105, 7.996], '')
    >>> r, note = smooth_rates([5, 5, 6], [10, 10, 10])  # no more than chance
    >>> r.round(3).tolist(), note != ""
    ([0.533, 0.533, 0.533], True)
    """
    e = np.asarray(events, float)
    b = np.asarray(exposure, float)
    if e.shape != b.shape or (b <= 0).any() or (e < 0).any():
        raise ValueError("events and exposure must match, exposure > 0, events >= 0")
    raw = e / b
    if smoothing == "none" or len(e) == 0:
        return raw, ""
    mean = e.sum() / b.sum()
    if e.sum() == 0:
        return np.zeros_like(raw), ""
    from esda.smoothing import Empirical_Bayes, Spatial_Empirical_Bayes

    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        if smoothing == "spatial":
            if w is None:
                raise ValueError("spatial smoothing needs the weights w")
            r = Spatial_Empirical_Bayes(e, b, w).r.ravel()
            # 0/0 where a whole neighbourhood has no event: its rate is 0
            return np.where(np.isfinite(r), r, raw), ""
        r = Empirical_Bayes(e, b).r.ravel()
        dev = raw - mean
        moved = np.abs(dev) > 1e-12
        implied = np.divide(r - mean, dev, out=np.zeros_like(r), where=moved)
    if np.isfinite(r).all() and ((implied >= -1e-9) & (implied <= 1 + 1e-9)).all():
        return r, ""
    note = "各单元隐患率差异不超过随机波动，平滑后均取全区平均值"
    return np.full_like(raw, mean), note


def _period_inspections(inspections, period):
    require_columns(inspections, ["uscc", "inspected_on"], "inspections")
    if period is None:
        return inspections
    start, end = (pd.Timestamp(d) for d in period)
    if start > end:
        raise InvalidInputError(
            f"The period starts {period[0]} after it ends {period[1]}; swap the dates."
        )
    on = pd.to_datetime(inspections["inspected_on"], errors="coerce")
    return inspections[(on >= start) & (on <= end)]


def add_rate_columns(
    cells,
    hazards_in_cells,
    cell_of,
    inspections,
    measure,
    period=None,
    smoothing="global",
    w=None,
):
    """Add the rate columns to aggregated cells (used by ``aggregate_hazards``).

    Parameters
    ----------
    cells : GeoDataFrame
        ``cell_id`` (one row per cell).
    hazards_in_cells : DataFrame
        Hazards placed in cells: ``uscc``, ``cell``, ``w`` (severity weight).
    cell_of : Series
        uscc → cell_id of every located enterprise.
    inspections : DataFrame
        ``uscc``, ``inspected_on``; every kind counts.
    measure : {"rate_per_inspected", "rate_per_inspection"}
    period : (date, date), optional
        Inclusive; inspections outside it are ignored. Without it every
        inspection given counts.
    smoothing : {"global", "spatial", "none"}
    w : libpysal.weights.W, optional
        For ``"spatial"``: weights over the cells with exposure, in their order.

    Returns
    -------
    GeoDataFrame
        ``cells`` plus ``n_inspected`` (enterprises inspected in the period),
        ``n_inspections``, ``exposure`` (the measure's denominator), ``events``
        (weighted hazards of inspected enterprises), ``raw_rate``,
        ``rate_smoothed`` (NaN without exposure) and ``has_exposure``; attrs
        ``measure``, ``measure_label``, ``value_col`` ("rate_smoothed"),
        ``smoothing``, ``smoothing_note``, ``n_hazards_uninspected``.
    """
    check_measure(measure, smoothing)
    if measure == "count":
        raise ValueError("add_rate_columns is for the rate measures")
    if inspections is None:
        raise InvalidInputError(
            f"The measure {measure} needs the inspections of the period."
        )
    ins = _period_inspections(inspections, period)
    ins = ins.assign(cell=ins["uscc"].map(cell_of)).dropna(subset=["cell"])
    inspected = set(ins["uscc"])
    n_inspected = ins.drop_duplicates("uscc").groupby("cell").size()
    n_inspections = ins.groupby("cell").size()
    hz = hazards_in_cells[hazards_in_cells["uscc"].isin(inspected)]
    events = hz.groupby("cell")["w"].sum()
    out = cells.copy()
    ids = out["cell_id"]
    out["n_inspected"] = ids.map(n_inspected).fillna(0).astype(int)
    out["n_inspections"] = ids.map(n_inspections).fillna(0).astype(int)
    den = "n_inspected" if measure == "rate_per_inspected" else "n_inspections"
    out["exposure"] = out[den].astype(float)
    out["events"] = ids.map(events).fillna(0.0).astype(float)
    has = out["exposure"].to_numpy() > 0
    out["has_exposure"] = has
    out["raw_rate"] = out["events"] / out["exposure"].where(has)
    smoothed, note = smooth_rates(
        out.loc[has, "events"], out.loc[has, "exposure"], smoothing, w
    )
    out["rate_smoothed"] = np.nan
    out.loc[has, "rate_smoothed"] = smoothed
    out.attrs.update(
        cells.attrs,
        measure=measure,
        value_col="rate_smoothed",
        measure_label=MEASURE_LABELS[measure],
        smoothing=smoothing,
        smoothing_note=note,
        n_no_exposure=int((~has).sum()),
        n_hazards_uninspected=int(len(hazards_in_cells) - len(hz)),
    )
    return out
