"""The registry commands: import (output paths, dry run, datum advice, value maps),
export, list, show, and the vocabularies."""

import json

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from gridwatch.cli import main
from gridwatch.config import load_settings
from gridwatch.services.context import open_context
from gridwatch.vocab import VOCABULARIES
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
    return CliRunner().invoke(main, [str(a) for a in args])


def _count(ctx):
    with ctx.engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM enterprises")).scalar()


@pytest.fixture
def registry_csv(tmp_path):
    f = tmp_path / "r.csv"
    f.write_text(
        "序号,统一社会信用代码,企业名称,地址,行业类别,风险等级,法定代表人,所属镇街,经度,纬度,备注\n"
        f"1,{make_code(501)},甲厂,张槎路1号,非金属矿物制品业,红,张三,张槎街道,,,重点\n"
        f"2,{make_code(502)},乙厂,张槎路2号,瓷片厂,橙,,张槎,113.03,23.01,\n"
        "合计,,,,,,,,,,\n",
        encoding="gbk",
    )
    return f


def test_import_rejects_path_checked_before_anything_is_stored(cli_ctx, registry_csv):
    n = _count(cli_ctx)
    r = run("enterprises", "import", registry_csv, "--rejects", "/no/such/dir/r.csv")
    assert r.exit_code == 1
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert (
        len(lines) == 1 and "/no/such/dir" in lines[0] and "does not exist" in lines[0]
    )
    assert _count(cli_ctx) == n


def test_import_dry_run_reports_what_would_happen(cli_ctx, registry_csv):
    r = run(
        "enterprises",
        "import",
        registry_csv,
        "--dry-run",
        "--datum",
        "wgs84",
        "--map-values",
        "行业类别:瓷片厂=陶瓷",
    )
    assert r.exit_code == 0, r.output
    assert "would import: 2 new, 0 updated, 0 unchanged" in r.output
    assert "1 totals rows skipped" in r.output
    assert _count(cli_ctx) == 61


def test_import_without_datum_names_the_option(cli_ctx, registry_csv):
    r = run("enterprises", "import", registry_csv)
    assert r.exit_code == 3
    assert "--datum" in r.output and "坐标系" in r.output


def test_import_then_list_show_export(cli_ctx, registry_csv, tmp_path):
    r = run(
        "enterprises",
        "import",
        registry_csv,
        "--datum",
        "wgs84",
        "--map-values",
        "行业类别:瓷片厂=陶瓷",
        "--json",
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert (
        data["rows"]
        == data["valid"] + data["rejected"] + data["blank"] + data["totals"]
        == 3
    )
    assert data["extra_columns"] == ["备注"]
    assert data["row_number_columns"] == ["序号"]
    r = run("enterprises", "list", "--town", "张槎街道", "--risk", "红", "--json")
    listed = json.loads(r.output)
    assert make_code(501) in {e["uscc"] for e in listed["enterprises"]}
    r = run("enterprises", "show", make_code(501), "--json")
    shown = json.loads(r.output)
    assert shown["extra_attrs"] == {"备注": "重点"}
    assert shown["legal_representative"] == "张三" and shown["industry_code"] == "30"
    r = run("enterprises", "show", make_code(501))
    assert "法定代表人: 张三" in r.output and "备注: 重点" in r.output
    out = tmp_path / "e.csv"
    assert run("enterprises", "export", "--out", out).exit_code == 0
    again = json.loads(run("enterprises", "import", out, "--json").output)
    assert (again["inserted"], again["updated"], again["rejected"]) == (0, 0, 0)


def test_export_to_a_missing_folder_is_one_sentence(cli_ctx):
    r = run("enterprises", "export", "--out", "/no/such/dir/e.csv")
    assert r.exit_code == 1 and "does not exist" in r.output


@pytest.mark.parametrize("bad", ["行业类别=陶瓷", "行业类别:瓷片厂", ":a=b"])
def test_map_values_format_is_checked(cli_ctx, registry_csv, bad):
    r = run("enterprises", "import", registry_csv, "--map-values", bad)
    assert r.exit_code == 1 and "行业类别:旧值=新值" in r.output


def test_show_unknown_code_is_one_sentence(cli_ctx):
    r = run("enterprises", "show", "91440604MA00000000")
    assert r.exit_code == 1 and "No enterprise" in r.output


def test_list_bad_filter_is_one_sentence(cli_ctx):
    r = run("enterprises", "list", "--risk", "紫")
    assert r.exit_code == 1 and r.output.startswith("Error:")


@pytest.mark.parametrize("name", [*VOCABULARIES, "industries", "datums"])
def test_every_vocabulary_prints_as_json(name):
    r = run("vocab", name, "--json")
    assert r.exit_code == 0, r.output
    entries = json.loads(r.output)
    assert entries and all("code" in e for e in entries)


def test_vocab_sectors_lists_the_gbt4754_mapping():
    entries = {
        e["code"]: e for e in json.loads(run("vocab", "sectors", "--json").output)
    }
    assert "30 非金属矿物制品业" in entries["building_materials"]["gbt4754"]
    assert "瓷砖" in entries["ceramics"]["accepts"]


def test_summary_is_shown_even_when_the_rejects_file_then_fails(
    cli_ctx, registry_csv, tmp_path, monkeypatch
):
    from gridwatch import registry

    def full_disk(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(registry, "write_rejects", full_disk)
    r = run(
        "enterprises",
        "import",
        registry_csv,
        "--datum",
        "wgs84",
        "--map-values",
        "行业类别:瓷片厂=陶瓷",
        "--rejects",
        tmp_path / "rej.csv",
    )
    assert r.exit_code == 1
    assert "2 new" in r.output and "No space left" in r.output
    assert r.output.index("2 new") < r.output.index("No space left")
