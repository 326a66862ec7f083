"""The annual work report (年度安全生产工作报告): template + data → DOCX and XLSX.

:func:`write_annual_report` renders the editable template (default
``gridwatch/data/annual_report.zh.j2``) with the :class:`ReportData`, lays the
result out as a Word document (:mod:`gridwatch.report.word`) and writes every
table, including those the writer adds (主要指标, 目标任务完成情况, the
assessment ranking), to the XLSX annex (:mod:`gridwatch.report.annex`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from gridwatch.report.annex import write_annex
from gridwatch.report.data import (
    Chart,
    ReportData,
    Table,
    assessment_chart,
    assessment_detail_table,
    assessment_table,
    figures_table,
    targets_table,
)
from gridwatch.report.template import (
    Block,
    default_template,
    literal_numbers,
    parse_blocks,
    render_text,
)
from gridwatch.report.word import ReportStyle, build_document

__all__ = ["ReportResult", "complete_tables", "render_report", "write_annual_report"]


@dataclass
class ReportResult:
    """What :func:`write_annual_report` wrote.

    Attributes
    ----------
    docx, xlsx : Path or None
        The files written (None for a stream, or no annex).
    blocks : list of Block
        The rendered report, for previews and tests.
    tables : dict
        Every table of the report and annex, the added ones included.
    warnings : list of str
        Numbers typed by hand in the template (``第12行：432``), in Chinese.
    """

    docx: Path | None
    xlsx: Path | None
    blocks: list[Block]
    tables: dict[str, Table]
    warnings: list[str] = field(default_factory=list)


def complete_tables(data: ReportData) -> tuple[dict[str, Table], dict[str, Chart]]:
    """The data's tables and charts plus the ones the writer derives.

    ``figures`` (every figure), ``targets`` (figures with a target) and, with an
    assessment, the ``assessment`` (ranking) and ``assessment_detail`` (points
    per indicator) tables and the ``assessment`` chart; a table or chart the data
    already has under that key is kept.
    """
    tables = {
        "figures": figures_table(data.figures, data.year),
        "targets": targets_table(data.figures),
    }
    charts: dict[str, Chart] = {}
    if data.assessment is not None:
        tables["assessment"] = assessment_table(data.assessment)
        tables["assessment_detail"] = assessment_detail_table(data.assessment)
        charts["assessment"] = assessment_chart(data.assessment)
    tables.update(data.tables)
    charts.update(data.charts)
    return tables, charts


def _zh_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def render_report(
    data: ReportData, template: str | None = None
) -> tuple[list[Block], dict[str, Table], dict[str, Chart], list[str]]:
    """Run the template on the data: (blocks, tables, charts, warnings)."""
    template = default_template() if template is None else template
    tables, charts = complete_tables(data)
    context = {
        "f": data.figures,
        "tables": tables,
        "charts": charts,
        "lists": data.lists,
        "assessment": data.assessment,
        "year": data.year,
        "prev_year": data.year - 1,
        "next_year": data.year + 1,
        "district": data.district,
        "bureau": data.bureau,
        "written_on": _zh_date(data.written_on or dt.date.today()),
        "period_note": data.period_note,
    }
    blocks = parse_blocks(render_text(template, context))
    warnings = [
        f"模板中手工填写了数字（{w}），请改为引用指标"
        for w in literal_numbers(template)
    ]
    return blocks, tables, charts, warnings


def write_annual_report(
    data: ReportData,
    out,
    *,
    template: str | None = None,
    annex=True,
    style: ReportStyle | None = None,
) -> ReportResult:
    """Write the annual report as DOCX and its tables as an XLSX annex.

    Parameters
    ----------
    data : ReportData
    out : str, Path or binary file
        Where the DOCX goes.
    template : str, optional
        Template text (default: the shipped Chinese template).
    annex : bool, str, Path or binary file, default True
        True: beside ``out`` with the suffix ``.xlsx`` (``out`` must be a path);
        False: no annex; otherwise where to write it.
    style : ReportStyle, optional
        Fonts and sizes (default GB/T 9704-2012).

    Returns
    -------
    ReportResult

    Raises
    ------
    InvalidInputError
        A template error (syntax, an unknown figure, table or chart), with the
        line where known.
    ConfigError
        No CJK font for the charts (install fonts-noto-cjk).
    """
    blocks, tables, charts, warnings = render_report(data, template)
    doc = build_document(blocks, tables, charts, style)
    docx_path = Path(out) if isinstance(out, (str, Path)) else None
    doc.save(str(docx_path) if docx_path else out)
    xlsx_path = None
    if annex is True:
        if docx_path is None:
            raise ValueError("annex=True needs out to be a path; pass a file instead")
        xlsx_path = docx_path.with_suffix(".xlsx")
        annex = xlsx_path
    elif isinstance(annex, (str, Path)):
        xlsx_path = Path(annex)
    if annex is not False:
        placed = [b.text for b in blocks if b.kind == "table"]
        order = ["figures", *placed, *(k for k in tables if k not in placed)]
        write_annex(
            [tables[k] for k in dict.fromkeys(order) if k in tables],
            str(annex) if isinstance(annex, Path) else annex,
        )
    return ReportResult(docx_path, xlsx_path, blocks, tables, warnings)
