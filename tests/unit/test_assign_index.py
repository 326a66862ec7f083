"""The point index's parts: cache container, fingerprint, segments, raster labels."""

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon, box

from gridwatch.assign import store
from gridwatch.assign.index import GridIndex, _exact, build_index, grids_fingerprint
from gridwatch.assign.pip import build_segments, covers_pairs
from gridwatch.assign.raster import _one_cell_per_label
from gridwatch.errors import InvalidInputError
from tests.unit.test_assign_points import _grid_3x3


def test_store_roundtrip_keeps_dtypes_shapes_and_meta():
    arrays = {
        "f": np.arange(5.0),
        "s": np.array(["440604", "4406041"]),
        "empty": np.zeros((0, 4)),
        "i16": np.ones((3, 2), np.int16),
        "b": np.array([True, False]),
    }
    got, meta = store.unpack(store.pack(arrays, {"k": [1, "x"]}))
    assert meta == {"k": [1, "x"]}
    for name, arr in arrays.items():
        assert got[name].dtype == arr.dtype and np.array_equal(got[name], arr)
        assert got[name].flags.aligned


def test_store_refuses_objects_and_truncated_data():
    with pytest.raises(TypeError):
        store.pack({"o": np.array([None, 1], dtype=object)}, {})
    data = store.pack({"f": np.arange(100.0)}, {})
    with pytest.raises(ValueError, match="truncated"):
        store.unpack(data[:-64])
    with pytest.raises(ValueError):
        store.unpack(b"GWARRAYS")


