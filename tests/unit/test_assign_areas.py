"""Points → areas by the covers + smallest-code rule (gridwatch.assign.areas)."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, box

from gridwatch.assign.areas import assign_points_to_areas
from gridwatch.errors import CRSMismatchError, InvalidInputError

WGS = "EPSG:4326"


def _communities():
    """Four 0.01° squares meeting at (113.01, 23.01); codes deliberately unsorted."""
    cells = {
        "440604011004": box(113.01, 23.00, 113.02, 23.01),
        "440604011001": box(113.00, 23.01, 113.01, 23.02),
        "440604011003": box(113.00, 23.00, 113.01, 23.01),
        "440604011002": box(113.01, 23.01, 113.02, 23.02),
    }
    return gpd.GeoDataFrame(
        {"code": list(cells), "parent_code": ["440604011"] * 4},
        geometry=list(cells.values()),
        crs=WGS,
    )


def test_assign_points_to_areas_keeps_points_on_a_boundary_that_within_drops():
    areas = _communities()
    pts = gpd.GeoDataFrame(
        {"id": [1, 2]},
        geometry=[Point(113.005, 23.01), Point(113.015, 23.015)],  # edge, inside
        crs=WGS,
    )
    within = gpd.sjoin(pts, areas, predicate="within", how="inner")
    assert list(within["id"]) == [2]  # the naive call loses the edge point
    got = assign_points_to_areas(pts, areas)
    assert got["code"].tolist() == ["440604011001", "440604011002"]
    assert got["n_covering"].tolist() == [2, 1]


def test_assign_points_to_areas_vertex_of_four_goes_to_smallest_code():
    got = assign_points_to_areas(
        gpd.GeoSeries([Point(113.01, 23.01)], crs=WGS), _communities()
    )
    assert got.loc[0, "code"] == "440604011001" and got.loc[0, "n_covering"] == 4


def test_assign_points_to_areas_equals_covers_with_smallest_code_everywhere():
    areas = _communities()
    rng = np.random.default_rng(7)
    # random points, plus points snapped to the 0.005° lattice (edges and vertices)
    xy = np.vstack(
        [
            rng.uniform([112.995, 22.995], [113.025, 23.025], (300, 2)),
            np.round(rng.uniform([113.0, 23.0], [113.02, 23.02], (200, 2)) / 0.005)
            * 0.005,
        ]
    )
    pts = gpd.GeoSeries(shapely.points(xy), crs=WGS)
    got = assign_points_to_areas(pts, areas)["code"].tolist()
    want = []
    for p in pts:
        hit = sorted(c for c, g in zip(areas["code"], areas.geometry) if g.covers(p))
        want.append(hit[0] if hit else None)
    assert got == want


def test_assign_points_to_areas_keeps_every_row_and_the_index():
    pts = gpd.GeoSeries(
        [Point(113.005, 23.005), None, Point(114.0, 23.0), Point()],
        index=[10, 20, 30, 40],
        crs=WGS,
    )
    got = assign_points_to_areas(pts, _communities(), carry=["parent_code"])
    assert list(got.index) == [10, 20, 30, 40]
    assert got["code"].tolist() == ["440604011003", None, None, None]
    assert got["parent_code"].tolist() == ["440604011", None, None, None]


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        (lambda a, p: (a.to_crs("EPSG:4547"), p), CRSMismatchError, "areas"),
        (lambda a, p: (a, p.to_crs("EPSG:4547")), CRSMismatchError, "points"),
        (lambda a, p: (a.assign(code="x"), p), InvalidInputError, "unique"),
        (lambda a, p: (a.drop(columns="parent_code"), p), InvalidInputError, "lacks"),
    ],
)
def test_assign_points_to_areas_refuses_bad_frames(change, error, words):
    areas, pts = change(_communities(), gpd.GeoSeries([Point(113.0, 23.0)], crs=WGS))
    with pytest.raises(error, match=words):
        assign_points_to_areas(pts, areas, carry=["parent_code"])
