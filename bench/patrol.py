"""Benchmark: patrol routes and a street's month plan (gridwatch.patrol).

Run::

    .venv/bin/python bench/patrol.py [--quick] [--instances 5] [--reference-s 30]

Data: the demo district with 70,000 enterprises built in memory
(``gridwatch.demo.generate_district``), no database: the pilot street 张槎街道
(440604011) gets balanced grids (``build_grids``, the demo's target workload of
4 grids per community), enterprises are assigned to them (``assign_enterprises``),
grids to the street's wardens (``balance_wardens``), and two years of inspections
and hazards are generated (``build_activity``) so the due dates have a history.
An enterprise's location is its true demo point when the registry row has
coordinates or a gazetteer address, else none (a stand-in for geocoding
failures, which the plan must list rather than drop). One synthetic campaign
(专项整治, hazardous chemicals/fireworks/ammonia sectors) runs over the window.
Each warden's base is the centroid of their grids.

Part 1, side by side on the same integer matrices (straight-line metres in
EPSG:4547): day routes of 10, 30 and 60 stops, each drawn from one warden's
located enterprises, base = that warden's base; ``--instances`` per size.

* gridwatch: :func:`gridwatch.patrol.routes.solve_tour` with its defaults;
* reference: OR-Tools routing, PATH_CHEAPEST_ARC + GUIDED_LOCAL_SEARCH, time
  limit ``--reference-s`` (30 s), no solution limit;
* PyVRP (``pyvrp.Model``, hybrid genetic search), ``MaxRuntime`` equal to
  gridwatch's time limit, seed 1.

Reported per size: mean and max gap to the reference, mean and max solve time
(wall clock, and the CPU time of the process, which a shared machine's load
inflates less; OR-Tools' time limits are wall clock).
Target: gridwatch within 2% of the reference in <= 1 s per route.

Part 2: the street's month plan (``due_visits`` + ``plan_visits`` with its
day regrouping + ``route_plan`` for every warden-day), 8 visits per
warden-day, timed as one; then, untimed, the same plan without regrouping, to
report the route kilometres regrouping saves.
Target: <= 30 s, every due visit planned or listed as not fitting.

Part 3: the same month through the real services on a database: the
70,000-enterprise demo built by ``gridwatch.services.demo.build_demo`` into a
SpatiaLite file (registry import, offline geocoding, balanced grids, assignment,
two years of activity, so enterprise locations come from geocoding, not the
generator's true points), then :func:`gridwatch.services.patrol.plan_patrols`
for the pilot street as its street office: SQL reads of enterprises, last
inspections and open hazards, the plan, every route, and the stored plan
(plan, warden-days, ordered stops, unplanned rows), timed as one call; then the
same window regenerated (replacing the stored plan), and the plan vs done read.
``GRIDWATCH_BENCH_POSTGIS_URL`` runs it on PostGIS as well. Target: <= 30 s.

Writes ``bench/results/patrol.json`` (with the machine's load average).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import platform
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from gridwatch.crs import METRIC_CRS, WGS84
from gridwatch.patrol import (
    DEFAULT_OPTIONS,
    SolverOptions,
    due_visits,
    make_calendar,
    make_window,
    plan_visits,
    route_plan,
    solve_tour,
    straight_line_m,
)

_TO_METRIC = Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True)
RESULTS = Path(__file__).resolve().parent / "results" / "patrol.json"
SEED = 20131
STREET = "440604011"  # 张槎街道, the pilot street
TODAY = dt.date(2026, 12, 1)  # fixed so the bench repeats; Dec 2026 is in the calendar
WINDOW_DAYS = 31
VISITS_PER_DAY = 8
DUE_DAYS = {"red": 30, "orange": 90, "yellow": 182, "blue": 365}  # config default
WEIGHTS = {"red": 4.0, "orange": 3.0, "yellow": 2.0, "blue": 1.0}
SIZES = (10, 30, 60)


# --- data ---------------------------------------------------------------------


def _grids_and_wardens(d, ents_street):
    """Balanced grids of the street, enterprise → grid, grid → warden."""
    from gridwatch.assign.points import assign_enterprises, build_index
    from gridwatch.assign.wardens import balance_wardens
    from gridwatch.grids.build import build_grids

    all_w = d.enterprises["risk_level"].map(WEIGHTS).fillna(1.0).sum()
    target = float(all_w / (4 * len(d.communities)))  # as services/demo.py does
    comms = d.communities[d.communities["parent_code"] == STREET]
    grids, _ = build_grids(
        comms,
        ents_street,
        method="balanced",
        target_workload=target,
        weights=WEIGHTS,
        seed=SEED,
    )
    grids["code"] = grids["code"].astype(str)
    index = build_index(grids[["code", "geometry"]])
    assigned = assign_enterprises(ents_street[["uscc", "geometry"]], index)
    wardens = d.wardens[d.wardens["street_code"] == STREET]
    by_grid = balance_wardens(grids, wardens, seed=SEED)
    return grids, assigned, by_grid, wardens


def build_street(n_enterprises: int):
    """Everything the month plan needs, as frames (see the module docstring)."""
    from gridwatch.demo import build_activity, generate_district

    t0 = time.perf_counter()
    d = generate_district(
        n_enterprises=n_enterprises,
        seed=SEED,
        n_address_points=max(20_000, n_enterprises),
    )
    e = d.enterprises[d.enterprises["true_town_code"] == STREET].reset_index(drop=True)
    located = e["datum"].notna() | e["true_addr_id"].notna()
    pts = gpd.points_from_xy(e["true_lng"], e["true_lat"])
    geom = np.where(located.to_numpy(), np.asarray(pts, dtype=object), None)
    ents = gpd.GeoDataFrame(
        e.drop(columns=["lng", "lat"]), geometry=list(geom), crs=WGS84
    )
    grids, assigned, by_grid, wardens = _grids_and_wardens(d, ents[located])
    ents["grid_code"] = ents["uscc"].map(
        dict(zip(assigned["uscc"], assigned["grid_code"]))
    )
    ents["warden_username"] = ents["grid_code"].map(
        dict(zip(by_grid["grid_code"], by_grid["warden"]))
    )
    start = TODAY - dt.timedelta(days=730)
    acts = build_activity(
        ents, start, TODAY - dt.timedelta(days=1), seed=SEED, as_of=TODAY
    )
    last = acts["inspections"].groupby("uscc")["inspected_on"].max()
    frame = gpd.GeoDataFrame(
        {
            "enterprise_id": ents["uscc"],
            "risk_level": ents["risk_level"],
            "last_inspected_on": ents["uscc"].map(last),
            "registered_on": ents["registered_on"],
            "sector": ents["sector"],
            "warden": ents["warden_username"],
        },
        geometry=ents.geometry,
        crs=WGS84,
    )
    hz = acts["hazards"].rename(columns={"uscc": "enterprise_id"})
    targets = frame[frame["sector"].isin(["hazchem", "fireworks", "liquid_ammonia"])]
    campaigns = pd.DataFrame(
        {
            "campaign_id": "C1",
            "name": "危险化学品专项整治",
            "starts_on": TODAY - dt.timedelta(days=10),
            "ends_on": TODAY + dt.timedelta(days=20),
            "enterprise_id": targets["enterprise_id"].to_numpy(),
        }
    )
    bases = _bases(grids, by_grid)
    info = {
        "enterprises_district": n_enterprises,
        "enterprises_street": len(frame),
        "located": int(located.sum()),
        "grids": len(grids),
        "wardens": len(wardens),
        "inspections": len(acts["inspections"]),
        "hazards_open": int((hz["status"] != "closed").sum()),
        "campaign_targets": len(campaigns),
        "built_s": round(time.perf_counter() - t0, 1),
    }
    return (
        frame,
        hz[["hazard_id", "enterprise_id", "deadline", "status"]],
        campaigns,
        bases,
        info,
    )


def _bases(grids, by_grid) -> gpd.GeoDataFrame:
    """Each warden's base: the centroid of their grids (metric), in WGS-84."""
    g = grids.merge(by_grid, left_on="code", right_on="grid_code")
    g = g[g["warden"].notna()].to_crs(METRIC_CRS)
    union = g.dissolve("warden")
    return (
        gpd.GeoDataFrame(
            {"warden": union.index},
            geometry=union.geometry.centroid.to_numpy(),
            crs=METRIC_CRS,
        )
        .to_crs(WGS84)
        .reset_index(drop=True)
    )


