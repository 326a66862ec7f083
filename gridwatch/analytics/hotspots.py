"""Hazard hotspots: severity-weighted hazards per cell, Getis-Ord Gi* with FDR.

Cells are either the supervision grids or H3 hexagons, chosen by
:func:`aggregate_hazards` (rule in its docstring). Significance comes from esda's
conditional permutations (999 by default) with a Benjamini-Hochberg false discovery
rate correction (:func:`esda.fdr`), applied separately at 90, 95 and 99 %.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from gridwatch.analytics.rates import (
    MEASURE_LABELS,
    NO_DATA,
    add_rate_columns,
    check_measure,
)
from gridwatch.crs import METRIC_CRS, WGS84
from gridwatch.defaults import HAZARD_WEIGHTS
from gridwatch.errors import CRSMismatchError, InvalidInputError
from gridwatch.frames import require_columns

#: Severity per hazard level when none is given (gridwatch.defaults).
DEFAULT_WEIGHTS = HAZARD_WEIGHTS
#: Labels in order from hottest to coldest; confidence = 1 - alpha.
LABELS: tuple[str, ...] = ("hot_99", "hot_95", "hot_90", "not_significant",
                           "cold_90", "cold_95", "cold_99")
LABELS_ZH: dict[str, str] = {
    "hot_99": "热点 99% 置信", "hot_95": "热点 95% 置信", "hot_90": "热点 90% 置信",
    "not_significant": "不显著",
    "cold_90": "冷点 90% 置信", "cold_95": "冷点 95% 置信", "cold_99": "冷点 99% 置信",
    NO_DATA: "无受检企业（未检验）",
}
#: Grids are used only when there are at least this many of them...
MIN_GRIDS = 30
#: ...and their 90th-percentile area is at most this many times the 10th percentile.
MAX_GRID_AREA_RATIO = 25.0
#: Grids closer than this (metres) count as touching (:func:`cell_weights`).
CONTIGUITY_TOLERANCE_M = 1.0
#: Automatic H3 resolution aims at about this many hexagons over the data's extent.
TARGET_H3_CELLS = 300


def _checked_weights(hazards, enterprises, weights) -> dict:
    """Check the frames and return the severity weights covering every hazard level."""
    require_columns(hazards, ["uscc", "level"], "hazards")
    require_columns(enterprises, ["uscc", "geometry"], "enterprises")
    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    unknown = sorted(set(hazards["level"].dropna()) - set(weights))
    if unknown:
        raise InvalidInputError(f"No severity weight for hazard level(s) {unknown}.")
    return weights


def _choose_unit(enterprises, grids, h3_resolution, unit, metric_crs=METRIC_CRS):
    """Return (unit, resolution, reason) following :func:`aggregate_hazards`' rule."""
    if unit not in ("auto", "grid", "h3"):
        raise ValueError(f"unit must be 'auto', 'grid' or 'h3', got {unit!r}")
    if unit == "grid" and grids is None:
        raise InvalidInputError("unit='grid' needs the grids frame.")
    if unit == "auto" and h3_resolution is None and grids is not None:
        areas = grids.to_crs(metric_crs).area.to_numpy()
        p10, p90 = np.percentile(areas, [10, 90]) if len(areas) else (0, 0)
        ratio = p90 / p10 if p10 > 0 else np.inf
        if len(grids) >= MIN_GRIDS and ratio <= MAX_GRID_AREA_RATIO:
            return "grid", None, f"{len(grids)} 个网格，面积较均匀"
        why = (f"网格仅 {len(grids)} 个" if len(grids) < MIN_GRIDS
               else f"网格面积差异过大（P90/P10={ratio:.0f}）")
    elif unit == "grid":
        return "grid", None, "按网格统计"
    else:
        why = "未提供网格" if grids is None else "指定六边形"
    res = (h3_resolution if h3_resolution is not None
           else _auto_resolution(enterprises, metric_crs))
    if not 0 <= int(res) <= 15:
        raise ValueError(f"h3_resolution must be 0..15, got {res!r}")
    return "h3", int(res), f"{why}，改用 H3 六边形（分辨率 {int(res)}）"


