"""The bureau's tables, read from a :class:`FigureSet`: one builder per table.

The dashboard shows them (and offers each as XLSX), the annual report places
some of them and puts all of them in its annex; each is made from the figures'
tallies, so a table's cells are the figures shown beside it.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from gridwatch.analytics.bureau.accidents import grade_table
from gridwatch.analytics.figures import (
    change_phrase,
    format_number,
    format_percent,
    points_change,
    yoy_change,
)
from gridwatch.report.data import Chart, Table
from gridwatch.services.bureau.figures import FigureSet, figure_spec
from gridwatch.vocab import (
    ACCIDENT_GRADES,
    DECLARATION_STATUSES,
    HAZARD_CATEGORIES,
    HAZARD_LEVELS,
    INSPECTION_KINDS,
    PENALTY_KINDS,
    RISK_LEVELS,
    SELF_REPORT_STATUSES,
    STANDARDISATION_LEVELS,
)

__all__ = ["DASHBOARD_TABLES", "build_table", "items_table", "monthly_chart"]

#: Chinese headers of the drill-down columns, in display order.
ITEM_COLUMNS: dict[str, str] = {
    "uscc": "统一社会信用代码",
    "name": "企业名称",
    "enterprise": "企业名称",
    "campaign": "专项整治",
    "risk_level": "风险等级",
    "last_inspected_on": "最近检查",
    "n_inspections": "期内检查次数",
    "inspected_on": "检查日期",
    "kind": "类别",
    "level": "等级",
    "category": "隐患类别",
    "description": "隐患描述",
    "found_on": "发现日期",
    "deadline": "整改期限",
    "rectified_on": "整改日期",
    "closed_on": "销号日期",
    "decision_no": "决定书文号",
    "decided_on": "决定日期",
    "amount_yuan": "金额",
    "ref": "事故编号",
    "occurred_on": "事故日期",
    "place": "地点",
    "grade": "等级（计）",
    "recorded_grade": "记录等级",
    "deaths": "死亡",
    "serious_injuries": "重伤",
    "direct_loss_yuan": "直接经济损失",
    "is_grade_inconsistent": "等级与伤亡不符",
    "done_on": "完成日期",
    "declared": "已申报",
    "declared_on": "申报日期",
    "officer": "安全主任",
    "trained_on": "培训日期",
    "inspections": "检查次数",
    "grid_code": "网格编码",
    "entered_on": "录入日期",
    "month": "月份",
    "status": "状态",
}
_VOCAB = {
    "risk_level": RISK_LEVELS,
    "level": {**HAZARD_LEVELS, **STANDARDISATION_LEVELS},
    "category": HAZARD_CATEGORIES,
    "kind": {**PENALTY_KINDS, **INSPECTION_KINDS},
    "grade": ACCIDENT_GRADES,
    "recorded_grade": ACCIDENT_GRADES,
    "status": {
        **SELF_REPORT_STATUSES,
        **DECLARATION_STATUSES,
        "on_time": "按期",
        "due_soon": "即将到期",
        "overdue": "逾期",
        "never": "从未检查",
    },
}
_FORMATS = {"amount_yuan": "wan", "direct_loss_yuan": "wan"}
_WAN = "（万元）"


def _cell(column: str, value):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, bool) or column in ("declared", "is_grade_inconsistent"):
        return "是" if value else "否"
    if column in _VOCAB:
        return _VOCAB[column].get(value, value)
    if hasattr(value, "item"):
        return value.item()
    return value


def items_table(fs: FigureSet, key: str, town: str | None = None) -> Table:
    """The items behind figure ``key`` (for one town): the drill-down list.

    A rate's items carry 计入 (是: counted in the numerator).
    """
    t = fs.tally(key)
    rows = t.items(town)
    label, _unit, _ = figure_spec(key)
    ents = fs.records.enterprises.set_index("enterprise_id")
    frame = rows.copy()
    if "enterprise_id" in frame and "name" not in frame and "enterprise" not in frame:
        frame["uscc"] = frame["enterprise_id"].map(ents["uscc"])
        frame["name"] = frame["enterprise_id"].map(ents["name"])
    names = fs.town_names()
    cols = ["town"] + [c for c in ITEM_COLUMNS if c in frame.columns and c != "month"]
    headers = ["镇（街道）"] + [
        ITEM_COLUMNS[c] + (_WAN if c in _FORMATS else "") for c in cols[1:]
    ]
    if t.kind == "rate":
        cols.append("num")
        headers.append("计入")
    frame["town"] = frame["town_code"].map(lambda c: names.get(c, c or "未落图"))
    out = []
    for rec in frame[cols].itertuples(index=False):
        row = [_cell(c, v) for c, v in zip(cols, rec)]
        if t.kind == "rate":
            row[-1] = "是" if rec[-1] else "否"
        out.append(row)
    where = names.get(town, town) if town else "全部"
    return Table(
        f"items_{key}",
        f"{label}明细（{where}，{fs.period.label}）",
        headers,
        out,
        {h: _FORMATS[c] for c, h in zip(cols, headers) if c in _FORMATS},
        note=t.note,
    )


def _nn(value) -> float | None:
    """A frame cell as a float, None for a missing one (NaN)."""
    return None if value is None or pd.isna(value) else float(value)


def _yoy_text(key: str, now, before) -> str:
    _, _, compare = figure_spec(key)
    change = points_change if compare == "points" else yoy_change
    return change_phrase(change(now, before)).removeprefix("同比")


def _by_town(
    fs: FigureSet, keys: list[str], title: str, tkey: str, compact: bool = False
) -> Table:
    """Per town: each figure, last year's and the change; ``compact`` (a page of
    the Word report): each figure of this period only, the change of the first."""
    codes = list(dict.fromkeys(c for k in keys for c in fs.town_codes(k)))
    frames = {k: fs.by_town(k, codes).set_index("town_code") for k in keys}
    first = frames[keys[0]]
    headers, formats = ["镇（街道）"], {}
    for n, k in enumerate(keys):
        label, unit, _ = figure_spec(k)
        shown = "万元" if unit == "元" else unit
        h_now = f"{label}（{shown}）" if shown and shown != "%" else label
        fmt = "pct" if unit == "%" else ("wan" if unit == "元" else "int")
        formats[h_now] = fmt
        headers.append(h_now)
        if not compact:
            headers += [f"{label}上年同期", f"{label}同比"]
            formats[f"{label}上年同期"] = fmt
        elif n == 0:
            headers.append("同比")
    rows = []
    for code in first.index:
        row = [first.loc[code, "town"]]
        for n, k in enumerate(keys):
            f = frames[k]
            now, before = _nn(f.loc[code, "value"]), _nn(f.loc[code, "previous"])
            row += _cells(k, now, before, compact, n)
        rows.append(row)
    total = ["合计" if len(first) > 1 else "本辖区"]
    for n, k in enumerate(keys):
        fig = fs.figure(k)
        total += _cells(k, fig.value, fig.previous, compact, n)
    rows.append(total)
    return Table(tkey, title, headers, rows, formats)


def _cells(key, now, before, compact: bool, n: int) -> list:
    if not compact:
        return [now, before, _yoy_text(key, now, before)]
    return [now, _yoy_short(key, now, before)] if n == 0 else [now]


def _yoy_short(key: str, now, before) -> str:
    """The change as a Word table cell holds it: +2.7%, -4.4%, 持平, 上年为零, —."""
    _, _, compare = figure_spec(key)
    change = (points_change if compare == "points" else yoy_change)(now, before)
    if change.kind in ("up", "down"):
        if compare == "points":
            sign = "+" if change.ratio > 0 else "-"
            return f"{sign}{format_number(abs(change.ratio) * 100, 1)}个百分点"
        return format_percent(change.ratio, sign=True)
    return {"same": "持平", "new": "上年为零"}.get(change.kind, "—")


def coverage_by_town(fs: FigureSet) -> Table:
    return _by_town(
        fs,
        ["units_inspected", "inspected_rate", "coverage_rate"],
        "各镇（街道）检查覆盖情况",
        "coverage_by_town",
    )


def inspections_by_town(fs: FigureSet) -> Table:
    """The report's 表1: one column per figure, fits a portrait page."""
    return _by_town(
        fs,
        [
            "units_inspected",
            "hazards_found",
            "rectification_rate",
            "penalties",
            "fine_amount",
        ],
        "各镇（街道）大检查情况",
        "inspections_by_town",
        compact=True,
    )


