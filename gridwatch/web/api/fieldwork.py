"""Inspections (an enterprise's list, record one) and hazards in your scope.

The same services and permissions as the warden pages: an enterprise, inspection
or hazard outside your scope is 404; bureau and admin accounts read but do not
record (403). Photos are added on the web page (multipart), not here; each photo
is listed with its scope-checked URL.
"""

from __future__ import annotations

from flask import url_for

from gridwatch.fieldwork.checkin import parse_position
from gridwatch.services.hazards_in_scope import list_hazards
from gridwatch.services.inspection_reads import list_inspections
from gridwatch.services.inspections import record_inspection
from gridwatch.web.api import GUARDED, area, errors
from gridwatch.web.api.fieldwork_schemas import (
    HazardList,
    HazardQuery,
    InspectionCreate,
    InspectionCreated,
    InspectionList,
    Paging,
)
from gridwatch.web.extensions import gw_context
from gridwatch.web.session import ALL_ROLES, current_actor

blp = area("api_fieldwork", __name__, ALL_ROLES, "Inspections and hazards")


def _photos(items: list[dict]) -> list[dict]:
    return [{**p, "url": url_for("photos.photo", photo_id=p["id"])} for p in items]


def _checkin(row: dict) -> dict:
    return {
        "status": row["checkin_status"],
        "label": row["checkin_label"],
        "is_flagged": row["checkin_flagged"],
        "lng": row["checkin_lng"],
        "lat": row["checkin_lat"],
        "accuracy_m": row["checkin_accuracy_m"],
        "distance_m": row["checkin_distance_m"],
    }


@blp.route("/enterprises/<id:enterprise_id>/inspections")
@blp.arguments(Paging, location="query")
@blp.response(200, InspectionList)
@errors(blp, 400, 404, 422, *GUARDED)
def inspections(query, enterprise_id: int):
    """An enterprise's inspections, patrols and spot checks, newest first."""
    page = list_inspections(gw_context(), current_actor(), enterprise_id, **query)
    page["items"] = [
        {**r, "checkin": _checkin(r), "photos": _photos(r["photos"])}
        for r in page["items"]
    ]
    return page


@blp.route("/enterprises/<id:enterprise_id>/inspections", methods=["POST"])
@blp.arguments(InspectionCreate)
@blp.response(201, InspectionCreated)
@errors(blp, 400, 404, 422, *GUARDED)
def new_inspection(body, enterprise_id: int):
    """Record an inspection with the phone's position (none: 'unverified')."""
    pos = body.pop("position", None)
    position = None if pos is None else parse_position(**pos)
    done = record_inspection(
        gw_context(), current_actor(), enterprise_id, position=position, **body
    )
    credited = done["credited"] or {}
    return {
        **done,
        "credited_grid": credited.get("grid_code"),
        "credited_warden": credited.get("warden"),
    }


@blp.route("/hazards")
@blp.arguments(HazardQuery, location="query")
@blp.response(200, HazardList)
@errors(blp, 400, 404, 422, *GUARDED)
def hazards(query):
    """Hazards of the enterprises in your scope, newest first."""
    page = list_hazards(
        gw_context(), current_actor(), open_only=query.pop("open"), **query
    )
    page["items"] = [{**h, "photos": _photos(h["photos"])} for h in page["items"]]
    return page