def _auto_resolution(enterprises, metric_crs=METRIC_CRS) -> int:
    pts = enterprises.geometry[~(enterprises.geometry.is_empty
                                 | enterprises.geometry.isna())]
    if len(pts) == 0:
        raise InvalidInputError("No enterprise has a location; cannot build H3 cells.")
    xy = shapely.get_coordinates(pts.to_crs(metric_crs).to_numpy())
    hull = shapely.convex_hull(shapely.multipoints(xy)).buffer(500).area
    target = hull / TARGET_H3_CELLS
    areas = {r: h3.average_hexagon_area(r, "m^2") for r in range(5, 11)}
    return min(areas, key=lambda r: abs(np.log(areas[r] / target)))


def aggregate_hazards(hazards, enterprises, grids=None, weights=None,
                      h3_resolution=None, unit="auto", *, measure="count",
                      inspections=None, period=None, smoothing="global",
                      metric_crs=METRIC_CRS):
    """Sum severity-weighted hazards per grid or per H3 cell (and their rates).

    Unit rule (``unit="auto"``): the grids are used when they are given, number at
    least :data:`MIN_GRIDS` (30) and are not too uneven in area (90th-percentile
    area at most :data:`MAX_GRID_AREA_RATIO` (25) times the 10th percentile, in the
    metric CRS); otherwise H3 hexagons. Gi* needs enough units of comparable size:
    with a handful of grids, or a mix of tiny urban and huge rural grids, a
    hexagon lattice is the fairer yardstick. Passing ``h3_resolution`` forces H3.
    The automatic resolution (5-10) has an average hexagon area closest to the
    enterprises' convex hull (+500 m) divided by :data:`TARGET_H3_CELLS` (300);
    at Chancheng's scale that is resolution 8 (about 0.74 km²).

    The study area is every grid (H3: every hexagon holding at least one
    enterprise), so cells with enterprises but no hazard take part with 0.

    Parameters
    ----------
    hazards : DataFrame
        Columns ``uscc``, ``level`` (ordinary/major). Filter by date beforehand.
    enterprises : GeoDataFrame
        Columns ``uscc``, ``geometry`` (Points or None); ``grid_code`` for grids.
    grids : GeoDataFrame, optional
        Columns ``code``, ``geometry``; same CRS as ``enterprises``.
    weights : mapping, optional
        Hazard level → severity weight (settings ``hazard_weights``); default
        ordinary 1, major 5.
    h3_resolution : int, optional
        Force H3 at this resolution.
    unit : {"auto", "grid", "h3"}
    measure : {"count", "rate_per_inspected", "rate_per_inspection"}
        What :func:`getis_ord` will analyse (``attrs["value_col"]``): the
        severity-weighted count (``weight``, the default), or the empirical-Bayes
        rate per inspected enterprise or per inspection (``rate_smoothed``;
        rules in :mod:`gridwatch.analytics.rates`).
    inspections : DataFrame, optional
        ``uscc``, ``inspected_on``; required by the rate measures.
    period : (date, date), optional
        Inclusive; for the rate measures, inspections outside it are ignored
        (pass it when ``inspections`` reaches beyond the hazards' period).
    smoothing : {"global", "spatial", "none"}
        Empirical Bayes toward the district rate (default), toward the
        neighbourhood rate, or none (rate measures only).
    metric_crs : str
        Projected CRS in metres for grid areas and the H3 extent (settings
        ``metric_crs``); kept in ``attrs`` for :func:`cell_weights`.

    Returns
    -------
    GeoDataFrame
        In EPSG:4326: ``cell_id``, ``n_enterprises``, ``n_hazards``, ``n_major``,
        ``weight`` (sum of severity weights), ``rate`` (weight per enterprise,
        NaN without enterprises), ``geometry``. ``attrs``: ``unit`` ("grid"/"h3"),
        ``h3_resolution``, ``unit_reason`` (Chinese, for the legend), ``weights``,
        ``n_unlocated`` (hazards that could not be placed in a cell),
        ``measure``, ``measure_label`` (Chinese, for the legend), ``value_col``.
        The rate measures add the columns of
        :func:`gridwatch.analytics.rates.add_rate_columns` (``n_inspected``,
        ``n_inspections``, ``exposure``, ``events``, ``raw_rate``,
        ``rate_smoothed``, ``has_exposure``).

    Raises
    ------
    InvalidInputError
        Missing columns, a hazard level without a weight, frames in different CRS,
        a rate measure without inspections.
    """
    check_measure(measure, smoothing)
    weights = _checked_weights(hazards, enterprises, weights)
    if enterprises.crs is None:
        raise InvalidInputError("enterprises has no CRS; set it (e.g. EPSG:4326).")
    if grids is not None:
        require_columns(grids, ["code", "geometry"], "grids")
        if grids.crs != enterprises.crs:
            raise CRSMismatchError(
                f"grids are in {grids.crs} but enterprises in {enterprises.crs}.")
    kind, res, reason = _choose_unit(enterprises, grids, h3_resolution, unit,
                                     metric_crs)
    ents = enterprises.to_crs(WGS84)
    if kind == "grid":
        require_columns(enterprises, ["grid_code"], "enterprises")
        cells = gpd.GeoDataFrame({"cell_id": grids["code"].astype(str).to_numpy()},
                                 geometry=grids.to_crs(WGS84).geometry.to_numpy(),
                                 crs=WGS84)
        ent_cell = ents["grid_code"].astype("string")
    else:
        ent_cell = pd.Series(_h3_cells(ents.geometry, res), index=ents.index,
                             dtype="string")
        ids = sorted(ent_cell.dropna().unique())
        cells = gpd.GeoDataFrame(
            {"cell_id": ids},
            geometry=[shapely.Polygon([(lng, lat) for lat, lng in
                                       h3.cell_to_boundary(c)]) for c in ids],
            crs=WGS84)
    cell_of = pd.Series(ent_cell.to_numpy(), index=ents["uscc"].to_numpy())
    hz = pd.DataFrame({"uscc": hazards["uscc"].to_numpy(),
                       "cell": hazards["uscc"].map(cell_of).to_numpy(),
                       "w": hazards["level"].map(weights).astype(float).to_numpy(),
                       "major": (hazards["level"] == "major").astype(int).to_numpy()})
    hz = hz[hz["cell"].isin(cells["cell_id"])]
    per = hz.groupby("cell").agg(n_hazards=("w", "size"), weight=("w", "sum"),
                                 n_major=("major", "sum"))
    n_ent = ent_cell.value_counts()
    out = cells.copy()
    out["n_enterprises"] = out["cell_id"].map(n_ent).fillna(0).astype(int)
    for col in ("n_hazards", "n_major"):
        out[col] = out["cell_id"].map(per[col]).fillna(0).astype(int)
    out["weight"] = out["cell_id"].map(per["weight"]).fillna(0.0).astype(float)
    out["rate"] = out["weight"] / out["n_enterprises"].where(out["n_enterprises"] > 0)
    out = out[["cell_id", "n_enterprises", "n_hazards", "n_major", "weight", "rate",
               "geometry"]]
    out.attrs.update(unit=kind, h3_resolution=res, unit_reason=reason,
                     weights=weights, n_unlocated=int(len(hazards) - len(hz)),
                     measure="count", measure_label=MEASURE_LABELS["count"],
                     value_col="weight", metric_crs=metric_crs)
    if measure == "count":
        return out
    w = None
    if smoothing == "spatial":
        w = _exposure_weights(out, cell_of, inspections, period, measure)
    return add_rate_columns(out, hz, cell_of.dropna(), inspections, measure, period,
                            smoothing, w)


