"""Regroup a warden's planned visits so each day's stops lie close together.

:func:`gridwatch.patrol.plan.plan_visits` fills days by urgency, so a day's stops
can be spread over the warden's whole territory. This pass moves and swaps
visits between the warden's days where that keeps every visit's rules: a visit
stays within ``[release, due]`` (its earliest allowed day and its due date; a
late visit never moves later), capacities hold, and an enterprise with two
visits in the window is left where it is (their order matters). The objective
is the k-means one (each step's change computed exactly, Hartigan-style): the
sum of squared metric distances from each stop to its day's centroid, a cheap
stand-in for the day's route length (the benchmark reports the route lengths
with and without the pass). Each pass is kept only if it lowers the objective,
so the result is never worse than the input; passes stop when nothing improves
(at most ``max_passes``). Deterministic.

Home-made rather than a library: the constraints (per-visit day windows,
per-day capacities that differ, fixed visits) are not those of scikit-learn's
or spopt's clustering, and the pass is a few dozen lines.
"""

from __future__ import annotations

import numpy as np

__all__ = ["regroup_days"]


def _sse(xy, day, n_days) -> float:
    """Sum of squared distances to each day's centroid."""
    total = 0.0
    for d in range(n_days):
        pts = xy[day == d]
        if len(pts):
            total += float(((pts - pts.mean(axis=0)) ** 2).sum())
    return total


def _day_sse(q, s, n):
    """SSE of days from their sums: Σ|x|² − |Σx|²/n (0 for an empty day)."""
    n = np.asarray(n, float)
    out = q - (s**2).sum(axis=-1) / np.where(n > 0, n, 1.0)
    return np.where(n > 0, out, 0.0)


def _best_step(v, a, xy, q, day, lo, hi, movable, cap, S, Q, count):
    """Best move or swap for visit ``v`` (exact SSE change), or None."""
    x, qv = xy[v], q[v]
    days = np.arange(lo[v], hi[v] + 1)
    # never open an empty day: a lone stop costs a trip from the base
    days = days[(days != a) & (count[days] > 0)]
    if not len(days):
        return None
    sse = _day_sse(Q, S, count)
    best, best_gain = None, 1e-6
    room = days[count[days] < cap[days]]
    if len(room):
        gain = sse[a] + sse[room] - _day_sse(Q[a] - qv, S[a] - x, count[a] - 1)
        gain -= _day_sse(Q[room] + qv, S[room] + x[None, :], count[room] + 1)
        k = int(np.argmax(gain))
        if gain[k] > best_gain:
            best, best_gain = (int(room[k]), None), gain[k]
    full = np.zeros(len(cap), bool)
    full[days[count[days] >= cap[days]]] = True
    cand = np.flatnonzero(full[day] & movable & (lo <= a) & (hi >= a))
    if len(cand):
        b, xu, qu = day[cand], xy[cand], q[cand]
        gain = sse[a] + sse[b]
        gain -= _day_sse(Q[a] - qv + qu, S[a] - x + xu, count[a])
        gain -= _day_sse(Q[b] - qu + qv, S[b] - xu + x, count[b])
        k = int(np.argmax(gain))
        if gain[k] > best_gain:
            best, best_gain = (int(b[k]), int(cand[k])), gain[k]
    return best


def _one_pass(xy, day, lo, hi, movable, cap):
    """Apply the best improving move or swap of each movable visit, in order."""
    n_days = len(cap)
    day = day.copy()
    q = (xy**2).sum(axis=1)
    S = np.zeros((n_days, 2))
    np.add.at(S, day, xy)
    Q = np.bincount(day, weights=q, minlength=n_days).astype(float)
    count = np.bincount(day, minlength=n_days)
    for v in np.flatnonzero(movable):
        a = day[v]
        step = _best_step(v, a, xy, q, day, lo, hi, movable, cap, S, Q, count)
        if step is None:
            continue
        b, u = step
        day[v] = b
        S[a] -= xy[v]
        S[b] += xy[v]
        Q[a] -= q[v]
        Q[b] += q[v]
        if u is None:
            count[a] -= 1
            count[b] += 1
        else:
            day[u] = a
            S[b] -= xy[u]
            S[a] += xy[u]
            Q[b] -= q[u]
            Q[a] += q[u]
    return day


def regroup_days(xy, day, lo, hi, movable, cap, max_passes: int = 6) -> np.ndarray:
    """Day index of each visit after regrouping (see the module docstring).

    Parameters
    ----------
    xy : numpy.ndarray
        ``(n, 2)`` metric coordinates (metres) of each visit's enterprise.
    day : numpy.ndarray
        ``(n,)`` current day index (into the warden's working days) of each visit.
    lo, hi : numpy.ndarray
        ``(n,)`` first and last day index each visit may take.
    movable : numpy.ndarray
        ``(n,)`` bool, False for visits that must stay.
    cap : numpy.ndarray
        Capacity of each day.

    Returns
    -------
    numpy.ndarray
        New day index per visit; every visit within ``[lo, hi]`` or unmoved,
        every day within its capacity, objective never higher than the input's.

    Examples
    --------
    >>> xy = np.array([[0, 0], [1000, 0], [0, 10], [1000, 10]], float)
    >>> day = np.array([0, 0, 1, 1])
    >>> regroup_days(xy, day, np.zeros(4, int), np.ones(4, int), np.ones(4, bool),
    ...              np.array([2, 2])).tolist()
    [1, 0, 1, 0]
    """
    xy = np.asarray(xy, float)
    day = np.asarray(day, int)
    lo, hi = np.asarray(lo, int), np.asarray(hi, int)
    movable = np.asarray(movable, bool) & (lo < hi)
    cap = np.asarray(cap, int)
    n_days = len(cap)
    cost = _sse(xy, day, n_days)
    for _ in range(max_passes):
        new = _one_pass(xy, day, lo, hi, movable, cap)
        new_cost = _sse(xy, new, n_days)
        if new_cost >= cost - 1e-6:
            break
        day, cost = new, new_cost
    return day
