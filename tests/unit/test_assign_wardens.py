"""Grid → warden balancing and churn-minimal redraws (gridwatch.assign.wardens)."""

import itertools

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from gridwatch.assign.wardens import (
    balance_wardens,
    churn,
    contiguity_pairs,
    match_redraw,
    match_redraw_brute_force,
    redraw_affinity,
    workload_summary,
)
from gridwatch.errors import InvalidInputError

STREET = "440604001"
STEP = 0.005


def _grids(n=6, street=STREET, workload=None, x0=113.0) -> gpd.GeoDataFrame:
    """n x n square grids of one street, codes row-major from the north-west."""
    geoms, codes = [], []
    for row in range(n):
        for col in range(n):
            geoms.append(box(x0 + col * STEP, 23.0 - (row + 1) * STEP,
                             x0 + (col + 1) * STEP, 23.0 - row * STEP))
            codes.append(f"{street}{row + 1:03d}{col + 1:03d}")
    w = np.ones(n * n) * 10.0 if workload is None else workload
    return gpd.GeoDataFrame({"code": codes, "workload": w}, geometry=geoms,
                            crs="EPSG:4326")


def _wardens(k, street=STREET, bases=None):
    names = [f"w{i}" for i in range(k)]
    geo = gpd.GeoSeries(bases if bases is not None else [None] * k, crs="EPSG:4326")
    return gpd.GeoDataFrame({"username": names, "street_code": [street] * k},
                            geometry=geo)


def _connected(assignment, grids) -> bool:
    g = grids.sort_values("code").reset_index(drop=True)
    pairs = contiguity_pairs(g.to_crs(4547).geometry.to_numpy())
    graph = nx.Graph()
    graph.add_edges_from((g["code"][a], g["code"][b]) for a, b in pairs)
    for _, part in assignment.groupby("warden"):
        if not nx.is_connected(graph.subgraph(part["grid_code"])):
            return False
    return True


def test_balance_wardens_equal_workloads_within_tolerance():
    grids = _grids()
    out = balance_wardens(grids, _wardens(4))
    summary = workload_summary(out, grids)
    assert len(out) == 36 and out["warden"].notna().all()
    assert summary["deviation"].abs().max() <= 0.10 + 1e-9


def test_balance_wardens_uneven_workloads_within_tolerance():
    rng = np.random.default_rng(1)
    grids = _grids(8, workload=rng.uniform(5, 15, 64))
    out = balance_wardens(grids, _wardens(4), seed=1)
    assert workload_summary(out, grids)["deviation"].abs().max() <= 0.10


def test_balance_wardens_territories_are_contiguous():
    rng = np.random.default_rng(2)
    grids = _grids(8, workload=rng.uniform(5, 15, 64))
    assert _connected(balance_wardens(grids, _wardens(5), seed=2), grids)


def test_balance_wardens_is_deterministic_for_a_seed():
    grids = _grids()
    a = balance_wardens(grids, _wardens(3), seed=7)
    b = balance_wardens(grids, _wardens(3), seed=7)
    pd.testing.assert_frame_equal(a, b)


def test_balance_wardens_manual_override_wins():
    grids = _grids()
    far = f"{STREET}006006"  # south-east corner
    out = balance_wardens(grids, _wardens(4), overrides={far: "w0"})
    row = out.set_index("grid_code").loc[far]
    assert row["warden"] == "w0" and row["is_override"]
    assert out["is_override"].sum() == 1


def test_balance_wardens_override_workload_counts_for_its_warden():
    w = np.ones(36) * 10.0
    heavy = 0  # the north-west grid carries a third of the street's workload
    w[heavy] = 175.0
    grids = _grids(workload=w)
    out = balance_wardens(grids, _wardens(3), overrides={grids["code"][heavy]: "w1"})
    n = out.groupby("warden").size()
    assert n["w1"] < n["w0"] and n["w1"] < n["w2"]


def test_balance_wardens_prefers_grids_near_base():
    grids = _grids()
    bases = [Point(113.0 + 5.5 * STEP, 23.0 - 5.5 * STEP), Point(113.001, 22.999)]
    out = balance_wardens(grids, _wardens(2, bases=bases)).set_index("grid_code")
    assert out.loc[f"{STREET}006006", "warden"] == "w0"
    assert out.loc[f"{STREET}001001", "warden"] == "w1"


def test_balance_wardens_rejects_override_across_streets():
    grids = pd.concat([_grids(3), _grids(3, street="440604002", x0=113.1)],
                      ignore_index=True)
    wardens = pd.concat([_wardens(2), _wardens(1, street="440604002").assign(
        username="other")], ignore_index=True)
    with pytest.raises(InvalidInputError, match="street"):
        balance_wardens(grids, wardens, overrides={f"{STREET}001001": "other"})


