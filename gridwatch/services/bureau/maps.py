"""The dashboard's maps: towns coloured by a figure, and the hazard hotspots.

Both are GeoJSON in the map's display datum (:func:`gridwatch.maps.base.resolve_tiles`:
WGS-84, or GCJ-02 under Amap tiles), with a legend that says what is shown.
The towns' values are the dashboard's figures (the cached figure set). The
hotspots are :func:`gridwatch.services.maps.hotspot_frames` (Gi* per month and
the emerging-hotspot trend) on the period's hazards, of the severity-weighted
count or of the empirical-Bayes rate per inspected enterprise
(:mod:`gridwatch.analytics.rates`); the legend names the measure.
"""

from __future__ import annotations

import warnings

import numpy as np

from gridwatch.analytics.bureau import Period
from gridwatch.errors import InvalidInputError
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.bureau.figures import (
    cached_figure_set,
    data_token,
    resolve_period,
)
from gridwatch.services.bureau.records import DASHBOARD_ROLES
from gridwatch.services.context import Context
from gridwatch.timeutil import today as local_today

__all__ = ["HOTSPOT_MEASURES", "TOWN_MAP_FIGURES", "hotspot_geojson", "town_geojson"]

#: Measures offered on the hotspot maps (count or rate; the legend says which).
HOTSPOT_MEASURES = ("count", "rate_per_inspected")
#: Figures the town map can colour by.
TOWN_MAP_FIGURES = ("coverage_rate", "inspected_rate", "self_report_rate")


def _check(actor: Actor) -> None:
    require_role(actor, *DASHBOARD_ROLES, action="Opening the dashboard's maps")


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
    _check(actor)
    today = today or local_today()
    period = resolve_period(period_text, today)
    fs = cached_figure_set(ctx, actor, period, today=today)
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
    from gridwatch.analytics.hotspots import LABELS_ZH
    from gridwatch.analytics.trends import TRENDS_ZH
    from gridwatch.maps.hotspots import LABEL_COLORS, TREND_COLORS
    from gridwatch.services.maps import hotspot_frames, load_map_data

    data = load_map_data(ctx, actor, period.start, period.end)
    shown = _display(ctx)
    if data.hazards.empty or data.grids.empty:
        empty = {"type": "FeatureCollection", "features": [], "tiles": _tiles(shown)}
        empty["legend"] = {"title": "本期无隐患记录，无法检验热点", "measure": measure}
        return empty
    with warnings.catch_warnings():
        # libpysal warns of disconnected cells (islands of hexagons); Gi* treats
        # a cell without neighbours on its own, which the legend's unit note says
        warnings.filterwarnings("ignore", message=".*not fully connected.*")
        cells, _monthly, trend = hotspot_frames(
            ctx, data, measure=measure, permutations=permutations
        )
    cells = cells.assign(
        value=cells[cells.attrs["value_col"]],
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
