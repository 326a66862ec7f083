"""The bureau's commands: the annual report, accidents, the safety-records import,
the assessment."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from docx import Document

from gridwatch.cli import main
from gridwatch.config import load_settings
from gridwatch.services.context import open_context
from tests.db.bureau_world import build_bureau_world, code

pytestmark = pytest.mark.slow


@pytest.fixture
def cli_ctx(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GRIDWATCH_PROGRESS", "0")
    monkeypatch.delenv("GRIDWATCH_DATABASE_URL", raising=False)
    ctx = open_context(load_settings())
    build_bureau_world(ctx, tmp_path)
    yield ctx
    ctx.close()


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_report_annual_writes_word_and_annex(cli_ctx, tmp_path):
    out = tmp_path / "out" / "report.docx"
    r = run("report", "annual", "--year", "2026", "--out", str(out))
    assert r.exit_code == 0, r.output
    assert out.exists() and out.with_suffix(".xlsx").exists()
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "2026年度安全生产工作报告" in text and "行政处罚" in text
    bad = run("report", "annual", "--year", "2099", "--out", str(out))
    assert bad.exit_code != 0 and bad.output.count("\n") == 1, bad.output
    # a year no report can have is refused at the command line (cli.params.YEAR)
    assert run("report", "annual", "--year", "2999", "--out", str(out)).exit_code == 2


def test_report_template_with_a_misspelt_figure_names_its_line(cli_ctx, tmp_path):
    t = tmp_path / "t.j2"
    t.write_text("# 报告\n\n处罚{{ f.penaltys.text }}\n", encoding="utf-8")
    r = run(
        "report",
        "annual",
        "--year",
        "2026",
        "--out",
        str(tmp_path / "x.docx"),
        "--template",
        str(t),
    )
    assert r.exit_code != 0 and "penaltys" in r.output and "line 3" in r.output


def test_accidents_add_warns_and_refuses_an_unknown_grade(cli_ctx):
    r = run(
        "accidents",
        "add",
        "--date",
        "2026-05-01",
        "--place",
        "某厂",
        "--uscc",
        code(12),
        "--grade",
        "一般",
        "--deaths",
        "3",
        "--json",
    )
    assert r.exit_code == 0, r.output
    assert "应为较大事故" in json.loads(r.output)["warning"]
    bad = run(
        "accidents",
        "add",
        "--date",
        "2026-05-01",
        "--place",
        "某厂",
        "--uscc",
        code(12),
        "--grade",
        "严重",
    )
    assert bad.exit_code != 0 and "一般, 较大, 重大 or 特别重大" in bad.output


def test_safety_import_reports_rejects_and_exits_3(cli_ctx, tmp_path):
    f = tmp_path / "s.csv"
    f.write_text(
        "统一社会信用代码,安全主任,培训日期\n"
        f"{code(5)},周七,2026-06-01\n"
        f"{code(6)},,2026-06-01\n",
        encoding="gb18030",
    )
    rejects = tmp_path / "rejects.csv"
    r = run("safety", "import", str(f), "--rejects", str(rejects))
    assert r.exit_code == 3, r.output
    assert "1 stored" in r.output and "1 rejected" in r.output
    assert "name" in rejects.read_text("utf-8-sig")


def test_assessment_score_shows_the_veto(cli_ctx):
    r = run("assessment", "score", "--period", "2026", "--json")
    assert r.exit_code == 0, r.output
    units = json.loads(r.output)["units"]
    vetoed = [u for u in units if u["一票否决"] != "否"]
    assert len(vetoed) == 1 and "较大事故" in vetoed[0]["一票否决"]
    assert units[-1] == vetoed[0]