# --- part 1: routes side by side ------------------------------------------------


def route_instances(frame, bases, sizes, per_size, rng):
    """(size, warden, int matrix with the base first) drawn from the wardens."""
    base_of = dict(zip(bases["warden"], bases.geometry))
    located = frame[frame.geometry.notna() & frame["warden"].isin(base_of)]
    wardens = sorted(located["warden"].unique())
    out = []
    for size in sizes:
        for w in rng.choice(wardens, per_size, replace=False):
            own = located[located["warden"] == w]
            b = base_of[w]
            if len(own) < size:  # small demos (--quick): the nearest enterprises
                bx, by = _TO_METRIC.transform(b.x, b.y)
                x, y = _TO_METRIC.transform(located.geometry.x, located.geometry.y)
                near = np.hypot(np.asarray(x) - bx, np.asarray(y) - by).argsort()
                own = located.iloc[np.sort(near[: 2 * size])]
            pick = own.iloc[np.sort(rng.choice(len(own), size, replace=False))]
            lnglat = np.vstack(
                [[b.x, b.y], np.column_stack([pick.geometry.x, pick.geometry.y])]
            )
            m = np.rint(straight_line_m(None, lnglat)).astype(np.int64)
            x, y = _TO_METRIC.transform(lnglat[:, 0], lnglat[:, 1])
            out.append((size, str(w), m, np.rint(np.column_stack([x, y]))))
    return out


