"""Day routes: every planned stop once, from the base and back, deterministic."""

import datetime as dt
import itertools
from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from gridwatch.errors import InvalidInputError
from gridwatch.patrol.distances import MatrixTable, straight_line_m
from gridwatch.patrol.itineraries import route_plan
from gridwatch.patrol.routes import (
    DEFAULT_OPTIONS,
    SolverOptions,
    route_day,
    solve_tour,
)

BASE = (113.05, 23.02)


def _points(n, seed=0):
    rng = np.random.default_rng(seed)
    return np.column_stack([113.03 + 0.04 * rng.random(n), 23.0 + 0.04 * rng.random(n)])


def _brute_force(m):
    n = len(m) - 1
    best = min(
        itertools.permutations(range(1, n + 1)),
        key=lambda p: sum(m[a, b] for a, b in itertools.pairwise((0, *p, 0))),
    )
    return sum(m[a, b] for a, b in itertools.pairwise((0, *best, 0)))


def test_route_day_visits_each_stop_once_from_base_and_back():
    ids = [f"E{i}" for i in range(12)]
    pts = _points(12)
    r = route_day(BASE, ids, pts)
    assert sorted(r.stops) == sorted(ids) and len(set(r.stops)) == 12
    assert r.dropped == ()
    m = straight_line_m(None, np.vstack([BASE, pts]))
    pos = {k: i + 1 for i, k in enumerate(ids)}
    path = [0, *(pos[s] for s in r.stops), 0]
    assert r.legs_m == pytest.approx([m[a, b] for a, b in itertools.pairwise(path)])
    assert r.total_m == pytest.approx(sum(r.legs_m))
    frame = r.to_frame()
    assert list(frame["stop_id"])[-1] is None  # the return leg to the base
    assert frame["cum_m"].iloc[-1] == pytest.approx(r.total_m)


def test_solve_tour_is_optimal_on_small_instances():
    for seed in range(5):
        m = np.rint(straight_line_m(None, np.vstack([BASE, _points(7, seed)])))
        order, _, status, _, _ = solve_tour(m)
        length = sum(m[a, b] for a, b in itertools.pairwise((0, *order, 0)))
        assert length == _brute_force(m), (seed, status)


def test_route_day_is_deterministic():
    # the solution-count budget, not the wall-clock cap, must end the search for
    # the answer to be repeatable; give the cap room so a loaded machine (CI runs
    # beside other jobs) cannot cut it short
    ids = [f"E{i}" for i in range(40)]
    pts = _points(40, seed=9)
    roomy = replace(DEFAULT_OPTIONS, time_limit_s=60.0)
    first = route_day(BASE, ids, pts, options=roomy)
    again = route_day(BASE, ids, pts, options=roomy)
    assert not first.hit_time_limit and not again.hit_time_limit
    assert first.stops == again.stops and first.total_m == again.total_m


def test_route_day_trivial_cases():
    empty = route_day(BASE, [], np.empty((0, 2)))
    assert empty.stops == () and empty.legs_m == (0.0,) and empty.total_m == 0
    one = route_day(BASE, ["A"], [[113.06, 23.02]])
    assert one.stops == ("A",) and one.legs_m[0] == pytest.approx(one.legs_m[1])


def test_route_day_budget_drops_stops_instead_of_failing():
    ids = ["near1", "near2", "far"]
    pts = [[113.051, 23.02], [113.052, 23.02], [113.15, 23.02]]
    r = route_day(BASE, ids, pts, max_length_m=2000)
    assert set(r.stops) == {"near1", "near2"} and r.dropped == ("far",)
    assert r.total_m <= 2000


def test_route_day_budget_keeps_high_penalty_stop():
    ids = ["east", "west"]
    pts = [[113.06, 23.02], [113.04, 23.02]]  # ~1 km each way, budget for one
    r = route_day(BASE, ids, pts, max_length_m=2500, penalties=[1e5, 1e3])
    assert r.stops == ("east",) and r.dropped == ("west",)
    r = route_day(BASE, ids, pts, max_length_m=2500, penalties=[1e3, 1e5])
    assert r.stops == ("west",)


