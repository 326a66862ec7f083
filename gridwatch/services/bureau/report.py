"""The annual work report (年度安全生产工作报告) from gridwatch's own records.

Every figure is :meth:`FigureSet.figure` of the year (the dashboard's figure of
the same period); the tables are the dashboard's tables; the assessment is the
one the assessment page shows for the year. The text is the editable template
(:mod:`gridwatch.report.template`): the bureau edits words, never numbers.

For the running year the period is 1 January to today, compared with the same
dates a year earlier, and the report says so under its title.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from gridwatch.analytics.bureau import year_period
from gridwatch.db.models import AdminUnit
from gridwatch.report import ReportData, ReportResult, write_annual_report
from gridwatch.report.data import ANNUAL_FIGURES, Chart
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.bureau import tables as T
from gridwatch.services.bureau.assessment import assess
from gridwatch.services.bureau.figures import FigureSet, figure_set
from gridwatch.services.context import Context
from gridwatch.timeutil import today as local_today

__all__ = [
    "annual_report_data",
    "annual_report_files",
    "report_data",
    "write_annual",
]

#: Dashboard tables the default template places or the annex carries.
REPORT_TABLES = (
    "inspections_by_town",
    "coverage_by_town",
    "hazards_by_month",
    "listed_hazards",
    "penalties_by_town",
    "self_reports_by_town",
    "foundations_by_town",
    "campaigns",
    "accidents_by_grade",
)


def _names(ctx: Context) -> tuple[str, str]:
    with ctx.engine.connect() as conn:
        district = conn.execute(
            sa.select(AdminUnit.name).where(AdminUnit.level == "district")
        ).scalar()
    district = district or "本区"
    return district, f"{district}安全生产监督管理局"


def _town_chart(fs: FigureSet) -> Chart:
    frame = fs.by_town("units_inspected")
    frame = frame[frame["town_code"] != ""]
    return Chart(
        "inspections_by_town",
        "各镇（街道）检查单位数（同比）",
        "bar",
        list(frame["town"]),
        {
            f"{fs.previous.end.year}年": [float(v or 0) for v in frame["previous"]],
            f"{fs.period.end.year}年": [float(v or 0) for v in frame["value"]],
        },
        "家",
    )


def report_data(
    ctx: Context,
    actor: Actor,
    fs: FigureSet,
    *,
    with_assessment: bool = True,
    written_on: dt.date | None = None,
) -> ReportData:
    """A :class:`ReportData` of the figure set's period (the dashboard's figures)."""
    district, bureau = _names(ctx)
    figures = {k: fs.figure(k) for k in ANNUAL_FIGURES}
    tables = {k: T.build_table(fs, k) for k in REPORT_TABLES}
    campaigns = fs.tally("campaigns")
    listed = fs.tally("listed_hazards").items()
    ents = fs.records.enterprises.set_index("enterprise_id")
    lists = {
        "campaigns": list(campaigns.items()["name"]) if campaigns.available else [],
        "listed_hazards": list(
            dict.fromkeys(ents["name"].get(e, "") for e in listed["enterprise_id"])
        ),
    }
    assessment = None
    if with_assessment and actor.role in ("bureau", "system"):
        assessment = assess(ctx, actor, fs.period, figures=fs).assessment
    note = ""
    if fs.period.is_cut:
        note = f"（统计期间：{fs.period.label}，与{fs.previous.label}同期相比）"
    return ReportData(
        fs.period.end.year,
        district,
        bureau,
        figures,
        tables,
        {
            "inspections_by_town": _town_chart(fs),
            "hazards_by_month": T.monthly_chart(fs),
        },
        lists,
        assessment,
        written_on or local_today(),
        period_note=note,
    )


def annual_report_data(
    ctx: Context, actor: Actor, year: int, *, today: dt.date | None = None
) -> ReportData:
    """The report data of ``year`` (to date while the year runs)."""
    require_role(actor, "bureau", action="Writing the annual report")
    today = today or local_today()
    fs = figure_set(ctx, actor, year_period(year, today), today=today)
    return report_data(ctx, actor, fs, written_on=today)


def write_annual(
    ctx: Context,
    actor: Actor,
    year: int,
    out,
    *,
    template: str | None = None,
    annex=True,
    today: dt.date | None = None,
) -> ReportResult:
    """Write the annual report of ``year`` as DOCX (``out``) and its XLSX annex.

    ``annex``: True (beside ``out``), False, or a path/file. ``template``: the
    template's text (default: the shipped one).

    Raises
    ------
    InvalidInputError
        A template error (with its line).
    ConfigError
        No CJK font for the charts.
    PermissionDeniedError
        Anyone but the bureau.
    """
    data = annual_report_data(ctx, actor, year, today=today)
    if isinstance(out, (str, Path)):
        Path(out).parent.mkdir(parents=True, exist_ok=True)
    return write_annual_report(data, out, template=template, annex=annex)


def annual_report_files(
    ctx: Context, actor: Actor, year: int, *, today: dt.date | None = None
) -> dict[str, tuple[str, bytes]]:
    """``{"docx": (file name, bytes), "xlsx": (…)}``: the report and its annex,
    written in memory (the dashboard's download)."""
    import io

    docx, xlsx = io.BytesIO(), io.BytesIO()
    data = annual_report_data(ctx, actor, year, today=today)
    write_annual_report(data, docx, annex=xlsx)
    title = f"{data.district}{data.year}年度安全生产工作报告"
    return {
        "docx": (f"{title}.docx", docx.getvalue()),
        "xlsx": (f"{title}_附表.xlsx", xlsx.getvalue()),
    }
