"""The supervision workflow through the command line, on the default SpatiaLite."""

import json

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from gridwatch.cli import main
from gridwatch.config import load_settings
from gridwatch.services.context import open_context
from tests.db.conftest import build_small_district, make_code


@pytest.fixture
def cli_ctx(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GRIDWATCH_PROGRESS", "0")
    monkeypatch.delenv("GRIDWATCH_DATABASE_URL", raising=False)
    ctx = open_context(load_settings())
    build_small_district(ctx)
    yield ctx
    ctx.close()


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_import_with_rejects_exits_3_and_counts_add_up(cli_ctx, tmp_path):
    f = tmp_path / "r.csv"
    f.write_text(
        "企业名称,统一社会信用代码,地址,风险等级\n"
        f"新厂,{make_code(500)},张槎路1号,红\n"
        "坏厂,123,张槎路2号,红\n",
        encoding="utf-8",
    )
    r = run("enterprises", "import", str(f), "--json")
    assert r.exit_code == 3, r.output
    data = json.loads(r.output)
    assert data["rows"] == data["valid"] + data["rejected"] + data["blank"] == 2
    assert data["rejects"][0]["row"] == 3 and data["rejects"][0]["field"] == "uscc"


def test_grids_build_check_and_broken_tiling_exit_code(cli_ctx):
    r = run("grids", "build", "--grids-per-unit", "2", "--activate", "--json")
    assert r.exit_code == 0, r.output
    vid = json.loads(r.output)["version"]
    assert run("grids", "check").exit_code == 0
    with cli_ctx.engine.begin() as conn:  # shrink one grid: a gap appears
        conn.execute(
            sa.text(
                "UPDATE grids SET geom = ST_Buffer(geom, -0.001) WHERE version_id = :v AND "
                "code = '440604011001001'"
            ),
            {"v": vid},
        )
    r = run("grids", "check", "--json")
    assert r.exit_code == 1
    assert json.loads(r.output)["overall"]["gap_m2"] > 1000


def test_grids_build_needs_exactly_one_size(cli_ctx):
    r = run("grids", "build", "--grids-per-unit", "2", "--target-workload", "5")
    assert r.exit_code != 0
    assert r.output.strip().splitlines() == [
        "Error: Give exactly one of --target-workload, --grids-per-unit or --cell-size."
    ]


def test_assign_lists_enterprises_without_location(cli_ctx):
    assert run("grids", "build", "--grids-per-unit", "2", "--activate").exit_code == 0
    r = run("assign", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["assigned"] == 60
    assert data["no_location"][0]["uscc"] == make_code(99)
    r = run("wardens", "assign", "--street", "440604011")
    assert r.exit_code == 0 and "4 wardens" in r.output


def test_unknown_grid_code_is_one_sentence(cli_ctx):
    assert run("grids", "build", "--grids-per-unit", "2").exit_code == 0
    r = run("grids", "split", "440604011009009")
    assert r.exit_code != 0 and "is not in draft version" in r.output


def test_gazetteer_import_then_geocode_address(cli_ctx, tmp_path):
    pts = tmp_path / "plates.csv"
    pts.write_text(
        "地址编码,镇街代码,村居,路名,门牌号,标准地址,经度,纬度,坐标系\n"
        "p1,440604011,甲社区,兴业路,8,张槎街道甲社区兴业路8号,113.005,23.005,wgs84\n"
        "p2,440604011,乙村,兴业路,10,张槎街道乙村兴业路10号,113.025,23.005,wgs84\n"
        "p3,440604011,乙村,兴业路,12,,not-a-number,23.005,wgs84\n",
        encoding="gbk",
    )
    r = run("gazetteer", "import", str(pts), "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["points"] == 2 and [x["row"] for x in data["rejected"]] == [4]
    r = run("geocode", "address", "佛山市禅城区张槎街道兴业路１０号", "--json")
    assert r.exit_code == 0, r.output
    hit = json.loads(r.output)
    assert hit["precision"] == "door" and abs(hit["lng"] - 113.025) < 1e-6
