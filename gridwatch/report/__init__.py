"""The annual work report (年度安全生产工作报告): Word document and XLSX annex.

Pure: takes a :class:`ReportData` the services fill, never reads the database.

* :mod:`.data`: figures, tables, charts, lists; the figure catalogue.
* :mod:`.template`: the editable Jinja2 text template and its line marks.
* :mod:`.word`: python-docx layout after GB/T 9704-2012.
* :mod:`.charts`: matplotlib charts in a CJK font (fonts-noto-cjk).
* :mod:`.annex`: the XLSX annex, formula injection neutralised.
* :mod:`.annual`: :func:`write_annual_report`.
"""

from gridwatch.report.annex import neutralise, write_annex
from gridwatch.report.annual import (
    ReportResult,
    complete_tables,
    render_report,
    write_annual_report,
)
from gridwatch.report.charts import find_cjk_font, render_chart
from gridwatch.report.data import (
    ANNUAL_FIGURES,
    Chart,
    ReportData,
    Table,
    annual_figure,
    assessment_chart,
    assessment_detail_table,
    assessment_table,
    figures_table,
    targets_table,
)
from gridwatch.report.template import default_template, literal_numbers
from gridwatch.report.word import ReportStyle

__all__ = [
    "ANNUAL_FIGURES",
    "Chart",
    "ReportData",
    "ReportResult",
    "ReportStyle",
    "Table",
    "annual_figure",
    "assessment_chart",
    "assessment_detail_table",
    "assessment_table",
    "complete_tables",
    "default_template",
    "figures_table",
    "find_cjk_font",
    "literal_numbers",
    "neutralise",
    "render_chart",
    "render_report",
    "targets_table",
    "write_annex",
    "write_annual_report",
]
