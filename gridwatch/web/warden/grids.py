"""我的网格: the map of the warden's grids, drawn by static/js/my_grids.js."""

from __future__ import annotations

from flask import jsonify, render_template

from gridwatch.services.warden_map import my_grids_map
from gridwatch.web.extensions import gw_context
from gridwatch.web.pages import warden
from gridwatch.web.session import current_actor


@warden.route("/grids", endpoint="grids")
def grids():
    """The page; the map's data come from :func:`grids_data`."""
    return render_template("warden/grids.html")


@warden.route("/grids.json", endpoint="grids_data")
def grids_data():
    """The map's data (:func:`~gridwatch.services.warden_map.my_grids_map`)."""
    return jsonify(my_grids_map(gw_context(), current_actor()))
