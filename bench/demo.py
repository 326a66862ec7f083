"""Benchmark: how long ``gridwatch demo`` takes, stage by stage (no peer).

Runs ``gridwatch demo --enterprises N --json --no-serve`` in a child process, for
9,000 and 70,000 enterprises, each in a fresh data directory (embedded SpatiaLite,
the default), and keeps from the demo's own JSON summary its stage timings
(``timings_s``), its total (``total_s``) and the rows per table. Also recorded:
the child's wall time (Python start-up and imports included), its CPU time (user +
system; well below the wall time means the machine was busy with other work) and
the database file's size. The logins the demo prints are not kept.

    .venv/bin/python bench/demo.py [--sizes 9000,70000] [--repeat 1] [--out FILE]

One run per size by default (a 70,000 run takes over a minute); ``--repeat 3``
keeps the fastest. Writes ``bench/results/demo.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import RESULTS, ROOT, environment, finish

OUT = RESULTS / "demo.json"


def _child_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_demo(n: int) -> dict:
    """One ``gridwatch demo`` run in a fresh data directory; the figures."""
    with tempfile.TemporaryDirectory(prefix="gw-bench-demo-") as tmp:
        env = os.environ | {
            "GRIDWATCH_DATA_DIR": tmp,
            "GRIDWATCH_PROGRESS": "0",
            "PYTHONPATH": str(ROOT),
        }
        env.pop("GRIDWATCH_DATABASE_URL", None)  # the default: embedded SpatiaLite
        cmd = [
            sys.executable,
            "-m",
            "gridwatch",
            "demo",
            "--enterprises",
            str(n),
            "--json",
            "--no-serve",
        ]
        cpu0, t0 = _child_cpu(), time.perf_counter()
        got = subprocess.run(
            cmd, env=env, capture_output=True, text=True, check=False, cwd=ROOT
        )
        wall, cpu = time.perf_counter() - t0, _child_cpu() - cpu0
        if got.returncode != 0:
            raise SystemExit(
                f"gridwatch demo --enterprises {n} failed "
                f"(exit {got.returncode}):\n{got.stderr[-2000:]}"
            )
        summary = json.loads(got.stdout)
        db = Path(tmp) / "gridwatch.sqlite"
        size = db.stat().st_size if db.exists() else None
    return {
        "enterprises": n,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "total_s": summary["total_s"],
        "timings_s": summary["timings_s"],
        "counts": summary["counts"],
        "database_mb": round(size / 1e6, 1) if size else None,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--sizes", default="9000,70000", help="comma-separated enterprise counts"
    )
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs per size; the fastest (by the demo's total) is kept",
    )
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    env = environment([])
    rows = []
    for n in sizes:
        runs = [run_demo(n) for _ in range(args.repeat)]
        best = min(runs, key=lambda r: r["total_s"])
        best["runs_total_s"] = [r["total_s"] for r in runs]
        rows.append(best)
        print(
            f"demo {n:,}: {best['total_s']} s (wall {best['wall_s']} s, "
            f"cpu {best['cpu_s']} s) {best['timings_s']}",
            file=sys.stderr,
        )
    report = {
        "benchmark": "gridwatch demo",
        "environment": finish(env),
        "timing": f"{'best of ' + str(args.repeat) if args.repeat > 1 else 'one run'}"
        " per size; stage timings and total_s from the demo's own --json "
        "summary; wall_s and cpu_s of the child process",
        "backend": "SpatiaLite (default)",
        "runs": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8"
    )
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
