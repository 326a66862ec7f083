"""Edit a grid set: split one grid into balanced parts, merge adjacent grids.

Both return a new frame; the caller stores it as a new draft version, which is
how undo works (the previous version is kept).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridwatch.crs import METRIC_CRS
from gridwatch.errors import ConflictError, InvalidInputError, NotFoundError
from gridwatch.grids.atoms import (
    GRID_SIZE_M,
    MAX_RES,
    MIN_SHARED_M,
    choose_resolution,
    locate_points,
    make_atoms,
    union_cover,
)
from gridwatch.grids.balance import BALANCE_TOLERANCE, most_parts, spots, why_not
from gridwatch.grids.codes import MAX_SEQUENCE, assign_codes
from gridwatch.grids.partition import partition_graph
from gridwatch.grids.quality import grid_metrics
from gridwatch.grids.workload import (
    check_seed,
    enterprise_points_metric,
    enterprise_weights,
    require_frame,
)

#: Atoms per new part when splitting a grid (as in a build).
SPLIT_ATOMS_PER_PART = 24


def _row_of(grids, code: str) -> int:
    hits = np.flatnonzero(grids["code"].astype(str).to_numpy() == str(code))
    if len(hits) == 0:
        raise NotFoundError(f"No grid has code {code}; list the grids to see codes.")
    return int(hits[0])


def _next_sequence(grids, parent_code: str) -> int:
    codes = grids.loc[grids["parent_code"].astype(str) == str(parent_code), "code"]
    seqs = codes.astype(str).str[-3:].astype(int)
    return int(seqs.max()) + 1 if len(seqs) else 1


def split_grid(grids, code: str, parts: int = 2, enterprises=None,
               weights: dict | None = None, seed: int = 0,
               metric_crs: str = METRIC_CRS,
               tolerance: float = BALANCE_TOLERANCE) -> gpd.GeoDataFrame:
    """Split one grid into ``parts`` contiguous grids of equal workload.

    Parameters
    ----------
    grids : GeoDataFrame
        Columns ``code``, ``parent_code``; any CRS.
    code : str
        Grid to split.
    parts : int
        Number of new grids (>= 2).
    enterprises : GeoDataFrame, optional
        Points with ``risk_level``; without them the grid splits by area.
    weights : dict, optional
        Workload per risk level.
    seed : int
        Seed of the partition.
    metric_crs : str
        CRS for geometry work.
    tolerance : float
        Every new grid must hold the mean workload ±``tolerance``.

    Returns
    -------
    GeoDataFrame
        New frame, same CRS: the grid replaced by ``parts`` grids numbered
        after the parent's highest sequence (west→east, north→south among
        themselves); metric columns recomputed when present.

    Raises
    ------
    NotFoundError
        No grid has ``code``.
    InvalidInputError
        ``parts`` < 2, too many grids for a 3-digit sequence, a grid too small
        for ``parts`` cells, or workload that cannot be split into ``parts``
        equal grids (:mod:`gridwatch.grids.balance`: fewer places than parts, a
        place heavier than a share, or no split within the tolerance). Nothing
        is changed then.
    """
    require_frame(grids, "grids", ("code", "parent_code"))
    check_seed(seed)
    if int(parts) != parts or parts < 2:
        raise InvalidInputError(f"Split into 2 or more parts, not {parts!r}.")
    i = _row_of(grids, code)
    parent_code = str(grids["parent_code"].iloc[i])
    start = _next_sequence(grids, parent_code)
    if start + parts - 1 > MAX_SEQUENCE:
        raise InvalidInputError(
            f"Village {parent_code} would exceed {MAX_SEQUENCE} grid numbers; "
            "rebuild its grids instead of splitting.")
    geom = shapely.set_precision(
        grids.geometry.iloc[[i]].to_crs(metric_crs).iloc[0], GRID_SIZE_M)
    inside = _enterprises_in(geom, enterprises, weights, metric_crs)
    what = (f"Grid {code} ({len(inside[1])} enterprise(s), workload "
            f"{inside[1].sum():g})")
    s = spots(inside[0], inside[1], np.zeros(len(inside[1]), dtype=np.int64))
    if s.total > 0 and parts > most_parts(s, tolerance):
        raise InvalidInputError(why_not(int(parts), s, what, tolerance),
                                details={"most": most_parts(s, tolerance)})
    atoms = _atoms_for(geom, int(parts), code, metric_crs)
    loc = locate_points(atoms.geometry, inside[2])
    aw = np.bincount(loc[loc >= 0], weights=inside[1][loc >= 0],
                     minlength=len(atoms))
    part = partition_graph(aw, atoms.edges, int(parts), xy=atoms.xy,
                           shared=atoms.shared_m, area=atoms.area_m2,
                           perimeter=atoms.perimeter_m, tolerance=tolerance,
                           seed=seed)
    if s.total > 0:
        _refuse_unbalanced(part, what, int(parts), tolerance)
    pieces = [union_cover(atoms.geometry[part.labels == p])
              for p in range(int(parts))]
    codes = assign_codes(pieces, parent_code, geom.area, start=start)
    new = gpd.GeoDataFrame(
        {"code": codes, "parent_code": parent_code}, geometry=pieces, crs=metric_crs
    ).to_crs(grids.crs)
    for col in grids.columns:
        if col not in new.columns:
            new[col] = np.nan if col in _METRICS else grids[col].iloc[i]
    out = pd.concat([grids.drop(index=grids.index[i]), new[grids.columns.intersection(
        new.columns)]], ignore_index=True)
    out = gpd.GeoDataFrame(out, geometry=grids.geometry.name, crs=grids.crs)
    return _recompute(out, grids, enterprises, weights, metric_crs)


_METRICS = ("workload", "n_enterprises", "area_m2", "compactness")


def _enterprises_in(geom, enterprises, weights, metric_crs):
    """(xy, workload, points) of the enterprises inside ``geom`` (metric CRS)."""
    empty = (np.zeros((0, 2)), np.zeros(0), np.zeros(0, dtype=object))
    if enterprises is None or len(enterprises) == 0:
        return empty
    pts, rows = enterprise_points_metric(enterprises, metric_crs)
    w = enterprise_weights(enterprises.iloc[rows], weights)
    hit = shapely.covers(geom, pts)
    return shapely.get_coordinates(pts[hit]), w[hit], pts[hit]


def _atoms_for(geom, parts: int, code: str, metric_crs: str):
    """Atoms of ``geom``, fine enough for ``parts`` grids (refuse if none are)."""
    res = choose_resolution(geom.area, SPLIT_ATOMS_PER_PART * parts)
    atoms = make_atoms(geom, res, metric_crs, is_snapped=True)
    while len(atoms) < parts and res < MAX_RES:
        res += 1
        atoms = make_atoms(geom, res, metric_crs, is_snapped=True)
    if len(atoms) < parts:
        raise InvalidInputError(
            f"Grid {code} ({geom.area:,.0f} m²) is too small to split into {parts} "
            f"grids; it can be cut into at most {len(atoms)} pieces.")
    return atoms


def _refuse_unbalanced(part, what: str, parts: int, tolerance: float) -> None:
    """Refuse a split whose best partition leaves a grid empty or out of band."""
    w = np.asarray(part.part_weights, dtype=float)
    mean = w.mean()
    if (w > 0).all() and (np.abs(w / mean - 1) <= tolerance + 1e-9).all():
        return
    raise InvalidInputError(
        f"{what} cannot be split into {parts} grids of equal workload: the best "
        f"split found gives {w.min() / mean:.2f} to {w.max() / mean:.2f} of the "
        f"mean (allowed ±{tolerance:.0%}), so nothing was changed; try fewer parts.",
        details={"part_workloads": w.round(3).tolist()})


def _recompute(out, original, enterprises, weights, metric_crs, carried=None):
    """Recompute the metric columns the input carried.

    Without enterprises, workload and n_enterprises of untouched grids are kept,
    ``carried`` gives those of an edited grid (a merge sums them) and a split's
    new grids get NaN: their workload is unknown until enterprises are given.
    """
    if any(c in original.columns for c in _METRICS):
        fresh = grid_metrics(out, enterprises, weights, metric_crs)
        if enterprises is None:
            for col in ("workload", "n_enterprises"):
                if col in out.columns:
                    fresh[col] = out[col].astype(float)
                    for code, value in (carried or {}).get(col, {}).items():
                        fresh.loc[fresh["code"] == code, col] = value
        keep = [c for c in fresh.columns if c not in _METRICS or c in original.columns]
        out = fresh[keep]
    return out.sort_values("code").reset_index(drop=True)


def merge_grids(grids, codes, enterprises=None, weights: dict | None = None,
                metric_crs: str = METRIC_CRS) -> gpd.GeoDataFrame:
    """Merge adjacent grids of one parent into the grid with the lowest code.

    Parameters
    ----------
    grids : GeoDataFrame
        Columns ``code``, ``parent_code``; any CRS.
    codes : list of str
        Two or more grid codes; together they must form one connected area
        (each shares an edge, not just a corner, with another).
    enterprises, weights
        As in :func:`split_grid`, to recompute workload columns.
    metric_crs : str
        CRS for geometry work.

    Returns
    -------
    GeoDataFrame
        New frame: the lowest code keeps the merged geometry, the others are gone.

    Raises
    ------
    NotFoundError
        A code does not exist.
    ConflictError
        The grids belong to different parents or are not adjacent.
    """
    require_frame(grids, "grids", ("code", "parent_code"))
    codes = sorted({str(c) for c in codes})
    if len(codes) < 2:
        raise InvalidInputError("Name at least two different grids to merge.")
    rows = [_row_of(grids, c) for c in codes]
    parents = set(grids["parent_code"].astype(str).iloc[rows])
    if len(parents) > 1:
        raise ConflictError(
            f"Grids {', '.join(codes)} lie in different villages/communities "
            f"({', '.join(sorted(parents))}); a grid may not cross its parent.")
    metric = shapely.set_precision(
        grids.geometry.iloc[rows].to_crs(metric_crs).to_numpy(), GRID_SIZE_M)
    if not _edge_connected(metric):
        raise ConflictError(
            f"Grids {', '.join(codes)} do not share a boundary; merge only grids "
            "that touch along an edge.")
    merged = shapely.union_all(metric, grid_size=GRID_SIZE_M)
    keep = rows[0]
    out = grids.copy()
    out.loc[out.index[keep], out.geometry.name] = gpd.GeoSeries(
        [merged], crs=metric_crs).to_crs(grids.crs).iloc[0]
    out = out.drop(index=out.index[rows[1:]])
    out = gpd.GeoDataFrame(out, geometry=grids.geometry.name, crs=grids.crs)
    carried = {col: {codes[0]: float(grids[col].iloc[rows].sum())}
               for col in ("workload", "n_enterprises") if col in grids.columns}
    return _recompute(out, grids, enterprises, weights, metric_crs, carried)


def _edge_connected(geoms) -> bool:
    """Whether polygons form one group when joined along shared edges."""
    n = len(geoms)
    bounds = shapely.boundary(geoms)
    seen, todo = {0}, [0]
    while todo:
        a = todo.pop()
        for b in range(n):
            if b in seen:
                continue
            if shapely.length(shapely.intersection(bounds[a], bounds[b],
                                                   grid_size=GRID_SIZE_M)) \
                    > MIN_SHARED_M:
                seen.add(b)
                todo.append(b)
    return len(seen) == n