def tour_length(m, order) -> int:
    path = [0, *order, 0]
    return int(sum(m[a, b] for a, b in itertools.pairwise(path)))


def run_gridwatch(m, options=DEFAULT_OPTIONS):
    cpu = time.process_time()
    order, dropped, status, secs, hit = solve_tour(m, options=options)
    cpu = time.process_time() - cpu
    assert sorted(order) == list(range(1, len(m))) and not dropped
    return tour_length(m, order), secs, status, hit, cpu


def run_reference(m, seconds):
    opts = SolverOptions("PATH_CHEAPEST_ARC", "GUIDED_LOCAL_SEARCH", seconds, None)
    order, _, _status, secs, _ = solve_tour(m, options=opts)
    return tour_length(m, order), secs


def run_pyvrp(m, xy, seconds):
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    model = Model()
    model.add_vehicle_type(num_available=1)
    # the edges carry the cost (the same integer matrix as the other two)
    locs = [model.add_location(int(x), int(y)) for x, y in xy]
    model.add_depot(locs[0])
    for loc in locs[1:]:
        model.add_client(loc)
    for i, a in enumerate(locs):
        for j, b in enumerate(locs):
            model.add_edge(a, b, distance=int(m[i, j]))
    t0 = time.perf_counter()
    res = model.solve(stop=MaxRuntime(seconds), seed=1, display=False)
    secs = time.perf_counter() - t0
    route = res.best.routes()[0]
    assert res.is_feasible() and route.num_clients() == len(m) - 1
    return int(route.distance()), secs


