"""A hand-made annual report data set on the seed's figures (tests only)."""

from __future__ import annotations

import datetime as dt

from gridwatch.analytics.assessment import Accident, Measured, default_scheme, score
from gridwatch.report import Chart, ReportData, Table, annual_figure

TOWNS = {
    "440604003": "祖庙街道",
    "440604004": "石湾镇街道",
    "440604010": "张槎街道",
    "440604011": "南庄镇",
}


def _assessment():
    def figs(cov, rect, overdue, selfr, std, meet, drills):
        return {
            "inspected_rate": Measured.ratio(cov * 1000, 1000),
            "coverage_rate": cov,
            "rectification_on_time_rate": rect,
            "overdue_major_hazards": overdue,
            "listed_hazards_closed_rate": Measured.ratio(0, 0),
            "self_report_rate": selfr,
            "campaign_completion": 1.0,
            "standardisation_vs_target": std,
            "declaration_rate": 0.95,
            "safety_officers_trained_vs_target": 1.04,
            "ordinary_accidents": 1,
            "meetings": Measured(meet, note="会议纪要"),
            "drills": drills,
        }

    figures = {
        "440604003": figs(0.97, 0.96, 0, 0.93, 1.2, 4, 3),
        "440604004": figs(0.91, 0.90, 1, 0.88, 1.05, 3, 2),
        "440604010": figs(0.99, 0.97, 0, 0.96, 1.17, 4, 4),
        "440604011": figs(0.93, 0.95, 0, 0.9, 1.1, 4, 2),
    }
    accidents = {
        "440604011": [
            Accident(dt.date(2026, 5, 24), deaths=9, place="某“三合一”家具作坊")
        ]
    }
    return score(
        default_scheme(),
        figures,
        accidents,
        unit_names=TOWNS,
        period=(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    )


def sample_report() -> ReportData:
    """The seed's 2013 figures restated for 2026, with their last-year values."""
    f = annual_figure
    figures = [
        f("units_inspected", 49718, 41230),
        f("inspections", 61204, 50112),
        f("hazards_found", 28699, 25410),
        f("hazards_rectified", 27436, 24102),
        f("rectification_rate", 27436 / 28699, 24102 / 25410),
        f("major_hazards", 37, 29),
        f("listed_hazards", 9, 6),
        f("listed_hazards_closed", 7, 6),
        f("penalties", 432, 205),
        f("fines", 153, 68),
        f("fine_amount", 2_196_200, 1_360_000),
        f("campaigns", 12, 9),
        f("enterprises", 70412, 61300),
        f("enterprises_new", 9104, 7020),
        f("grids", 412, 0),
        f("wardens", 405, 0),
        f("coverage_rate", 0.912, 0.874),
        f("self_report_rate", 0.861, 0.802),
        f("standardisation_self_assessed", 1743, 1320, 1490),
        f("standardisation_reviewed", 1610, 1202, 1490),
        f("declarations", 1868, 1702, 1961),
        f("safety_officers_trained", 4471, 4102, 4300),
        f("accidents", 31, 35),
        f("accident_deaths", 14, 17),
        f("accidents_serious", 1, 0),
    ]
    towns = list(TOWNS.values())
    tables = {
        "inspections_by_town": Table(
            "inspections_by_town",
            "各镇（街道）大检查情况",
            [
                "镇（街道）",
                "检查单位",
                "发现隐患",
                "整改率",
                "行政处罚",
                "罚款（万元）",
            ],
            [
                ["祖庙街道", 12031, 6120, 0.962, 98, 512_300],
                ["石湾镇街道", 11877, 7033, 0.941, 110, 498_100],
                ["张槎街道", 13920, 8410, 0.968, 121, 650_900],
                ["南庄镇", 11890, 7136, 0.951, 103, 534_900],
            ],
            {"整改率": "pct", "罚款（万元）": "wan"},
            note="数据来源：gridwatch 检查记录。",
        ),
        "listed_hazards": Table(
            "listed_hazards",
            "挂牌督办重大安全隐患",
            ["序号", "场所", "隐患", "挂牌日期", "整改期限", "状态"],
            [
                [
                    1,
                    "河滘家具批发市场",
                    "消防通道堵塞、电气线路私拉乱接",
                    dt.date(2026, 6, 18),
                    dt.date(2026, 9, 30),
                    "已销号",
                ],
                [
                    2,
                    "城北香蕉批发市场",
                    "液氨制冷设施无泄漏报警",
                    dt.date(2026, 6, 20),
                    dt.date(2026, 10, 31),
                    "整改中",
                ],
                [
                    3,
                    '=HYPERLINK("http://x")某厂',
                    "有限空间作业无审批",
                    dt.date(2026, 7, 2),
                    dt.date(2026, 8, 31),
                    "已销号",
                ],
            ],
        ),
        "accidents_by_grade": Table(
            "accidents_by_grade",
            "生产安全事故分级统计",
            ["等级", "起数", "死亡", "重伤", "直接经济损失（万元）"],
            [
                ["一般事故", 30, 5, 12, 412_000],
                ["较大事故", 1, 9, 0, 2_100_000],
                ["重大事故", 0, 0, 0, 0],
                ["特别重大事故", 0, 0, 0, 0],
            ],
            {"直接经济损失（万元）": "wan"},
        ),
    }
    months = [f"{m}月" for m in range(1, 13)]
    found = [1810, 1620, 2210, 2450, 2380, 2960, 3120, 2890, 2740, 2450, 2210, 1859]
    fixed = [int(v * 0.93) for v in found]
    charts = {
        "inspections_by_town": Chart(
            "inspections_by_town",
            "各镇（街道）检查单位数（同比）",
            "bar",
            towns,
            {
                "2025年": [10230, 9877, 11020, 10103],
                "2026年": [12031, 11877, 13920, 11890],
            },
            "家",
        ),
        "hazards_by_month": Chart(
            "hazards_by_month",
            "隐患发现与整改（按月）",
            "line",
            months,
            {"发现": found, "整改": fixed},
            "项",
        ),
    }
    lists = {
        "campaigns": ["危险化学品", "烟花爆竹", "液氨液氯", "职业危害", "有限空间"],
        "listed_hazards": ["河滘家具批发市场", "城北香蕉批发市场"],
    }
    return ReportData(
        2026,
        "禅城区",
        "区安监局",
        {x.key: x for x in figures},
        tables,
        charts,
        lists,
        _assessment(),
        dt.date(2027, 1, 15),
    )
