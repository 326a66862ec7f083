"""What every benchmark records next to its figures, and one way to time things.

Imported by the scripts in ``bench/`` (run as ``python bench/<name>.py``, so this
directory is on ``sys.path``); ``scripts/run-bench.sh`` skips files starting with
``_``. Not part of the gridwatch package.

:func:`environment` gives the date, the machine, the CPU count, the load average
(``os.getloadavg()``: 1, 5 and 15 minutes) at the start, the versions of gridwatch
and of its peers, and the git commit; call :func:`finish` before writing the JSON to
add the load average at the end. The machine these run on is shared, so the load is
part of the result: a ratio measured at load 4 on 2 cores is not a quiet-machine
ratio.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
import subprocess
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        dirty = subprocess.run(
            # results and the README they feed change during a bench run
            [
                "git",
                "-C",
                str(ROOT),
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                ".",
                ":!bench/results",
                ":!README.md",
            ],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def environment(peers: Iterable[str] = (), **extra) -> dict:
    """Date, machine, CPUs, load average now, and versions (gridwatch + ``peers``).

    ``peers`` are distribution names (``"geopandas"``, ``"spopt"``); ``extra`` adds
    versions found another way (PostGIS, Chromium). Missing packages give None.
    """
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": platform.platform(),
        "processor": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_start": [round(v, 2) for v in os.getloadavg()],
        "python": platform.python_version(),
        "gridwatch": _version("gridwatch"),
        "commit": _commit(),
        "versions": {p: _version(p) for p in peers} | extra,
    }


def finish(env: dict) -> dict:
    """Add the load average at the end (1, 5, 15 minutes) and return ``env``."""
    env["load_average_end"] = [round(v, 2) for v in os.getloadavg()]
    return env


def best_of(
    fn: Callable[[], object],
    repeat: int,
    setup: Callable[[], None] | None = None,
) -> tuple[float, list[float], object]:
    """Best wall time of ``repeat`` calls, every time, and the last result.

    ``setup`` runs before each call, untimed (fresh inputs, dropped caches). The
    best of several runs is reported because the machine is shared: the other runs'
    extra time is other people's load, not the method's.
    """
    runs, out = [], None
    for _ in range(repeat):
        if setup is not None:
            setup()
        t0 = time.perf_counter()
        out = fn()
        runs.append(round(time.perf_counter() - t0, 4))
    return min(runs), runs, out