def _exposure_weights(cells, cell_of, inspections, period, measure):
    """Weights over the cells with exposure, for spatial smoothing."""
    probe = add_rate_columns(cells, pd.DataFrame(columns=["uscc", "cell", "w"]),
                             cell_of.dropna(), inspections, measure, period, "none")
    sub = cells[probe["has_exposure"].to_numpy()].reset_index(drop=True)
    sub.attrs = dict(cells.attrs)
    w = cell_weights(sub)
    w.id_order = list(range(len(sub)))
    return w


def _h3_cells(points: gpd.GeoSeries, res: int) -> list:
    ok = ~(points.isna() | points.is_empty)
    out = [None] * len(points)
    xs, ys = shapely.get_x(points[ok].to_numpy()), shapely.get_y(points[ok].to_numpy())
    for k, x, y in zip(np.flatnonzero(ok.to_numpy()), xs, ys):
        out[k] = h3.latlng_to_cell(y, x, res)
    return out


def cell_weights(cells):
    """Spatial weights for Gi*: H3 ring-1 neighbours or grid Queen contiguity.

    Grid contiguity is "fuzzy" (libpysal ``fuzzy_contiguity``): grids whose outlines
    come within :data:`CONTIGUITY_TOLERANCE_M` (1 m, in ``cells.attrs["metric_crs"]``,
    default :data:`gridwatch.crs.METRIC_CRS`) of each other, corners
    included, are neighbours. Exact-vertex Queen contiguity misses neighbours whose
    shared edges differ by floating-point noise, which digitised grids always have.
    A cell with no neighbour (an island) is linked to its nearest cell (centroid
    distance in the metric CRS, libpysal ``attach_islands``) so that every local
    statistic has a neighbourhood. Returns a binary ``libpysal.weights.W``
    without self-weights; Gi* adds the cell itself (``star=True``).
    """
    from libpysal.weights import KNN, W, attach_islands, fuzzy_contiguity

    ids = list(cells["cell_id"])
    metric_crs = cells.attrs.get("metric_crs", METRIC_CRS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands are handled below
        if cells.attrs.get("unit") == "h3":
            pos = {c: i for i, c in enumerate(ids)}
            neigh = {i: sorted(pos[n] for n in h3.grid_disk(c, 1) if n in pos and n != c)
                     for i, c in enumerate(ids)}
            w = W(neigh, silence_warnings=True)
        else:
            metric = cells.to_crs(metric_crs).reset_index(drop=True)
            w = fuzzy_contiguity(metric, buffering=True, buffer=CONTIGUITY_TOLERANCE_M,
                                 silence_warnings=True)
        if w.islands and len(ids) > 1:
            pts = cells.to_crs(metric_crs).geometry.centroid
            knn = KNN(np.column_stack([pts.x, pts.y]), k=1, silence_warnings=True)
            w = attach_islands(w, knn)
    w.transform = "B"
    return w


def getis_ord(cells, value_col=None, permutations=999, seed=0, fdr=True,
              weights=None):
    """Getis-Ord Gi* per cell with permutation p-values and FDR-corrected labels.

    Parameters
    ----------
    cells : GeoDataFrame
        Output of :func:`aggregate_hazards` (``cell_id``, ``value_col``,
        geometry; ``attrs["unit"]`` selects the neighbour rule of
        :func:`cell_weights`).
    value_col : str, optional
        Default ``cells.attrs["value_col"]`` (the measure chosen in
        :func:`aggregate_hazards`), else ``"weight"``: severity-weighted
        counts. ``"rate"`` gives hazards per enterprise (cells without
        enterprises count as 0). With a rate measure (``rate_smoothed``), cells
        without exposure (``has_exposure`` False) are left out of the test and
        of every neighbourhood, and labelled ``no_data``.
    permutations : int, default 999
        Conditional permutations (esda); the smallest attainable p is
        ``1 / (permutations + 1)``.
    seed : int, default 0
        Seed for the permutations.
    fdr : bool, default True
        Benjamini-Hochberg false discovery rate (``esda.fdr``) at each of
        alpha = 0.10, 0.05, 0.01; otherwise the raw ``p_sim`` is compared.
    weights : libpysal.weights.W, optional
        Use these instead of :func:`cell_weights` (ignored when cells are left
        out for lack of exposure: the weights are rebuilt on the others).

    Returns
    -------
    GeoDataFrame
        ``cells`` plus ``gi_z`` (esda ``Zs``), ``p_sim`` (one-sided pseudo
        p-value, ties counted against significance: :func:`_tie_aware_p`),
        ``p_sim_esda`` (esda's own, for reference), ``confidence`` (0, 90, 95 or
        99) and ``label`` (hot_99 … not_significant … cold_99; the tail the
        observed Gi* lies in gives hot or cold; ``no_data`` for untested cells).
        ``attrs["fdr"]`` records whether FDR was applied, ``attrs["n_tested"]``
        how many cells were tested.

    Notes
    -----
    Weights are binary contiguity with the cell itself included (Gi*, ``star=True``,
    ``transform="B"``), as in ArcGIS's Hot Spot Analysis with contiguity. With 999
    permutations and FDR over n cells, 99 % needs about n/10 cells at the minimum
    p of 0.001: rarely met at district scale, which is honest rather than a bug.
    """
    from esda import G_Local
    from esda import fdr as esda_fdr

    value_col = value_col or cells.attrs.get("value_col") or "weight"
    require_columns(cells, ["cell_id", value_col, "geometry"], "cells")
    if value_col == "rate_smoothed" and "has_exposure" in cells:
        observed = cells["has_exposure"].fillna(False).to_numpy(bool)
        if not observed.all():
            return _getis_ord_observed(cells, observed, value_col, permutations,
                                       seed, fdr)
    y = cells[value_col].fillna(0).to_numpy(float)
    out = cells.copy()
    out.attrs = dict(cells.attrs, fdr=bool(fdr), permutations=permutations,
                     value_col=value_col, n_tested=len(y))
    if len(y) < 3 or np.ptp(y) == 0:
        out["gi_z"], out["p_sim"] = np.nan, 1.0
        out["confidence"], out["label"] = 0, "not_significant"
        return out
    w = weights if weights is not None else cell_weights(cells)
    with warnings.catch_warnings():
        # esda announces a two-sided default for a future release; we use and
        # document today's directed (one-sided, folded) pseudo p-value
        warnings.filterwarnings("ignore", "The alternative hypothesis",
                                DeprecationWarning)
        warnings.filterwarnings("ignore", "`row_stack`", DeprecationWarning)
        # a cell whose neighbourhood is the whole study area (tiny areas, or few
        # cells left by a rate measure) has no variance: its z is NaN, p stands
        warnings.filterwarnings("ignore", "invalid value encountered in divide",
                                RuntimeWarning)
        g = G_Local(y, w, transform="B", permutations=permutations, star=True,
                    seed=seed, n_jobs=1, keep_simulations=True)
    p, is_hot = _tie_aware_p(np.asarray(g.Gs, float), np.asarray(g.rGs, float))
    conf = np.zeros(len(y), int)
    for level, alpha in ((90, 0.10), (95, 0.05), (99, 0.01)):
        cut = esda_fdr(p, alpha) if fdr else alpha
        conf[p <= cut] = level
    z = np.asarray(g.Zs, float)
    side = np.where(is_hot, "hot", "cold")
    out["gi_z"], out["p_sim"], out["confidence"] = z, p, conf
    out["p_sim_esda"] = np.asarray(g.p_sim, float)
    out["label"] = np.where(conf > 0, [f"{s}_{c}" for s, c in zip(side, conf)],
                            "not_significant")
    return out


def _getis_ord_observed(cells, observed, value_col, permutations, seed, fdr):
    """Gi* on the cells with exposure only; the others are labelled no_data."""
    sub = cells[observed].reset_index(drop=True)
    sub.attrs = dict(cells.attrs)
    tested = getis_ord(sub, value_col, permutations, seed, fdr)
    out = cells.copy()
    out.attrs = dict(tested.attrs, n_tested=int(observed.sum()))
    for col, empty in (("gi_z", np.nan), ("p_sim", np.nan), ("p_sim_esda", np.nan),
                       ("confidence", 0), ("label", NO_DATA)):
        values = np.full(len(out), empty, dtype=object if col == "label" else float)
        if col in tested:
            values[observed] = tested[col].to_numpy()
        out[col] = values.astype(int) if col == "confidence" else values
    return out


def _tie_aware_p(observed: np.ndarray, simulated: np.ndarray):
    """One-sided pseudo p-values that count ties against significance.

    esda folds ``#(sim >= obs)``: an observed Gi* tied with every permutation (a
    hazard-free cell among hazard-free neighbours, the usual case with counts) gets
    the minimum p and would be called a 99 % cold spot. Here each side counts its
    ties: p_hot = (#(sim >= obs) + 1) / (m + 1), p_cold = (#(sim <= obs) + 1) /
    (m + 1); the smaller one gives p and the direction. Without ties p equals
    esda's ``p_sim``.
    """
    m = simulated.shape[1]
    obs = observed[:, None]
    eps = 1e-12 * np.maximum(np.abs(obs), 1.0)  # float noise in the permuted sums
    p_hot = ((simulated >= obs - eps).sum(1) + 1) / (m + 1)
    p_cold = ((simulated <= obs + eps).sum(1) + 1) / (m + 1)
    return np.minimum(p_hot, p_cold), p_hot < p_cold


def monthly_getis_ord(hazards, enterprises, grids=None, weights=None,
                      h3_resolution=None, date_col="found_on", permutations=999,
                      seed=0, fdr=True, *, measure="count", inspections=None,
                      period=None, smoothing="global", metric_crs=METRIC_CRS):
    """Gi* for each calendar month, on one fixed set of cells.

    The unit (grid or H3 and its resolution) is chosen once from all the hazards
    (:func:`aggregate_hazards`), then each month is aggregated on the same cells
    and tested with :func:`getis_ord` (seed ``seed + k`` for the k-th month).
    With a rate measure each month's rate uses that month's inspections
    (``inspected_on`` in the month) and its own smoothing; ``period`` bounds
    the whole-period cells' inspections (see :func:`aggregate_hazards`).

    Returns
    -------
    (GeoDataFrame, DataFrame)
        The cells (all hazards, with Gi*), and the long frame ``cell_id``,
        ``month`` (Period[M]), ``weight``, ``gi_z``, ``p_sim``, ``label`` that
        :func:`gridwatch.analytics.emerging_hotspots` takes (plus
        ``rate_smoothed`` for a rate measure).
    """
    require_columns(hazards, ["uscc", "level", date_col], "hazards")
    rated = {"measure": measure, "inspections": inspections, "smoothing": smoothing,
             "metric_crs": metric_crs}
    whole = aggregate_hazards(hazards, enterprises, grids, weights, h3_resolution,
                              period=period, **rated)
    unit, res = whole.attrs["unit"], whole.attrs["h3_resolution"]
    w = cell_weights(whole)
    months = pd.to_datetime(hazards[date_col], errors="coerce").dt.to_period("M")
    value_col = whole.attrs["value_col"]
    rows = []
    for k, month in enumerate(sorted(months.dropna().unique())):
        bounds = (month.start_time.date(), month.end_time.date())
        part = aggregate_hazards(hazards[months == month], enterprises, grids,
                                 weights, res, unit=unit, period=bounds, **rated)
        part = part.set_index("cell_id").reindex(whole["cell_id"]).reset_index()
        part = gpd.GeoDataFrame(part, geometry=whole.geometry.to_numpy(), crs=WGS84)
        part["weight"] = part["weight"].fillna(0.0)
        if "has_exposure" in part:
            part["has_exposure"] = part["has_exposure"].fillna(False).astype(bool)
        part.attrs = dict(whole.attrs)
        gi = getis_ord(part, value_col, permutations, seed + k, fdr, weights=w)
        cols = ["cell_id", "weight", "gi_z", "p_sim", "label"]
        if value_col != "weight":
            cols.insert(2, value_col)
        rows.append(gi[cols].assign(month=month))
    whole_gi = getis_ord(whole, value_col, permutations, seed, fdr, weights=w)
    cols = ["cell_id", "month", "weight", "gi_z", "p_sim", "label"]
    if rows:
        monthly = pd.DataFrame(pd.concat(rows, ignore_index=True))
        monthly = monthly[cols + [c for c in monthly if c not in cols]]
    else:
        monthly = pd.DataFrame(columns=cols)
    return whole_gi, monthly


def hazard_points(hazards, enterprises, weights=None):
    """Hazards placed at their enterprise's location, with severity weights.

    For a kernel-density picture (``hotspot_map(..., heat=...)``); not a test.

    Returns
    -------
    GeoDataFrame
        ``uscc``, ``level``, ``weight`` and the enterprise's Point, in the
        enterprises' CRS; hazards of unlocated enterprises are dropped.
    """
    weights = _checked_weights(hazards, enterprises, weights)
    geom = pd.Series(enterprises.geometry.to_numpy(), index=enterprises["uscc"])
    pts = hazards["uscc"].map(geom)
    out = gpd.GeoDataFrame({"uscc": hazards["uscc"].to_numpy(),
                            "level": hazards["level"].to_numpy(),
                            "weight": hazards["level"].map(weights).to_numpy(float)},
                           geometry=pts.to_numpy(), crs=enterprises.crs)
    return out[~(out.geometry.isna() | out.geometry.is_empty)].reset_index(drop=True)
