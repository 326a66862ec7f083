"""Regrouping a warden's days: closer stops, every visit's rules kept."""

import numpy as np

from gridwatch.patrol.grouping import regroup_days


def _sse(xy, day):
    return sum(((xy[day == d] - xy[day == d].mean(0)) ** 2).sum() for d in set(day))


def test_regroup_days_keeps_windows_capacity_and_never_worsens():
    rng = np.random.default_rng(5)
    for _ in range(20):
        n, n_days = 40, 8
        xy = rng.uniform(0, 3000, (n, 2))
        cap = rng.integers(5, 9, n_days)  # room for all n
        day = np.repeat(np.arange(n_days), cap)[rng.permutation(cap.sum())[:n]]
        lo = np.minimum(day, rng.integers(0, n_days, n))
        hi = np.maximum(day, rng.integers(0, n_days, n))
        movable = rng.random(n) > 0.2
        new = regroup_days(xy, day, lo, hi, movable, cap)
        assert ((new >= lo) & (new <= hi)).all()
        assert (new[~movable] == day[~movable]).all()
        assert (np.bincount(new, minlength=n_days) <= cap).all()
        assert _sse(xy, new) <= _sse(xy, day) + 1e-6
        assert set(new) <= set(day)  # no day opened that had no stop


def test_regroup_days_separates_two_clusters():
    xy = np.array([[0, 0], [1000, 0], [0, 10], [1000, 10]], float)
    new = regroup_days(
        xy,
        np.array([0, 0, 1, 1]),
        np.zeros(4, int),
        np.ones(4, int),
        np.ones(4, bool),
        np.array([2, 2]),
    )
    assert new[0] == new[2] and new[1] == new[3] and new[0] != new[1]
