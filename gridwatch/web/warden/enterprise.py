"""一企一档 (the enterprise's file) and moving the enterprise's pin."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from gridwatch.errors import InvalidInputError
from gridwatch.services.enterprise_file import enterprise_file
from gridwatch.services.inspections import correct_location
from gridwatch.services.warden_map import location_for_edit
from gridwatch.web.extensions import gw_context
from gridwatch.web.pages import warden
from gridwatch.web.session import current_actor
from gridwatch.web.warden.forms import LocationForm


@warden.route("/enterprises/<id:enterprise_id>", endpoint="enterprise")
def enterprise(enterprise_id: int):
    """Details, location, status, who is responsible, history, hazards, penalties."""
    data = enterprise_file(gw_context(), current_actor(), enterprise_id)
    return render_template("enterprise/file.html", f=data, area="warden")


@warden.route(
    "/enterprises/<id:enterprise_id>/location",
    methods=["GET", "POST"],
    endpoint="location",
)
def location(enterprise_id: int):
    """Move the pin on a map (stored as ``manual`` with the map's datum, audited)."""
    ctx, actor = gw_context(), current_actor()
    form = LocationForm()
    if form.validate_on_submit():
        try:
            moved = correct_location(
                ctx, actor, enterprise_id, form.lng.data, form.lat.data
            )
        except InvalidInputError as exc:
            form.lng.errors = [exc.user_msg]
        else:
            flash(
                _("位置已更新（人工标注）：%(lng).6f, %(lat).6f（WGS-84）。", **moved),
                "ok",
            )
            return redirect(url_for("warden.enterprise", enterprise_id=enterprise_id))
    data = location_for_edit(ctx, actor, enterprise_id)
    return render_template("warden/location.html", form=form, loc=data)
