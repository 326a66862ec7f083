"""Patrol routes as GeoJSON: one warden-day of a stored plan (street offices,
the bureau, admins; a warden only their own days)."""

from __future__ import annotations

from gridwatch.services.patrol import day_route
from gridwatch.web.api import GUARDED, area, errors
from gridwatch.web.api.street_schemas import Route, RouteQuery
from gridwatch.web.extensions import gw_context
from gridwatch.web.session import ALL_ROLES, current_actor

blp = area("api_patrol", __name__, ALL_ROLES, "Patrol routes")


@blp.route("/patrol/plans/<id:plan_id>/route")
@blp.arguments(RouteQuery, location="query")
@blp.response(200, Route)
@errors(blp, 400, 404, 422, *GUARDED)
def route(query, plan_id: int):
    """A warden-day's route: the base, the numbered stops (with their status)
    and the line from the base and back."""
    r = day_route(gw_context(), current_actor(), plan_id, query["warden"], query["day"])
    return {
        **r["geojson"],
        "plan": plan_id,
        "warden": r["warden"]["username"],
        "day": r["day"],
        "total_m": r["total_m"],
    }
