"""marshmallow schemas of the API: requests are validated by them (422 with the
field messages in the one error shape) and the OpenAPI document is built from them."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from gridwatch.vocab import RISK_LEVELS, ROLES, SECTORS


class ErrorBody(Schema):
    code = fields.String(required=True, metadata={"description": "stable error code"})
    message = fields.String(required=True, metadata={"description": "one sentence"})
    details = fields.Dict(required=True)


class ErrorEnvelope(Schema):
    """Every error: ``{"error": {code, message, details}}``."""

    error = fields.Nested(ErrorBody, required=True)


class Me(Schema):
    username = fields.String(required=True)
    full_name = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(list(ROLES)))
    role_label = fields.String(required=True)
    scope_code = fields.String(required=True, allow_none=True)
    language = fields.String(required=True, allow_none=True)
    via_token = fields.Boolean(required=True)


class Health(Schema):
    status = fields.String(required=True, validate=validate.OneOf(["ok"]))
    database = fields.String(required=True)
    schema_revision = fields.String(required=True, allow_none=True)


class Geometry(Schema):
    type = fields.String(required=True)
    coordinates = fields.List(fields.Raw(), required=True)


class _Feature(Schema):
    type = fields.String(required=True, validate=validate.OneOf(["Feature"]))
    id = fields.Raw(required=True)
    geometry = fields.Nested(Geometry, required=True, allow_none=True)


class GridProperties(Schema):
    code = fields.String(required=True)
    parent_code = fields.String(required=True)
    workload = fields.Float(required=True, allow_none=True)
    n_enterprises = fields.Integer(required=True)
    area_m2 = fields.Float(required=True, allow_none=True)


class GridFeature(_Feature):
    properties = fields.Nested(GridProperties, required=True)


class GridCollection(Schema):
    type = fields.String(required=True, validate=validate.OneOf(["FeatureCollection"]))
    features = fields.List(fields.Nested(GridFeature), required=True)
    version = fields.Integer(required=True)


class GridQuery(Schema):
    version = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "grid version (default: the active one)"},
    )


class EnterpriseProperties(Schema):
    uscc = fields.String(required=True)
    name = fields.String(required=True)
    address = fields.String(required=True, allow_none=True)
    sector = fields.String(required=True)
    sector_label = fields.String(required=True)
    risk_level = fields.String(required=True)
    risk_label = fields.String(required=True)
    precision = fields.String(required=True)
    town_code = fields.String(required=True, allow_none=True)
    community_code = fields.String(required=True, allow_none=True)


class EnterpriseFeature(_Feature):
    properties = fields.Nested(EnterpriseProperties, required=True)


class Link(Schema):
    rel = fields.String(required=True)
    href = fields.String(required=True)


class EnterpriseCollection(Schema):
    type = fields.String(required=True, validate=validate.OneOf(["FeatureCollection"]))
    features = fields.List(fields.Nested(EnterpriseFeature), required=True)
    numberMatched = fields.Integer(required=True)
    numberReturned = fields.Integer(required=True)
    links = fields.List(fields.Nested(Link), required=True)


def _bbox(text: str) -> tuple[float, float, float, float]:
    try:
        parts = tuple(float(p) for p in text.split(","))
    except ValueError:
        raise ValidationError(
            "bbox must be four numbers: minx,miny,maxx,maxy."
        ) from None
    if len(parts) != 4:
        raise ValidationError("bbox must be four numbers: minx,miny,maxx,maxy.")
    minx, miny, maxx, maxy = parts
    if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
        raise ValidationError("bbox needs min < max, longitudes ±180, latitudes ±90.")
    return parts


class BBox(fields.String):
    """``minx,miny,maxx,maxy`` in WGS-84 degrees, parsed to a 4-tuple."""

    def _deserialize(self, value, attr, data, **kwargs):
        return _bbox(super()._deserialize(value, attr, data, **kwargs))


class EnterpriseQuery(Schema):
    bbox = BBox(metadata={"description": "minx,miny,maxx,maxy (WGS-84 degrees)"})
    risk = fields.List(
        fields.String(validate=validate.OneOf(list(RISK_LEVELS))),
        metadata={"description": "risk levels (repeat the parameter)"},
    )
    sector = fields.List(
        fields.String(validate=validate.OneOf(list(SECTORS))),
        metadata={"description": "sectors (repeat the parameter)"},
    )
    grid = fields.String(
        validate=validate.Regexp(r"^\d{15}$"),
        metadata={"description": "15-digit grid code"},
    )
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=5000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**7))

    @validates_schema
    def _no_empty_lists(self, data, **kwargs):
        for key in ("risk", "sector"):
            if key in data and not data[key]:
                raise ValidationError(f"{key} must not be empty.", key)


class TokenCreate(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))


class TokenCreated(Schema):
    id = fields.Integer(required=True)
    prefix = fields.String(required=True)
    name = fields.String(required=True)
    token = fields.String(
        required=True, metadata={"description": "shown once; store it now"}
    )


class Token(Schema):
    id = fields.Integer(required=True)
    prefix = fields.String(required=True)
    name = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    created_by = fields.String(required=True)
    last_used_at = fields.DateTime(required=True, allow_none=True)
    revoked_at = fields.DateTime(required=True, allow_none=True)
