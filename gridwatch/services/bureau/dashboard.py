"""The bureau's dashboard: figure cards, tables, chart series and maps.

Everything here is read from one cached :class:`FigureSet` per period and scope
(the same figures the assessment scores and the report prints). The bureau sees
the district, a street office its own street (scope in SQL, in
:func:`~gridwatch.services.bureau.records.load_records`).

The maps are :mod:`gridwatch.services.bureau.maps`.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from gridwatch.analytics.bureau import Period
from gridwatch.analytics.figures import Figure
from gridwatch.errors import InvalidInputError
from gridwatch.report.annex import write_annex
from gridwatch.report.data import Table
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.bureau import tables as T
from gridwatch.services.bureau.figures import (
    FigureSet,
    cached_figure_set,
    resolve_period,
)
from gridwatch.services.bureau.records import DASHBOARD_ROLES
from gridwatch.services.context import Context
from gridwatch.timeutil import today as local_today

__all__ = [
    "CARDS",
    "dashboard",
    "dashboard_series",
    "figure_json",
    "period_choices",
    "table_xlsx",
]

#: The figure cards at the top of the dashboard, in order.
CARDS = (
    "units_inspected",
    "inspected_rate",
    "coverage_rate",
    "hazards_found",
    "rectification_rate",
    "hazards_overdue",
    "listed_hazards",
    "penalties",
    "fines",
    "fine_amount",
    "self_report_rate",
    "campaign_completion",
    "standardisation_self_assessed",
    "standardisation_reviewed",
    "declarations",
    "safety_officers_trained",
    "accidents",
    "accidents_serious",
)


def _check(actor: Actor) -> None:
    require_role(actor, *DASHBOARD_ROLES, action="Opening the dashboard")


def figure_json(f: Figure) -> dict:
    """A figure for the page and the API: values and the Chinese texts."""
    return {
        "key": f.key,
        "label": f.label,
        "unit": f.unit,
        "value": f.value,
        "previous": f.previous,
        "target": f.target,
        "pct_of_target": f.pct_of_target,
        "text": f.text,
        "previous_text": f.previous_text,
        "yoy_text": f.yoy_text,
        "yoy_kind": f.yoy.kind,
        "target_text": f.target_text if f.target is not None else None,
        "pct_text": f.pct_text if f.target is not None else None,
        "note": f.note,
    }


def period_choices(today: dt.date) -> list[tuple[str, str]]:
    """(key, Chinese label) of the periods the selector offers: this and last
    year, this year's quarters and months so far."""
    out = []
    for year in (today.year, today.year - 1):
        out.append(
            (str(year), f"{year}年" + ("（截至今日）" if year == today.year else ""))
        )
    for q in range(1, (today.month - 1) // 3 + 2):
        out.append((f"{today.year}-Q{q}", f"{today.year}年第{'一二三四'[q - 1]}季度"))
    for mo in range(1, today.month + 1):
        out.append((f"{today.year}-{mo:02d}", f"{today.year}年{mo}月"))
    return out


def _figures(ctx, actor, period_text, today) -> FigureSet:
    _check(actor)
    today = today or local_today()
    return cached_figure_set(
        ctx, actor, resolve_period(period_text, today), today=today
    )


def dashboard(
    ctx: Context, actor: Actor, period_text: str | None = None, *, today=None
) -> dict:
    """Everything the dashboard page shows for the period (cards and tables).

    Raises
    ------
    InvalidInputError
        A period the page cannot read.
    PermissionDeniedError
        Wardens and admins.
    """
    fs = _figures(ctx, actor, period_text, today)
    flagged = fs.tally("accidents").items()
    return {
        "period": _period_json(fs.period),
        "previous": _period_json(fs.previous),
        "choices": period_choices(fs.records.today),
        "scope": "district" if actor.sees_district else actor.scope_code,
        "scope_name": (
            "全区" if actor.sees_district else fs.town_names().get(actor.scope_code, "")
        ),
        "cards": [figure_json(fs.figure(k)) for k in CARDS],
        "tables": {k: T.build_table(fs, k) for k in T.DASHBOARD_TABLES},
        "accidents": T.items_table(fs, "accidents"),
        "flagged_accidents": int(flagged["is_grade_inconsistent"].sum())
        if len(flagged)
        else 0,
        "can_report": actor.role in ("bureau", "system"),
    }


def _period_json(p: Period) -> dict:
    return {
        "key": p.key,
        "label": p.label,
        "start": p.start.isoformat(),
        "end": p.end.isoformat(),
    }


def _series(frame: pd.DataFrame, col: str) -> list:
    return [None if pd.isna(v) else float(v) for v in frame[col]]


def dashboard_series(
    ctx: Context, actor: Actor, period_text: str | None = None, *, today=None
) -> dict:
    """The charts' data: per town and per month, this period and last year's."""
    fs = _figures(ctx, actor, period_text, today)
    months = [f"{int(m[5:])}月" for m in fs.period.months]
    out = {
        "period": _period_json(fs.period),
        "previous": _period_json(fs.previous),
        "months": months,
        "monthly": {},
        "towns": {},
    }
    for key in (
        "hazards_found",
        "hazards_rectified_in_period",
        "hazards_closed",
    ):
        frame = fs.monthly(key)
        out["monthly"][key] = {
            "value": _series(frame, "value"),
            "previous": _series(frame, "previous"),
        }
    frame = fs.stock_by_month("hazards_overdue")
    out["monthly"]["hazards_overdue"] = {
        "value": _series(frame, "value"),
        "previous": _series(frame, "previous"),
    }
    for key in (
        "inspected_rate",
        "coverage_rate",
        "penalties",
        "fine_amount",
        "self_report_rate",
    ):
        frame = fs.by_town(key)
        frame = frame[frame["town_code"] != ""]
        out["towns"][key] = {
            "names": list(frame["town"]),
            "value": _series(frame, "value"),
            "previous": _series(frame, "previous"),
        }
    grades = T.accidents_by_grade(fs)
    out["accident_grades"] = {
        "names": [r[0] for r in grades.rows],
        "count": [r[1] for r in grades.rows],
        "deaths": [r[2] for r in grades.rows],
    }
    camp = T.campaigns_table(fs)
    out["campaigns"] = {
        "available": fs.tally("campaign_completion").available,
        "names": [r[0] for r in camp.rows],
        "share": [r[3] for r in camp.rows],
    }
    return out


def table_xlsx(
    ctx: Context,
    actor: Actor,
    key: str,
    period_text: str | None = None,
    *,
    today=None,
) -> tuple[str, bytes]:
    """(file name, XLSX bytes) of a dashboard table (formula injection neutralised).

    Raises
    ------
    NotFoundError-like InvalidInputError
        An unknown table.
    """
    fs = _figures(ctx, actor, period_text, today)
    if key == "accidents":
        table = T.items_table(fs, "accidents")
    elif key in T.DASHBOARD_TABLES:
        table = T.build_table(fs, key)
    else:
        raise InvalidInputError(
            f"There is no table {key!r}; use one of "
            f"{', '.join([*T.DASHBOARD_TABLES, 'accidents'])}."
        )
    return _xlsx(table, fs)


def _xlsx(table: Table, fs: FigureSet) -> tuple[str, bytes]:
    buf = io.BytesIO()
    write_annex([table], buf)
    name = f"{table.title}_{fs.period.start:%Y%m%d}-{fs.period.end:%Y%m%d}.xlsx"
    return name, buf.getvalue()
