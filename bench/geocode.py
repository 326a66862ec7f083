"""Benchmark: gridwatch's offline geocoder vs JioNLP ``parse_location``.

Both run on the same messy registry addresses from the demo generator, whose
ground truth (true door plate, town, village/community, point) is known.

    .venv/bin/python bench/geocode.py                 # 9,000 enterprises
    .venv/bin/python bench/geocode.py --n 70000       # the whole district
    .venv/bin/python bench/geocode.py --sample 500    # quicker JioNLP side

JioNLP (~330 addresses/s) runs on a ``--sample`` of the addresses; gridwatch on
the same sample and then on all of them, once on the address alone and once
with the enterprise name as a tie-breaking hint (``geocode_many(..., hints=)``).
Results go to ``bench/results/geocode.json`` under the key ``n=<enterprises>``. Accuracy is scored only on addresses
that name the town (community), as the issue's targets say. Writes
``bench/results/geocode.json`` and prints a table. Not a timed test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Geod

# run as a script from a checkout even when gridwatch is not pip-installed
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gridwatch.demo import generate_district
from gridwatch.geocode import Gazetteer, geocode_many
from gridwatch.geocode.gazetteer import town_aliases
from gridwatch.geocode.normalize import normalise_address

RESULTS = Path(__file__).resolve().parent / "results" / "geocode.json"
GEOD = Geod(ellps="WGS84")


def _clear_caches() -> None:
    """Start each timed run cold: no normalised address is cached."""
    normalise_address.cache_clear()


class Timer:
    """Wall-clock and CPU seconds: the machine is shared, so report both."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def run_gridwatch(addresses: list[str], gaz: Gazetteer, hints=None):
    _clear_caches()
    with Timer() as t:
        out = geocode_many(addresses, gaz, hints=hints)
    return out, t


def run_jionlp(addresses: list[str]) -> tuple[list[dict], float]:
    import jionlp

    jionlp.parse_location("广东省佛山市禅城区", town_village=True)   # load its dictionaries
    out = []
    with Timer() as t:
        for a in addresses:
            try:
                out.append(jionlp.parse_location(a, town_village=True))
            except Exception as exc:  # noqa: BLE001 (count a crash as a miss)
                out.append({"error": repr(exc)})
    return out, t


def _name_sets(towns: pd.DataFrame, communities: pd.DataFrame):
    town_names = {str(c): set(town_aliases(n)) for c, n in zip(towns["code"], towns["name"])}
    comm_names = {str(c): {normalise_address(n), normalise_address(s), n, s}
                  for c, n, s in zip(communities["code"], communities["name"],
                                     communities["short_name"])}
    return town_names, comm_names


def score_jionlp(results, truth: pd.DataFrame, town_names, comm_names) -> dict:
    town_ok, comm_ok, in_district = [], [], []
    for r, (_, t) in zip(results, truth.iterrows()):
        town = normalise_address(r.get("town") or "")
        village = normalise_address(r.get("village") or "")
        in_district.append(r.get("county") == "禅城区")
        if t["names_town"]:
            town_ok.append(bool(town) and town in town_names[t["true_town_code"]])
        if t["names_community"]:
            comm_ok.append(bool(village) and village in comm_names[t["true_community_code"]])
    return {"town_accuracy": _share(town_ok), "community_accuracy": _share(comm_ok),
            "district_correct": _share(in_district), "door_level": None,
            "errors": sum(1 for r in results if "error" in r)}


def _share(flags) -> float | None:
    return round(float(np.mean(flags)), 4) if len(flags) else None


def score_gridwatch(out: pd.DataFrame, truth: pd.DataFrame) -> dict:
    t = truth.reset_index(drop=True)
    o = out.reset_index(drop=True)
    town_hit = o["town_code"].astype(str) == t["true_town_code"].astype(str)
    comm_hit = o["community_code"].astype(str) == t["true_community_code"].astype(str)
    in_gaz = t["address_variant"].eq("normal") & t["true_addr_id"].notna()
    placed = o["lng"].notna()
    err = np.full(len(o), np.nan)
    both = placed & t["true_lng"].notna()
    err[both.to_numpy()] = GEOD.inv(o.loc[both, "lng"], o.loc[both, "lat"],
                                    t.loc[both, "true_lng"], t.loc[both, "true_lat"])[2]
    door_ok = (o["precision"] == "door") & (err <= 30)
    err_gaz = err[(in_gaz & placed).to_numpy()]
    high_wrong = (o["reliability"] >= 7) & ~town_hit
    # road-level placements of any address with a known true point (mostly door
    # numbers past a road's end, placed on the road in the named village/town)
    road_err = err[((o["precision"] == "road") & both).to_numpy()]
    return {
        "town_accuracy": _share(town_hit[t["names_town"]]),
        "community_accuracy": _share(comm_hit[t["names_community"]]),
        "door_level_within_30m": _share(door_ok[in_gaz]),
        "median_error_m": _round(np.nanmedian(err_gaz)) if len(err_gaz) else None,
        "p95_error_m": _round(np.nanpercentile(err_gaz, 95)) if len(err_gaz) else None,
        "high_reliability_wrong_town": int(high_wrong.sum()),
        "road_level_median_error_m": _round(np.median(road_err)) if len(road_err) else None,
        "precision_counts": o["precision"].value_counts().to_dict(),
        "flagged_town_conflict": int(o["flags"].str.contains("town_conflict").sum()),
        "n_in_gazetteer": int(in_gaz.sum()),
    }


