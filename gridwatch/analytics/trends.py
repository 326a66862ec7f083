"""Emerging hot spots: how each cell's Gi* hot-spot history develops month by month.

A simplified, documented version of ArcGIS Pro's *Emerging Hot Spot Analysis*:

* Same: a Gi* test per time step, a Mann-Kendall trend test on each cell's series of
  Gi* z-scores, the 90 % rule ("hot in at least 90 % of the time steps") and the
  category names new / intensifying / persistent / diminishing / sporadic /
  historical.
* Different: ArcGIS builds a space-time cube and its Gi* neighbourhood also spans
  neighbouring time steps; here each month is tested on its own (spatial
  neighbours only, :func:`gridwatch.analytics.monthly_getis_ord`). ArcGIS's
  consecutive and oscillating patterns fold into ``sporadic``; cold-spot
  categories are not reported. With fewer than three months no trend can be
  tested, so a cell hot throughout is ``persistent``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import kendalltau

from gridwatch.errors import InvalidInputError

TRENDS: tuple[str, ...] = ("new", "intensifying", "persistent", "diminishing",
                           "sporadic", "historical", "none")
TRENDS_ZH: dict[str, str] = {
    "new": "新热点", "intensifying": "加剧热点", "persistent": "持续热点",
    "diminishing": "减弱热点", "sporadic": "零星热点", "historical": "历史热点",
    "none": "无模式",
}


def _mann_kendall(z: np.ndarray) -> tuple[float, float]:
    """Kendall's tau of z against time and its two-sided p (Mann-Kendall test)."""
    ok = np.isfinite(z)
    if ok.sum() < 3 or np.ptp(z[ok]) == 0:
        return 0.0, 1.0
    tau, p = kendalltau(np.arange(len(z))[ok], z[ok])
    return float(tau), float(p)


def emerging_hotspots(monthly_cells: pd.DataFrame,
                      trend_alpha: float = 0.05) -> pd.DataFrame:
    """Label each cell's hot-spot history across months.

    Rules, with T months and ``hot`` = any hot_* label (90 % confidence or more)
    in that month, the final month being the latest in the frame:

    * ``new``: hot in the final month and in no earlier month.
    * ``intensifying`` / ``persistent`` / ``diminishing``: hot in at least 90 % of
      the T months including the final one; the Mann-Kendall test on the cell's Gi* z series (p < ``trend_alpha``) tells
      an increasing (intensifying), decreasing (diminishing) or no trend
      (persistent).
    * ``sporadic``: hot in the final month, hot in some earlier month, but in
      fewer than 90 % of the months.
    * ``historical``: not hot in the final month but hot in at least 90 % of
      the months.
    * ``none``: anything else (including cells never hot).

    Parameters
    ----------
    monthly_cells : DataFrame
        Long frame ``cell_id``, ``month``, ``gi_z``, ``label`` (the second
        result of :func:`gridwatch.analytics.monthly_getis_ord`). A cell missing
        in a month counts as not hot there.
    trend_alpha : float, default 0.05

    Returns
    -------
    DataFrame
        Indexed by ``cell_id``: ``trend``, ``trend_zh``, ``n_months``,
        ``n_hot_months``, ``tau`` (Kendall), ``trend_p``, ``last_label``.

    Examples
    --------
    >>> m = pd.DataFrame({"cell_id": ["a"] * 3, "month": [1, 2, 3],
    ...                   "gi_z": [0.1, 0.2, 3.0],
    ...                   "label": ["not_significant", "not_significant", "hot_95"]})
    >>> emerging_hotspots(m)["trend"].tolist()
    ['new']
    """
    missing = [c for c in ("cell_id", "month", "gi_z", "label")
               if c not in monthly_cells.columns]
    if missing:
        raise InvalidInputError(
            f"monthly_cells lacks required column(s): {', '.join(missing)}.")
    cols = ["trend", "trend_zh", "n_months", "n_hot_months", "tau", "trend_p",
            "last_label"]
    if monthly_cells.empty:
        return pd.DataFrame(columns=cols, index=pd.Index([], name="cell_id"))
    months = sorted(monthly_cells["month"].unique())
    n_months = len(months)
    z = monthly_cells.pivot_table(index="cell_id", columns="month", values="gi_z",
                                  aggfunc="first", dropna=False).reindex(
                                      columns=months)
    lab = monthly_cells.pivot(index="cell_id", columns="month", values="label")
    lab = lab.reindex(index=z.index, columns=months).fillna("not_significant")
    hot = lab.apply(lambda col: col.str.startswith("hot")).to_numpy(bool)
    rows = []
    for k, cell in enumerate(z.index):
        h = hot[k]
        tau, p = _mann_kendall(z.iloc[k].to_numpy(float))
        n_hot = int(h.sum())
        mostly = n_hot >= 0.9 * n_months
        if h[-1] and n_hot == 1:
            trend = "new"
        elif h[-1] and mostly:
            trend = ("intensifying" if p < trend_alpha and tau > 0 else
                     "diminishing" if p < trend_alpha and tau < 0 else "persistent")
        elif h[-1] and n_hot > 1:
            trend = "sporadic"
        elif not h[-1] and mostly:
            trend = "historical"
        else:
            trend = "none"
        rows.append((trend, n_months, n_hot, tau, p, lab.iloc[k, -1]))
    out = pd.DataFrame(rows, index=z.index,
                       columns=["trend", "n_months", "n_hot_months", "tau", "trend_p",
                                "last_label"])
    out.insert(1, "trend_zh", out["trend"].map(TRENDS_ZH))
    return out[cols]
