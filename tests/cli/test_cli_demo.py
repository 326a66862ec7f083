"""`gridwatch demo --json` in a fresh process: counts per table, maps on disk."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_demo_json_reports_counts_per_table_and_writes_maps(tmp_path):
    env = {
        **os.environ,
        "GRIDWATCH_DATA_DIR": str(tmp_path / "data"),
        "GRIDWATCH_PROGRESS": "0",
    }
    env.pop("GRIDWATCH_DATABASE_URL", None)
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "gridwatch",
            "demo",
            "--enterprises",
            "300",
            "--no-serve",
            "--json",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,  # the exit code is asserted with stderr shown
    )
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    counts = summary["counts"]
    assert counts["enterprises"] == 300 and counts["admin_units"] == 152
    assert counts["grids"] > 0 and counts["inspections"] > 0 and counts["hazards"] > 0
    for kind in ("coverage", "hotspots", "grids"):
        page = Path(summary["maps"][kind])
        assert page.exists() and page.stat().st_size > 10_000
    assert all(u["password"] for u in summary["logins"])
    # the passwords were printed once; the database keeps only hashes
    import sqlite3

    con = sqlite3.connect(tmp_path / "data" / "gridwatch.sqlite")
    hashes = [h for (h,) in con.execute("SELECT password_hash FROM users")]
    con.close()
    assert not {u["password"] for u in summary["logins"]} & set(hashes)
    assert all(h.startswith(("scrypt:", "pbkdf2:", "!")) for h in hashes)