def side_by_side(instances, reference_s, progress=print):
    """Rows per instance and a summary per size."""
    rows = []
    for size, warden, m, xy in instances:
        gw_len, gw_s, status, hit, gw_cpu = run_gridwatch(m)
        gw_again = run_gridwatch(m)[0]
        ref_len, ref_s = run_reference(m, reference_s)
        pv_len, pv_s = run_pyvrp(m, xy, DEFAULT_OPTIONS.time_limit_s)
        best = min(ref_len, gw_len, pv_len)
        rows.append(
            {
                "stops": size,
                "warden": warden,
                "reference_m": ref_len,
                "reference_s": round(ref_s, 2),
                "gridwatch_m": gw_len,
                "gridwatch_s": round(gw_s, 3),
                "gridwatch_cpu_s": round(gw_cpu, 3),
                "gridwatch_status": status,
                "gridwatch_hit_time_limit": hit,
                "gridwatch_repeat_same": gw_again == gw_len,
                "gridwatch_gap": round(gw_len / ref_len - 1, 5),
                "pyvrp_m": pv_len,
                "pyvrp_s": round(pv_s, 3),
                "pyvrp_gap": round(pv_len / ref_len - 1, 5),
                "best_known_m": best,
            }
        )
        progress(
            f"  {size:>2} stops ({warden}): reference {ref_len} m, gridwatch "
            f"{gw_len} m in {gw_s:.3f} s, PyVRP {pv_len} m"
        )
    summary = []
    for size in sorted({r["stops"] for r in rows}):
        rs = [r for r in rows if r["stops"] == size]
        g = np.array([r["gridwatch_gap"] for r in rs])
        p = np.array([r["pyvrp_gap"] for r in rs])
        t = np.array([r["gridwatch_s"] for r in rs])
        summary.append(
            {
                "stops": size,
                "instances": len(rs),
                "gridwatch_gap_mean": round(float(g.mean()), 5),
                "gridwatch_gap_max": round(float(g.max()), 5),
                "gridwatch_s_mean": round(float(t.mean()), 3),
                "gridwatch_s_max": round(float(t.max()), 3),
                "gridwatch_cpu_s_mean": round(
                    float(np.mean([r["gridwatch_cpu_s"] for r in rs])), 3
                ),
                "gridwatch_hit_time_limit": sum(
                    r["gridwatch_hit_time_limit"] for r in rs
                ),
                "gridwatch_repeat_same": all(r["gridwatch_repeat_same"] for r in rs),
                "pyvrp_gap_mean": round(float(p.mean()), 5),
                "pyvrp_gap_max": round(float(p.max()), 5),
                "pyvrp_s_mean": round(float(np.mean([r["pyvrp_s"] for r in rs])), 3),
                "reference_s_mean": round(
                    float(np.mean([r["reference_s"] for r in rs])), 2
                ),
                "meets_target": bool(g.max() <= 0.02 and t.max() <= 1.0),
            }
        )
    return rows, summary


# --- part 3: the month plan through the services on a demo database -------------


def _service_plan(settings, n_enterprises: int, progress=print) -> dict:
    """Build the demo into ``settings``' database, then plan the street's month
    through ``plan_patrols`` as the street office (see the module docstring)."""
    import sqlalchemy as sa

    from gridwatch.services.actor import Actor, system_actor
    from gridwatch.services.context import open_context
    from gridwatch.services.demo import build_demo
    from gridwatch.services.patrol import plan_overview, plan_patrols

    ctx = open_context(settings)
    try:
        t0 = time.perf_counter()
        build_demo(
            ctx,
            system_actor("bench"),
            n_enterprises=n_enterprises,
            seed=SEED,
            today=TODAY - dt.timedelta(days=1),
            write_maps=False,
            n_address_points=max(20_000, n_enterprises),
        )
        built = time.perf_counter() - t0
        progress(f"  demo database built in {built:.0f} s")
        office = Actor("bench_office", "street_office", scope_code=STREET)
        t1, cpu1 = time.perf_counter(), time.process_time()
        out = plan_patrols(
            ctx,
            office,
            STREET,
            TODAY,
            WINDOW_DAYS,
            visits_per_day=VISITS_PER_DAY,
            today=TODAY,
        )
        total, cpu = time.perf_counter() - t1, time.process_time() - cpu1
        t2 = time.perf_counter()
        again = plan_patrols(
            ctx,
            office,
            STREET,
            TODAY,
            WINDOW_DAYS,
            visits_per_day=VISITS_PER_DAY,
            today=TODAY,
        )
        regen = time.perf_counter() - t2
        t3 = time.perf_counter()
        ov = plan_overview(ctx, office, out["plan"], today=TODAY)
        read = time.perf_counter() - t3
        with ctx.engine.connect() as conn:
            stored = conn.execute(
                sa.text("SELECT count(*) FROM patrol_stops WHERE plan_id = :p"),
                {"p": out["plan"]},
            ).scalar()
            unplanned = conn.execute(
                sa.text("SELECT count(*) FROM patrol_unplanned WHERE plan_id = :p"),
                {"p": out["plan"]},
            ).scalar()
            n_ent = conn.execute(sa.text("SELECT count(*) FROM enterprises")).scalar()
        c = out["counts"]
        return {
            "backend": ctx.engine.dialect.name,
            "enterprises_in_database": int(n_ent),
            "demo_built_s": round(built, 1),
            "due_visits": c["due"],
            "due_reasons": out["due_reasons"],
            "planned": c["planned"],
            "planned_late": c["late"],
            "unplanned": c["unplanned"],
            "unplanned_reasons": c["unplanned_reasons"],
            "wardens": c["wardens"],
            "left_out": out.get("left_out"),
            "routes": c["routes"],
            "route_km_total": c["route_km"],
            "routes_hit_time_limit": c["routes_hit_time_limit"],
            "every_due_visit_accounted": c["due"] == c["planned"] + c["unplanned"]
            and stored == c["planned"]
            and unplanned == c["unplanned"],
            "compute_s": out["seconds"],
            "store_s": round(total - out["seconds"], 2),
            "total_s": round(total, 2),
            "total_cpu_s": round(cpu, 2),
            "regenerate_s": round(regen, 2),
            "regenerated_same_counts": again["counts"] == c and again["revision"] == 2,
            "plan_vs_done_read_s": round(read, 2),
            "plan_vs_done_stops": ov["totals"]["planned"],
            "meets_target": bool(total <= 30.0),
        }
    finally:
        ctx.close()


