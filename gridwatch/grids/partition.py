"""Balanced partition of a weighted contiguity graph into exactly k connected parts.

Why not a library: spopt's Max-p cannot fix the number of regions and SKATER does
not balance (see the issue's measurements and ``bench/grids.py``); GerryChain's
``recursive_tree_part`` balances but is pure networkx, slow, and ignores shape.

The method, deterministic for a given ``seed``:

1. **Recursive bisection.** A set of atoms that must become ``k`` parts is cut in
   two sides holding ``k1 = k // 2`` and ``k - k1`` parts. Candidate cuts are
   *sweeps*: atoms sorted along one of :data:`SWEEP_ANGLES` directions and cut
   where the running workload reaches the side's share. A sweep is kept only if
   both sides are connected in the graph; among sweeps within half the tolerance
   the shortest cut (shared boundary length) wins, which gives compact, convex-ish
   grids. When no sweep qualifies (a bent or bottlenecked unit), random spanning
   trees are cut at their best-balanced edge, as in GerryChain's
   ``bipartition_tree``; a tree cut always leaves both sides connected.
2. **Balance refinement.** A boundary atom moves from a part to a lighter
   neighbouring part when the two differ by more than the atom's weight and one of
   them is outside half the tolerance (a descent on the sum of squared deviations).
3. **Compactness refinement.** A boundary atom moves when that lowers the sum of
   the two parts' perimeter²/area (the inverse of Polsby-Popper) and keeps both
   within the tolerance band (or no worse than they were).

Every move keeps the donor part connected.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import (
    breadth_first_order,
    connected_components,
    minimum_spanning_tree,
)

from gridwatch.grids.refine import State, refine_balance, refine_compactness

#: Sweep directions (degrees) tried for each bisection.
SWEEP_ANGLES = (0.0, 22.5, 45.0, 67.5, 90.0, 112.5, 135.0, 157.5)
#: Random spanning trees tried per bisection when no sweep cut qualifies.
MAX_TREES = 40


@dataclass
class PartitionResult:
    """Labels 0..k-1 per atom, each part's weight, and the per-part target."""

    labels: np.ndarray
    part_weights: np.ndarray
    target: float
    tolerance: float
    out_of_band: list[int] = field(default_factory=list)
    heavy_atoms: dict[int, list[int]] = field(default_factory=dict)

    def deviation(self) -> np.ndarray:
        """Relative deviation of each part from the target (0.05 = 5% heavy)."""
        if self.target <= 0:
            return np.zeros(len(self.part_weights))
        return self.part_weights / self.target - 1.0


def _check_inputs(weights, edges, k, xy):
    weights = np.asarray(weights, dtype=float)
    if weights.ndim != 1 or np.any(weights < 0) or not np.all(np.isfinite(weights)):
        raise ValueError("weights must be a 1-d array of finite non-negative numbers")
    n = len(weights)
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if k > n:
        raise ValueError(f"cannot make {k} parts from {n} atoms; use finer atoms")
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    if len(edges) and (edges.min() < 0 or edges.max() >= n):
        raise ValueError("edges refer to atoms outside 0..n-1")
    xy = np.asarray(xy, dtype=float)
    if xy.shape != (n, 2):
        raise ValueError(f"xy must have shape ({n}, 2), got {xy.shape}")
    return weights, edges, xy


