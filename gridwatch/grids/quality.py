"""Quality of a grid set: workload balance, compactness, and exact tiling.

The tiling rules come from the Chinese grid standards (无缝隙、全覆盖、不重叠): the
grids of a parent must cover it (gap under :data:`MAX_GAP_SHARE` of its area),
not overlap (under :data:`MAX_OVERLAP_M2`), not leave it, and each grid must be
one polygon where its parent is one. Everything is measured in the metric CRS.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridwatch.crs import METRIC_CRS, WGS84
from gridwatch.grids.atoms import GRID_SIZE_M, locate_points
from gridwatch.grids.balance import BALANCE_TOLERANCE, spots
from gridwatch.grids.outline import outline_fit
from gridwatch.grids.workload import (
    enterprise_points_metric,
    enterprise_weights,
    require_frame,
)

#: Largest coverage gap, as a share of the parent's area (the issue's 0.01%).
MAX_GAP_SHARE = 1e-4
#: Largest total overlap (and area outside the parent) per parent, m².
MAX_OVERLAP_M2 = 1.0


def polsby_popper(geoms) -> np.ndarray:
    """Polsby-Popper compactness 4πA/P² (1 for a disc, 0.785 for a square).

    >>> from shapely.geometry import box
    >>> round(float(polsby_popper([box(0, 0, 1, 1)])[0]), 3)
    0.785
    """
    geoms = np.asarray(geoms, dtype=object)
    per = shapely.length(geoms)
    with np.errstate(divide="ignore", invalid="ignore"):
        pp = 4 * np.pi * shapely.area(geoms) / per ** 2
    return np.nan_to_num(pp)


def grid_metrics(grids, enterprises=None, weights=None,
                 metric_crs: str = METRIC_CRS) -> gpd.GeoDataFrame:
    """Return ``grids`` with workload, n_enterprises, area_m2 and compactness.

    Parameters
    ----------
    grids : GeoDataFrame
        Any CRS; one row per grid.
    enterprises : GeoDataFrame, optional
        Points with ``risk_level``; rows without geometry are ignored. Without
        it, workload and n_enterprises are 0.
    weights : dict, optional
        Workload per risk level (default :data:`DEFAULT_RISK_WEIGHTS`).
    metric_crs : str
        CRS for areas.

    Returns
    -------
    GeoDataFrame
        A copy of ``grids`` with the four columns added or replaced.
    """
    require_frame(grids, "grids")
    metric = grids.geometry.to_crs(metric_crs).to_numpy()
    out = grids.copy()
    work = np.zeros(len(grids))
    count = np.zeros(len(grids), dtype=np.int64)
    if enterprises is not None and len(enterprises):
        pts, rows = enterprise_points_metric(enterprises, metric_crs)
        w = enterprise_weights(enterprises.iloc[rows], weights)
        loc = locate_points(metric, pts)
        ok = loc >= 0
        work = np.bincount(loc[ok], weights=w[ok], minlength=len(grids))
        count = np.bincount(loc[ok], minlength=len(grids))
    out["workload"] = work
    out["n_enterprises"] = count
    out["area_m2"] = shapely.area(metric)
    out["compactness"] = polsby_popper(metric)
    return out


@dataclass
class QualityReport:
    """Per grid, per parent and overall quality of a grid set."""

    grids: list[dict]
    parents: list[dict]
    overall: dict
    problems: list[str] = field(default_factory=list)  # tiling
    balance_problems: list[str] = field(default_factory=list)
    outline_problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def tiling_ok(self) -> bool:
        """No gap, overlap, area outside a parent, split grid, orphan or duplicate."""
        return not self.problems

    @property
    def balance_ok(self) -> bool:
        """No empty grid, and every grid within the tolerance of its parent's mean
        workload unless one place alone is heavier than that (then a warning)."""
        return not self.balance_problems

    @property
    def outline_ok(self) -> bool:
        """The grids' union neither leaves the district nor leaves it uncovered."""
        return not self.outline_problems

    @property
    def is_ok(self) -> bool:
        """What ``grids check`` calls OK: tiling, balance and outline all OK."""
        return self.tiling_ok and self.balance_ok and self.outline_ok

    def to_dict(self) -> dict:
        """Plain data for JSON output."""
        d = asdict(self)
        d.update(is_ok=self.is_ok, tiling_ok=self.tiling_ok,
                 balance_ok=self.balance_ok, outline_ok=self.outline_ok)
        return d