def service_plans(n_enterprises: int, progress=print) -> list[dict]:
    """Part 3 on SpatiaLite (a temporary file) and, when
    ``GRIDWATCH_BENCH_POSTGIS_URL`` is set, on PostGIS."""
    import tempfile

    from gridwatch.config import load_settings

    runs = []
    with tempfile.TemporaryDirectory() as folder:
        env = {"GRIDWATCH_DATA_DIR": folder, "GRIDWATCH_PROGRESS": "0"}
        runs.append(_service_plan(load_settings(environ=env), n_enterprises, progress))
        url = os.environ.get("GRIDWATCH_BENCH_POSTGIS_URL")
        if url:
            env["GRIDWATCH_DATABASE_URL"] = url
            runs.append(
                _service_plan(load_settings(environ=env), n_enterprises, progress)
            )
    for r in runs:
        progress("  " + json.dumps(r, ensure_ascii=False))
    return runs


# --- part 2: the street's month plan ----------------------------------------------


def month_plan(frame, hazards, campaigns, bases):
    """Schedule + plan + every route, timed as one; the checks of the target."""
    t0, cpu0 = time.perf_counter(), time.process_time()
    window = make_window(TODAY, WINDOW_DAYS, today=TODAY)
    due = due_visits(frame, window, DUE_DAYS, hazards=hazards, campaigns=campaigns)
    t1 = time.perf_counter()
    wardens = pd.DataFrame({"warden": sorted(bases["warden"])})
    plan = plan_visits(
        due, frame, wardens, window, make_calendar(), visits_per_day=VISITS_PER_DAY
    )
    t2 = time.perf_counter()
    it = route_plan(plan.planned, frame, bases)
    t3, cpu = time.perf_counter(), time.process_time() - cpu0
    accounted = set(plan.planned["visit_id"]) | set(plan.unplanned["visit_id"])
    routed = it.stops.groupby(["warden", "date"])["visit_id"].apply(set).to_dict()
    planned = plan.planned.groupby(["warden", "planned_on"])["visit_id"].apply(set)
    reasons = due["reasons"].explode().str.split(":").str[0].value_counts()
    # the same month without regrouping the days, untimed: what grouping buys
    flat = plan_visits(
        due,
        frame,
        wardens,
        window,
        make_calendar(),
        visits_per_day=VISITS_PER_DAY,
        group_days=False,
    )
    flat_km = route_plan(flat.planned, frame, bases).days["total_m"].sum() / 1000
    km = it.days["total_m"].sum() / 1000
    return {
        "window": [window.start.isoformat(), window.end.isoformat()],
        "working_days": len(make_calendar().working_days(window.start, window.end)),
        "visits_per_day": VISITS_PER_DAY,
        "wardens": len(wardens),
        "due_visits": len(due),
        "due_reasons": {k: int(v) for k, v in reasons.items()},
        "planned": len(plan.planned),
        "planned_late": int(plan.planned["is_late"].sum()),
        "unplanned": len(plan.unplanned),
        "unplanned_reasons": {
            k: int(v)
            for k, v in plan.unplanned["not_planned_reason"].value_counts().items()
        },
        "every_due_visit_accounted": accounted == set(due["visit_id"])
        and len(plan.planned) + len(plan.unplanned) == len(due),
        "routes": len(it.days),
        "routes_match_plan": all(routed.get(k) == v for k, v in planned.items()),
        "stops_per_route_mean": round(float(it.days["n_stops"].mean()), 2),
        "stops_per_route_max": int(it.days["n_stops"].max()),
        "route_km_mean": round(float(it.days["total_m"].mean()) / 1000, 2),
        "route_km_total": round(float(km), 1),
        "route_km_total_without_grouping": round(float(flat_km), 1),
        "grouping_saves_share": round(float(1 - km / flat_km), 4),
        "routes_hit_time_limit": int(it.days["hit_time_limit"].sum()),
        "schedule_s": round(t1 - t0, 2),
        "plan_s": round(t2 - t1, 2),
        "routes_s": round(t3 - t2, 2),
        "total_s": round(t3 - t0, 2),
        "total_cpu_s": round(cpu, 2),
        "meets_target": bool(t3 - t0 <= 30.0),
    }


