"""Build supervision grids for a set of parents (communities or towns).

``balanced``: H3 atoms clipped to each parent (:mod:`gridwatch.grids.atoms`),
grouped into exactly ``k`` contiguous grids of equal workload
(:mod:`gridwatch.grids.partition`). ``square`` / ``hex``: regular cells
(:mod:`gridwatch.grids.regular`). Grids never cross their parent, tile it on the
1 mm grid of the metric CRS, and are coded by :mod:`gridwatch.grids.codes`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import geopandas as gpd
import numpy as np
import shapely

from gridwatch.crs import METRIC_CRS, WGS84
from gridwatch.errors import InvalidInputError
from gridwatch.grids.atoms import (
    GRID_SIZE_M,
    MAX_RES,
    choose_resolution,
    locate_points,
    make_atoms,
    union_cover,
)
from gridwatch.grids.balance import BALANCE_TOLERANCE, most_parts, spots, why_not
from gridwatch.grids.codes import MAX_SEQUENCE, assign_codes
from gridwatch.grids.partition import partition_graph
from gridwatch.grids.quality import grid_metrics
from gridwatch.grids.regular import regular_grids
from gridwatch.grids.workload import (
    check_seed,
    enterprise_ids,
    enterprise_points_metric,
    enterprise_weights,
    require_frame,
)

METHODS = ("balanced", "square", "hex")
#: Atoms wanted per grid: enough granularity for ±10% (an atom is ~1/24 of a grid's
#: workload on average); H3's ×7 steps give 9-63 per grid.
ATOMS_PER_GRID = 24
#: Refine the atoms (next H3 resolution) while one holds more than this share of a
#: grid's target workload, up to :data:`MAX_ATOMS_PER_GRID` atoms per grid.
HEAVY_SHARE = 0.25
MAX_ATOMS_PER_GRID = 120


@dataclass
class GridIssue:
    """A grid outside the workload tolerance, and why."""

    grid_code: str
    parent_code: str
    workload: float
    target: float
    deviation: float
    reason: str
    enterprises: list[str] = field(default_factory=list)


@dataclass
class BuildReport:
    """What a build did: per-parent figures, grids out of tolerance, notes."""

    method: str
    n_grids: int = 0
    tolerance: float = 0.10
    parents: list[dict] = field(default_factory=list)
    issues: list[GridIssue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: parents that could not take the grids asked for (see grids.balance)
    capped: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Plain data for JSON output."""
        return asdict(self)


def _check_options(method, target_workload, grids_per_unit, cell_size_m):
    if method not in METHODS:
        raise InvalidInputError(
            f"Unknown grid method {method!r}; use balanced, square or hex.")
    given = [n for n, v in (("target_workload", target_workload),
                            ("grids_per_unit", grids_per_unit),
                            ("cell_size_m", cell_size_m)) if v is not None]
    if len(given) != 1:
        raise InvalidInputError(
            "Give exactly one of --target-workload, --grids-per-unit or --cell-size "
            f"(got {', '.join(given) or 'none'}).")
    if method == "balanced" and cell_size_m is not None:
        raise InvalidInputError(
            "The balanced method takes --target-workload or --grids-per-unit, not "
            "--cell-size; use --method square or hex for regular cells.")
    if method != "balanced" and cell_size_m is None:
        raise InvalidInputError(
            f"The {method} method needs --cell-size in metres (e.g. 500).")
    value = given and {"target_workload": target_workload,
                       "grids_per_unit": grids_per_unit,
                       "cell_size_m": cell_size_m}[given[0]]
    if not (value > 0 and math.isfinite(value)):
        raise InvalidInputError(
            f"{given[0]} must be a positive finite number, got {value!r}.")
    if grids_per_unit is not None and int(grids_per_unit) != grids_per_unit:
        raise InvalidInputError(
            f"grids_per_unit must be a whole number, got {grids_per_unit!r}.")


