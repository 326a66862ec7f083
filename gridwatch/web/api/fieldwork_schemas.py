"""Schemas of the inspections, hazards and coverage endpoints (see fieldwork.py,
coverage.py). Dates are ISO ``YYYY-MM-DD`` (district days, Asia/Shanghai);
timestamps carry their offset; coordinates are WGS-84 degrees."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from gridwatch.services.inspection_reads import MAX_LIMIT
from gridwatch.services.inspections import TEXT_MAX
from gridwatch.vocab import (
    CHECKIN_STATUSES,
    HAZARD_LEVELS,
    INSPECTION_KINDS,
    INSPECTION_RESULTS,
)
from gridwatch.web.api.schemas import Geometry


class Paging(Schema):
    limit = fields.Integer(
        load_default=50, validate=validate.Range(min=1, max=MAX_LIMIT)
    )
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**7))


class PhotoRef(Schema):
    id = fields.Integer(required=True)
    content_type = fields.String(required=True)
    width = fields.Integer(required=True)
    height = fields.Integer(required=True)
    url = fields.String(required=True, metadata={"description": "scope-checked"})


class CheckIn(Schema):
    status = fields.String(
        required=True, allow_none=True, validate=validate.OneOf(list(CHECKIN_STATUSES))
    )
    label = fields.String(required=True, allow_none=True)
    is_flagged = fields.Boolean(required=True)
    lng = fields.Float(required=True, allow_none=True)
    lat = fields.Float(required=True, allow_none=True)
    accuracy_m = fields.Float(required=True, allow_none=True)
    distance_m = fields.Float(required=True, allow_none=True)


class Inspection(Schema):
    id = fields.Integer(required=True)
    enterprise_id = fields.Integer(required=True)
    inspected_on = fields.Date(required=True)
    kind = fields.String(required=True)
    kind_label = fields.String(required=True)
    result = fields.String(required=True)
    result_label = fields.String(required=True)
    notes = fields.String(required=True, allow_none=True)
    inspector = fields.String(required=True, allow_none=True)
    inspector_name = fields.String(required=True, allow_none=True)
    checkin = fields.Nested(CheckIn, required=True)
    credited_grid = fields.String(required=True, allow_none=True)
    credited_warden = fields.String(required=True, allow_none=True)
    photos = fields.List(fields.Nested(PhotoRef), required=True)


class InspectionList(Schema):
    enterprise_id = fields.Integer(required=True)
    items = fields.List(fields.Nested(Inspection), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)


class Position(Schema):
    """The phone's position (the Geolocation API's ``coords``)."""

    lng = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    accuracy_m = fields.Float(required=True, validate=validate.Range(min=0, max=1e6))
    datum = fields.String(
        load_default="wgs84",
        validate=validate.OneOf(["wgs84", "cgcs2000", "gcj02", "bd09"]),
    )
    at = fields.DateTime(
        load_default=None, metadata={"description": "when it was taken"}
    )


class InspectionCreate(Schema):
    inspected_on = fields.Date(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(list(INSPECTION_KINDS)))
    result = fields.String(
        required=True, validate=validate.OneOf(list(INSPECTION_RESULTS))
    )
    notes = fields.String(load_default=None, validate=validate.Length(max=TEXT_MAX))
    position = fields.Nested(
        Position,
        load_default=None,
        allow_none=True,
        metadata={"description": "absent: the check-in is 'unverified'"},
    )


class InspectionCreated(Schema):
    id = fields.Integer(required=True)
    enterprise_id = fields.Integer(required=True)
    inspected_on = fields.Date(required=True)
    kind = fields.String(required=True)
    result = fields.String(required=True)
    checkin = fields.Nested(CheckIn, required=True)
    credited_grid = fields.String(required=True, allow_none=True)
    credited_warden = fields.String(required=True, allow_none=True)


class HazardQuery(Paging):
    open = fields.Boolean(
        load_default=False, metadata={"description": "only unrectified hazards"}
    )
    level = fields.String(validate=validate.OneOf(list(HAZARD_LEVELS)))
    enterprise_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class Hazard(Schema):
    id = fields.Integer(required=True)
    enterprise_id = fields.Integer(required=True)
    uscc = fields.String(required=True)
    enterprise_name = fields.String(required=True)
    inspection_id = fields.Integer(required=True, allow_none=True)
    level = fields.String(required=True, validate=validate.OneOf(list(HAZARD_LEVELS)))
    level_label = fields.String(required=True)
    category = fields.String(required=True)
    category_label = fields.String(required=True)
    description = fields.String(required=True, allow_none=True)
    found_on = fields.Date(required=True)
    deadline = fields.Date(required=True, allow_none=True)
    days_to_deadline = fields.Integer(required=True, allow_none=True)
    status = fields.String(required=True)
    state = fields.String(required=True)
    state_label = fields.String(required=True)
    is_open = fields.Boolean(required=True)
    flags = fields.List(fields.String(), required=True)
    photos = fields.List(fields.Nested(PhotoRef), required=True)


class HazardList(Schema):
    items = fields.List(fields.Nested(Hazard), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)


class PeriodQuery(Schema):
    start = fields.Date(metadata={"description": "first day (default: end - 364)"})
    end = fields.Date(metadata={"description": "last day (default: today)"})


class GridCoverageQuery(PeriodQuery):
    town = fields.String(
        validate=validate.Regexp(r"^\d{9}$"),
        metadata={"description": "9-digit town/street code (district roles)"},
    )


class Coverage(Schema):
    n = fields.Integer(required=True, metadata={"description": "enterprises"})
    on_time = fields.Integer(required=True)
    share_on_time = fields.Float(required=True, allow_none=True)
    never = fields.Integer(required=True)
    share_never = fields.Float(required=True, allow_none=True)
    overdue = fields.Integer(required=True)
    due_soon = fields.Integer(required=True)
    open_hazards = fields.Integer(required=True)


class GridCoverageProps(Coverage):
    code = fields.String(required=True)
    parent_code = fields.String(required=True)
    warden = fields.String(required=True)
    warden_username = fields.String(required=True)


class GridCoverageFeature(Schema):
    type = fields.String(required=True, validate=validate.OneOf(["Feature"]))
    id = fields.String(required=True)
    geometry = fields.Nested(Geometry, required=True, allow_none=True)
    properties = fields.Nested(GridCoverageProps, required=True)


class GridCoverage(Schema):
    type = fields.String(required=True, validate=validate.OneOf(["FeatureCollection"]))
    features = fields.List(fields.Nested(GridCoverageFeature), required=True)
    town_code = fields.String(required=True)
    town_name = fields.String(required=True)
    version = fields.Integer(required=True)
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    totals = fields.Nested(Coverage(exclude=["open_hazards"]), required=True)


class TownCoverageRow(Coverage):
    code = fields.String(
        required=True,
        metadata={"description": "town code; '' in no grid or town; 'district'"},
    )
    name = fields.String(required=True)


class TownCoverageProps(Coverage):
    code = fields.String(required=True)
    name = fields.String(required=True)
    is_illustrative = fields.Boolean(required=True)


class TownCoverageFeature(Schema):
    type = fields.String(required=True, validate=validate.OneOf(["Feature"]))
    id = fields.String(required=True)
    geometry = fields.Nested(Geometry, required=True, allow_none=True)
    properties = fields.Nested(TownCoverageProps, required=True)


class TownCoverage(Schema):
    type = fields.String(required=True, validate=validate.OneOf(["FeatureCollection"]))
    features = fields.List(fields.Nested(TownCoverageFeature), required=True)
    table = fields.List(fields.Nested(TownCoverageRow), required=True)
    version = fields.Integer(required=True)
    start = fields.Date(required=True)
    end = fields.Date(required=True)
