"""Benchmark: the warden/street/bureau services on the demo, scope in SQL vs the peer.

Run (after building a demo into GRIDWATCH_DATA_DIR, e.g.
``gridwatch demo --enterprises 70000 --no-serve``)::

    GRIDWATCH_DATA_DIR=... .venv/bin/python bench/warden_services.py [--repeat 20]
    GRIDWATCH_DATABASE_URL=postgresql+psycopg://... .venv/bin/python \\
        bench/warden_services.py --label postgis

One process, one client, in-process calls (no HTTP: that is ``bench/web.py``'s
job). For a sample of wardens: ``my_grids``, ``todo`` (first page) and
``enterprise_file`` of one of their enterprises; for each street office
``street_overview``; for the bureau ``bureau_coverage``. The peer is what the
services must not do: load the district with the maps' loader as ``system``
(every enterprise, every inspection) and keep the warden's rows in pandas.
A trivial ``SELECT 1`` on the same engine is the floor. Every call is timed
``--repeat`` times after one warm-up; p50/p95/max in milliseconds. Writes
``bench/results/warden_services[-LABEL].json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from gridwatch.config import load_settings
from gridwatch.db.models import GridWarden, User, Warden
from gridwatch.services.actor import Actor, system_actor
from gridwatch.services.context import open_context
from gridwatch.services.enterprise_file import enterprise_file
from gridwatch.services.maps import load_map_data
from gridwatch.services.overview import bureau_coverage, street_overview
from gridwatch.services.todo import todo
from gridwatch.services.warden import my_grids

OUT = Path(__file__).with_name("results")


def _timed(fn, repeat: int) -> dict:
    fn()  # warm-up (caches, first connection)
    ms = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t0) * 1000)
    ms.sort()
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(ms[-1], 1),
    }


def _wardens(ctx, k: int) -> list[Actor]:
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            sa.select(User.username, User.scope_code, User.id, Warden.id)
            .join(Warden, Warden.user_id == User.id)
            .where(Warden.id.in_(sa.select(GridWarden.warden_id)))
            .order_by(User.username)
        ).all()
    step = max(1, len(rows) // k)
    return [Actor(u, "warden", s, user_id=uid, warden_id=wid)
            for u, s, uid, wid in rows[::step][:k]]


def _peer_warden_rows(ctx, actor: Actor, codes: set[str]):
    """The forbidden way: the whole district, then the warden's grids in pandas."""
    data = load_map_data(ctx, system_actor("bench"))
    return data.enterprises[data.enterprises["grid_code"].isin(codes)]


def _merge(parts: list[dict]) -> dict:
    """Pool per-actor timings: the median of p50s, the worst p95 and max."""
    return {
        "actors": len(parts),
        "p50_ms": round(statistics.median(p["p50_ms"] for p in parts), 1),
        "p95_ms": max(p["p95_ms"] for p in parts),
        "max_ms": max(p["max_ms"] for p in parts),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--wardens", type=int, default=8)
    ap.add_argument("--label", default="")
    args = ap.parse_args(argv)
    ctx = open_context(load_settings(), migrate_mode="check")
    with ctx.engine.connect() as conn:
        n_ent = conn.execute(sa.text("SELECT count(*) FROM enterprises")).scalar()
        n_insp = conn.execute(sa.text("SELECT count(*) FROM inspections")).scalar()

    def floor():
        with ctx.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1")).scalar()

    results: dict = {"select_1": _timed(floor, args.repeat)}
    per: dict[str, list] = {"my_grids": [], "todo": [], "enterprise_file": []}
    sizes, peer = [], []
    for w in _wardens(ctx, args.wardens):
        mg = my_grids(ctx, w)
        sizes.append(len(mg.enterprises))
        eid = int(mg.enterprises["id"].iloc[0])
        per["my_grids"].append(_timed(lambda w=w: my_grids(ctx, w), args.repeat))
        per["todo"].append(_timed(lambda w=w: todo(ctx, w), args.repeat))
        per["enterprise_file"].append(
            _timed(lambda w=w, e=eid: enterprise_file(ctx, w, e), args.repeat)
        )
        codes = set(mg.grids["code"])
        peer.append(_timed(lambda w=w, c=codes: _peer_warden_rows(ctx, w, c), 3))
    results.update({k: _merge(v) for k, v in per.items()})
    results["peer_load_district_then_filter"] = _merge(peer)
    with ctx.engine.connect() as conn:
        towns = conn.execute(
            sa.text("SELECT code FROM admin_units WHERE level = 'town' ORDER BY code")
        ).scalars().all()
    offices = [Actor(f"office_{t}", "street_office", t) for t in towns]
    results["street_overview"] = _merge(
        [_timed(lambda o=o: street_overview(ctx, o), max(3, args.repeat // 4))
         for o in offices]
    )
    results["bureau_coverage"] = _timed(
        lambda: bureau_coverage(ctx, Actor("bench", "bureau")), max(3, args.repeat // 4)
    )
    report = {
        "database": ctx.engine.dialect.name,
        "n_enterprises": n_ent,
        "n_inspections": n_insp,
        "warden_enterprises": {"min": min(sizes), "max": max(sizes),
                               "median": statistics.median(sizes)},
        "repeat": args.repeat,
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_at_end": list(os.getloadavg()),
        "results": results,
    }
    OUT.mkdir(exist_ok=True)
    name = "warden_services" + (f"-{args.label}" if args.label else "") + ".json"
    (OUT / name).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
    print()
    ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