def build_grids(
    parents,
    enterprises=None,
    method: str = "balanced",
    target_workload: float | None = None,
    grids_per_unit: int | None = None,
    cell_size_m: float | None = None,
    weights: dict | None = None,
    seed: int = 0,
    tolerance: float = BALANCE_TOLERANCE,
    metric_crs: str = METRIC_CRS,
) -> tuple[gpd.GeoDataFrame, BuildReport]:
    """Split each parent into supervision grids.

    Parameters
    ----------
    parents : GeoDataFrame
        Communities (12-digit ``code``) or towns (9-digit); Polygon or
        MultiPolygon geometry with a CRS.
    enterprises : GeoDataFrame, optional
        Points with ``risk_level`` (red/orange/yellow/blue) and ideally
        ``uscc``; rows without geometry are ignored. Needed for ``balanced``
        with ``target_workload``; without enterprises parents split by area.
    method : {"balanced", "square", "hex"}
    target_workload, grids_per_unit, cell_size_m
        Exactly one. ``target_workload``: k = max(1, round(parent workload /
        target)) per parent. ``grids_per_unit``: k per parent. ``cell_size_m``:
        cell side in metres (square/hex only).
    weights : dict, optional
        Workload per risk level (pass ``settings.risk_weights``).
    seed : int
        Seed of the partition's random spanning trees.
    tolerance : float
        Workload tolerance of balanced grids (0.10 = ±10%).
    metric_crs : str
        Projected CRS for all geometry work.

    Returns
    -------
    (GeoDataFrame, BuildReport)
        Grids in WGS-84 with ``code``, ``parent_code``, ``workload``,
        ``n_enterprises``, ``area_m2``, ``compactness``, ``geometry``, sorted by
        code; and the report (grids outside tolerance and why).

    Raises
    ------
    InvalidInputError
        Bad method or sizing options, parents without ``code``, no parents, or
        an invalid parent polygon.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> parents = gpd.GeoDataFrame({"code": ["440604011001"]},
    ...     geometry=[box(408_000, 2_545_000, 410_000, 2_546_000)], crs=METRIC_CRS)
    >>> grids, report = build_grids(parents, grids_per_unit=3)
    >>> grids["code"].tolist()
    ['440604011001001', '440604011001002', '440604011001003']
    """
    _check_options(method, target_workload, grids_per_unit, cell_size_m)
    check_seed(seed)
    require_frame(parents, "parents", ("code",))
    if len(parents) == 0:
        raise InvalidInputError("There are no parent units to split; import "
                                "community or town boundaries first.")
    dup = parents["code"].astype(str)
    dup = dup[dup.duplicated()]
    if len(dup):
        raise InvalidInputError(
            f"Parent code {dup.iloc[0]} appears more than once; join its parts into "
            "one unit (re-import the boundaries) before building grids.")
    parents_m = parents.to_crs(metric_crs)
    invalid = ~shapely.is_valid(parents_m.geometry.to_numpy())
    if invalid.any():
        raise InvalidInputError(
            f"Parent {parents_m['code'].astype(str).iloc[np.argmax(invalid)]} has an "
            "invalid polygon; import it with `gridwatch boundaries import`, which "
            "repairs it.")
    p_geoms = shapely.set_precision(parents_m.geometry.to_numpy(), GRID_SIZE_M)
    report = BuildReport(method=method, tolerance=tolerance)
    ent = _enterprise_arrays(enterprises, p_geoms, weights, metric_crs, report)
    rows = []
    for i, (code, geom) in enumerate(zip(parents_m["code"].astype(str), p_geoms)):
        if geom is None or geom.is_empty:
            report.notes.append(f"parent {code} has no geometry and was skipped")
            continue
        sel = ent["parent"] == i
        pts, w, ids = ent["points"][sel], ent["weights"][sel], ent["ids"][sel]
        issues: list[tuple[int, GridIssue]] = []
        if method == "balanced":
            geoms, info, issues = _balanced(code, geom, pts, w, ids, target_workload,
                                            grids_per_unit, seed, tolerance,
                                            metric_crs, report)
        else:
            geoms = regular_grids(geom, method, cell_size_m, metric_crs)
            info = {"parent_code": code, "k": len(geoms)}
        codes = assign_codes(geoms, code, float(geom.area))
        for p, issue in issues:
            issue.grid_code = codes[p]
            report.issues.append(issue)
        rows += [(c, code, g) for c, g in zip(codes, geoms)]
        report.parents.append(info)
    grids = gpd.GeoDataFrame(
        {"code": [r[0] for r in rows], "parent_code": [r[1] for r in rows]},
        geometry=[r[2] for r in rows], crs=metric_crs)
    grids = grid_metrics(grids, enterprises, weights, metric_crs)
    report.n_grids = len(grids)
    grids = grids.to_crs(WGS84).sort_values("code").reset_index(drop=True)
    return grids, report