def _load() -> dict:
    """The load averages, and ``uptime``'s line as the brief asks to record."""
    keys = ("load_1min", "load_5min", "load_15min")
    out = dict(zip(keys, (round(v, 2) for v in os.getloadavg())))
    try:
        line = subprocess.run(["uptime"], capture_output=True, text=True, check=True)
        out["uptime"] = line.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    return out


def readme(result: dict) -> dict:
    """The README's summary of this run (scripts/bench_table.py renders it),
    built from the figures above and nothing else."""
    rows = []
    for r in result["routes"]["summary"]:
        rows.append(
            [
                f"day route, {r['stops']} stops (×{r['instances']})",
                (
                    f"gap mean {100 * r['gridwatch_gap_mean']:.2f}%, max "
                    f"{100 * r['gridwatch_gap_max']:.2f}%; {r['gridwatch_s_max']:.3f} s max"
                ),
                f"PyVRP same limit: gap max {100 * r['pyvrp_gap_max']:.2f}%",
                "yes" if r["meets_target"] else "no",
            ]
        )
    m = result["month_plan"]
    rows.append(
        [
            "street month plan, in memory",
            (
                f"{m['total_s']:.1f} s; {m['due_visits']:,} due = {m['planned']:,} planned "
                f"+ {m['unplanned']:,} listed"
            ),
            "—",
            "yes" if m["meets_target"] else "no",
        ]
    )
    for r in result.get("month_plan_services", []):
        rows.append(
            [
                f"street month plan through the services ({r['backend']})",
                (
                    f"{r['total_s']:.1f} s (store {r['store_s']:.1f} s); "
                    f"{r['due_visits']:,} due = {r['planned']:,} stored + "
                    f"{r['unplanned']:,} listed"
                ),
                (
                    f"regenerate {r['regenerate_s']:.1f} s; plan vs done read "
                    f"{r['plan_vs_done_read_s']:.1f} s"
                ),
                "yes" if r["meets_target"] else "no",
            ]
        )
    d = result["data"]
    return {
        "title": "Patrol routes and plans",
        "header": ["what", "gridwatch", "peer / other", "meets target"],
        "rows": rows,
        "notes": [
            (
                f"Reference: OR-Tools guided local search for "
                f"{result['reference']['time_limit_s']:.0f} s per route; targets: within "
                "2% in <= 1 s per route, a street's month in <= 30 s."
            ),
            (
                f"Street {d['street']}: {d['enterprises_street']:,} of "
                f"{d['enterprises_district']:,} enterprises, {d['wardens']} wardens, "
                f"window from {d['today']}."
            ),
            (
                "The services' runs read the demo database (geocoded locations, its "
                "own two years of activity), so their counts differ from the "
                "in-memory run, and between backends (the demo built on PostGIS has "
                "slightly different activity from SpatiaLite's)."
            ),
        ],
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--quick",
        action="store_true",
        help="9,000 enterprises, 2 instances per size, 3 s reference",
    )
    ap.add_argument("--enterprises", type=int, default=70_000)
    ap.add_argument("--instances", type=int, default=5)
    ap.add_argument("--reference-s", type=float, default=30.0)
    ap.add_argument(
        "--skip-services",
        action="store_true",
        help="leave out part 3 (the demo database and the services)",
    )
    args = ap.parse_args(argv)
    n = 9_000 if args.quick else args.enterprises
    per = 2 if args.quick else args.instances
    ref_s = 3.0 if args.quick else args.reference_s
    load_start = _load()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _common import environment, finish

    env = environment(["ortools", "pyvrp", "chinese-calendar"])
    frame, hazards, campaigns, bases, info = build_street(n)
    print(f"data: {json.dumps(info, ensure_ascii=False)}")
    instances = route_instances(frame, bases, SIZES, per, np.random.default_rng(SEED))
    print(f"part 1: {len(instances)} routes, reference {ref_s:.0f} s each")
    rows, summary = side_by_side(instances, ref_s)
    for s in summary:
        print(
            f"  {s['stops']:>2} stops: gridwatch gap mean {s['gridwatch_gap_mean']:.2%}"
            f" max {s['gridwatch_gap_max']:.2%}, {s['gridwatch_s_mean']:.3f} s mean "
            f"{s['gridwatch_s_max']:.3f} s max; PyVRP gap mean "
            f"{s['pyvrp_gap_mean']:.2%} max {s['pyvrp_gap_max']:.2%}"
        )
    print("part 2: the street's month plan")
    plan = month_plan(frame, hazards, campaigns, bases)
    print("  " + json.dumps(plan, ensure_ascii=False))
    services = []
    if not args.skip_services:
        print("part 3: the month plan through the services on a demo database")
        services = service_plans(n)
    result = {
        "benchmark": "patrol routes and month plan",
        "environment": finish(env),
        "data": {
            "source": "gridwatch.demo in memory (see bench/patrol.py docstring)",
            "seed": SEED,
            "street": STREET,
            "today": TODAY.isoformat(),
            **info,
        },
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_at_start": load_start,
            "load_at_end": _load(),
            "note": "shared machine; see load",
        },
        "versions": {p: version(p) for p in ("ortools", "pyvrp", "chinese-calendar")},
        "gridwatch_solver": {
            "first_solution": DEFAULT_OPTIONS.first_solution,
            "metaheuristic": DEFAULT_OPTIONS.metaheuristic,
            "time_limit_s": DEFAULT_OPTIONS.time_limit_s,
            "solutions_per_stop": DEFAULT_OPTIONS.solutions_per_stop,
        },
        "reference": {
            "solver": "OR-Tools PATH_CHEAPEST_ARC + GUIDED_LOCAL_SEARCH",
            "time_limit_s": ref_s,
        },
        "pyvrp": {"time_limit_s": DEFAULT_OPTIONS.time_limit_s, "seed": 1},
        "routes": {"summary": summary, "instances": rows},
        "month_plan": plan,
        "month_plan_services": services,
        "targets": {
            "routes_within_2pct_in_1s": all(s["meets_target"] for s in summary),
            "month_plan_le_30s": plan["meets_target"],
            "every_due_visit_planned_or_listed": plan["every_due_visit_accounted"],
            "services_month_plan_le_30s": all(r["meets_target"] for r in services)
            if services
            else None,
            "services_every_due_visit_stored_or_listed": all(
                r["every_due_visit_accounted"] for r in services
            )
            if services
            else None,
        },
    }
    result["readme"] = readme(result)
    if not args.quick:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(
            json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8"
        )
        print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
