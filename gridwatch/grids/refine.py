"""Refinement of a partition: balance, then compactness, keeping parts connected.

Used by :func:`gridwatch.grids.partition.partition_graph` after the recursive
bisection; see that module for the method.
"""

from __future__ import annotations

import numpy as np


class State:
    """Labels plus per-part weight, area, perimeter and atom count."""

    def __init__(self, g, labels, w, area, perim, k):
        self.g, self.labels = g, labels.copy()
        self.w, self.area, self.perim = w, area, perim
        self.pw = np.bincount(labels, weights=w, minlength=k)
        self.pa = np.bincount(labels, weights=area, minlength=k)
        inner = labels[g.ei] == labels[g.ej]
        self.pp = (np.bincount(labels, weights=perim, minlength=k)
                   - 2 * np.bincount(labels[g.ei][inner], weights=g.el[inner],
                                     minlength=k))
        self.count = np.bincount(labels, minlength=k)
        self.target = w.sum() / k

    def boundary_atoms(self) -> np.ndarray:
        lab = self.labels
        f = lab[self.g.ei] != lab[self.g.ej]
        return np.unique(np.concatenate([self.g.ei[f], self.g.ej[f]]))

    def shared_by_part(self, a: int) -> dict[int, float]:
        out: dict[int, float] = {}
        lab = self.labels
        for b, ln in zip(self.g.nbr_lists[a], self.g.len_lists[a]):
            q = int(lab[b])
            out[q] = out.get(q, 0.0) + ln
        return out

    def stays_connected(self, a: int) -> bool:
        """Whether part of ``a`` stays connected without ``a``."""
        lab, p = self.labels, self.labels[a]
        same = [b for b in self.g.nbr_lists[a] if lab[b] == p]
        if len(same) <= 1:
            return True
        # sufficient: a's neighbours in the part are connected among themselves
        seen, todo, inside = {same[0]}, [same[0]], set(same)
        while todo:
            u = todo.pop()
            for v in self.g.nbr_sets[u] & inside:
                if v not in seen:
                    seen.add(v)
                    todo.append(v)
        if len(seen) == len(inside):
            return True
        seen, todo = {same[0], a}, [same[0]]
        while todo:
            u = todo.pop()
            for v in self.g.nbr_lists[u]:
                if v not in seen and lab[v] == p:
                    seen.add(v)
                    todo.append(v)
        return inside <= seen

    def move(self, a: int, q: int, sh: dict[int, float]) -> None:
        p = int(self.labels[a])
        self.pw[p] -= self.w[a]
        self.pw[q] += self.w[a]
        self.pa[p] -= self.area[a]
        self.pa[q] += self.area[a]
        self.pp[p] += -self.perim[a] + 2 * sh.get(p, 0.0)
        self.pp[q] += self.perim[a] - 2 * sh.get(q, 0.0)
        self.count[p] -= 1
        self.count[q] += 1
        self.labels[a] = q


def refine_balance(s: State, tol: float, max_passes: int = 60) -> None:
    """Move boundary atoms from heavy to lighter neighbouring parts."""
    if s.target <= 0:
        return
    inner = 0.5 * tol * s.target
    for _ in range(max_passes):
        moved = 0
        for a in s.boundary_atoms().tolist():
            p, wa = int(s.labels[a]), s.w[a]
            if wa <= 0 or s.count[p] <= 1:
                continue
            sh = s.shared_by_part(a)
            qs = [q for q in sh if q != p]
            if not qs:
                continue
            q = min(qs, key=lambda x: (s.pw[x], x))
            over_p = s.pw[p] - s.target > inner
            under_q = s.target - s.pw[q] > inner
            if ((over_p or under_q) and s.pw[p] - s.pw[q] > wa * (1 + 1e-9)
                    and s.stays_connected(a)):
                s.move(a, q, sh)
                moved += 1
        if not moved:
            return


def refine_compactness(s: State, tol: float, max_passes: int = 8) -> None:
    """Move boundary atoms where that lowers perimeter²/area of both parts."""
    band = 0.8 * tol * s.target if s.target > 0 else np.inf
    for _ in range(max_passes):
        moved = 0
        for a in s.boundary_atoms().tolist():
            p = int(s.labels[a])
            if s.count[p] <= 1:
                continue
            sh = s.shared_by_part(a)
            wa, aa, pa_ = s.w[a], s.area[a], s.perim[a]
            dp_old = abs(s.pw[p] - s.target)
            new_pp = s.pp[p] - pa_ + 2 * sh.get(p, 0.0)
            new_pa = s.pa[p] - aa
            if new_pa <= 0:
                continue
            before_p = s.pp[p] ** 2 / s.pa[p]
            best, best_q = -1e-9, -1
            for q, ln in sh.items():
                if q == p:
                    continue
                if abs(s.pw[p] - wa - s.target) > max(band, dp_old):
                    break
                if abs(s.pw[q] + wa - s.target) > max(band, abs(s.pw[q] - s.target)):
                    continue
                q_pp = s.pp[q] + pa_ - 2 * ln
                gain = (before_p + s.pp[q] ** 2 / s.pa[q]
                        - new_pp ** 2 / new_pa - q_pp ** 2 / (s.pa[q] + aa))
                if gain > best:
                    best, best_q = gain, q
            if best_q >= 0 and best > 1e-9 * before_p and s.stays_connected(a):
                s.move(a, best_q, sh)
                moved += 1
        if not moved:
            return