def _imbalance(work: np.ndarray) -> tuple[float, float]:
    """(max/mean, min/mean) of the known workloads (NaN after a split without
    enterprises is skipped); (1, 1) when there is no workload."""
    work = np.asarray(work, dtype=float)
    work = work[np.isfinite(work)]
    mean = float(work.mean()) if len(work) else 0.0
    if mean <= 0:
        return 1.0, 1.0
    return float(work.max() / mean), float(work.min() / mean)


def _parent_row(code, parent, members, work, is_single_parent) -> tuple[dict, list]:
    """Tiling figures of one parent and the problems found."""
    union = shapely.union_all(members, grid_size=GRID_SIZE_M) if len(members) else None
    p_area = float(parent.area)
    g_sum = float(shapely.area(members).sum())
    if union is None:
        gap, outside, u_area = p_area, 0.0, 0.0
    else:
        u_area = float(union.area)
        gap = float(shapely.difference(parent, union, grid_size=GRID_SIZE_M).area)
        outside = float(shapely.difference(union, parent, grid_size=GRID_SIZE_M).area)
    overlap = max(0.0, g_sum - u_area)
    split = sum(g.geom_type != "Polygon" for g in members) if is_single_parent else 0
    mx, mn = _imbalance(work)
    row = {"parent_code": code, "n_grids": len(members), "area_m2": p_area,
           "workload": float(np.nansum(work)), "imbalance_max": mx, "imbalance_min": mn,
           "gap_m2": gap, "overlap_m2": overlap, "outside_m2": outside,
           "non_contiguous_grids": split}
    problems = []
    if gap > MAX_GAP_SHARE * p_area:
        problems.append(f"parent {code}: {gap:.1f} m² not covered by any grid")
    if overlap >= MAX_OVERLAP_M2:
        problems.append(f"parent {code}: grids overlap by {overlap:.1f} m²")
    if outside >= MAX_OVERLAP_M2:
        problems.append(f"parent {code}: grids reach {outside:.1f} m² outside it")
    if split:
        problems.append(f"parent {code}: {split} grid(s) are not one polygon")
    return row, problems


def _balance(code: str, work: np.ndarray, heaviest: np.ndarray | None,
             tolerance: float) -> tuple[dict, list[str], list[str]]:
    """Balance figures of one parent's grids, problems and warnings."""
    work = np.asarray(work, dtype=float)
    total = float(np.nansum(work))
    row = {"empty_grids": 0, "out_of_tolerance": 0, "unavoidable": False}
    if len(work) < 2 or total <= 0:
        return row, [], []
    mean = total / len(work)
    unknown = int((~np.isfinite(work)).sum())
    empty = int((work == 0).sum())
    off = np.isfinite(work) & (np.abs(work / mean - 1) > tolerance + 1e-9)
    heavy = float(np.nanmax(heaviest)) if heaviest is not None and len(heaviest) \
        else 0.0
    unavoidable = heavy > (1 + tolerance) * mean
    row.update(empty_grids=empty, out_of_tolerance=int(off.sum()),
               unavoidable=bool(unavoidable))
    problems, warnings = [], []
    if unknown:
        problems.append(f"parent {code}: {unknown} grid(s) have no known workload")
    if empty:
        problems.append(
            f"parent {code}: {empty} of {len(work)} grids hold no enterprise "
            "(merge them, or rebuild with a larger target workload)")
    n_off = int((off & (work > 0)).sum())
    if n_off and unavoidable and not empty:
        warnings.append(
            f"parent {code}: {n_off} grid(s) outside ±{tolerance:.0%} because one "
            f"place holds workload {heavy:g}, more than a grid's mean {mean:.1f}; "
            "enterprises at one place cannot be split")
    elif n_off and not empty:
        problems.append(
            f"parent {code}: {n_off} grid(s) outside ±{tolerance:.0%} of the mean "
            f"workload {mean:.1f} (from {np.nanmin(work) / mean:.2f} to "
            f"{np.nanmax(work) / mean:.2f} of it)")
    return row, problems, warnings


