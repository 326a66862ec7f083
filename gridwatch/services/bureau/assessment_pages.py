"""What the assessment pages show: ranking, one town's indicators, the items
behind an indicator (drill-down), the manual figures and the scheme versions.

One call per page; every figure comes from
:func:`gridwatch.services.bureau.assessment.assess` (the dashboard's figures),
and a drill-down lists the very items (:meth:`Tally.items`) the figure counted.
"""

from __future__ import annotations

import io

from gridwatch.analytics.assessment import MANUAL
from gridwatch.analytics.bureau import ASSESSMENT_SOURCES
from gridwatch.analytics.figures import format_number
from gridwatch.errors import NotFoundError
from gridwatch.report.annex import write_annex
from gridwatch.report.data import Table
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.bureau.assessment import (
    AssessmentResult,
    assess,
    list_scheme_versions,
    manual_figures,
    scheme_for,
)
from gridwatch.services.bureau.figures import cached_figure_set, resolve_period
from gridwatch.services.bureau.tables import items_table
from gridwatch.services.context import Context
from gridwatch.timeutil import today as local_today

__all__ = [
    "assessment_page",
    "assessment_xlsx",
    "indicator_items",
    "indicator_xlsx",
    "manual_page",
    "scheme_page",
    "town_page",
]

#: Rows of a drill-down shown on the page (the XLSX has them all).
ITEMS_ON_PAGE = 300


def _result(ctx, actor, period_text, version) -> AssessmentResult:
    require_role(actor, "bureau", action="Opening the assessment")
    today = local_today()
    period = resolve_period(period_text, today)
    fs = cached_figure_set(ctx, actor, period, today=today)
    return assess(ctx, actor, period, scheme_version=version, figures=fs)


def assessment_page(
    ctx: Context, actor: Actor, period_text: str | None, version: int | None
) -> dict:
    """The ranking of the period with the scheme in force (or ``version``)."""
    result = _result(ctx, actor, period_text, version)
    in_force = scheme_for(ctx, actor, result.figures.period.end)
    return {
        "result": result,
        "period": result.figures.period,
        "versions": list_scheme_versions(ctx, actor),
        "in_force": in_force,
        "table": result.assessment.ranking_rows(),
    }


def assessment_xlsx(
    ctx: Context, actor: Actor, period_text: str | None, version: int | None
) -> tuple[str, bytes]:
    """The ranking and each indicator's points per town, as XLSX (the report's
    tables of the assessment)."""
    from gridwatch.report.data import assessment_detail_table, assessment_table

    result = _result(ctx, actor, period_text, version)
    a = result.assessment
    buf = io.BytesIO()
    write_annex([assessment_table(a), assessment_detail_table(a)], buf)
    return f"安全生产责任制考核_{result.figures.period.label}.xlsx", buf.getvalue()


def _unit(result: AssessmentResult, town: str):
    try:
        return result.assessment.unit(town)
    except KeyError:
        raise NotFoundError(
            f"There is no town/street {town} in the assessment."
        ) from None


def town_page(
    ctx: Context,
    actor: Actor,
    town: str,
    period_text: str | None,
    version: int | None,
) -> dict:
    """One town's total, rank, veto and each indicator with its figure's parts."""
    result = _result(ctx, actor, period_text, version)
    unit = _unit(result, town)
    scheme = result.assessment.scheme
    rows = []
    for ind, s in zip(scheme.indicators, unit.indicators):
        m = s.measured
        rows.append(
            {
                "key": ind.key,
                "name": ind.name,
                "weight": ind.weight,
                "points": s.points,
                "status": s.status,
                "explanation": s.explanation,
                "rule": ind.rule_text,
                "value": None if m is None else m.value,
                "numerator": None if m is None else m.numerator,
                "denominator": None if m is None else m.denominator,
                "note": "" if m is None else m.note,
                "drill": ind.source != MANUAL,
            }
        )
    return {
        "result": result,
        "unit": unit,
        "period": result.figures.period,
        "indicators": rows,
    }


def _items(ctx, actor, town, indicator, period_text, version) -> Table:
    result = _result(ctx, actor, period_text, version)
    unit = _unit(result, town)
    try:
        ind = result.assessment.scheme.indicator(indicator)
    except KeyError:
        raise NotFoundError(
            f"There is no indicator {indicator} in the scheme used."
        ) from None
    if ind.source == MANUAL:
        raise NotFoundError(
            f"{ind.name} is entered by hand; it has no list of items behind it."
        )
    key = ASSESSMENT_SOURCES[ind.source][0]
    table = items_table(result.figures, key, town)
    score = unit.indicator(indicator)
    return Table(
        table.key,
        f"{unit.name} · {ind.name}（{result.figures.period.label}）",
        table.columns,
        table.rows,
        table.formats,
        note=score.explanation,
    )


def indicator_items(
    ctx: Context,
    actor: Actor,
    town: str,
    indicator: str,
    period_text: str | None,
    version: int | None,
) -> dict:
    """The enterprises, hazards or records behind one town's indicator."""
    table = _items(ctx, actor, town, indicator, period_text, version)
    return {
        "table": table,
        "shown": table.rows[:ITEMS_ON_PAGE],
        "total": len(table.rows),
        "cells": [
            [table.cell_text(c, v) for c, v in zip(table.columns, row)]
            for row in table.rows[:ITEMS_ON_PAGE]
        ],
    }


def indicator_xlsx(
    ctx: Context,
    actor: Actor,
    town: str,
    indicator: str,
    period_text: str | None,
    version: int | None,
) -> tuple[str, bytes]:
    """The drill-down list as XLSX (formula injection neutralised)."""
    table = _items(ctx, actor, town, indicator, period_text, version)
    buf = io.BytesIO()
    write_annex([table], buf)
    return f"{table.title}.xlsx", buf.getvalue()


def manual_page(ctx: Context, actor: Actor, period_text: str | None) -> dict:
    """The manual indicators of the scheme in force, and what was entered."""
    require_role(actor, "bureau", action="Entering assessment figures")
    today = local_today()
    period = resolve_period(period_text, today)
    fs = cached_figure_set(ctx, actor, period, today=today)
    sv = scheme_for(ctx, actor, period.end)
    indicators = [i for i in sv.scheme().indicators if i.source == MANUAL]
    entered = manual_figures(ctx, actor, period)
    towns = fs.town_names()
    rows = []
    for code, name in towns.items():
        for ind in indicators:
            m = entered.get(code, {}).get(ind.key)
            rows.append(
                {
                    "town": name,
                    "indicator": ind.name,
                    "value": None
                    if m is None
                    else format_number(m.value, 2) + ind.unit,
                    "note": "" if m is None else m.note,
                }
            )
    return {
        "period": period,
        "towns": list(towns.items()),
        "indicators": [(i.key, i.name) for i in indicators],
        "rows": rows,
        "scheme": sv,
    }


def scheme_page(ctx: Context, actor: Actor, version: int | None = None) -> dict:
    """The scheme text to edit (the latest, or ``version``) and every version."""
    require_role(actor, "bureau", "admin", action="Opening the assessment scheme")
    current = scheme_for(ctx, actor, None, version)
    return {"current": current, "versions": list_scheme_versions(ctx, actor)}
