"""Grid → warden: balanced, compact, stable across redraws, overrides win.

Per street office (the first 9 digits of the grid code, the town code), the street's
grids are split into one contiguous territory per warden of that street:

1. **Seeds.** A warden with manual overrides starts from those grids; otherwise from the
   grid holding most of their former enterprises (``affinity``), else the grid nearest
   their base, else the grid farthest from the seeds chosen so far (``seed`` breaks
   ties).
2. **Growth.** The warden with the least workload relative to the target (total / W)
   takes the adjacent free grid nearest their anchor (base, else the territory's
   centroid) — greedy region growing on the rook-contiguity graph.
3. **Local search.** A border grid moves to a neighbouring territory when that lowers
   ``balance + compactness - affinity`` and the donor territory stays connected.
   Balance weighs most: a deviation beyond ``tolerance`` costs 100x a deviation inside.
4. **Matching.** Territories of wardens without overrides are matched to wardens by
   ``scipy.optimize.linear_sum_assignment`` on affinity and base distance, so the
   wardens keep the ground they know.

Why not OR-Tools CP-SAT: contiguity of W territories needs a flow model per warden
(W x grids x edges variables); we did not build it. The greedy + local search above is
deterministic for a given ``seed`` and fast (see ``tests/unit/test_assign_wardens.py``
for the balance it reaches).
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.optimize import linear_sum_assignment

from gridwatch.assign.territory import Street, partition
from gridwatch.crs import METRIC_CRS
from gridwatch.errors import InvalidInputError
from gridwatch.grids.codes import town_of


def street_of(grid_code: str) -> str:
    """Town/street code (9 digits) of a 15-digit grid code (:func:`town_of`)."""
    return town_of(str(grid_code))


def contiguity_pairs(geoms_m: np.ndarray, min_shared_m: float = 1.0) -> np.ndarray:
    """(m, 2) pairs of grids sharing at least ``min_shared_m`` of boundary (metric)."""
    if len(geoms_m) < 2:
        return np.zeros((0, 2), np.int64)
    tree = shapely.STRtree(geoms_m)
    i, j = tree.query(geoms_m, predicate="dwithin", distance=0.5)
    keep = i < j
    i, j = i[keep], j[keep]
    edges = shapely.boundary(geoms_m)
    shared = shapely.length(shapely.intersection(edges[i], edges[j]))
    # edges that differ by rounding (T-junctions, snapping) share little exactly;
    # measure those pairs again against a 0.5 m band
    near = np.flatnonzero(shared < min_shared_m)
    shared[near] = shapely.length(shapely.intersection(
        edges[i[near]], shapely.buffer(edges[j[near]], 0.5)))
    ok = shared >= min_shared_m
    return np.column_stack([i[ok], j[ok]]).astype(np.int64)


def _neighbours(n: int, pairs: np.ndarray, xy: np.ndarray) -> list[set]:
    """Adjacency sets; separate pieces are linked at their closest centroids."""
    nb = [set() for _ in range(n)]
    for a, b in pairs:
        nb[a].add(int(b))
        nb[b].add(int(a))
    comp = _components(range(n), nb)
    while len(comp) > 1:
        main, rest = np.array(sorted(comp[0])), np.array(sorted(set().union(*comp[1:])))
        d = ((xy[main, None, :] - xy[None, rest, :]) ** 2).sum(-1)
        a, b = np.unravel_index(np.argmin(d), d.shape)
        nb[main[a]].add(int(rest[b]))
        nb[rest[b]].add(int(main[a]))
        comp = _components(range(n), nb)
    return nb


def _components(nodes, nb) -> list[set]:
    """Connected components of ``nodes`` in the graph restricted to them."""
    left, out = set(nodes), []
    while left:
        start = min(left)
        seen, stack = {start}, [start]
        while stack:
            for m in nb[stack.pop()]:
                if m in left and m not in seen:
                    seen.add(m)
                    stack.append(m)
        out.append(seen)
        left -= seen
    return out


def _overrides_series(overrides) -> pd.Series:
    """grid_code → warden from a Series, dict or DataFrame(grid_code, warden)."""
    if overrides is None:
        return pd.Series(dtype=object)
    if isinstance(overrides, pd.DataFrame):
        if not {"grid_code", "warden"} <= set(overrides.columns):
            raise InvalidInputError(
                "Overrides need columns grid_code and warden; pass one row per grid.")
        overrides = pd.Series(overrides["warden"].to_numpy(),
                              index=overrides["grid_code"].astype(str).to_numpy())
    out = pd.Series(overrides, dtype=object).dropna()
    out.index = out.index.astype(str)
    if out.index.duplicated().any():
        raise InvalidInputError(
            f"Grid {out.index[out.index.duplicated()][0]} has two manual overrides; "
            "keep one.")
    return out


def _check_inputs(grids, wardens):
    if not isinstance(grids, gpd.GeoDataFrame):
        raise TypeError(f"grids must be a GeoDataFrame, not {type(grids).__name__}")
    missing = {"code", "workload"} - set(grids.columns)
    if missing:
        raise InvalidInputError(
            f"The grids frame lacks {', '.join(sorted(missing))}; compute workloads "
            "first.")
    if grids.crs is None:
        raise InvalidInputError("The grids frame has no CRS; set EPSG:4326.")
    if grids["workload"].isna().any() or (grids["workload"] < 0).any():
        raise InvalidInputError(
            "Every grid needs a workload of 0 or more; recompute the missing ones.")
    if not isinstance(wardens, pd.DataFrame):
        raise TypeError(f"wardens must be a DataFrame, not {type(wardens).__name__}")
    missing = {"username", "street_code"} - set(wardens.columns)
    if missing:
        raise InvalidInputError(
            f"The wardens frame lacks {', '.join(sorted(missing))}.")
    if wardens["username"].duplicated().any():
        raise InvalidInputError("Warden usernames must be unique.")


def _bases_metric(wardens: pd.DataFrame, metric_crs: str) -> np.ndarray:
    """(W, 2) metric base coordinates, NaN where a warden has none."""
    out = np.full((len(wardens), 2), np.nan)
    if isinstance(wardens, gpd.GeoDataFrame) and wardens.geometry.name in wardens:
        geo = wardens.geometry
        if geo.notna().any():
            if wardens.crs is None:
                raise InvalidInputError("Warden bases have no CRS; set EPSG:4326.")
            geo = geo.to_crs(metric_crs)
            arr = geo.to_numpy()
            ok = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
            out[ok, 0], out[ok, 1] = shapely.get_x(arr[ok]), shapely.get_y(arr[ok])
    elif "base" in wardens and wardens["base"].notna().any():
        raise InvalidInputError(
            "Warden bases need a CRS: pass wardens as a GeoDataFrame with 'base' as "
            "its geometry.")
    return out


def _affinity_matrix(affinity, codes, users) -> np.ndarray:
    """(grids, wardens) share of each grid's affinity weight held by each warden."""
    m = np.zeros((len(codes), len(users)))
    if affinity is None or len(affinity) == 0:
        return m
    gi = pd.Index(codes).get_indexer(affinity["grid_code"].astype(str))
    wi = pd.Index(users).get_indexer(affinity["warden"])
    ok = (gi >= 0) & (wi >= 0)
    np.add.at(m, (gi[ok], wi[ok]), affinity["weight"].to_numpy(float)[ok])
    total = m.sum(1, keepdims=True)
    return np.divide(m, total, out=np.zeros_like(m), where=total > 0)


