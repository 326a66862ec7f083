"""What an annual work report is made of: figures, tables, charts and lists.

The services fill a :class:`ReportData` from gridwatch's records (one analytics
function per figure, the same ones the dashboard shows); the report writer turns
it into Word and Excel through an editable template. Nothing here computes a
figure from records, and the template never types one.

:data:`ANNUAL_FIGURES` is the contract with the services: the key, Chinese label,
unit and definition of every figure the default template uses. Build them with
:func:`annual_figure` so label and unit come from the catalogue.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Literal

from gridwatch.analytics.assessment import Assessment
from gridwatch.analytics.figures import Figure, format_number, format_value

__all__ = [
    "ANNUAL_FIGURES",
    "COLUMN_FORMATS",
    "Chart",
    "FigureSpec",
    "ReportData",
    "Table",
    "annual_figure",
    "assessment_chart",
    "assessment_detail_table",
    "assessment_table",
    "figures_table",
    "targets_table",
]

#: Column formats of a :class:`Table`: how Word prints and Excel stores a value.
#: ``text`` as is; ``int`` a count; ``num`` two decimals; ``pct`` a fraction
#: printed as percent; ``wan`` yuan printed in 万元; ``date`` an ISO date.
COLUMN_FORMATS = ("text", "int", "num", "pct", "wan", "date")
ColumnFormat = Literal["text", "int", "num", "pct", "wan", "date"]
CellValue = str | int | float | dt.date | None


@dataclass(frozen=True)
class FigureSpec:
    """A figure of the annual report: label, unit, comparison and definition.

    ``definition`` tells the services what to count; ``basis`` is the same in
    Chinese (统计口径) for the report's annex.
    """

    label: str
    unit: str
    compare: Literal["relative", "points"]
    definition: str
    basis: str = ""


_S = FigureSpec
#: The figures the default annual template refers to, by key.
ANNUAL_FIGURES: dict[str, FigureSpec] = {
    "units_inspected": _S(
        "监督检查生产经营单位",
        "家",
        "relative",
        "Enterprises with at least one inspection in the year.",
    ),
    "inspections": _S(
        "检查", "次", "relative", "Inspections, spot checks and patrols in the year."
    ),
    "hazards_found": _S(
        "查处事故隐患",
        "项",
        "relative",
        "Hazards found in the year (found_on in the year).",
    ),
    "hazards_rectified": _S(
        "整改隐患",
        "项",
        "relative",
        "Hazards found in the year and rectified by its end.",
    ),
    "rectification_rate": _S(
        "隐患整改率", "%", "points", "hazards_rectified / hazards_found."
    ),
    "major_hazards": _S(
        "重大事故隐患", "项", "relative", "Major hazards found in the year."
    ),
    "listed_hazards": _S(
        "挂牌督办重大隐患",
        "处",
        "relative",
        "Hazards put under listed supervision in the year.",
    ),
    "listed_hazards_closed": _S(
        "挂牌督办隐患销号",
        "处",
        "relative",
        "Of listed_hazards, closed (销号) by the year's end.",
    ),
    "penalties": _S(
        "行政处罚",
        "次",
        "relative",
        "Administrative penalty decisions in the year (the seed's 432).",
    ),
    "fines": _S(
        "经济处罚",
        "次",
        "relative",
        "Penalty decisions with a fine in the year (the seed's 153).",
    ),
    "fine_amount": _S(
        "经济处罚额",
        "元",
        "relative",
        "Sum of fines in yuan (the seed's 2,196,200 = 219.62万元).",
    ),
    "campaigns": _S(
        "专项整治行动", "项", "relative", "Special campaigns running in the year."
    ),
    "enterprises": _S(
        "纳入“一企一档”的生产经营单位",
        "家",
        "relative",
        "Enterprises in the registry at the year's end.",
    ),
    "enterprises_new": _S(
        "新增录入企业", "家", "relative", "Enterprises registered during the year."
    ),
    "grids": _S("监管网格", "个", "relative", "Grids of the active version."),
    "wardens": _S("网格员", "名", "relative", "Wardens responsible for a grid."),
    "coverage_rate": _S(
        "按风险等级按期检查率",
        "%",
        "points",
        "Share of enterprises whose inspection interval was kept "
        "(analytics.coverage is_on_time).",
    ),
    "self_report_rate": _S(
        "企业隐患自查自报率",
        "%",
        "points",
        "Monthly self-reports submitted / reports due.",
    ),
    "standardisation_self_assessed": _S(
        "完成安全生产标准化自评企业",
        "家",
        "relative",
        "Self-assessments completed in the year; target = annual target.",
    ),
    "standardisation_reviewed": _S(
        "完成安全生产标准化评审企业",
        "家",
        "relative",
        "Reviews completed in the year; target = annual target.",
    ),
    "declarations": _S(
        "完成职业病危害申报备案企业",
        "家",
        "relative",
        "Enterprises that declared for the year; target = "
        "enterprises required to declare (the seed's 1,961).",
    ),
    "safety_officers_trained": _S(
        "培训安全主任",
        "人",
        "relative",
        "Safety officers trained in the year; target = "
        "annual target (the seed's 4,300).",
    ),
    "accidents": _S("生产安全事故", "起", "relative", "Accidents in the year."),
    "accident_deaths": _S("事故死亡", "人", "relative", "Deaths in those accidents."),
    "accidents_serious": _S(
        "较大及以上事故",
        "起",
        "relative",
        "Accidents of grade 较大 or worse (Decree No. 493).",
    ),
}
del _S
_BASIS = {
    "units_inspected": "年内至少检查一次的生产经营单位数",
    "inspections": "年内检查、抽查、巡查次数",
    "hazards_found": "年内发现（排查）的事故隐患数",
    "hazards_rectified": "年内发现且年底前已整改的隐患数",
    "rectification_rate": "已整改隐患数 ÷ 发现隐患数",
    "major_hazards": "年内发现的重大事故隐患数",
    "listed_hazards": "年内挂牌督办的重大隐患数",
    "listed_hazards_closed": "挂牌督办隐患中年底前已销号的数量",
    "penalties": "年内作出的行政处罚决定数",
    "fines": "年内含罚款的处罚决定数",
    "fine_amount": "年内罚款金额合计",
    "campaigns": "年内开展的专项整治行动数",
    "enterprises": "年底“一企一档”在册生产经营单位数",
    "enterprises_new": "年内新增录入的生产经营单位数",
    "grids": "现行网格版本的网格数",
    "wardens": "负责网格的网格员人数",
    "coverage_rate": "按风险等级检查周期按期检查的企业占比",
    "self_report_rate": "已报送的月度自查自报 ÷ 应报送数",
    "standardisation_self_assessed": "年内完成标准化自评的企业数（目标：年度任务）",
    "standardisation_reviewed": "年内完成标准化评审的企业数（目标：年度任务）",
    "declarations": "完成职业病危害申报备案的企业数（目标：应申报企业数）",
    "safety_officers_trained": "年内培训的安全主任人数（目标：年度任务）",
    "accidents": "年内发生的生产安全事故起数",
    "accident_deaths": "年内生产安全事故死亡人数",
    "accidents_serious": "较大及以上等级事故起数（国务院令第493号）",
}
ANNUAL_FIGURES = {
    k: FigureSpec(v.label, v.unit, v.compare, v.definition, _BASIS[k])
    for k, v in ANNUAL_FIGURES.items()
}


def annual_figure(
    key: str,
    value: float | None,
    previous: float | None = None,
    target: float | None = None,
    *,
    source: str = "",
    note: str = "",
) -> Figure:
    """A :class:`Figure` whose label, unit and comparison come from the catalogue.

    >>> annual_figure("penalties", 432, 205).yoy_text
    '同比增长110.7%'
    """
    spec = ANNUAL_FIGURES.get(key)
    if spec is None:
        raise KeyError(f"{key!r} is not in ANNUAL_FIGURES; build the Figure yourself")
    return Figure(
        key,
        spec.label,
        value,
        spec.unit,
        previous,
        target,
        spec.compare,
        source or spec.basis,
        note,
    )


@dataclass(frozen=True)
class Table:
    """A table of the report (and a sheet of its XLSX annex).

    Attributes
    ----------
    key : str
        Templates refer to it as ``[[table:key]]``.
    title : str
        Chinese caption (表1 …) and the annex sheet's name.
    columns : list of str
        Chinese headers.
    rows : list of list
        Cell values: text, numbers, dates or None. A ``pct`` column holds
        fractions, a ``wan`` column yuan.
    formats : dict, optional
        Column header → one of :data:`COLUMN_FORMATS`; numbers default to ``num``
        (``int`` when whole), everything else to ``text``.
    note : str
        Printed under the table (source, caveats).
    """

    key: str
    title: str
    columns: list[str]
    rows: list[list[CellValue]]
    formats: dict[str, ColumnFormat] = field(default_factory=dict)
    note: str = ""

    def __post_init__(self):
        for k, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(
                    f"table {self.key!r} row {k + 1} has {len(row)} "
                    f"cells for {len(self.columns)} columns"
                )
        bad = {
            c: f
            for c, f in self.formats.items()
            if c not in self.columns or f not in COLUMN_FORMATS
        }
        if bad:
            raise ValueError(f"table {self.key!r}: unknown column or format {bad}")

    def format_of(self, column: str, value: CellValue) -> str:
        """The format of ``column`` (declared, else from the value's type)."""
        if column in self.formats:
            return self.formats[column]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "date" if isinstance(value, dt.date) else "text"
        return "int" if float(value).is_integer() else "num"

    def cell_text(self, column: str, value: CellValue) -> str:
        """How Word prints a cell: 95.3%, 219.62万元, 1,743 as 1743."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
        fmt = self.format_of(column, value)
        if fmt == "pct":
            return format_value(value, "%")
        if fmt == "wan":
            return format_value(value, "元").removesuffix("万元")
        if fmt in ("int", "num"):
            return format_number(value, 0 if fmt == "int" else 2)
        if fmt == "date" and isinstance(value, dt.date):
            return value.isoformat()
        return str(value)


@dataclass(frozen=True)
class Chart:
    """A chart of the report, drawn with matplotlib.

    Attributes
    ----------
    key : str
        Templates refer to it as ``[[chart:key]]``.
    title : str
        Chinese caption (图1 …).
    kind : {"bar", "barh", "line"}
        Grouped vertical bars, horizontal bars, or lines (one per series).
    categories : list of str
        The x labels (months, towns).
    series : dict
        Series name (legend, e.g. ``2026年``) → values, one per category.
    unit : str
        Axis label (家, 项).
    """

    key: str
    title: str
    kind: Literal["bar", "barh", "line"]
    categories: list[str]
    series: dict[str, list[float]]
    unit: str = ""

    def __post_init__(self):
        if self.kind not in ("bar", "barh", "line"):
            raise ValueError(f"chart {self.key!r}: kind must be bar, barh or line")
        for name, values in self.series.items():
            if len(values) != len(self.categories):
                raise ValueError(
                    f"chart {self.key!r}: series {name!r} has "
                    f"{len(values)} values for {len(self.categories)} "
                    "categories"
                )


@dataclass
class ReportData:
    """Everything an annual report shows; the template only refers to it.

    Attributes
    ----------
    year : int
    district : str
        禅城区.
    bureau : str
        The author, 区安监局.
    figures : dict
        Key → :class:`~gridwatch.analytics.figures.Figure`
        (:data:`ANNUAL_FIGURES` for the default template).
    tables, charts : dict
        Key → :class:`Table` / :class:`Chart`. ``figures``, ``targets`` and (with
        an assessment) ``assessment`` tables and the ``assessment`` chart are
        added by the writer when absent.
    lists : dict
        Key → list of names (``campaigns``: the campaigns' names;
        ``listed_hazards``: the listed sites), for enumerations in the text.
    assessment : Assessment, optional
        The responsibility assessment of the towns/streets for the year.
    written_on : datetime.date, optional
        The date printed under the signature (default: today).
    period_note : str
        Said under the title when the figures cover less than the calendar
        year (the running year: 统计期间 1月1日至11月30日); empty otherwise.
    """

    year: int
    district: str
    bureau: str
    figures: dict[str, Figure]
    tables: dict[str, Table] = field(default_factory=dict)
    charts: dict[str, Chart] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    assessment: Assessment | None = None
    written_on: dt.date | None = None
    period_note: str = ""

    def __post_init__(self):
        for kind, items in (
            ("figure", self.figures),
            ("table", self.tables),
            ("chart", self.charts),
        ):
            wrong = [k for k, v in items.items() if getattr(v, "key", k) != k]
            if wrong:
                raise ValueError(f"{kind}(s) {wrong} are filed under another key")


def figures_table(figures: dict[str, Figure], year: int) -> Table:
    """Every figure with last year, change, target and source (the annex's 指标)."""
    cols = [
        "指标",
        "单位",
        f"{year}年",
        f"{year - 1}年",
        "同比",
        "目标",
        "完成目标",
        "口径",
    ]
    rows = []
    for f in figures.values():
        unit = "万元" if f.unit == "元" else f.unit
        scale = 1 / 10_000 if f.unit == "元" else 1
        v = None if f.value is None else f.value * scale
        p = None if f.previous is None else f.previous * scale
        t = None if f.target is None else f.target * scale
        rows.append([f.label, unit, v, p, f.yoy_text, t, f.pct_of_target, f.source])
    return Table("figures", "主要指标", cols, rows, {"完成目标": "pct"})


def targets_table(figures: dict[str, Figure]) -> Table:
    """The figures that have a target: target, done, percent of target."""
    rows = [
        [f.label, f.target, f.value, f.pct_of_target]
        for f in figures.values()
        if f.target is not None
    ]
    return Table(
        "targets",
        "目标任务完成情况",
        ["指标", "目标任务", "完成", "完成率"],
        rows,
        {"完成率": "pct"},
    )


def assessment_table(assessment: Assessment) -> Table:
    """The ranking: 排名, 单位, 总分, 等次, 一票否决 (reasons in the note)."""
    rows = [
        [u.rank, u.name, u.total, u.grade or "", "是" if u.is_vetoed else "否"]
        for u in assessment.units
    ]
    reasons = [f"{u.name}：{u.veto_reason}" for u in assessment.units if u.is_vetoed]
    note = f"考核方案：{assessment.scheme.name}；{assessment.scheme.veto.text}。"
    if reasons:
        note += "一票否决：" + "；".join(reasons) + "。"
    return Table(
        "assessment",
        "安全生产责任制考核结果",
        ["排名", "单位", "总分", "等次", "一票否决"],
        rows,
        {"总分": "num"},
        note=note,
    )


def assessment_detail_table(assessment: Assessment) -> Table:
    """Each indicator's points per unit: 指标, 分值, then one column per unit.

    Indicators are rows so that a district of a handful of towns fits a portrait
    page; the annex has the same table.
    """
    units = list(assessment.units)
    cols = ["考核指标", "分值", *(u.name for u in units)]
    rows = []
    for k, ind in enumerate(assessment.scheme.indicators):
        rows.append([ind.name, ind.weight, *(u.indicators[k].points for u in units)])
    rows.append(["合计", assessment.scheme.total_weight, *(u.total for u in units)])
    return Table(
        "assessment_detail",
        "安全生产责任制考核分项得分",
        cols,
        rows,
        {c: "num" for c in cols[1:]},
        note="计分规则："
        + "；".join(f"{i.name}{i.rule_text}" for i in assessment.scheme.indicators)
        + "。",
    )


def assessment_chart(assessment: Assessment) -> Chart:
    """The towns' totals as horizontal bars, best first."""
    units = list(assessment.units)
    names = [u.name + ("（否决）" if u.is_vetoed else "") for u in units]
    return Chart(
        "assessment",
        "各镇（街道）考核得分",
        "barh",
        names,
        {"总分": [u.total for u in units]},
        "分",
    )
