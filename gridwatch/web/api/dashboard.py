"""The dashboard's chart series and maps as JSON/GeoJSON (bureau, street offices).

The figures are the dashboard page's (one cached figure set per period and
scope); a street office gets its own street only.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from gridwatch.services.bureau.dashboard import dashboard_series
from gridwatch.services.bureau.maps import (
    HOTSPOT_MEASURES,
    TOWN_MAP_FIGURES,
    hotspot_geojson,
    town_geojson,
)
from gridwatch.web.api import GUARDED, area, errors
from gridwatch.web.extensions import gw_context
from gridwatch.web.session import current_actor

blp = area(
    "api_dashboard",
    __name__,
    ("bureau", "street_office"),
    "The bureau's dashboard: chart series and maps",
)

_PERIOD = fields.String(
    load_default="",
    validate=validate.Length(max=40),
    metadata={
        "description": "2026, 2026-Q2, 2026-05 or 2026-01-01..2026-06-30 "
        "(default: this year to date)"
    },
)


class PeriodQuery(Schema):
    period = _PERIOD


class TownQuery(Schema):
    period = _PERIOD
    figure = fields.String(
        load_default="coverage_rate", validate=validate.OneOf(TOWN_MAP_FIGURES)
    )


class HotspotQuery(Schema):
    period = _PERIOD
    measure = fields.String(
        load_default="count",
        validate=validate.OneOf(HOTSPOT_MEASURES),
        metadata={
            "description": "count: weighted hazards; rate_per_inspected: "
            "empirical-Bayes hazards per inspected enterprise"
        },
    )


class Series(Schema):
    period = fields.Dict(required=True)
    previous = fields.Dict(required=True)
    months = fields.List(fields.String(), required=True)
    monthly = fields.Dict(required=True)
    towns = fields.Dict(required=True)
    accident_grades = fields.Dict(required=True)
    campaigns = fields.Dict(required=True)


class MapCollection(Schema):
    type = fields.String(required=True, validate=validate.OneOf(["FeatureCollection"]))
    features = fields.List(fields.Dict(), required=True)
    legend = fields.Dict(required=True)
    tiles = fields.Dict(required=True, allow_none=True)


@blp.route("/dashboard/series")
@blp.arguments(PeriodQuery, location="query")
@blp.response(200, Series)
@errors(blp, 400, 422, *GUARDED)
def series(query):
    """Monthly and per-town series of the period and the same period last year."""
    return dashboard_series(gw_context(), current_actor(), query["period"])


@blp.route("/dashboard/towns")
@blp.arguments(TownQuery, location="query")
@blp.response(200, MapCollection)
@errors(blp, 400, 422, *GUARDED)
def towns(query):
    """Towns/streets with one figure (GeoJSON in the map's display datum)."""
    return town_geojson(gw_context(), current_actor(), query["period"], query["figure"])


@blp.route("/dashboard/hotspots")
@blp.arguments(HotspotQuery, location="query")
@blp.response(200, MapCollection)
@errors(blp, 400, 422, *GUARDED)
def hotspots(query):
    """Hotspot (Gi*) and emerging-hotspot cells of the period's hazards, by
    weighted count or by empirical-Bayes rate; the legend says which."""
    return hotspot_geojson(
        gw_context(), current_actor(), query["period"], query["measure"]
    )
