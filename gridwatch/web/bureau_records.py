"""The bureau's own records (/b/…): accidents, annual targets, enterprises'
safety foundations (import and one enterprise's form).

Routes on the bureau blueprint (:data:`gridwatch.web.pages.bureau`); imported by
``app._register_blueprints`` before that blueprint is registered.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gridwatch.errors import GridwatchError
from gridwatch.services.bureau import accidents as acc_svc
from gridwatch.services.bureau import foundations as fnd_svc
from gridwatch.services.bureau import targets as tgt_svc
from gridwatch.web.bureau_forms import (
    AccidentForm,
    EnterpriseSafetyForm,
    SafetyImportForm,
    TargetForm,
)
from gridwatch.web.extensions import gw_context
from gridwatch.web.pages import bureau as bp
from gridwatch.web.session import current_actor


@bp.route("/accidents", methods=["GET", "POST"], endpoint="accidents")
def accidents():
    """生产安全事故: record one; the list flags grades recorded too low."""
    form, status = AccidentForm(), 200
    if form.validate_on_submit():
        fields = {k: v for k, v in form.data.items() if k != "csrf_token"}
        try:
            out = acc_svc.record_accident(gw_context(), current_actor(), **fields)
        except GridwatchError as exc:
            flash(exc.user_msg, "error")
            status = exc.http_status
        else:
            flash(_("事故已记录。"), "ok")
            if out["warning"]:
                flash(out["warning"], "warn")
            return redirect(url_for("bureau.accidents"))
    elif form.is_submitted():
        status = 400
    rows = acc_svc.list_accidents(gw_context(), current_actor())
    return render_template("bureau/accidents.html", form=form, rows=rows), status


@bp.route("/targets", methods=["GET", "POST"], endpoint="targets")
def targets():
    """年度目标任务: the bureau's targets per indicator, for the district or a town."""
    ctx, actor = gw_context(), current_actor()
    year = request.args.get("year", type=int)
    page = tgt_svc.targets_page(ctx, actor, year)
    form, status = TargetForm(page["towns"], year=str(page["year"])), 200
    if form.validate_on_submit():
        try:
            tgt_svc.set_target(
                ctx,
                actor,
                form.year.data,
                form.indicator.data,
                form.value.data,
                form.unit_code.data or None,
                form.note.data,
            )
        except GridwatchError as exc:
            flash(exc.user_msg, "error")
            status = exc.http_status
        else:
            flash(_("目标已保存。"), "ok")
            return redirect(url_for("bureau.targets", year=form.year.data))
    elif form.is_submitted():
        status = 400
    return render_template("bureau/targets.html", form=form, page=page), status


@bp.route("/safety", methods=["GET", "POST"], endpoint="safety")
def safety():
    """企业安全基础台账: import standardisation, declarations and safety officers."""
    form = SafetyImportForm()
    if not form.validate_on_submit():
        return render_template("bureau/safety.html", form=form)
    upload = form.file.data
    suffix = Path(upload.filename or "").suffix.lower()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"safety{suffix if suffix in ('.xlsx', '.csv') else '.csv'}"
        upload.save(path)
        try:
            summary = fnd_svc.import_foundations(gw_context(), current_actor(), path)
        except GridwatchError as exc:
            form.file.errors = [exc.user_msg]
            return render_template("bureau/safety.html", form=form), exc.http_status
    return render_template("bureau/safety_result.html", result=summary.to_dict())


@bp.route("/safety/enterprise", methods=["GET", "POST"], endpoint="safety_enterprise")
def safety_enterprise():
    """One enterprise's standardisation, declarations and safety officers."""
    uscc = (request.values.get("uscc") or "").strip()[:30]
    form, status = EnterpriseSafetyForm(), 200
    if uscc and form.validate_on_submit():
        try:
            fnd_svc.record_foundations(
                gw_context(), current_actor(), uscc, form.values()
            )
        except GridwatchError as exc:
            flash(exc.user_msg, "error")
            status = exc.http_status
        else:
            flash(_("已保存。"), "ok")
            return redirect(url_for("bureau.safety_enterprise", uscc=uscc))
    record = (
        fnd_svc.enterprise_foundations(gw_context(), current_actor(), uscc)
        if uscc
        else None
    )
    page = render_template(
        "bureau/safety_enterprise.html", form=form, record=record, uscc=uscc
    )
    return page, status
