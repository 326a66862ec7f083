"""The bureau's dashboard: figure cards, tables, chart series and maps.

Everything here is read from one cached :class:`FigureSet` per period and scope
(the same figures the assessment scores and the report prints). The bureau sees
the district, a street office its own street (scope in SQL, in
:func:`~gridwatch.services.bureau.records.load_records`).

The hotspot maps are :func:`gridwatch.analytics.monthly_getis_ord` (Gi* per
month) and :func:`gridwatch.analytics.emerging_hotspots` on the period's
hazards, either of the severity-weighted count or of the empirical-Bayes rate
per inspected enterprise (:mod:`gridwatch.analytics.rates`); the legend says
which.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings

import numpy as np
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
    data_token,
    resolve_period,
)
from gridwatch.services.bureau.records import DASHBOARD_ROLES
from gridwatch.services.context import Context
from gridwatch.timeutil import today as local_today

__all__ = [
    "CARDS",
    "HOTSPOT_MEASURES",
    "dashboard",
    "dashboard_series",
    "hotspot_geojson",
    "period_choices",
    "table_xlsx",
    "town_geojson",
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
#: Measures offered on the hotspot maps (count or rate; the legend says which).
HOTSPOT_MEASURES = ("count", "rate_per_inspected")
#: Figures the town map can colour by.
TOWN_MAP_FIGURES = ("coverage_rate", "inspected_rate", "self_report_rate")


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


def _towns_frame(ctx, actor):
    from gridwatch.services.admin import read_admin_units

    towns = read_admin_units(ctx, "town")
    if not actor.sees_district:
        towns = towns[towns["code"] == actor.scope_code]
    return towns


def _display(ctx):
    from gridwatch.maps.base import resolve_tiles

    url, attribution, datum, subdomains = resolve_tiles(ctx.settings.tiles)
    return {
        "url": url,
        "attribution": attribution,
        "datum": datum,
        "subdomains": subdomains,
    }


def _feature_collection(frame, props, datum) -> dict:
    from shapely.geometry import mapping

    from gridwatch.maps.layers import display_geometries

    geoms = display_geometries(frame.geometry.to_numpy(), datum)
    feats = []
    for g, (_, row) in zip(geoms, frame.iterrows()):
        feats.append(
            {
                "type": "Feature",
                "geometry": mapping(g) if g is not None else None,
                "properties": {p: _plain(row[p]) for p in props},
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def _plain(v):
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def town_geojson(
    ctx: Context,
    actor: Actor,
    period_text: str | None = None,
    figure: str = "coverage_rate",
    *,
    today=None,
) -> dict:
    """Towns coloured by a figure (GeoJSON in the display datum) with a legend."""
    if figure not in TOWN_MAP_FIGURES:
        raise InvalidInputError(
            f"The town map shows {', '.join(TOWN_MAP_FIGURES)}, not {figure!r}."
        )
    fs = _figures(ctx, actor, period_text, today)
    values = fs.by_town(figure).set_index("town_code")
    towns = _towns_frame(ctx, actor).copy()
    towns["value"] = towns["code"].map(values["value"])
    towns["previous"] = towns["code"].map(values["previous"])
    towns["num"] = towns["code"].map(values["num"])
    towns["den"] = towns["code"].map(values["den"])
    shown = _display(ctx)
    out = _feature_collection(
        towns, ["code", "name", "value", "previous", "num", "den"], shown["datum"]
    )
    label = fs.figure(figure).label
    out["legend"] = {
        "title": f"{label}（{fs.period.label}）",
        "figure": figure,
        "datum_note": _datum_note(shown),
    }
    out["tiles"] = _tiles(shown)
    return out


def _datum_note(shown) -> str:
    from gridwatch.maps.base import datum_note

    return datum_note(shown["datum"], shown["url"] is not None)


def _tiles(shown) -> dict | None:
    if shown["url"] is None:
        return None
    return {
        "url": shown["url"],
        "attribution": shown["attribution"],
        "subdomains": shown["subdomains"],
    }


_HOTSPOTS: dict = {}


def hotspot_geojson(
    ctx: Context,
    actor: Actor,
    period_text: str | None = None,
    measure: str = "count",
    *,
    today=None,
    permutations: int = 499,
) -> dict:
    """The hotspot (Gi*) and emerging-hotspot cells of the period's hazards.

    ``measure``: ``count`` (severity-weighted hazards) or ``rate_per_inspected``
    (empirical-Bayes hazards per inspected enterprise). Cached per period,
    measure, scope and data state. 499 permutations (pseudo p down to 0.002):
    enough for the 99 % class after the FDR correction on a district's cells,
    at half the time of 999.
    """
    if measure not in HOTSPOT_MEASURES:
        raise InvalidInputError(
            f"The hotspot map shows count or rate_per_inspected, not {measure!r}."
        )
    _check(actor)
    today = today or local_today()
    period = resolve_period(period_text, today)
    key = (
        str(ctx.engine.url),
        actor.role,
        actor.scope_code,
        period,
        measure,
        data_token(ctx),
    )
    if key not in _HOTSPOTS:
        if len(_HOTSPOTS) >= 8:
            _HOTSPOTS.pop(next(iter(_HOTSPOTS)))
        _HOTSPOTS[key] = _hotspots(ctx, actor, period, measure, permutations)
    return _HOTSPOTS[key]


def _hotspots(ctx, actor, period: Period, measure: str, permutations: int) -> dict:
    from gridwatch.analytics import emerging_hotspots, monthly_getis_ord
    from gridwatch.analytics.hotspots import LABELS_ZH
    from gridwatch.analytics.trends import TRENDS_ZH
    from gridwatch.maps.hotspots import LABEL_COLORS, TREND_COLORS
    from gridwatch.services.maps import load_map_data

    data = load_map_data(ctx, actor, period.start, period.end)
    shown = _display(ctx)
    empty = {"type": "FeatureCollection", "features": [], "tiles": _tiles(shown)}
    if data.hazards.empty or data.grids.empty:
        empty["legend"] = {"title": "本期无隐患记录，无法检验热点", "measure": measure}
        return empty
    located = data.enterprises[data.enterprises.geometry.notna()]
    kwargs = {}
    if measure != "count":
        kwargs = {"inspections": data.inspections, "period": (period.start, period.end)}
    with warnings.catch_warnings():
        # libpysal warns of disconnected cells (islands of hexagons); Gi* treats
        # a cell without neighbours on its own, which the legend's unit note says
        warnings.filterwarnings("ignore", message=".*not fully connected.*")
        cells, monthly = monthly_getis_ord(
            data.hazards,
            located,
            data.grids,
            ctx.settings.hazard_weights,
            permutations=permutations,
            measure=measure,
            **kwargs,
        )
    trend = emerging_hotspots(monthly)
    value_col = cells.attrs["value_col"]
    cells = cells.assign(
        value=cells[value_col],
        label_zh=cells["label"].map(LABELS_ZH),
        color=cells["label"].map(LABEL_COLORS),
        trend=cells["cell_id"].map(trend["trend"]).fillna("none"),
    )
    cells["trend_zh"] = cells["trend"].map(TRENDS_ZH)
    cells["trend_color"] = cells["trend"].map(TREND_COLORS)
    props = [
        "cell_id",
        "value",
        "label",
        "label_zh",
        "color",
        "trend",
        "trend_zh",
        "trend_color",
        "n_hazards",
        "n_enterprises",
    ]
    out = _feature_collection(cells, props, shown["datum"])
    out["legend"] = {
        "title": f"隐患热点（{period.label}）",
        "measure": measure,
        "measure_label": cells.attrs.get("measure_label", ""),
        "unit_reason": cells.attrs.get("unit_reason", ""),
        "smoothing_note": cells.attrs.get("smoothing_note", ""),
        "labels": [[LABEL_COLORS.get(k) or "#ffffff", v] for k, v in LABELS_ZH.items()],
        "trends": [[TREND_COLORS.get(k) or "#ffffff", v] for k, v in TRENDS_ZH.items()],
        "datum_note": _datum_note(shown),
        "permutations": permutations,
    }
    out["tiles"] = _tiles(shown)
    return out
