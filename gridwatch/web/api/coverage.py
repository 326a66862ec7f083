"""Inspection coverage: a street's grids (street office, bureau) and the district's
towns/streets (bureau), as GeoJSON with the coverage map's figures."""

from __future__ import annotations

from gridwatch.services.geojson import plain
from gridwatch.services.overview import bureau_coverage, street_overview
from gridwatch.web.api import GUARDED, area, errors
from gridwatch.web.api.fieldwork_schemas import (
    GridCoverage,
    GridCoverageQuery,
    PeriodQuery,
    TownCoverage,
)
from gridwatch.web.extensions import gw_context
from gridwatch.web.session import current_actor

blp = area(
    "api_coverage",
    __name__,
    ("street_office", "bureau", "admin"),
    "Inspection coverage",
)


def _with_ids(collection: dict) -> dict:
    for f in collection["features"]:
        f["id"] = f["properties"]["code"]
    return collection


@blp.route("/coverage/grids")
@blp.arguments(GridCoverageQuery, location="query")
@blp.response(200, GridCoverage)
@errors(blp, 400, 404, 422, *GUARDED)
def grids(query):
    """A town/street's grids with coverage, open hazards and the responsible
    warden (a street office: its own; district roles name ``town``)."""
    ov = street_overview(
        gw_context(),
        current_actor(),
        query.get("town"),
        start=query.get("start"),
        end=query.get("end"),
    )
    return {
        **_with_ids(plain(ov.geojson())),
        "town_code": ov.town_code,
        "town_name": ov.town_name,
        "version": ov.version,
        "start": ov.start,
        "end": ov.end,
        "totals": ov.totals,
    }


@blp.route("/coverage/towns")
@blp.arguments(PeriodQuery, location="query")
@blp.response(200, TownCoverage)
@errors(blp, 400, 422, *GUARDED)
def towns(query):
    """Coverage of every town/street, the unplaced and the district (bureau)."""
    cov = bureau_coverage(gw_context(), current_actor(), **query)
    data = cov.to_json()
    return {
        **_with_ids(data["towns"]),
        "table": data["table"],
        "version": cov.version,
        "start": cov.start,
        "end": cov.end,
    }