def _heaviest_spots(g_metric, enterprises, weights, metric_crs):
    """Workload of the heaviest place (spot) in each grid; None without points."""
    if enterprises is None or len(enterprises) == 0:
        return None
    pts, rows = enterprise_points_metric(enterprises, metric_crs)
    w = enterprise_weights(enterprises.iloc[rows], weights)
    loc = locate_points(g_metric, pts)
    ok = loc >= 0
    s = spots(shapely.get_coordinates(pts[ok]), w[ok], loc[ok])
    out = np.zeros(len(g_metric))
    np.maximum.at(out, s.owner, s.weight)
    return out


def check_grids(grids, parents, enterprises=None, weights=None,
                metric_crs: str = METRIC_CRS, *, outline=None, exempt=None,
                tolerance: float = BALANCE_TOLERANCE) -> QualityReport:
    """Quality report of a grid set against its parents.

    Parameters
    ----------
    grids : GeoDataFrame
        Columns ``code``, ``parent_code``; Polygon geometry, any CRS.
    parents : GeoDataFrame
        Columns ``code``; the units the grids tile (communities or towns).
    enterprises : GeoDataFrame, optional
        Points with ``risk_level`` for workload; without it the grids'
        ``workload`` column is used when present.
    weights : dict, optional
        Workload per risk level.
    metric_crs : str
        CRS in which areas are measured.
    outline : shapely geometry, optional
        The district outline (WGS-84): the grids' union is compared with it
        (:func:`gridwatch.grids.outline.outline_fit`).
    exempt : shapely geometry, optional
        Part of the outline not meant to be covered (units without grids).
    tolerance : float
        Workload tolerance around each parent's mean.

    Returns
    -------
    QualityReport
        Three verdicts, all needed for ``is_ok``. Tiling (``problems``): a gap
        over 0.01% of a parent's area, overlaps or area outside of 1 m² or more,
        a grid that is not one polygon while its parent is, a grid whose parent
        is missing, duplicate codes. Balance (``balance_problems``): in a parent
        with workload, a grid with none, a grid of unknown workload, or a grid
        outside ±``tolerance`` of the parent's mean — unless one place alone is
        heavier than that mean (then a ``warnings`` line: it cannot be helped).
        Outline (``outline_problems``): more than 1% of the district's area
        outside it or left uncovered. Parents with no grid at all are listed in
        ``overall["parents_without_grids"]`` and not checked.
    """
    require_frame(grids, "grids", ("code", "parent_code"))
    require_frame(parents, "parents", ("code",))
    if enterprises is not None or "workload" not in grids.columns:
        grids = grid_metrics(grids, enterprises, weights, metric_crs)
    else:
        grids = grids.assign(area_m2=shapely.area(grids.geometry.to_crs(metric_crs)
                                                  .to_numpy()))
        grids["compactness"] = polsby_popper(grids.geometry.to_crs(metric_crs))
        if "n_enterprises" not in grids.columns:
            grids["n_enterprises"] = 0
    g_metric = grids.geometry.to_crs(metric_crs).to_numpy()
    p_metric = shapely.set_precision(parents.geometry.to_crs(metric_crs).to_numpy(),
                                     GRID_SIZE_M)
    problems: list[str] = []
    dup = grids["code"][grids["code"].duplicated()].unique().tolist()
    if dup:
        problems.append(f"duplicate grid codes: {', '.join(map(str, dup[:5]))}")
    orphans = sorted(set(grids["parent_code"].astype(str))
                     - set(parents["code"].astype(str)))
    if orphans:
        problems.append(f"grids name unknown parents: {', '.join(orphans[:5])}")
    parent_rows, without = [], []
    balance_problems, warnings = [], []
    heaviest = _heaviest_spots(g_metric, enterprises, weights, metric_crs)
    by_parent = grids.groupby(grids["parent_code"].astype(str)).indices
    for code, geom in zip(parents["code"].astype(str), p_metric):
        idx = by_parent.get(code, np.zeros(0, dtype=np.int64))
        if len(idx) == 0:  # e.g. grids built for one town only: listed, not failed
            without.append(code)
            continue
        work = grids["workload"].to_numpy(dtype=float)[idx]
        row, probs = _parent_row(code, geom, g_metric[idx], work,
                                 geom.geom_type == "Polygon")
        extra, b_probs, warns = _balance(
            code, work, None if heaviest is None else heaviest[idx], tolerance)
        row.update(extra)
        parent_rows.append(row)
        problems += probs
        balance_problems += b_probs
        warnings += warns
    work = grids["workload"].to_numpy(dtype=float)
    mx, mn = _imbalance(work)
    grid_rows = pd.DataFrame({
        "code": grids["code"].astype(str), "parent_code": grids["parent_code"],
        "workload": work, "n_enterprises": [None if pd.isna(v) else int(v)
                          for v in grids["n_enterprises"]],
        "area_m2": grids["area_m2"].astype(float),
        "compactness": grids["compactness"].astype(float),
        "is_single_polygon": [g.geom_type == "Polygon" for g in g_metric],
    }).to_dict("records")
    overall = {
        "n_grids": len(grids), "n_parents": len(parent_rows),
        "workload": float(np.nansum(work)), "imbalance_max": mx, "imbalance_min": mn,
        # grids of different parents differ by the rounding of k per parent; the
        # balance a build controls is the one within each parent
        "worst_parent_imbalance_max": max(
            (r["imbalance_max"] for r in parent_rows if r["n_grids"] > 1),
            default=1.0),
        "worst_parent_imbalance_min": min(
            (r["imbalance_min"] for r in parent_rows if r["n_grids"] > 1),
            default=1.0),
        "mean_compactness": float(grids["compactness"].mean()) if len(grids) else 0.0,
        "gap_m2": float(sum(r["gap_m2"] for r in parent_rows)),
        "overlap_m2": float(sum(r["overlap_m2"] for r in parent_rows)),
        "outside_m2": float(sum(r["outside_m2"] for r in parent_rows)),
        "is_contiguous": all(r["non_contiguous_grids"] == 0 for r in parent_rows),
        "parents_without_grids": without,
        "empty_grids": int(sum(r["empty_grids"] for r in parent_rows)),
        "out_of_tolerance": int(sum(r["out_of_tolerance"] for r in parent_rows)),
        "tolerance": tolerance,
    }
    outline_problems = []
    if outline is not None:
        fit = outline_fit(grids.to_crs(WGS84).geometry.to_numpy(), outline, exempt,
                          metric_crs)
        overall["outline"] = fit
        if not fit["is_ok"]:
            outline_problems.append(
                f"{fit['outside_km2']:.2f} km² of the grids lie outside the district "
                f"and {fit['uncovered_km2']:.2f} km² of it are covered by no grid "
                f"(tolerance {fit['tolerance_km2']:.2f} km² each): check the CRS "
                "the boundaries were imported with")
    return QualityReport(grid_rows, parent_rows, overall, problems,
                         balance_problems, outline_problems, warnings)