def _speed(n: int, t: Timer) -> dict:
    return {"n": n, "wall_s": round(t.wall, 3), "cpu_s": round(t.cpu, 3),
            "per_s": round(n / t.wall), "per_cpu_s": round(n / t.cpu)}


def _round(x) -> float:
    return round(float(x), 1)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=9000, help="enterprises (default 9000)")
    ap.add_argument("--sample", type=int, default=2000, help="addresses for JioNLP")
    ap.add_argument("--seed", type=int, default=20131)
    ap.add_argument("--no-jionlp", action="store_true")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    d = generate_district(n_enterprises=args.n, seed=args.seed)
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    gaz = Gazetteer.build(d.address_points, d.roads, d.towns, d.communities)
    t_build = time.perf_counter() - t0
    ents = d.enterprises.reset_index(drop=True)
    addresses = ents["address"].tolist()
    sample = ents.iloc[: args.sample]
    town_names, comm_names = _name_sets(d.towns, d.communities)

    rows = {}
    g_sample, t = run_gridwatch(sample["address"].tolist(), gaz)
    rows["gridwatch (sample)"] = {**_speed(len(sample), t), **score_gridwatch(g_sample, sample)}
    if not args.no_jionlp:
        j_out, t = run_jionlp(sample["address"].tolist())
        rows["jionlp (sample)"] = {**_speed(len(sample), t),
                                   **score_jionlp(j_out, sample, town_names, comm_names)}
    g_all, t = run_gridwatch(addresses, gaz)
    rows["gridwatch (all)"] = {**_speed(len(addresses), t), **score_gridwatch(g_all, ents)}
    # the enterprise name as a hint ("石湾德鸿石材店" says 石湾) for ties only
    g_all, t = run_gridwatch(addresses, gaz, hints=ents["name"].tolist())
    rows["gridwatch (all, +names)"] = {**_speed(len(addresses), t),
                                       **score_gridwatch(g_all, ents)}
    report = {
        "benchmark": "geocode", "seed": args.seed, "n_enterprises": args.n,
        "n_address_points": len(d.address_points), "n_roads": len(d.roads),
        "generate_s": round(t_gen, 2), "gazetteer_build_s": round(t_build, 2),
        "python": sys.version.split()[0], "machine": platform.machine(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "runs": rows,
    }
    if "jionlp (sample)" in rows:
        g, j = rows["gridwatch (sample)"], rows["jionlp (sample)"]
        report["speedup_vs_jionlp"] = round(g["per_cpu_s"] / j["per_cpu_s"], 1)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    # one entry per registry size, so the 9,000 and 70,000 runs sit side by side
    previous = json.loads(RESULTS.read_text("utf-8")) if RESULTS.exists() else {}
    previous[f"n={args.n}"] = report
    RESULTS.write_text(json.dumps(previous, ensure_ascii=False, indent=2, default=str),
                       "utf-8")
    _print(report)
    return 0


def _fmt(column: str, v) -> str:
    if v is None:
        return "-"
    if column.endswith(("_accuracy", "_30m")):
        return f"{100 * v:.1f}%"
    return str(v)


def _print(report: dict) -> None:
    cols = ["n", "per_s", "per_cpu_s", "town_accuracy", "community_accuracy", "door_level_within_30m",
            "median_error_m", "p95_error_m", "high_reliability_wrong_town"]
    head = ["run"] + cols
    lines = [head] + [[name] + [_fmt(c, r.get(c)) for c in cols]
                      for name, r in report["runs"].items()]
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(head))]
    for line in lines:
        print("  ".join(str(v).ljust(w) for v, w in zip(line, widths)))
    if "speedup_vs_jionlp" in report:
        print(f"gridwatch / JioNLP throughput (CPU time): {report['speedup_vs_jionlp']}x")
    print(f"per_s = addresses per wall-clock second, per_cpu_s = per CPU second "
          f"(load average {report['load_average']} on a shared machine)")
    print(f"gazetteer build {report['gazetteer_build_s']} s; "
          f"{report['n_address_points']} plates, {report['n_roads']} road segments")
    print(f"precision (all): {report['runs']['gridwatch (all)']['precision_counts']}")


if __name__ == "__main__":
    raise SystemExit(main())