def partition_graph(
    weights,
    edges,
    k: int,
    *,
    xy,
    shared=None,
    area=None,
    perimeter=None,
    tolerance: float = 0.10,
    seed: int = 0,
) -> PartitionResult:
    """Split a connected graph of atoms into exactly ``k`` balanced connected parts.

    Parameters
    ----------
    weights : array of float, shape (n,)
        Workload of each atom (non-negative). All zero: parts are balanced by
        ``area`` instead.
    edges : int array, shape (m, 2)
        Neighbour pairs; the graph must be connected.
    k : int
        Number of parts, 1 <= k <= n.
    xy : float array, shape (n, 2)
        A point per atom in a metric CRS (used for sweep cuts).
    shared : float array, shape (m,), optional
        Boundary length shared by each edge (metres); default 1.
    area, perimeter : float arrays, shape (n,), optional
        Atom areas and perimeters; default 1 and 4 (unit squares).
    tolerance : float
        Allowed relative deviation of a part's weight from ``sum / k``.
    seed : int
        Seed of the spanning-tree fallback; same inputs and seed, same result.

    Returns
    -------
    PartitionResult
        ``labels`` numbers parts 0..k-1; ``out_of_band`` lists parts outside
        the tolerance and ``heavy_atoms`` the atoms heavier than the band's top.

    Raises
    ------
    ValueError
        Bad arrays, ``k`` out of range, or a disconnected graph.

    Examples
    --------
    >>> xy = np.array([[x, y] for y in range(4) for x in range(4)], float)
    >>> edges = [(i, i + 1) for i in range(16) if i % 4 < 3]
    >>> edges += [(i, i + 4) for i in range(12)]
    >>> res = partition_graph(np.ones(16), edges, 4, xy=xy)
    >>> sorted(np.bincount(res.labels).tolist())
    [4, 4, 4, 4]
    """
    weights, edges, xy = _check_inputs(weights, edges, k, xy)
    n = len(weights)
    shared = np.ones(len(edges)) if shared is None else np.asarray(shared, float)
    area = np.ones(n) if area is None else np.asarray(area, float)
    perimeter = np.full(n, 4.0) if perimeter is None else np.asarray(perimeter, float)
    if weights.sum() <= 0:
        weights = area.copy()  # units with no enterprises are split by area
    g = _Graph(n, edges, shared)
    if n > 1 and connected_components(g.matrix, directed=False)[0] != 1:
        raise ValueError("the atom graph is not connected")
    rng = np.random.default_rng(seed)
    labels = _recursive_bisection(g, weights, area, xy, k, tolerance, rng)
    state = State(g, labels, weights, area, perimeter, k)
    refine_balance(state, tolerance)
    refine_compactness(state, tolerance)
    refine_balance(state, tolerance)
    labels = _renumber(state.labels)
    part_w = np.bincount(labels, weights=weights, minlength=k)
    target = weights.sum() / k
    dev = part_w / target - 1.0
    out = [int(p) for p in np.flatnonzero(np.abs(dev) > tolerance + 1e-12)]
    heavy = {}
    for p in out:
        atoms = np.flatnonzero((labels == p) & (weights > (1 + tolerance) * target))
        if len(atoms):
            heavy[p] = atoms.tolist()
    return PartitionResult(labels, part_w, target, tolerance, out, heavy)


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Number parts in order of their first atom, for stable output."""
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(first)
    remap = np.empty(labels.max() + 1, dtype=np.int64)
    remap[np.unique(labels)[order]] = np.arange(len(order))
    return remap[labels]


class _Graph:
    """Edge arrays plus CSR neighbour lists."""

    def __init__(self, n: int, edges: np.ndarray, shared: np.ndarray):
        self.n = n
        self.ei, self.ej, self.el = edges[:, 0], edges[:, 1], shared
        both_i = np.concatenate([self.ei, self.ej])
        both_j = np.concatenate([self.ej, self.ei])
        both_l = np.concatenate([self.el, self.el])
        order = np.lexsort((both_j, both_i))
        self.nbr = both_j[order]
        self.nlen = both_l[order]
        self.indptr = np.searchsorted(both_i[order], np.arange(n + 1))
        self.matrix = coo_matrix((np.ones(len(edges)), (self.ei, self.ej)), (n, n))
        self.nbr_lists = [self.nbr[self.indptr[a]:self.indptr[a + 1]].tolist()
                          for a in range(n)]
        self.len_lists = [self.nlen[self.indptr[a]:self.indptr[a + 1]].tolist()
                          for a in range(n)]
        self.nbr_sets = [set(x) for x in self.nbr_lists]


# --- 1. recursive bisection ----------------------------------------------------------

def _recursive_bisection(g, w, area, xy, k, tol, rng) -> np.ndarray:
    labels = np.zeros(g.n, dtype=np.int64)
    stack = [(np.arange(g.n), k, 0)]
    while stack:
        nodes, kk, base = stack.pop()
        if kk == 1:
            labels[nodes] = base
            continue
        k1 = kk // 2
        side_a, k_a = _bisect(g, nodes, kk, k1, w, area, xy, tol, rng)
        stack.append((nodes[side_a], k_a, base))
        stack.append((nodes[~side_a], kk - k_a, base + k_a))
    return labels


def _local_edges(g, nodes):
    loc = np.full(g.n, -1, dtype=np.int64)
    loc[nodes] = np.arange(len(nodes))
    m = (loc[g.ei] >= 0) & (loc[g.ej] >= 0)
    return loc[g.ei[m]], loc[g.ej[m]], g.el[m]


def _n_components(n, li, lj, mask) -> int:
    mat = coo_matrix((np.ones(int(mask.sum())), (li[mask], lj[mask])), (n, n))
    return connected_components(mat, directed=False)[0]


def _bisect(g, nodes, kk, k1, w_all, area_all, xy_all, tol, rng):
    """Boolean mask of side A over ``nodes`` and the number of parts it gets."""
    n = len(nodes)
    li, lj, ll = _local_edges(g, nodes)
    w, a, xy = w_all[nodes], area_all[nodes], xy_all[nodes]
    if w.sum() <= 0:  # an empty stretch inside a unit that has workload elsewhere
        w = a
    unit_w, unit_a = w.sum() / kk, a.sum() / kk
    shares = {k1, kk - k1}
    ok_err = 0.5 * tol
    cands = []  # (error, cut length, mask, parts on side A); checked lazily
    for ang in SWEEP_ANGLES:
        t = np.radians(ang)
        order = np.argsort(xy[:, 0] * np.cos(t) + xy[:, 1] * np.sin(t), kind="stable")
        cw, ca = np.cumsum(w[order])[:-1], np.cumsum(a[order])[:-1]
        size = np.arange(1, n)
        for ka in shares:
            err = (np.abs(cw - ka * unit_w) / unit_w
                   + 1e-3 * np.abs(ca - ka * unit_a) / unit_a)
            err[(size < ka) | (n - size < kk - ka)] = np.inf
            p = int(np.argmin(err))
            if not np.isfinite(err[p]):
                continue
            mask = np.zeros(n, dtype=bool)
            mask[order[:p + 1]] = True
            cands.append((float(err[p]), float(ll[mask[li] != mask[lj]].sum()), mask,
                          ka))
    # connectivity is the costly test: try the shortest balanced cuts first
    for c in sorted((c for c in cands if c[0] <= ok_err), key=lambda c: c[1]):
        if _n_components(n, li, lj, c[2][li] == c[2][lj]) == 2:
            return c[2], c[3]
    pool = _tree_cuts(n, li, lj, ll, w, a, unit_w, unit_a, kk, shares, ok_err, rng)
    good = [c for c in pool if c[0] <= ok_err]
    if good:
        best = min(good, key=lambda c: (c[1], c[0]))
        return best[2], best[3]
    for c in sorted((c for c in cands if c[0] > ok_err), key=lambda c: c[0]):
        if pool and c[0] >= min(x[0] for x in pool):
            break
        if _n_components(n, li, lj, c[2][li] == c[2][lj]) == 2:
            pool.append(c)
            break
    if not pool:
        raise ValueError("no balanced cut found; is the atom graph connected?")
    best = min(pool, key=lambda c: (c[0], c[1]))
    return best[2], best[3]


def _tree_cuts(n, li, lj, ll, w, a, unit_w, unit_a, kk, shares, ok_err, rng):
    """Best-balanced edge cut of random spanning trees (GerryChain-style)."""
    out = []
    for _ in range(MAX_TREES):
        rw = rng.random(len(li)) + 0.1  # scipy drops zero-weight edges
        tree = minimum_spanning_tree(coo_matrix((rw, (li, lj)), (n, n)))
        order, pred = breadth_first_order(tree, 0, directed=False,
                                          return_predecessors=True)
        sub_w, sub_a, cnt = w.copy(), a.copy(), np.ones(n)
        for v in order[:0:-1]:
            p = pred[v]
            sub_w[p] += sub_w[v]
            sub_a[p] += sub_a[v]
            cnt[p] += cnt[v]
        best = None
        for ka in shares:
            err = (np.abs(sub_w - ka * unit_w) / unit_w
                   + 1e-3 * np.abs(sub_a - ka * unit_a) / unit_a)
            err[order[0]] = np.inf
            err[(cnt < ka) | (n - cnt < kk - ka)] = np.inf
            v = int(np.argmin(err))
            if np.isfinite(err[v]) and (best is None or err[v] < best[0]):
                best = (float(err[v]), v, ka)
        if best is None:
            continue
        mask = np.zeros(n, dtype=bool)
        mask[best[1]] = True
        for u in order:  # BFS order: a parent is visited before its children
            if pred[u] >= 0 and mask[pred[u]]:
                mask[u] = True
        cut = float(ll[mask[li] != mask[lj]].sum())
        out.append((best[0], cut, mask, best[2]))
        if sum(c[0] <= ok_err for c in out) >= 3:
            break
    return out
