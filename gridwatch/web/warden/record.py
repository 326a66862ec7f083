"""Record an inspection with a check-in; the recorded inspection; report a hazard."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gridwatch.errors import InvalidInputError
from gridwatch.fieldwork.checkin import parse_position
from gridwatch.services.inspection_reads import enterprise_summary, read_inspection
from gridwatch.services.inspections import record_inspection, report_hazard
from gridwatch.timeutil import today
from gridwatch.web.extensions import gw_context
from gridwatch.web.pages import warden
from gridwatch.web.session import current_actor
from gridwatch.web.warden.forms import (
    HazardForm,
    InspectionForm,
    position_fields,
    uploads,
)

#: What the page's script reported when no position came with the record.
NO_POSITION = {
    "denied": _l("您拒绝了定位授权，检查已保存，但未核验位置。"),
    "insecure": _l(
        "页面不是通过 HTTPS 打开，手机不提供定位：检查已保存，但未核验位置。"
    ),
    "timeout": _l("定位超时，检查已保存，但未核验位置。"),
    "unavailable": _l("手机无法确定位置，检查已保存，但未核验位置。"),
    "unsupported": _l("此浏览器不支持定位，检查已保存，但未核验位置。"),
}


def _max_bytes() -> int:
    return int(current_app.extensions["gridwatch"].settings.photo_max_bytes)


@warden.route(
    "/enterprises/<id:enterprise_id>/inspect",
    methods=["GET", "POST"],
    endpoint="record_inspection",
)
def record(enterprise_id: int):
    """检查/抽查/巡查: date, kind, result, notes, photos and the phone's position."""
    ctx, actor = gw_context(), current_actor()
    form = InspectionForm()
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            done = record_inspection(
                ctx,
                actor,
                enterprise_id,
                inspected_on=form.inspected_on.data,
                kind=form.kind.data,
                result=form.result.data,
                notes=form.notes.data,
                position=parse_position(**position_fields(form)),
                photos=uploads(form.photos, _max_bytes()),
            )
        except InvalidInputError as exc:
            errors.append(exc.user_msg)
        else:
            if done["checkin"]["status"] == "unverified" and form.geo.data in NO_POSITION:
                flash(str(NO_POSITION[form.geo.data]), "warn")
            return redirect(url_for("warden.inspection", inspection_id=done["id"]))
    elif not form.is_submitted():
        form.inspected_on.data = today()
    ent = enterprise_summary(ctx, actor, enterprise_id)
    return render_template("warden/record.html", form=form, ent=ent, errors=errors)


@warden.route("/inspections/<id:inspection_id>", endpoint="inspection")
def inspection(inspection_id: int):
    """The recorded inspection: what happened to its check-in, photos, hazards."""
    data = read_inspection(gw_context(), current_actor(), inspection_id)
    return render_template("warden/inspection.html", d=data)


@warden.route(
    "/inspections/<id:inspection_id>/hazard",
    methods=["GET", "POST"],
    endpoint="report_hazard",
)
def hazard(inspection_id: int):
    """Report a hazard found on the inspection (the deadline defaults by level)."""
    ctx, actor = gw_context(), current_actor()
    form = HazardForm()
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            done = report_hazard(
                ctx,
                actor,
                inspection_id,
                level=form.level.data,
                category=form.category.data,
                description=form.description.data,
                deadline=form.deadline.data,
                photos=uploads(form.photos, _max_bytes()),
            )
        except InvalidInputError as exc:
            errors.append(exc.user_msg)
        else:
            flash(_("隐患已报告，整改期限 %(d)s。", d=done["deadline"]), "ok")
            target = url_for("warden.enterprise", enterprise_id=done["enterprise_id"])
            return redirect(target + "#hazards")
    data = read_inspection(ctx, actor, inspection_id)
    return render_template("warden/hazard.html", form=form, d=data, errors=errors)