def test_balance_wardens_street_without_wardens_gets_none():
    grids = pd.concat([_grids(3), _grids(3, street="440604002", x0=113.1)],
                      ignore_index=True)
    out = balance_wardens(grids, _wardens(2))
    other = out[out["grid_code"].str.startswith("440604002")]
    assert len(other) == 9 and other["warden"].isna().all()
    assert out[out["grid_code"].str.startswith(STREET)]["warden"].notna().all()


def test_balance_wardens_rejects_missing_workload():
    grids = _grids(3)
    grids.loc[0, "workload"] = np.nan
    with pytest.raises(InvalidInputError, match="workload"):
        balance_wardens(grids, _wardens(2))


def test_balance_wardens_rerun_with_affinity_keeps_every_warden():
    rng = np.random.default_rng(3)
    grids = _grids(6, workload=rng.uniform(5, 15, 36))
    first = balance_wardens(grids, _wardens(4), seed=0)
    # enterprises: three per grid, under the warden of their grid
    ent_grid = pd.Series(np.repeat(first["grid_code"].to_numpy(), 3),
                         index=[f"E{i}" for i in range(108)])
    ent_warden = ent_grid.map(first.set_index("grid_code")["warden"])
    again = balance_wardens(grids, _wardens(4), seed=99,
                            affinity=redraw_affinity(ent_warden, ent_grid))
    pd.testing.assert_frame_equal(first, again)


def _town(seed):
    """Old wardens and a redraw of 40 enterprises into new groups."""
    rng = np.random.default_rng(seed)
    uscc = [f"E{i:02d}" for i in range(40)]
    old = pd.Series(rng.choice(["li", "wang", "zhao", "chen"], 40), index=uscc)
    new = pd.Series(rng.choice(["g1", "g2", "g3", "g4", "g5"], 40), index=uscc)
    return old, new


@pytest.mark.parametrize("seed", range(6))
def test_match_redraw_churn_equals_brute_force_optimum(seed):
    old, new = _town(seed)
    mapping = match_redraw(old, new)
    best, kept = match_redraw_brute_force(old, new)
    ours = churn(old, new.map(mapping))
    assert ours == pytest.approx(1 - kept / len(old))
    assert ours == pytest.approx(churn(old, new.map(best)))


def test_match_redraw_keeps_wardens_on_a_redrawn_town():
    # four old grids of 10 enterprises each; the redraw shifts a few across edges
    uscc = [f"E{i:02d}" for i in range(40)]
    old = pd.Series(np.repeat(["li", "wang", "zhao", "chen"], 10), index=uscc)
    groups = np.repeat(["n1", "n2", "n3", "n4"], 10)
    groups[[9, 19, 29]] = ["n2", "n3", "n4"]
    new = pd.Series(groups, index=uscc)
    mapping = match_redraw(old, new)
    assert mapping == {"n1": "li", "n2": "wang", "n3": "zhao", "n4": "chen"}
    assert churn(old, new.map(mapping)) == pytest.approx(3 / 40)
    # no other one-to-one mapping does better
    for perm in itertools.permutations(["li", "wang", "zhao", "chen"]):
        other = new.map(dict(zip(["n1", "n2", "n3", "n4"], perm)))
        assert churn(old, other) >= 3 / 40


def test_match_redraw_more_groups_than_wardens_leaves_none():
    old = pd.Series({"a": "li", "b": "li", "c": "wang"})
    new = pd.Series({"a": "g1", "b": "g2", "c": "g3"})
    mapping = match_redraw(old, new)
    assert sorted(v for v in mapping.values() if v) == ["li", "wang"]
    assert list(mapping.values()).count(None) == 1


def test_churn_counts_changed_share():
    old = pd.Series({"a": "li", "b": "li", "c": "wang", "d": "wang"})
    new = pd.Series({"a": "li", "b": "wang", "c": "wang", "d": "wang"})
    assert churn(old, new) == 0.25


def test_churn_ignores_enterprises_missing_on_one_side():
    assert churn(pd.Series({"a": "li"}), pd.Series({"b": "wang"})) == 0.0


def test_balance_wardens_more_wardens_than_grids_assigns_every_grid_once():
    grids = _grids(2)  # four grids
    out = balance_wardens(grids, _wardens(6))
    assert len(out) == 4 and out["warden"].is_unique


def test_balance_wardens_override_for_unknown_warden_is_rejected():
    with pytest.raises(InvalidInputError, match="unknown warden"):
        balance_wardens(_grids(2), _wardens(2), overrides={f"{STREET}001001": "nobody"})
