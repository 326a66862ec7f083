"""Coverage by town/street and the hazard hotspot map (read-only)."""

from __future__ import annotations

from flask import jsonify, render_template, request

from gridwatch.analytics.trends import TRENDS
from gridwatch.maps.hotspots import LABEL_COLORS
from gridwatch.services.inspections import parse_day
from gridwatch.services.overview import bureau_coverage, bureau_hotspots
from gridwatch.web.extensions import gw_context
from gridwatch.web.pages import bureau
from gridwatch.web.session import current_actor


def _period() -> dict:
    """``start``/``end`` from the query (YYYY-MM-DD; absent: the default period)."""
    out = {}
    for key in ("start", "end"):
        text = (request.args.get(key) or "").strip()
        out[key] = parse_day(text, f"period {key}") if text else None
    return out


@bureau.route("/coverage", endpoint="coverage")
def coverage():
    """按镇街的检查覆盖率: the table here, the map from /api/v1/coverage/towns."""
    cov = bureau_coverage(gw_context(), current_actor(), **_period())
    return render_template("bureau/coverage.html", cov=cov)


@bureau.route("/hotspots", endpoint="hotspots")
def hotspots():
    """隐患热点: the map drawn from :func:`hotspots_data`."""
    return render_template(
        "bureau/hotspots.html", colors=LABEL_COLORS, trend_codes=list(TRENDS)
    )


@bureau.route("/hotspots.json", endpoint="hotspots_data")
def hotspots_data():
    """Gi* cells of the period (:func:`~gridwatch.services.overview.bureau_hotspots`)."""
    view = bureau_hotspots(gw_context(), current_actor(), **_period())
    return jsonify(view.to_json())
