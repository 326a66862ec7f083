"""gridwatch geocode / gazetteer through the command line, on SpatiaLite."""

import json

import pytest
from click.testing import CliRunner

from gridwatch.cli import main
from gridwatch.config import load_settings
from gridwatch.services.context import open_context
from tests.db.conftest import build_small_district

PLATES = (
    "地址编码,镇街代码,村居,路名,门牌号,标准地址,经度,纬度,坐标系\n"
    "p1,440604011,甲社区,兴业路,8,张槎街道甲社区兴业路8号,113.005,23.005,wgs84\n"
    "p2,440604011,乙村,兴业路,10,张槎街道乙村兴业路10号,113.025,23.005,wgs84\n"
)


@pytest.fixture
def cli_ctx(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GRIDWATCH_PROGRESS", "0")
    monkeypatch.delenv("GRIDWATCH_DATABASE_URL", raising=False)
    monkeypatch.delenv("GRIDWATCH_FORMER_NAMES", raising=False)
    ctx = open_context(load_settings())
    build_small_district(ctx)
    plates = tmp_path / "plates.csv"
    plates.write_text(PLATES, encoding="gbk")
    assert run("gazetteer", "import", str(plates)).exit_code == 0
    yield ctx
    ctx.close()


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_gazetteer_import_header_only_replaces_nothing(cli_ctx, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text(PLATES.splitlines()[0] + "\n", encoding="gbk")
    r = run("gazetteer", "import", str(empty))
    assert r.exit_code != 0 and "no usable door plate" in r.output
    assert "nothing was replaced" in r.output
    r = run("gazetteer", "coverage", "--json")
    assert json.loads(r.output)["door_plates"] == 2


def test_gazetteer_import_bogus_datum_is_one_sentence(cli_ctx, tmp_path):
    plates = tmp_path / "p.csv"
    plates.write_text(
        PLATES.replace(",坐标系", "").replace(",wgs84", ""), encoding="gbk"
    )
    r = run("gazetteer", "import", str(plates), "--datum", "bogus")
    assert r.exit_code != 0 and "bogus" in r.output
    assert len(r.output.strip().splitlines()) == 1
    assert json.loads(run("gazetteer", "coverage", "--json").output)["door_plates"] == 2


def test_geocode_prints_coverage_then_review_list(cli_ctx):
    r = run("geocode", "--all")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].startswith("The gazetteer has door plates in 1 of 1 towns")
    assert "need a person to check them" in r.output
    assert "某村委会旁" in r.output  # the one enterprise it could not place


def test_geocode_address_with_registry_town(cli_ctx):
    r = run("geocode", "address", "兴业路8号", "--town", "张槎街道", "--json")
    data = json.loads(r.output)
    assert data["precision"] == "door" and "town_from_hint" in data["flags"]
    assert data["reliability"] == 8


def test_gazetteer_former_names_lists_the_table(cli_ctx):
    r = run("gazetteer", "former-names")
    assert r.exit_code == 0 and "石湾区 [district, 1984-2002] → 禅城区" in r.output
