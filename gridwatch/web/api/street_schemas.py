"""Schemas of the street office's API areas (jobs, redraw comparison, routes)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from gridwatch.services.jobs import STATUSES
from gridwatch.web.api.schemas import ErrorBody


class Job(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(list(STATUSES)))
    progress = fields.Float(required=True, metadata={"description": "0..1"})
    progress_text = fields.String(required=True, allow_none=True)
    params = fields.Dict(required=True)
    result = fields.Dict(required=True, allow_none=True)
    error = fields.Nested(ErrorBody, required=True, allow_none=True)
    actor = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    started_at = fields.DateTime(required=True, allow_none=True)
    finished_at = fields.DateTime(required=True, allow_none=True)


class FeatureCollection(Schema):
    type = fields.String(required=True, validate=validate.OneOf(["FeatureCollection"]))
    features = fields.List(fields.Dict(), required=True)


class VersionHead(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)
    label = fields.String(required=True)
    community = fields.String(required=True, allow_none=True)
    editable = fields.Boolean(required=True)


class Edit(Schema):
    id = fields.Integer(required=True)
    op = fields.String(required=True)
    removed = fields.List(fields.String(), required=True)
    added = fields.List(fields.String(), required=True)
    created_at = fields.DateTime(required=True)
    created_by = fields.String(required=True, allow_none=True)


class Comparison(Schema):
    version = fields.Nested(VersionHead, required=True)
    active_version = fields.Integer(required=True, allow_none=True)
    draft = fields.Nested(FeatureCollection, required=True)
    active = fields.Nested(FeatureCollection, required=True)
    check = fields.Dict(required=True)
    edits = fields.List(fields.Nested(Edit), required=True)


class RouteQuery(Schema):
    warden = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "warden's username"},
    )
    day = fields.Date(required=True, metadata={"description": "YYYY-MM-DD"})


class Route(FeatureCollection):
    plan = fields.Integer(required=True)
    warden = fields.String(required=True)
    day = fields.Date(required=True)
    total_m = fields.Integer(required=True, allow_none=True)