def penalties_by_town(fs: FigureSet) -> Table:
    return _by_town(
        fs,
        ["penalties", "fines", "fine_amount"],
        "各镇（街道）行政处罚情况",
        "penalties_by_town",
    )


def self_reports_by_town(fs: FigureSet) -> Table:
    return _by_town(
        fs,
        ["self_report_rate"],
        "各镇（街道）企业隐患自查自报情况",
        "self_reports_by_town",
    )


def foundations_by_town(fs: FigureSet) -> Table:
    return _by_town(
        fs,
        [
            "standardisation_self_assessed",
            "standardisation_reviewed",
            "declarations",
            "safety_officers_trained",
        ],
        "各镇（街道）企业安全基础工作",
        "foundations_by_town",
    )


def hazards_by_month(fs: FigureSet) -> Table:
    """Found, rectified, closed (flows) and overdue at each month's end (a stock),
    this year and last."""
    flows = {
        "发现": fs.monthly("hazards_found"),
        "整改": fs.monthly("hazards_rectified_in_period"),
        "销号": fs.monthly("hazards_closed"),
        "逾期未整改（月末）": fs.stock_by_month("hazards_overdue"),
    }
    headers = ["月份"]
    for name in flows:
        headers += [name, f"{name}上年同期"]
    rows = []
    one_year = fs.period.start.year == fs.period.end.year
    for i, month in enumerate(fs.period.months):
        row = [
            f"{int(month[5:])}月" if one_year else f"{month[:4]}年{int(month[5:])}月"
        ]
        for frame in flows.values():
            row += [frame.loc[i, "value"], frame.loc[i, "previous"]]
        rows.append(row)
    return Table(
        "hazards_by_month",
        "隐患发现、整改、销号和逾期（按月）",
        headers,
        rows,
        {h: "int" for h in headers[1:]},
        note="发现、整改、销号按当月日期计；逾期未整改为月末仍未整改且已过整改期限的隐患数。",
    )