def test_grid_index_from_bytes_rejects_truncated_cache():
    data = build_index(_grid_3x3()).to_bytes()
    with pytest.raises(InvalidInputError, match="unreadable"):
        GridIndex.from_bytes(data[: len(data) // 2])


def test_grid_index_loaded_views_the_bytes_and_decodes_geoms_on_demand():
    grids = _grid_3x3(densify=True)
    index = build_index(grids)
    again = GridIndex.from_bytes(index.to_bytes())
    assert not again.raster.cells.flags.writeable  # a view, not a copy
    assert "geoms" not in again._lazy
    assert shapely.equals_exact(again.geoms, index.geoms, 0).all()
    assert again.fingerprint == grids_fingerprint(again.codes, again.geoms)


def test_fingerprint_changes_with_any_code_vertex_or_ring_grouping():
    g = _grid_3x3()
    codes, geoms = g["code"].to_numpy(), g.geometry.to_numpy()
    fp = grids_fingerprint(codes, geoms)
    assert fp == grids_fingerprint(codes.copy(), geoms.copy())
    other = codes.copy()
    other[0] = "440604001001099"
    assert grids_fingerprint(other, geoms) != fp
    moved = geoms.copy()
    moved[4] = shapely.affinity.translate(moved[4], 1e-12)
    assert grids_fingerprint(codes, moved) != fp
    # the same coordinates grouped as two polygons or one two-part polygon
    a, b = box(0, 0, 1, 1), box(2, 0, 3, 1)
    two = grids_fingerprint(["x", "y"], [a, b])
    assert two != grids_fingerprint(["x", "y"], [shapely.MultiPolygon([a, b]), b])


def _segments_reference(geoms):
    """The per-geometry loop build_segments replaced: polygon, part, ring, vertex."""
    xy, ring, ring_part, hole, part_poly = [], [], [], [], []
    for p, geom in enumerate(geoms):
        parts = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
        for part in parts:
            if part.is_empty:
                continue
            part_poly.append(p)
            rings = [part.exterior, *part.interiors]
            for k, r in enumerate(rings):
                c = np.asarray(r.coords)[:, :2]
                xy.append(np.column_stack([c[:-1], c[1:]]))
                ring.append(np.full(len(c) - 1, len(ring_part)))
                ring_part.append(len(part_poly) - 1)
                hole.append(k > 0)
    xy, ring = np.concatenate(xy), np.concatenate(ring)
    keep = (xy[:, 0] != xy[:, 2]) | (xy[:, 1] != xy[:, 3])
    return xy[keep], ring[keep], ring_part, hole, part_poly


def test_build_segments_order_matches_the_reference_loop():
    shell = box(113.0, 23.0, 113.03, 23.03)
    holed = Polygon(
        shell.exterior.coords,
        [
            box(113.01, 23.01, 113.012, 23.012).exterior.coords,
            box(113.02, 23.02, 113.022, 23.022).exterior.coords,
        ],
    )
    multi = shapely.MultiPolygon([box(113.1, 23.0, 113.11, 23.01), holed])
    repeated = Polygon(
        [(113.2, 23.0), (113.21, 23.0), (113.21, 23.0), (113.21, 23.01), (113.2, 23.0)]
    )
    geoms = np.array([holed, multi, repeated, box(113.3, 23.0, 113.31, 23.01)])
    seg = build_segments(geoms)
    xy, ring, ring_part, hole, part_poly = _segments_reference(geoms)
    assert np.array_equal(seg.xy, xy) and np.array_equal(seg.ring, ring)
    assert list(seg.ring_part) == ring_part and list(seg.ring_is_hole) == hole
    assert list(seg.part_poly) == part_poly


def test_one_cell_per_label_finds_a_cell_of_every_label_in_any_numbering():
    labels = np.array([[0, 2, 2, 0], [1, 0, 2, 3], [1, 1, 0, 3]], np.int32)
    rep = _one_cell_per_label(labels, labels == 0, 3)  # not scan order: fallback
    assert list(labels.ravel()[rep]) == [1, 2, 3]
    scan = np.array([[0, 1, 1, 0], [2, 0, 3, 3]], np.int32)
    rep = _one_cell_per_label(scan, scan == 0, 3)
    assert list(scan.ravel()[rep]) == [1, 2, 3]


def _exact_reference(index, x, y):
    """The exact path as it was: R-tree of grid boxes, then covers_pairs."""
    b = index.bounds
    tree = shapely.STRtree(shapely.box(b[:, 0], b[:, 1], b[:, 2], b[:, 3]))
    pt, poly = tree.query(shapely.points(x, y))
    hit = covers_pairs(index.segments, x[pt], y[pt], poly)
    best = np.full(len(x), np.iinfo(np.int64).max)
    np.minimum.at(best, pt[hit], poly[hit])
    count = np.bincount(pt[hit], minlength=len(x))
    return np.where(count > 0, best, -1), count


def test_exact_path_equals_the_rtree_reference_on_edges_vertices_and_holes():
    from tests.unit.test_assign_nearest import _grids

    index = build_index(_grids())
    coords = shapely.get_coordinates(index.geoms)
    rng = np.random.default_rng(21)
    i = rng.integers(0, len(coords) - 1, 3000)
    t = rng.random((3000, 1))
    t[:500] = 0.5
    edge = coords[i] + t * (coords[i + 1] - coords[i])
    xy = np.vstack(
        [
            coords,
            edge,
            coords + rng.normal(0, 1e-9, coords.shape),
            np.column_stack(
                [rng.uniform(112.99, 113.05, 4000), rng.uniform(22.99, 23.04, 4000)]
            ),
        ]
    )
    x, y = xy[:, 0].copy(), xy[:, 1].copy()
    got = _exact(index, x, y)
    want = _exact_reference(index, x, y)
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
    assert (got[1] >= 2).sum() > 1000  # the shared edges and vertices were hit


def test_grid_index_from_bytes_rejects_arrays_that_do_not_fit_together():
    index = build_index(_grid_3x3())
    arrays, meta = store.unpack(index.to_bytes())
    arrays = dict(arrays, metric_start=arrays["metric_start"][:-1])
    with pytest.raises(InvalidInputError, match="unreadable"):
        GridIndex.from_bytes(store.pack(arrays, meta))
    with pytest.raises(InvalidInputError, match="unreadable"):
        GridIndex.from_bytes(store.pack({}, ["not", "a", "dict"]))
