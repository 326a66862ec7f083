"""The demo's annual figures beside the bureau's report (the seed), per 70,000 units.

Builds the demo district (``--enterprises``, default 9000) in a temporary data
folder, reads the figures of the running year and of the previous full year the
way the annual report does (:func:`gridwatch.services.bureau.report.annual_report_data`),
scales counts to the seed's 70,000 units and prints them beside the seed's
figures. Shares and percent of target are not scaled.

    PYTHONPATH=$PWD .venv/bin/python scripts/demo_vs_seed.py --enterprises 9000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile

#: The seed's figures (000_a6a5b89b605b3975.txt), and their unit.
SEED = {
    "units_inspected": (49718, "count"),
    "hazards_found": (28699, "count"),
    "penalties": (432, "count"),
    "fines": (153, "count"),
    "fine_amount": (2_196_200, "count"),
    "listed_hazards": (9, "count"),
    "standardisation_self_assessed": (1743, "count"),
    "standardisation_reviewed": (1610, "count"),
    "declarations": (1868, "count"),
    "safety_officers_trained": (4471, "count"),
    "accidents_serious": (0, "count"),
}
SEED_PCT = {
    "standardisation_self_assessed": 1.17,
    "standardisation_reviewed": 1.081,
    "declarations": 0.95,
    "safety_officers_trained": 1.04,
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--enterprises", type=int, default=9000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    from gridwatch.config import load_settings
    from gridwatch.services.actor import system_actor
    from gridwatch.services.bureau.report import annual_report_data
    from gridwatch.services.context import open_context
    from gridwatch.services.demo import build_demo

    today = dt.date.today()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            environ={"GRIDWATCH_DATA_DIR": tmp, "GRIDWATCH_PROGRESS": "0"}
        )
        ctx = open_context(settings)
        actor = system_actor("demo_vs_seed")
        build_demo(ctx, actor, n_enterprises=args.enterprises, write_maps=False)
        rows = []
        for year in (today.year - 1, today.year):
            data = annual_report_data(ctx, actor, year, today=today)
            scale = 70_000 / args.enterprises
            for key, (seed, _) in SEED.items():
                f = data.figures[key]
                rows.append(
                    {
                        "year": year,
                        "figure": key,
                        "label": f.label,
                        "demo": f.value,
                        "demo_per_70000": None
                        if f.value is None
                        else round(f.value * scale, 1),
                        "seed": seed,
                        "demo_pct_of_target": f.pct_of_target,
                        "seed_pct_of_target": SEED_PCT.get(key),
                        "period": data.period_note or f"{year}年",
                    }
                )
        ctx.close()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    print(f"demo of {args.enterprises} enterprises, counts scaled to 70,000 units")
    print(
        f"{'year':<5} {'figure':<34} {'demo':>10} {'per 70k':>10} {'seed':>10} "
        f"{'% target':>9} {'seed %':>7}"
    )
    for r in rows:
        pct, seed_pct = r["demo_pct_of_target"], r["seed_pct_of_target"]
        pct = "" if pct is None else f"{pct:.1%}"
        seed_pct = "" if seed_pct is None else f"{seed_pct:.1%}"
        print(
            f"{r['year']:<5} {r['figure']:<34} {r['demo'] or 0:>10.0f} "
            f"{r['demo_per_70000'] or 0:>10.0f} {r['seed']:>10} "
            f"{pct:>9} {seed_pct:>7}"
        )


if __name__ == "__main__":
    main()
