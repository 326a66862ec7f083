"""The annual report: figures in the DOCX as computed, the XLSX annex, templates."""

from __future__ import annotations

import dataclasses
import io

import openpyxl
import pytest
from docx import Document

from gridwatch.errors import ConfigError, InvalidInputError
from gridwatch.report import (
    Chart,
    Table,
    annual_figure,
    default_template,
    literal_numbers,
    neutralise,
    render_chart,
    write_annual_report,
)
from gridwatch.report import charts as charts_mod
from tests.unit.report_sample import sample_report


def _text(path) -> str:
    doc = Document(str(path))
    return "\n".join(p.text for p in doc.paragraphs)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.docx"
    return write_annual_report(sample_report(), out)


def test_report_docx_has_the_figures_as_computed(written):
    text = _text(written.docx)
    assert "禅城区2026年度安全生产工作报告" in text
    assert "行政处罚432次、经济处罚153次、经济处罚额达219.62万元" in text
    assert "同比分别增长110.7%、125%和61.5%" in text  # (432-205)/205 = 110.7 %
    assert "监督检查各类生产经营单位49718家（同比增长20.6%）" in text
    assert "分别完成任务量的117%和108.1%" in text  # 1743 and 1610 of 1490
    assert "占应申报企业总数1961家的95.3%" in text
    assert "占全年培训任务总数4300人的104%" in text
    assert "按期检查率为91.2%（同比提高3.8个百分点）" in text


def test_report_docx_follows_the_figures_not_the_template(tmp_path):
    data = sample_report()
    data.figures["penalties"] = annual_figure("penalties", 410, 205)
    data.figures["fines"] = annual_figure("fines", 60, 68)
    text = _text(write_annual_report(data, tmp_path / "r.docx", annex=False).docx)
    assert "行政处罚410次、经济处罚60次" in text
    assert "同比分别增长100%、下降11.8%和增长61.5%" in text


def test_report_docx_assessment_section(written):
    text = _text(written.docx)
    assert "对4个镇（街道）2026年度安全生产责任制落实情况进行了考核" in text
    assert "张槎街道以99分位列第一" in text
    assert "南庄镇因发生较大及以上生产安全事故被一票否决" in text
    doc = Document(str(written.docx))
    ranking = next(t for t in doc.tables if t.rows[0].cells[0].text == "排名")
    rows = [[c.text for c in r.cells] for r in ranking.rows[1:]]
    assert rows[0][:3] == ["1", "张槎街道", "99"]
    assert rows[-1][1] == "南庄镇" and rows[-1][-1] == "是"  # vetoed, ranked last


def test_report_docx_tables_and_charts_are_placed(written):
    doc = Document(str(written.docx))
    assert len(doc.tables) == 6  # the 主要指标 table is in the annex only
    assert len(doc.inline_shapes) == 3  # two data charts and the assessment chart
    cells = [c.text for c in doc.tables[0].rows[1].cells]
    assert cells == ["祖庙街道", "12031", "6120", "96.2%", "98", "51.23"]


def test_report_docx_has_no_hand_typed_numbers_in_the_default_template(written):
    assert literal_numbers(default_template()) == []
    assert written.warnings == []


def test_literal_numbers_flags_typed_figures():
    assert literal_numbers("{# 432 #}共处罚{{ f.penalties.text }}\n另有53次\n") == [
        "第2行：53"
    ]


def test_report_warns_about_numbers_typed_in_a_template(tmp_path):
    tpl = "# 报告\n\n全年处罚432次，{{ f.penalties.yoy_text }}。\n"
    res = write_annual_report(
        sample_report(), tmp_path / "r.docx", template=tpl, annex=False
    )
    assert res.warnings == ["模板中手工填写了数字（第3行：432），请改为引用指标"]


def test_report_template_unknown_figure_is_one_sentence_with_line(tmp_path):
    tpl = "# 报告\n\n处罚{{ f.penalty.text }}\n"
    with pytest.raises(InvalidInputError, match="'penalty' at line 3") as exc:
        write_annual_report(sample_report(), tmp_path / "r.docx", template=tpl)
    assert exc.value.details["name"] == "penalty"
    assert not (tmp_path / "r.docx").exists()