def balance_wardens(grids: gpd.GeoDataFrame, wardens: pd.DataFrame, overrides=None,
                    seed: int = 0, tolerance: float = 0.10,
                    affinity: pd.DataFrame | None = None,
                    metric_crs: str = METRIC_CRS) -> pd.DataFrame:
    """Give every grid one responsible warden of its street, balanced and compact.

    Parameters
    ----------
    grids : GeoDataFrame
        ``code`` (15 digits; the first 9 are the street), ``workload`` (>= 0) and
        polygon ``geometry`` with a CRS.
    wardens : DataFrame or GeoDataFrame
        ``username``, ``street_code`` (9 digits); optionally a base Point as the
        geometry of a GeoDataFrame (with CRS), used as the territory's anchor.
    overrides : Series, dict or DataFrame, optional
        Manual assignments grid_code → warden; they always win and their workload
        counts toward that warden. The warden must belong to the grid's street.
    seed : int
        Breaks ties in seeding and in the order of the local search.
    tolerance : float
        Workload band around the street's mean per warden (0.10 = ±10%), met where
        the grids allow.
    affinity : DataFrame, optional
        ``grid_code, warden, weight``: how much of a grid each warden knows (e.g. the
        number of its enterprises they looked after before a redraw; see
        :func:`redraw_affinity`). Territories are grown from, and matched to, it.
    metric_crs : str
        Projected CRS in metres for adjacency, centroids and base distances
        (settings ``metric_crs``).

    Returns
    -------
    DataFrame
        ``grid_code, warden, is_override``, one row per grid, sorted by code. The
        warden is None for grids of a street that has no warden.

    Raises
    ------
    InvalidInputError
        Missing columns or workloads, an override naming an unknown grid or warden,
        or a warden of another street.
    """
    _check_inputs(grids, wardens)
    if not 0 < tolerance < 1:
        raise InvalidInputError(
            f"tolerance must be between 0 and 1 (0.10 = ±10%), got {tolerance!r}.")
    over = _overrides_series(overrides)
    codes_all = grids["code"].astype(str)
    unknown = over.index.difference(codes_all)
    if len(unknown):
        raise InvalidInputError(
            f"Override for unknown grid {unknown[0]}; check the code.")
    street_of_warden = dict(zip(wardens["username"],
                                wardens["street_code"].astype(str)))
    for code, who in over.items():
        if who not in street_of_warden:
            raise InvalidInputError(f"Override names unknown warden {who!r}.")
        if street_of_warden[who] != street_of(code):
            raise InvalidInputError(
                f"Warden {who!r} works for street {street_of_warden[who]}, not for "
                f"grid {code}'s street {street_of(code)}; pick a warden of that "
                "street.")
    metric = grids.to_crs(metric_crs)
    bases = _bases_metric(wardens, metric_crs)
    rows = []
    for street, idx in codes_all.groupby(codes_all.map(street_of)).groups.items():
        sub = metric.loc[idx].assign(code=codes_all[idx]).sort_values("code")
        wmask = (wardens["street_code"].astype(str) == street).to_numpy()
        w_order = np.argsort(wardens["username"].to_numpy()[wmask], kind="stable")
        users = wardens["username"].to_numpy()[wmask][w_order]
        labels = _street_labels(sub, users, bases[wmask][w_order], over, affinity,
                                tolerance, seed)
        for code, k in zip(sub["code"], labels):
            rows.append((code, users[k] if k >= 0 else None, code in over.index))
    out = pd.DataFrame(rows, columns=["grid_code", "warden", "is_override"])
    return out.sort_values("grid_code", ignore_index=True)


