"""Balanced partition of a weighted contiguity graph."""

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from gridwatch.grids.partition import partition_graph


def lattice(nx: int, ny: int):
    """Rook-contiguity graph of an nx × ny lattice of unit squares."""
    xy = np.array([[x, y] for y in range(ny) for x in range(nx)], float)
    edges = [(i, i + 1) for i in range(nx * ny) if i % nx < nx - 1]
    edges += [(i, i + nx) for i in range(nx * (ny - 1))]
    return xy, np.array(edges)


def parts_connected(labels, edges) -> bool:
    for p in np.unique(labels):
        nodes = np.flatnonzero(labels == p)
        loc = {v: i for i, v in enumerate(nodes)}
        sub = [(loc[a], loc[b]) for a, b in edges if a in loc and b in loc]
        if len(nodes) > 1:
            i, j = zip(*sub) if sub else ((), ())
            mat = coo_matrix((np.ones(len(i)), (i, j)), (len(nodes), len(nodes)))
            if connected_components(mat, directed=False)[0] != 1:
                return False
    return True


@pytest.mark.parametrize("k", [2, 3, 7, 13])
def test_partition_graph_makes_exactly_k_connected_parts(k):
    xy, edges = lattice(12, 10)
    w = np.random.default_rng(k).integers(0, 5, len(xy)).astype(float)
    res = partition_graph(w, edges, k, xy=xy, seed=1)
    assert len(np.unique(res.labels)) == k
    assert parts_connected(res.labels, edges)


def test_partition_graph_balances_within_tolerance():
    xy, edges = lattice(20, 20)
    rng = np.random.default_rng(3)
    w = rng.choice([1.0, 2.0, 3.0, 4.0], len(xy))
    res = partition_graph(w, edges, 10, xy=xy, seed=0)
    dev = np.abs(res.part_weights / (w.sum() / 10) - 1)
    assert dev.max() <= 0.10
    assert res.out_of_band == []


def test_partition_graph_splits_by_area_when_no_workload():
    xy, edges = lattice(10, 10)
    area = np.ones(100)
    res = partition_graph(np.zeros(100), edges, 4, xy=xy, area=area)
    assert sorted(np.bincount(res.labels).tolist()) == [25, 25, 25, 25]


def test_partition_graph_reports_heavy_atom():
    xy, edges = lattice(6, 6)
    w = np.ones(36)
    w[14] = 60.0  # one atom heavier than the target of 48
    res = partition_graph(w, edges, 2, xy=xy)
    heavy_part = int(res.labels[14])
    assert heavy_part in res.out_of_band
    assert res.heavy_atoms[heavy_part] == [14]


def test_partition_graph_is_deterministic_for_a_seed():
    xy, edges = lattice(15, 9)
    w = np.random.default_rng(5).random(len(xy))
    a = partition_graph(w, edges, 6, xy=xy, seed=11).labels
    b = partition_graph(w, edges, 6, xy=xy, seed=11).labels
    assert np.array_equal(a, b)


def test_partition_graph_cuts_through_a_bottleneck():
    # two 5×5 blocks joined by a corridor of 3 atoms: sweeps split the corridor
    # badly, the spanning-tree fallback still yields connected parts
    xy, edges = lattice(5, 5)
    xy2 = xy + [8, 0]
    corridor = np.array([[5, 2], [6, 2], [7, 2]], float)
    all_xy = np.vstack([xy, corridor, xy2])
    e = list(map(tuple, edges)) + [(a + 28, b + 28) for a, b in edges]
    e += [(14, 25), (25, 26), (26, 27), (27, 28 + 10)]
    w = np.ones(len(all_xy))
    res = partition_graph(w, np.array(e), 4, xy=all_xy)
    assert len(np.unique(res.labels)) == 4
    assert parts_connected(res.labels, e)
    assert np.abs(res.deviation()).max() <= 0.10


def test_partition_graph_rejects_more_parts_than_atoms():
    xy, edges = lattice(2, 2)
    with pytest.raises(ValueError, match="cannot make 5 parts"):
        partition_graph(np.ones(4), edges, 5, xy=xy)


def test_partition_graph_rejects_disconnected_graph():
    xy = np.array([[0, 0], [1, 0], [5, 0]], float)
    with pytest.raises(ValueError, match="not connected"):
        partition_graph(np.ones(3), [(0, 1)], 2, xy=xy)