def monthly_chart(fs: FigureSet) -> Chart:
    """Hazards found and rectified by month (the report's 图)."""
    found = fs.monthly("hazards_found")
    fixed = fs.monthly("hazards_rectified_in_period")
    return Chart(
        "hazards_by_month",
        "隐患发现与整改（按月）",
        "line",
        [f"{int(m[5:])}月" for m in fs.period.months],
        {
            "发现": [float(v or 0) for v in found["value"]],
            "整改": [float(v or 0) for v in fixed["value"]],
        },
        "项",
    )


def listed_hazards(fs: FigureSet) -> Table:
    """Hazards under listed supervision in the period, with their deadlines."""
    rows = fs.tally("listed_hazards").items()
    ents = fs.records.enterprises.set_index("enterprise_id")
    names = fs.town_names()
    today = pd.Timestamp(fs.records.today)
    out = []
    for k, r in enumerate(rows.sort_values("found_on").itertuples(index=False), 1):
        deadline = _date(r.deadline)
        closed = _date(r.closed_on)
        state = (
            "已销号" if closed else ("已整改" if _date(r.rectified_on) else "整改中")
        )
        if not closed and deadline and pd.Timestamp(deadline) < today:
            state = "逾期"
        out.append(
            [
                k,
                names.get(r.town_code, r.town_code),
                ents["name"].get(r.enterprise_id, ""),
                r.description or HAZARD_CATEGORIES.get(r.category, r.category),
                _date(r.found_on),
                deadline,
                closed,
                state,
            ]
        )
    return Table(
        "listed_hazards",
        "挂牌督办重大安全隐患",
        [
            "序号",
            "镇（街道）",
            "场所",
            "隐患",
            "挂牌（发现）日期",
            "整改期限",
            "销号日期",
            "状态",
        ],
        out,
    )


def _date(value):
    if (
        value is None
        or value is pd.NaT
        or (isinstance(value, float) and pd.isna(value))
    ):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value if isinstance(value, dt.date) else None


def accidents_by_grade(fs: FigureSet) -> Table:
    rows = grade_table(fs.tally("accidents"))
    return Table(
        "accidents_by_grade",
        "生产安全事故分级统计",
        ["等级", "起数", "死亡", "重伤", "直接经济损失（万元）"],
        rows,
        {"直接经济损失（万元）": "wan"},
        note="等级按记录等级与按伤亡、损失计算等级中较重者计（国务院令第493号）。",
    )


def campaigns_table(fs: FigureSet) -> Table:
    t = fs.tally("campaign_completion")
    if not t.available:
        return Table(
            "campaigns",
            "专项整治进度",
            ["专项整治", "目标企业", "达标企业", "完成率"],
            [],
            note=t.note,
        )
    rows = t.items()
    out = []
    for name, part in rows.groupby("campaign", sort=True):
        n, done = len(part), float(part["num"].sum())
        out.append([name, n, int(done), done / n if n else None])
    return Table(
        "campaigns",
        "专项整治进度",
        ["专项整治", "目标企业", "达标企业", "完成率"],
        out,
        {"完成率": "pct"},
    )


#: Every table of the dashboard, by key (each also a download).
DASHBOARD_TABLES = {
    "coverage_by_town": coverage_by_town,
    "inspections_by_town": inspections_by_town,
    "hazards_by_month": hazards_by_month,
    "listed_hazards": listed_hazards,
    "penalties_by_town": penalties_by_town,
    "self_reports_by_town": self_reports_by_town,
    "campaigns": campaigns_table,
    "foundations_by_town": foundations_by_town,
    "accidents_by_grade": accidents_by_grade,
}


def build_table(fs: FigureSet, key: str) -> Table:
    """The dashboard table ``key`` (KeyError naming the known ones)."""
    if key not in DASHBOARD_TABLES:
        raise KeyError(f"unknown table {key!r}; known: {', '.join(DASHBOARD_TABLES)}")
    return DASHBOARD_TABLES[key](fs)