def _street_labels(sub, users, bases, over, affinity, tolerance, seed) -> np.ndarray:
    """Warden number per grid of one street (-1 when the street has no warden)."""
    geoms = sub.geometry.to_numpy()
    cent = shapely.centroid(geoms)
    xy = np.column_stack([shapely.get_x(cent), shapely.get_y(cent)])
    nb = _neighbours(len(geoms), contiguity_pairs(geoms), xy)
    codes = sub["code"].to_numpy()
    user_pos = {u: k for k, u in enumerate(users)}
    fixed = {g: user_pos[over[c]] for g, c in enumerate(codes) if c in over.index}
    st = Street(sub["workload"].to_numpy(float), xy, nb, len(users), fixed, bases,
                _affinity_matrix(affinity, codes, users))
    return partition(st, tolerance, seed)


def workload_summary(assignment: pd.DataFrame, grids: pd.DataFrame) -> pd.DataFrame:
    """Per warden: grids, total workload and deviation from their street's mean."""
    load = grids.assign(grid_code=grids["code"].astype(str))[["grid_code", "workload"]]
    df = assignment.merge(load, on="grid_code").dropna(subset=["warden"])
    per = df.groupby("warden").agg(n_grids=("grid_code", "size"),
                                   workload=("workload", "sum"),
                                   street=("grid_code", lambda s: street_of(s.iloc[0])))
    mean = per.groupby("street")["workload"].transform("mean")
    per["deviation"] = np.where(mean > 0, per["workload"] / mean - 1.0, 0.0)
    return per.reset_index()