def test_route_day_uses_a_distance_table():
    # a one-way street: base→B is long, so the only good tour is base→A→B→base
    ids = ("base", "A", "B")
    metres = np.array([[0, 100, 900], [900, 0, 100], [100, 900, 0]], float)
    r = route_day(BASE, ["A", "B"], [[0, 0], [0, 0]], distance=MatrixTable(ids, metres))
    assert r.stops == ("A", "B") and r.total_m == 300


def test_route_day_bad_inputs_one_sentence():
    with pytest.raises(InvalidInputError, match="twice"):
        route_day(BASE, ["A", "A"], [[113.0, 23.0]] * 2)
    with pytest.raises(InvalidInputError, match="base"):
        route_day((np.nan, np.nan), ["A"], [[113.0, 23.0]])
    with pytest.raises(InvalidInputError, match="no coordinates"):
        route_day(BASE, ["A"], [[np.nan, 23.0]])
    with pytest.raises(InvalidInputError, match="no row for point 'B'"):
        route_day(
            BASE,
            ["A", "B"],
            [[0, 0]] * 2,
            distance=MatrixTable(("base", "A"), np.zeros((2, 2))),
        )


def test_solve_tour_bad_matrix():
    with pytest.raises(InvalidInputError, match="square"):
        solve_tour(np.zeros((2, 3)))
    with pytest.raises(InvalidInputError, match="negative"):
        solve_tour([[0, -1], [1, 0]])


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"first_solution": "FASTEST"}, "first-solution"),
        ({"metaheuristic": "MAGIC"}, "metaheuristic"),
        ({"time_limit_s": 0}, "above 0 s"),
        ({"solutions_per_stop": 0}, "above 0"),
    ],
)
def test_solver_options_refuse_bad_values(kwargs, needle):
    with pytest.raises(InvalidInputError, match=needle):
        SolverOptions(**kwargs)


def _planned(days):
    """A small plan: {(warden, date): [enterprise ids]}."""
    rows = [
        {
            "visit_id": f"{e}#1",
            "enterprise_id": e,
            "warden": w,
            "planned_on": d,
            "risk_level": "red",
            "is_late": False,
        }
        for (w, d), es in days.items()
        for e in es
    ]
    return pd.DataFrame(rows)


def test_route_plan_each_day_routes_exactly_its_planned_stops():
    d1, d2 = dt.date(2026, 12, 7), dt.date(2026, 12, 8)
    days = {("w1", d1): ["A", "B", "C"], ("w1", d2): ["D"], ("w2", d1): ["E", "F"]}
    planned = _planned(days)
    pts = _points(6, seed=4)
    ents = gpd.GeoDataFrame(
        {"enterprise_id": list("ABCDEF")},
        geometry=gpd.points_from_xy(pts[:, 0], pts[:, 1]),
        crs="EPSG:4326",
    ).to_crs("EPSG:4547")  # any CRS
    bases = gpd.GeoDataFrame(
        {"warden": ["w1", "w2"]},
        geometry=gpd.points_from_xy([113.05, 113.06], [23.02, 23.03]),
        crs="EPSG:4326",
    )
    seen = []
    it = route_plan(planned, ents, bases, progress=lambda k, n: seen.append((k, n)))
    for (w, d), es in days.items():
        got = it.stops[(it.stops["warden"] == w) & (it.stops["date"] == d)]
        assert sorted(got["enterprise_id"]) == sorted(es)
        assert list(got["seq"]) == list(range(1, len(es) + 1))
    assert len(it.days) == 3 and seen[-1] == (3, 3)
    row = it.days.set_index(["warden", "date"]).loc[("w1", d1)]
    legs = it.stops[(it.stops["warden"] == "w1") & (it.stops["date"] == d1)]["leg_m"]
    assert row["total_m"] == pytest.approx(legs.sum() + row["return_m"])
    assert it.stops["lng"].between(113.0, 113.1).all()  # back in WGS-84


def test_route_plan_warden_without_base_one_sentence():
    planned = _planned({("w1", dt.date(2026, 12, 7)): ["A"]})
    ents = gpd.GeoDataFrame(
        {"enterprise_id": ["A"]},
        geometry=gpd.points_from_xy([113.05], [23.02]),
        crs="EPSG:4326",
    )
    bases = gpd.GeoDataFrame({"warden": []}, geometry=[], crs="EPSG:4326")
    with pytest.raises(InvalidInputError, match="'w1' has no base"):
        route_plan(planned, ents, bases)
