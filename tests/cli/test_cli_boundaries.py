"""Boundary import through the real command, each in a fresh process.

A fresh process matters: GDAL and SpatiaLite each bring an SQLite, and the order
they load in once crashed GeoPackage reads; an in-process runner would hide it.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "grids"
GRIDWATCH = [sys.executable, "-m", "gridwatch"]


@pytest.fixture
def gw(tmp_path):
    env = {
        **os.environ,
        "GRIDWATCH_DATA_DIR": str(tmp_path / "data"),
        "GRIDWATCH_PROGRESS": "0",
    }
    env.pop("GRIDWATCH_DATABASE_URL", None)

    def run(*args):
        return subprocess.run(
            [*GRIDWATCH, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,  # callers assert the exit code
        )

    return run


def test_import_shapefile_gbk_reimport_geopackage_and_parent_check(gw):
    r = gw(
        "boundaries",
        "import",
        str(DATA / "gbk_villages.zip"),
        "--level",
        "community",
        "--json",
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["inserted"] == 2
    r = gw(
        "boundaries",
        "import",
        str(DATA / "gbk_villages.zip"),
        "--level",
        "community",
        "--json",
    )
    assert json.loads(r.stdout)["unchanged"] == 2  # idempotent
    r = gw("boundaries", "list", "--level", "community", "--json")
    names = {u["name"] for u in json.loads(r.stdout)}
    assert names == {"张槎村", "大富村"}  # GBK DBF without .cpg read right
    # a GeoPackage read after SpatiaLite is loaded (this once crashed the process)
    r = gw("boundaries", "import", str(DATA / "metric_towns.gpkg"), "--level", "town")
    assert r.returncode == 0, r.stderr
    # these test villages lie outside the test town: refused, one sentence
    r = gw(
        "boundaries", "import", str(DATA / "gbk_villages.zip"), "--level", "community"
    )
    assert r.returncode == 1
    assert "lies mostly outside its parent" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_bow_tie_is_repaired_and_said(gw):
    r = gw(
        "boundaries",
        "import",
        str(DATA / "bowtie_village.geojson"),
        "--level",
        "community",
    )
    assert r.returncode == 0, r.stderr
    assert "make_valid" in r.stdout


@pytest.mark.parametrize(
    "name,level,words",
    [
        ("empty.geojson", "community", "no features"),
        ("points.geojson", "town", "no polygons"),
        ("missing.geojson", "town", "does not exist"),
    ],
)
def test_bad_files_are_one_sentence(gw, name, level, words):
    r = gw("boundaries", "import", str(DATA / name), "--level", level)
    assert r.returncode != 0
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("Error:")]
    assert len(lines) == 1 and words in lines[0], r.stderr
    assert "Traceback" not in r.stderr