def test_report_template_unknown_table_names_it(tmp_path):
    with pytest.raises(InvalidInputError, match="'nope'"):
        write_annual_report(
            sample_report(), tmp_path / "r.docx", template="# 报告\n\n[[表格:nope]]\n"
        )


def test_report_template_syntax_error_names_the_line(tmp_path):
    with pytest.raises(InvalidInputError, match="line 2"):
        write_annual_report(
            sample_report(), tmp_path / "r.docx", template="# 报告\n{% if %}\n"
        )


def test_report_template_is_sandboxed(tmp_path):
    tpl = "{{ f.penalties.__class__.__init__.__globals__ }}\n"
    with pytest.raises(InvalidInputError):
        write_annual_report(sample_report(), tmp_path / "r.docx", template=tpl)


def test_report_without_assessment_says_so(tmp_path):
    data = dataclasses.replace(sample_report(), assessment=None)
    res = write_annual_report(data, tmp_path / "r.docx")
    assert "本年度考核结果尚未产生" in _text(res.docx)
    assert "assessment" not in res.tables


def test_report_writes_to_streams():
    docx, xlsx = io.BytesIO(), io.BytesIO()
    res = write_annual_report(sample_report(), docx, annex=xlsx)
    assert res.docx is None and docx.getvalue()[:2] == b"PK"
    assert openpyxl.load_workbook(io.BytesIO(xlsx.getvalue())).sheetnames


def test_annex_has_every_table_with_values_as_values(written):
    wb = openpyxl.load_workbook(written.xlsx)
    assert wb.sheetnames == [
        "主要指标",
        "各镇（街道）大检查情况",
        "挂牌督办重大安全隐患",
        "目标任务完成情况",
        "生产安全事故分级统计",
        "安全生产责任制考核结果",
        "安全生产责任制考核分项得分",
    ]
    towns = wb["各镇（街道）大检查情况"]
    assert towns["B2"].value == 12031 and towns["D2"].value == 0.962
    assert towns["D2"].number_format == "0.0%"
    figures = {r[0]: r for r in wb["主要指标"].iter_rows(min_row=2, values_only=True)}
    assert figures["行政处罚"][2:5] == (432, 205, "同比增长110.7%")
    assert figures["经济处罚额"][1:4] == ("万元", 219.62, 136)
    assert figures["培训安全主任"][5] == 4300
    assert figures["培训安全主任"][6] == pytest.approx(4471 / 4300)
    ranking = wb["安全生产责任制考核结果"]
    assert [c.value for c in ranking[2]] == [1, "张槎街道", 99, "优秀", "否"]


def test_annex_neutralises_formula_cells(written):
    ws = openpyxl.load_workbook(written.xlsx)["挂牌督办重大安全隐患"]
    cell = ws["B4"]
    assert cell.value == '\'=HYPERLINK("http://x")某厂' and cell.data_type == "s"


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_neutralise_every_formula_prefix(prefix):
    assert neutralise(prefix + "1+1") == "'" + prefix + "1+1"


def test_neutralise_leaves_numbers_and_plain_text():
    assert neutralise(-5) == -5 and neutralise("甲-1") == "甲-1"


def test_table_rejects_ragged_rows():
    with pytest.raises(ValueError, match="row 1 has 1 cells for 2 columns"):
        Table("t", "表", ["a", "b"], [[1]])


def test_render_chart_draws_a_png_with_a_cjk_font():
    png = render_chart(
        Chart("c", "图", "bar", ["祖庙街道", "张槎街道"], {"2026年": [3.0, 4.0]}, "家")
    )
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    assert "CJK" in charts_mod.find_cjk_font()


def test_render_chart_without_cjk_font_names_the_package(monkeypatch):
    monkeypatch.setattr(charts_mod, "CJK_FONT_PREFERENCE", ("No Such Font",))
    charts_mod.find_cjk_font.cache_clear()
    try:
        with pytest.raises(ConfigError, match="fonts-noto-cjk"):
            charts_mod.find_cjk_font()
    finally:
        charts_mod.find_cjk_font.cache_clear()


@pytest.mark.parametrize("module", ["data", "annex", "template"])
def test_docstring_examples_hold(module):
    import doctest
    import importlib

    mod = importlib.import_module(f"gridwatch.report.{module}")
    assert doctest.testmod(mod).failed == 0
