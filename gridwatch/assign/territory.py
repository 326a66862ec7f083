"""Split one street's grids into contiguous, balanced warden territories.

The algorithm (seeds → greedy region growing → local search → matching) is described
in :mod:`gridwatch.assign.wardens`; this module holds the arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

_OUT_OF_TOL = 1000.0  # a deviation beyond tolerance costs 1000x one inside
_COMPACT = 0.05  # weight of a grid's squared distance to its anchor, per scale²
_AFFINITY = 0.5  # reward for a grid staying with the warden who knew it (share 0..1)
_MAX_PASSES = 60


@dataclass
class Street:
    """One street's problem: grid workloads ``w``, metric centroids ``xy``, rook
    neighbours ``nb``, ``n_w`` wardens, ``fixed`` (grid → warden) overrides,
    ``base`` (n_w, 2) metric bases (NaN if none) and ``aff`` (n, n_w) shares."""

    w: np.ndarray
    xy: np.ndarray
    nb: list
    n_w: int
    fixed: dict
    base: np.ndarray
    aff: np.ndarray


class _State:
    """Labels with per-territory loads and centroid sums, and the objective terms."""

    def __init__(self, st: Street, tol: float):
        self.st, self.tol = st, tol
        total = float(st.w.sum())
        self.target = total / st.n_w if total > 0 else 1.0
        span = np.ptp(st.xy, axis=0) if len(st.xy) else np.ones(2)
        self.scale2 = max(float(span[0] * span[1]) / max(st.n_w, 1), 1.0)
        self.labels = np.full(len(st.w), -1, np.int64)
        # plain Python numbers: these are read in tight loops on scalars
        self.w = [float(v) for v in st.w]
        self.x, self.y = st.xy[:, 0].tolist(), st.xy[:, 1].tolist()
        self.base = [tuple(b) if np.isfinite(b).all() else None for b in st.base]
        self.aff = st.aff.tolist()
        self.load = [0.0] * st.n_w
        self.sx, self.sy = [0.0] * st.n_w, [0.0] * st.n_w
        self.cnt = [0] * st.n_w

    def put(self, g: int, k: int) -> None:
        old = int(self.labels[g])
        if old >= 0:
            self.load[old] -= self.w[g]
            self.sx[old] -= self.x[g]
            self.sy[old] -= self.y[g]
            self.cnt[old] -= 1
        self.labels[g] = k
        self.load[k] += self.w[g]
        self.sx[k] += self.x[g]
        self.sy[k] += self.y[g]
        self.cnt[k] += 1

    def anchor(self, k: int):
        """The warden's base, else the territory's centroid (None if empty)."""
        if self.base[k] is not None:
            return self.base[k]
        return (self.sx[k] / self.cnt[k], self.sy[k] / self.cnt[k]) if self.cnt[k] \
            else None

    def grid_cost(self, g: int, k: int) -> float:
        a = self.anchor(k)
        d2 = (self.x[g] - a[0]) ** 2 + (self.y[g] - a[1]) ** 2 if a else 0.0
        return _COMPACT * d2 / self.scale2 - _AFFINITY * self.aff[g][k]

    def pen(self, load: float) -> float:
        dev = abs(load - self.target) / self.target
        return dev * dev + _OUT_OF_TOL * max(0.0, dev - self.tol) ** 2


def _seeds(st: Street, s: _State, rng: np.random.Generator, jitter: bool) -> None:
    """Place overrides, then one seed grid per warden that has none.

    With ``jitter`` the farthest-point seeds start from a random grid and pick among
    the three farthest, so restarts explore other layouts.
    """
    for g, k in sorted(st.fixed.items()):
        s.put(g, k)
    free = [k for k in range(st.n_w) if s.cnt[k] == 0]
    taken = set(st.fixed)
    # affinity first (strongest ties first), then bases, then farthest points
    pairs = [(-st.aff[g, k], k, g)
             for k in free for g in np.flatnonzero(st.aff[:, k] > 0)]
    for _, k, g in sorted(pairs):
        if s.cnt[k] == 0 and g not in taken:
            s.put(int(g), k)
            taken.add(int(g))
    for k in range(st.n_w):
        if s.cnt[k] or len(taken) == len(st.w) or not np.isfinite(st.base[k]).all():
            continue
        d = ((st.xy - st.base[k]) ** 2).sum(1)
        d[list(taken)] = np.inf
        g = int(np.argmin(d))
        s.put(g, k)
        taken.add(g)
    for k in range(st.n_w):
        if s.cnt[k] or len(taken) == len(st.w):
            continue
        if taken:
            idx = np.array(sorted(taken))
            d = ((st.xy[:, None, :] - st.xy[None, idx, :]) ** 2).sum(-1).min(1)
            d[idx] = -1.0
            top = np.argsort(-d, kind="stable")[:3 if jitter else 1]
            top = top[d[top] >= 0]
            g = int(rng.choice(top)) if jitter else int(top[0])
        else:
            g = int(rng.integers(len(st.w))) if jitter else int(
                np.argmin(st.xy[:, 0] + st.xy[:, 1]))
        s.put(g, k)
        taken.add(g)


def _grow(st: Street, s: _State) -> None:
    """The lightest territory takes its best free neighbour, until none is left."""
    while (s.labels < 0).any():
        best = None
        for k in np.argsort(np.asarray(s.load) / s.target, kind="stable"):
            if s.cnt[k] == 0:
                continue
            members = np.flatnonzero(s.labels == k)
            front = {m for g in members for m in st.nb[g] if s.labels[m] < 0}
            if front:
                best = (int(k), min(front, key=lambda g: (s.grid_cost(g, k), g)))
                break
        if best is None:  # only unreachable grids left: nearest anchor takes them
            for g in np.flatnonzero(s.labels < 0):
                k = min((k for k in range(st.n_w) if s.cnt[k]),
                        key=lambda k: s.grid_cost(g, k))
                s.put(int(g), int(k))
            return
        s.put(best[1], best[0])


def _n_parts(st: Street, members: set) -> int:
    """Number of connected pieces of a territory."""
    left, parts = set(members), 0
    while left:
        stack = [left.pop()]
        parts += 1
        while stack:
            for m in st.nb[stack.pop()]:
                if m in left:
                    left.remove(m)
                    stack.append(m)
    return parts


def _improve(st: Street, s: _State, rng: np.random.Generator) -> None:
    """Alternate single moves and swaps until neither lowers the objective."""
    for _ in range(_MAX_PASSES):
        _moves(st, s, rng)
        if not _swap(st, s):
            return


def _moves(st: Street, s: _State, rng: np.random.Generator) -> None:
    """Move border grids while the objective drops and donors stay in one piece."""
    movable = np.array([g for g in range(len(st.w)) if g not in st.fixed], np.int64)
    for _ in range(_MAX_PASSES):
        moved = False
        for g in rng.permutation(movable):
            g = int(g)
            a = int(s.labels[g])
            if s.cnt[a] <= 1:
                continue
            here = s.grid_cost(g, a)
            best, best_b = -1e-12, -1
            for b in sorted({int(s.labels[m]) for m in st.nb[g]} - {a}):
                delta = (s.pen(s.load[a] - s.w[g]) + s.pen(s.load[b] + s.w[g])
                         - s.pen(s.load[a]) - s.pen(s.load[b])
                         + s.grid_cost(g, b) - here)
                if delta < best:
                    best, best_b = delta, b
            if best_b < 0:
                continue
            members = set(np.flatnonzero(s.labels == a).tolist())
            if _n_parts(st, members - {g}) > _n_parts(st, members):
                continue
            s.put(g, best_b)
            moved = True
        if not moved:
            return


def _swap(st: Street, s: _State) -> bool:
    """One improving swap of border grids for a territory outside tolerance.

    Single moves stall when every grid a heavy territory could give away would push
    its neighbour over the limit; exchanging a heavy grid for a light one does not.
    """
    for a in np.argsort([-abs(v - s.target) for v in s.load], kind="stable"):
        a = int(a)
        if s.cnt[a] == 0 or abs(s.load[a] - s.target) / s.target <= s.tol:
            continue
        mem_a = set(np.flatnonzero(s.labels == a).tolist())
        cands = []
        for g in mem_a - set(st.fixed):
            for h in {m for x in mem_a for m in st.nb[x]} - mem_a - set(st.fixed):
                b = int(s.labels[h])
                if not any(int(s.labels[m]) == b for m in st.nb[g]):
                    continue
                d = (s.pen(s.load[a] - s.w[g] + s.w[h])
                     + s.pen(s.load[b] + s.w[g] - s.w[h])
                     - s.pen(s.load[a]) - s.pen(s.load[b])
                     + s.grid_cost(g, b) + s.grid_cost(h, a)
                     - s.grid_cost(g, a) - s.grid_cost(h, b))
                if d < -1e-12:
                    cands.append((d, g, h, b))
        for _, g, h, b in sorted(cands):
            mem_b = set(np.flatnonzero(s.labels == b).tolist())
            if (_n_parts(st, (mem_a - {g}) | {h}) > _n_parts(st, mem_a)
                    or _n_parts(st, (mem_b - {h}) | {g}) > _n_parts(st, mem_b)):
                continue
            s.put(g, b)
            s.put(h, a)
            return True
    return False


def _match(st: Street, s: _State) -> np.ndarray:
    """Relabel override-free territories to the wardens that fit them best."""
    fixed_w = set(st.fixed.values())
    free = [k for k in range(st.n_w) if k not in fixed_w]
    if len(free) < 2:
        return s.labels
    cost = np.zeros((len(free), len(free)))
    for i, k in enumerate(free):
        members = np.flatnonzero(s.labels == k)
        for j, w in enumerate(free):
            c = -_AFFINITY * st.aff[members, w].sum()
            if np.isfinite(st.base[w]).all() and len(members):
                c += _COMPACT * ((st.xy[members] - st.base[w]) ** 2).sum() / s.scale2
            cost[i, j] = c
    rows, cols = linear_sum_assignment(cost)
    remap = np.arange(st.n_w)
    for i, j in zip(rows, cols):
        remap[free[i]] = free[j]
    return remap[s.labels]


def _objective(s: _State) -> float:
    """Balance penalty plus compactness minus affinity, summed over the street."""
    return (sum(s.pen(v) for v in s.load)
            + sum(s.grid_cost(g, int(k)) for g, k in enumerate(s.labels)))


def partition(st: Street, tolerance: float, seed: int, restarts: int = 6) -> np.ndarray:
    """Warden number (0..n_w-1) of each grid of the street.

    Runs seeding + growth + local search ``restarts`` times (the first with the
    deterministic seeds, the rest with seeds perturbed by ``seed``) and keeps the
    lowest objective.
    """
    if st.n_w == 0 or len(st.w) == 0:
        return np.full(len(st.w), -1, np.int64)
    rng = np.random.default_rng(seed)
    if float(st.w.sum()) <= 0:  # no workload recorded yet: balance grid counts
        st = Street(np.ones(len(st.w)), st.xy, st.nb, st.n_w, st.fixed, st.base, st.aff)
    best, best_f = None, np.inf
    for r in range(max(restarts, 1)):
        s = _State(st, tolerance)
        _seeds(st, s, rng, jitter=r > 0)
        _grow(st, s)
        _improve(st, s, rng)
        f = _objective(s)
        if f < best_f - 1e-12:
            best, best_f = s, f
    return _match(st, best)
