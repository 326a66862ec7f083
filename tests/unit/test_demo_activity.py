"""Tests for gridwatch.demo.activity: one year of inspections, hazards, penalties."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from gridwatch.crs import METRIC_CRS
from gridwatch.demo import (
    build_activity,
    build_admin,
    build_enterprises,
    build_gazetteer,
)
from gridwatch.demo.hotspots import hotspot_mask
from gridwatch.errors import InvalidInputError
from gridwatch.vocab import (
    HAZARD_CATEGORIES,
    INSPECTION_KINDS,
    INSPECTION_RESULTS,
    LEGACY_HAZARD_STATUSES,
    PENALTY_KINDS,
)

SEED = 5
START, END = date(2024, 1, 1), date(2024, 12, 31)


def _with_grids(ents: pd.DataFrame, communities) -> gpd.GeoDataFrame:
    """Stand-in for the grid pipeline: 4 quadrant grids per community, 3 per warden."""
    centre = communities.to_crs(METRIC_CRS).set_index("code").centroid
    g = gpd.GeoDataFrame(
        ents, geometry=gpd.points_from_xy(ents["true_lng"], ents["true_lat"]), crs=4326
    )
    m = g.to_crs(METRIC_CRS).geometry
    c = centre.loc[g["true_community_code"]]
    quad = (m.x.to_numpy() > c.x.to_numpy()) * 2 + (m.y.to_numpy() > c.y.to_numpy())
    g["grid_code"] = (
        g["true_community_code"]
        + pd.Series(quad + 1).astype(str).str.zfill(3).to_numpy()
    )
    grids = np.sort(g["grid_code"].unique())
    warden = {code: f"w_{i // 3:03d}" for i, code in enumerate(grids)}
    g["warden_username"] = g["grid_code"].map(warden)
    g.loc[g.index[::50], "warden_username"] = None  # a few grids without a warden
    unlocated = g.index[7::40]  # a few enterprises not yet located: no grid either
    g.loc[unlocated, "geometry"] = None
    g.loc[unlocated, ["grid_code", "warden_username"]] = None
    return g


@lru_cache(maxsize=2)
def _ents(n: int) -> gpd.GeoDataFrame:
    _, towns, communities = build_admin(seed=SEED)
    _, points = build_gazetteer(
        towns, communities, seed=SEED, n_points=min(75_000, max(15_000, n))
    )
    return _with_grids(
        build_enterprises(n, points, towns, communities, seed=SEED), communities
    )


@pytest.fixture(scope="module")
def act():
    return build_activity(_ents(8000), START, END, seed=SEED)


def test_build_activity_report_ratios(act):
    ents = _ents(8000)
    insp, hz, pen = act["inspections"], act["hazards"], act["penalties"]
    units = insp["uscc"].nunique()
    assert 0.6 < units / len(ents) < 0.85  # report: 49,718 of 70,000+
    from_insp = hz["inspection_id"].notna().sum()
    assert 0.45 < from_insp / units < 0.7  # 28,699 / 49,718 = 0.58
    assert 0.01 < len(pen) / from_insp < 0.02  # 432 / 28,699
    fines = pen.loc[pen["kind"] == "fine", "amount_yuan"]
    assert 0.25 < len(fines) / len(pen) < 0.45
    assert 11_000 < fines.mean() < 18_000  # 2.1962 million / 153
    assert (
        pen.loc[pen["kind"].isin(["warning", "suspension"]), "amount_yuan"] == 0
    ).all()
    major = hz["level"] == "major"
    assert 0 < major.sum() < 0.01 * len(hz)
    assert 1 <= hz["is_listed"].sum() <= major.sum()
    assert not hz.loc[~major, "is_listed"].any()


def test_build_activity_hotspots_denser(act):
    ents = _ents(8000)
    per_ent = act["hazards"].groupby("uscc").size().reindex(ents["uscc"]).fillna(0)
    geom = ents.geometry.to_crs(METRIC_CRS)
    ok = ~(geom.isna() | geom.is_empty)
    xy = np.full((len(ents), 2), np.nan)
    xy[ok.to_numpy()] = np.column_stack([geom[ok].x, geom[ok].y])
    hot = hotspot_mask(xy, act["hotspots"])
    assert 3 <= len(act["hotspots"]) <= 4
    assert hot.sum() > 100
    assert per_ent.to_numpy()[hot].mean() >= 2 * per_ent.to_numpy()[~hot].mean()


def test_build_activity_frequency_follows_risk(act):
    ents = _ents(8000)
    visits = act["inspections"].loc[act["inspections"]["kind"] != "spot_check"]
    n = visits.groupby("uscc").size().reindex(ents["uscc"]).fillna(0).to_numpy()
    neglected = ents["grid_code"].isin(act["under_inspected"]["grid_code"]).to_numpy()
    mean = (
        pd.Series(n[~neglected])
        .groupby(ents["risk_level"].to_numpy()[~neglected])
        .mean()
    )
    assert mean["red"] > mean["orange"] > mean["yellow"] > mean["blue"]
    assert 8 < mean["red"] <= 13 and 0.4 < mean["blue"] < 0.8


def test_build_activity_under_inspected_grids_visited_less(act):
    ents = _ents(8000)
    under = act["under_inspected"]
    assert 1 <= under["warden_username"].nunique() <= 5
    n = act["inspections"].groupby("uscc").size().reindex(ents["uscc"]).fillna(0)
    neglected = ents["grid_code"].isin(under["grid_code"]).to_numpy()
    assert neglected.sum() > 20
    blue = (ents["risk_level"] == "blue").to_numpy()
    assert (
        n.to_numpy()[neglected & blue].mean()
        < 0.5 * n.to_numpy()[~neglected & blue].mean()
    )


def test_build_activity_inspector_mostly_the_warden(act):
    ents = _ents(8000).set_index("uscc")
    insp = act["inspections"]
    warden = ents["warden_username"].loc[insp["uscc"]].to_numpy()
    regular = (insp["kind"] != "spot_check").to_numpy() & pd.notna(warden)
    assert (insp["inspector"].to_numpy()[regular] == warden[regular]).mean() > 0.8
    assert insp["inspector"].notna().all()
    assert insp["inspector"].isin(["bureau_01", "bureau_02"]).any()
    assert insp["inspector"].str.endswith("_office").any()


def test_build_activity_vocab_ids_and_links(act):
    insp, hz, pen = act["inspections"], act["hazards"], act["penalties"]
    assert set(insp["kind"]) <= set(INSPECTION_KINDS)
    assert set(insp["result"]) <= set(INSPECTION_RESULTS)
    # the demo still writes the pre-state-machine statuses (open/overdue/...)
    assert set(hz["status"]) <= set(LEGACY_HAZARD_STATUSES)
    assert set(hz["category"]) <= set(HAZARD_CATEGORIES)
    assert set(pen["kind"]) <= set(PENALTY_KINDS)
    assert insp["inspection_id"].is_unique and hz["hazard_id"].is_unique
    assert pen["penalty_id"].is_unique
    linked = hz.dropna(subset=["inspection_id"])
    by_id = insp.set_index("inspection_id")
    assert (
        by_id["uscc"].loc[linked["inspection_id"]].to_numpy() == linked["uscc"]
    ).all()
    assert (
        by_id["inspected_on"].loc[linked["inspection_id"]].to_numpy()
        == linked["found_on"].to_numpy()
    ).all()
    with_hz = insp["inspection_id"].isin(linked["inspection_id"])
    assert (insp.loc[with_hz, "result"] != "pass").all()
    assert (insp.loc[~with_hz, "result"] == "pass").all()
    assert hz["inspection_id"].isna().any()  # self-reported hazards
    assert set(pen["uscc"]) <= set(hz["uscc"])


def test_build_activity_hazard_lifecycle_consistent(act):
    hz = act["hazards"]
    assert (hz["deadline"] > hz["found_on"]).all()
    closed = hz.loc[hz["status"] == "closed"]
    assert (closed["rectified_on"] <= closed["closed_on"]).all()
    assert (closed["closed_on"] <= END).all()
    rect = hz.loc[hz["status"] == "rectified"]
    assert rect["closed_on"].isna().all() and rect["rectified_on"].notna().all()
    overdue = hz.loc[hz["status"] == "overdue"]
    assert len(overdue) > 0 and (overdue["deadline"] < END).all()
    assert overdue["rectified_on"].isna().all()
    still_open = hz.loc[hz["status"] == "open"]
    assert (still_open["deadline"] >= END).all() and still_open[
        "rectified_on"
    ].isna().all()
    assert 0.7 < (hz["status"] == "closed").mean() < 0.97


def test_build_activity_dates_within_year(act):
    insp, hz, pen = act["inspections"], act["hazards"], act["penalties"]
    assert insp["inspected_on"].between(START, END).all()
    assert hz["found_on"].between(START, END).all()
    assert pen["decided_on"].between(START, END).all()
    assert isinstance(insp["inspected_on"].iloc[0], date)


def test_build_activity_self_reports_monthly_by_legal_persons(act):
    sr = act["self_reports"]
    assert sr["uscc"].str[1].eq("1").all()
    assert sr.groupby("uscc")["month"].nunique().eq(12).all()
    assert min(sr["month"].unique()) == "2024-01"
    rate = sr["submitted_on"].notna().mean()
    assert 0.55 < rate < 0.9
    assert (sr.loc[sr["submitted_on"].isna(), "n_hazards"] == 0).all()


def test_build_activity_deterministic(act):
    again = build_activity(_ents(8000), START, END, seed=SEED)
    for key in (
        "inspections",
        "hazards",
        "penalties",
        "self_reports",
        "under_inspected",
    ):
        assert_frame_equal(act[key], again[key])


def test_build_activity_rejects_missing_column_and_bad_period():
    ents = _ents(8000)
    with pytest.raises(InvalidInputError, match="warden_username"):
        build_activity(ents.drop(columns="warden_username"), START, END, seed=1)
    with pytest.raises(ValueError, match="before"):
        build_activity(ents, END, START, seed=1)


@pytest.mark.slow
def test_build_activity_at_the_report_scale_reproduces_its_figures():
    """70,000 enterprises, the report's district: its year's figures come back
    (49,718 units inspected, 28,699 hazards, 432 penalties, 9 listed majors)."""
    ents = _ents(70_000)
    out = build_activity(ents, START, END, seed=SEED)
    insp, hz, pen = out["inspections"], out["hazards"], out["penalties"]
    units = insp["uscc"].nunique()
    assert 42_000 < units < 59_500  # 0.6-0.85 of 70,000; report 49,718
    from_insp = int(hz["inspection_id"].notna().sum())
    assert 0.45 < from_insp / units < 0.7  # report 28,699 / 49,718 = 0.58
    assert 0.01 < len(pen) / from_insp < 0.02  # report 432 / 28,699
    assert 3 <= int(hz["is_listed"].sum()) <= 30  # report: 9 listed major hazards
