"""The street's grids, coverage and overdue enterprises; an enterprise's file."""

from __future__ import annotations

from flask import render_template, request

from gridwatch.services.enterprise_file import enterprise_file
from gridwatch.services.overview import street_overview
from gridwatch.web.extensions import gw_context
from gridwatch.web.pages import street
from gridwatch.web.session import current_actor

PER_PAGE = 50


@street.route("/overview", endpoint="overview")
def overview():
    """网格覆盖与逾期: grids with coverage and warden, overdue by grid and warden.

    The map is drawn by static/js/coverage_map.js from ``/api/v1/coverage/grids``.
    """
    ov = street_overview(gw_context(), current_actor())
    args = {k: request.args.get(k) for k in ("grid", "warden")}
    late = ov.overdue_page(
        grid=args["grid"] or None,
        warden=args["warden"],
        page=request.args.get("page", 1, type=int),
        per=PER_PAGE,
    )
    return render_template("street/overview.html", ov=ov, late=late, args=args)


@street.route("/enterprises/<id:enterprise_id>", endpoint="enterprise")
def enterprise(enterprise_id: int):
    """一企一档 of an enterprise of the street (read-only here)."""
    data = enterprise_file(gw_context(), current_actor(), enterprise_id)
    return render_template("enterprise/file.html", f=data, area="street")