# --- redraws: keep wardens on the ground they know --------------------------------

def _overlap(old: pd.Series, new: pd.Series):
    """Overlap counts: rows = new groups, columns = old wardens (sorted labels)."""
    both = pd.DataFrame({"old": old, "new": new}).dropna()
    groups = np.array(sorted(pd.unique(new.dropna())), dtype=object)
    ward = np.array(sorted(pd.unique(old.dropna())), dtype=object)
    m = np.zeros((len(groups), len(ward)), np.int64)
    gi = pd.Index(groups).get_indexer(both["new"])
    wi = pd.Index(ward).get_indexer(both["old"])
    np.add.at(m, (gi, wi), 1)
    return groups, ward, m


def match_redraw(old_enterprise_warden: pd.Series,
                 new_enterprise_group: pd.Series) -> dict:
    """Give each new group the warden whose former enterprises it holds most.

    Maximises the number of enterprises that keep their warden
    (``scipy.optimize.linear_sum_assignment`` on the group x warden overlap). One
    warden per group; with more groups than wardens the extra groups map to None.

    Parameters
    ----------
    old_enterprise_warden : Series
        uscc → warden before the redraw.
    new_enterprise_group : Series
        uscc → new group (a new grid, or a territory of new grids).

    Returns
    -------
    dict
        group → warden (or None).

    Examples
    --------
    >>> old = pd.Series({"e1": "li", "e2": "li", "e3": "wang"})
    >>> new = pd.Series({"e1": "B", "e2": "B", "e3": "A"})
    >>> match_redraw(old, new)
    {'A': 'wang', 'B': 'li'}
    """
    groups, ward, m = _overlap(old_enterprise_warden, new_enterprise_group)
    out = {g: None for g in groups}
    if m.size:
        rows, cols = linear_sum_assignment(m, maximize=True)
        out.update({groups[r]: ward[c] for r, c in zip(rows, cols)})
    return out


def match_redraw_brute_force(old_enterprise_warden: pd.Series,
                             new_enterprise_group: pd.Series) -> tuple[dict, int]:
    """Reference for tests: best mapping and kept count by trying every permutation.

    Only for small cases (at most 8 groups and wardens).
    """
    groups, ward, m = _overlap(old_enterprise_warden, new_enterprise_group)
    if max(len(groups), len(ward)) > 8:
        raise ValueError("brute force is for at most 8 groups and wardens")
    slots = list(range(len(ward))) + [None] * max(0, len(groups) - len(ward))
    best, best_kept = None, -1
    for perm in itertools.permutations(slots, len(groups)):
        kept = sum(m[g, c] for g, c in enumerate(perm) if c is not None)
        if kept > best_kept:
            best, best_kept = perm, kept
    return ({groups[g]: (ward[c] if c is not None else None)
             for g, c in enumerate(best)}, int(best_kept))


def churn(old: pd.Series, new: pd.Series) -> float:
    """Share of enterprises whose warden changed.

    Counted over enterprises that had a warden before and still exist after (keys in
    both series); losing the warden (None after) counts as a change.

    >>> churn(pd.Series({"e1": "li", "e2": "li"}),
    ...       pd.Series({"e1": "li", "e2": "wang"}))
    0.5
    """
    keys = old.dropna().index.intersection(new.index)
    if len(keys) == 0:
        return 0.0
    before, after = old[keys], new[keys]
    return float((after.isna() | (before != after)).mean())


def redraw_affinity(old_enterprise_warden: pd.Series,
                    new_enterprise_grid: pd.Series) -> pd.DataFrame:
    """``grid_code, warden, weight``: enterprises of each new grid per former warden.

    Feed it to :func:`balance_wardens` as ``affinity`` after grids are redrawn.
    """
    both = pd.DataFrame({"warden": old_enterprise_warden,
                         "grid_code": new_enterprise_grid}).dropna()
    out = both.groupby(["grid_code", "warden"]).size().rename("weight").reset_index()
    return out
