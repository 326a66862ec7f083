"""Grids and enterprises as GeoJSON (WGS-84), filtered by the caller's scope in SQL."""

from __future__ import annotations

import math
from urllib.parse import urlencode

from flask import request
from shapely.geometry import mapping

from gridwatch.services.enterprises import (
    EnterpriseFilter,
    count_enterprises,
    read_enterprises,
)
from gridwatch.services.grids import read_grids, resolve_version
from gridwatch.web.api import GUARDED, area, errors
from gridwatch.web.api.schemas import (
    EnterpriseCollection,
    EnterpriseQuery,
    GridCollection,
    GridQuery,
)
from gridwatch.web.extensions import gw_context
from gridwatch.web.i18n import label
from gridwatch.web.session import ALL_ROLES, current_actor

blp = area("api", __name__, ALL_ROLES, "Grids and enterprises (GeoJSON)")


def _plain(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return v.item() if hasattr(v, "item") else v


def _features(frame, id_col: str, props) -> list[dict]:
    out = []
    for row in frame.itertuples(index=False):
        geom = row.geometry
        out.append(
            {
                "type": "Feature",
                "id": _plain(getattr(row, id_col)),
                "geometry": mapping(geom) if geom is not None else None,
                "properties": props(row),
            }
        )
    return out


@blp.route("/grids")
@blp.arguments(GridQuery, location="query")
@blp.response(200, GridCollection)
@errors(blp, 404, 422, *GUARDED)
def grids(query):
    """The grids of a version (default: the active one) in your scope."""
    ctx, actor = gw_context(), current_actor()
    vid = resolve_version(ctx, query.get("version"))
    frame = read_grids(ctx, actor, vid)
    features = _features(
        frame,
        "code",
        lambda r: {
            "code": r.code,
            "parent_code": r.parent_code,
            "workload": _plain(r.workload),
            "n_enterprises": int(_plain(r.n_enterprises) or 0),
            "area_m2": _plain(r.area_m2),
        },
    )
    return {"type": "FeatureCollection", "features": features, "version": vid}


def _enterprise_props(r) -> dict:
    return {
        "uscc": r.uscc,
        "name": r.name,
        "address": _plain(r.address),
        "sector": r.sector,
        "sector_label": label("SECTORS", r.sector),
        "risk_level": r.risk_level,
        "risk_label": label("RISK_LEVELS", r.risk_level),
        "precision": r.precision,
        "town_code": _plain(r.town_code),
        "community_code": _plain(r.community_code),
    }


@blp.route("/enterprises")
@blp.arguments(EnterpriseQuery, location="query")
@blp.response(200, EnterpriseCollection)
@errors(blp, 400, 422, *GUARDED)
def enterprises(query):
    """Enterprises in your scope: bbox, risk, sector and grid filters, paged by
    ``limit``/``offset`` (ordered by id); ``numberMatched`` counts all pages."""
    ctx, actor = gw_context(), current_actor()
    where = EnterpriseFilter(
        bbox=query.get("bbox"),
        risk=tuple(query["risk"]) if query.get("risk") else None,
        sector=tuple(query["sector"]) if query.get("sector") else None,
        grid=query.get("grid"),
    )
    limit, offset = query["limit"], query["offset"]
    frame = read_enterprises(ctx, actor, where=where, limit=limit, offset=offset)
    matched = count_enterprises(ctx, actor, where)
    return {
        "type": "FeatureCollection",
        "features": _features(frame, "id", _enterprise_props),
        "numberMatched": matched,
        "numberReturned": len(frame),
        "links": _page_links(limit, offset, matched),
    }


def _page_links(limit: int, offset: int, matched: int) -> list[dict]:
    args = request.args.to_dict(flat=False)
    links = []
    for rel, start in (("next", offset + limit), ("prev", offset - limit)):
        if (rel == "next" and start < matched) or (rel == "prev" and offset > 0):
            args["offset"] = [str(max(start, 0))]
            query = urlencode(args, doseq=True)
            links.append({"rel": rel, "href": f"{request.path}?{query}"})
    return links
