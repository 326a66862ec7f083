"""What can be balanced: how many equal-workload grids a set of enterprises allows.

Enterprises at one place (a building, a door plate) cannot be split between
grids, so the unit of workload is a *spot*: the enterprises within
:data:`SPOT_M` of each other. Two facts bound the number of grids ``k`` that can
hold equal workload within a tolerance ``tol``:

* each grid needs at least one spot, so ``k <= spots``;
* the grid holding the heaviest spot ``h`` is at least ``h``, and it must stay
  within ``(1 + tol)`` of the mean ``total / k``, so ``k <= total (1 + tol) / h``.

So 6 enterprises of workload 2 make at most 6 grids, never 20; and one red
enterprise (4) among three blue ones (1 each) makes at most 1 grid at ±10%.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Enterprises closer than this (metres) are one place: their coordinates are
#: usually the same door plate, geocoded to the same point.
SPOT_M = 1.0
#: Workload tolerance of balanced grids (±10%), shared by build, split and check.
BALANCE_TOLERANCE = 0.10


@dataclass(frozen=True)
class Spots:
    """Workload per spot and which grid (or part) each spot lies in."""

    weight: np.ndarray  # (s,) workload of each spot
    owner: np.ndarray  # (s,) index of the grid / atom holding it (-1: none)

    @property
    def total(self) -> float:
        return float(self.weight.sum())

    @property
    def heaviest(self) -> float:
        return float(self.weight.max()) if len(self.weight) else 0.0


def spots(xy_metric: np.ndarray, weights: np.ndarray, owner: np.ndarray) -> Spots:
    """Group enterprise points into spots of :data:`SPOT_M`.

    Parameters
    ----------
    xy_metric : (n, 2) float array
        Enterprise coordinates in a metric CRS.
    weights : (n,) float array
        Workload per enterprise.
    owner : (n,) int array
        Grid / atom index of each enterprise (-1 outside all).

    Returns
    -------
    Spots

    Examples
    --------
    >>> xy = np.array([[0, 0], [0.2, 0.1], [50, 50]])
    >>> s = spots(xy, np.array([1.0, 2.0, 4.0]), np.array([0, 0, 1]))
    >>> s.weight.tolist(), s.owner.tolist()
    ([3.0, 4.0], [0, 1])
    """
    xy = np.asarray(xy_metric, dtype=float).reshape(-1, 2)
    if len(xy) == 0:
        return Spots(np.zeros(0), np.zeros(0, dtype=np.int64))
    key = np.round(xy / SPOT_M).astype(np.int64)
    _, first, inv = np.unique(key, axis=0, return_index=True, return_inverse=True)
    inv = inv.ravel()
    weight = np.bincount(inv, weights=np.asarray(weights, dtype=float))
    return Spots(weight, np.asarray(owner)[first])


def most_parts(s: Spots, tolerance: float = BALANCE_TOLERANCE,
               by_weight: bool = True) -> int:
    """The most equal-workload parts these spots allow (see the module docstring).

    ``by_weight=False`` applies the first bound only (a build that keeps a heavy
    place in a grid of its own and reports it, rather than making fewer grids).

    >>> most_parts(Spots(np.full(6, 2.0), np.zeros(6, int)))
    6
    >>> most_parts(Spots(np.array([4.0, 1, 1, 1]), np.zeros(4, int)))
    1
    """
    live = s.weight[s.weight > 0]
    if len(live) == 0:
        return 0
    if not by_weight:
        return len(live)
    by_w = math.floor(live.sum() * (1 + tolerance) / live.max() + 1e-9)
    return int(max(1, min(len(live), by_w)))


def why_not(k: int, s: Spots, what: str, tolerance: float = BALANCE_TOLERANCE,
            by_weight: bool = True) -> str:
    """One sentence: why ``what`` cannot become ``k`` equal-workload grids.

    >>> s = Spots(np.array([4.0, 1, 1]), np.zeros(3, int))
    >>> why_not(4, s, "Grid X")  # doctest: +NORMALIZE_WHITESPACE
    'Grid X cannot become 4 grids of equal workload: its enterprises stand at 3
    place(s), and every grid needs at least one; and its heaviest place holds
    workload 4 of 6, more than a 4th share ±10%; it can be balanced into at most 1.'
    """
    live = s.weight[s.weight > 0]
    most = most_parts(s, tolerance, by_weight)
    reasons = []
    if len(live) < k:
        reasons.append(f"its enterprises stand at {len(live)} place(s), and every "
                       "grid needs at least one")
    if by_weight and most_parts(s, tolerance) < min(k, len(live)):
        reasons.append(f"its heaviest place holds workload {s.heaviest:g} of "
                       f"{s.total:g}, more than a {k}th share ±{tolerance:.0%}")
    return (f"{what} cannot become {k} grids of equal workload: "
            f"{'; and '.join(reasons)}; it can be balanced into at most {most}.")