def _enterprise_arrays(enterprises, p_geoms, weights, metric_crs, report) -> dict:
    """Enterprise points (metric), workload, ids and parent index."""
    empty = {"points": np.zeros(0, dtype=object), "weights": np.zeros(0),
             "ids": np.zeros(0, dtype=object), "parent": np.zeros(0, dtype=np.int64)}
    if enterprises is None or len(enterprises) == 0:
        return empty
    require_frame(enterprises, "enterprises")
    pts, rows = enterprise_points_metric(enterprises, metric_crs)
    missing = len(enterprises) - len(rows)
    if missing:
        report.notes.append(f"{missing} enterprise(s) without coordinates ignored")
    sub = enterprises.iloc[rows]
    parent = locate_points(p_geoms, pts)
    outside = int((parent < 0).sum())
    if outside:
        report.notes.append(f"{outside} enterprise(s) lie outside every unit and "
                            "count towards no grid")
    return {"points": pts, "weights": enterprise_weights(sub, weights),
            "ids": enterprise_ids(sub), "parent": parent}


def _balanced(code, geom, pts, w, ids, target_workload, grids_per_unit, seed,
              tolerance, metric_crs, report):
    """Balanced grids of one parent (metric CRS) and its summary row."""
    total = float(w.sum())
    if grids_per_unit is not None:
        k = int(grids_per_unit)
    else:
        # a tiny target asks for astronomically many grids: cap before int()
        k = max(1, round(min(total / target_workload, 1e9))) if total > 0 else 1
    if total > 0:
        s = spots(shapely.get_coordinates(pts), w, np.zeros(len(w), dtype=np.int64))
        # a heavy place keeps a grid of its own (reported as an issue); only
        # more grids than places would leave some empty
        most = most_parts(s, tolerance, by_weight=False)
        if k > most:
            why = why_not(k, s, f"parent {code}", tolerance, by_weight=False)
            report.notes.append(f"{why[:-1]}; made {most}.")
            report.capped.append({"parent_code": code, "asked": k, "made": most})
            k = most
    k = min(k, MAX_SEQUENCE)
    info = {"parent_code": code, "k": k, "workload": total,
            "target": total / k if total > 0 else 0.0, "by": "workload"}
    if total <= 0:
        info["by"] = "area"
    if k == 1:
        return np.array([geom], dtype=object), info, []
    res = choose_resolution(float(geom.area), ATOMS_PER_GRID * k)
    while True:
        atoms = make_atoms(geom, res, metric_crs, is_snapped=True)
        loc = locate_points(atoms.geometry, pts)
        aw = np.bincount(loc[loc >= 0], weights=w[loc >= 0], minlength=len(atoms))
        heavy = total > 0 and aw.max() > HEAVY_SHARE * total / k
        if (len(atoms) >= k and not heavy) or res >= MAX_RES or \
                len(atoms) * 7 > MAX_ATOMS_PER_GRID * k:
            break
        res += 1
    if len(atoms) < k:
        report.notes.append(f"parent {code} is too small for {k} grids; "
                            f"made {len(atoms)}")
        k = len(atoms)
    part = partition_graph(aw, atoms.edges, k, xy=atoms.xy, shared=atoms.shared_m,
                           area=atoms.area_m2, perimeter=atoms.perimeter_m,
                           tolerance=tolerance, seed=seed)
    geoms = np.array([union_cover(atoms.geometry[part.labels == p])
                      for p in range(k)], dtype=object)
    info.update(n_atoms=len(atoms), resolution=res,
                max_deviation=float(np.abs(part.deviation()).max()))
    issues = []
    heavy_parts = sorted(part.heavy_atoms)
    for p in part.out_of_band:
        dev = float(part.deviation()[p])
        names = []
        if p in part.heavy_atoms:
            names = ids[np.isin(loc, part.heavy_atoms[p])].tolist()
            reason = ("one spot holds more workload than the target "
                      f"({part.part_weights[p]:.0f} vs {part.target:.0f}): "
                      "enterprises at the same place cannot be split")
        elif dev < 0 and heavy_parts:
            reason = ("too light because another grid of this unit holds a spot "
                      "heavier than the target; the rest is shared evenly")
        elif dev > 0:
            reason = ("too heavy, and its neighbours cannot take more without "
                      f"leaving ±{tolerance:.0%} or breaking a grid in two "
                      "(a bottleneck)")
        else:
            reason = ("too light, and no neighbour can give an area without "
                      "breaking contiguity (a bottleneck or lumpy workload)")
        issues.append((p, GridIssue("", code, float(part.part_weights[p]),
                                    float(part.target), dev, reason, names)))
    return geoms, info, issues
