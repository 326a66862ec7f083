"""Street office: redraw the grids (/s/grids…), watch the build job, reassign
wardens (/s/wardens/assign). Views parse, make one service call, render."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gridwatch.errors import GridwatchError, PermissionDeniedError
from gridwatch.services import grids as grid_svc
from gridwatch.services.jobs import get_job, submit_job
from gridwatch.services.reassign import confirm_wardens, preview_wardens
from gridwatch.services.redraw import compare_versions, redraw_home
from gridwatch.web import job_thread
from gridwatch.web.extensions import gw_context
from gridwatch.web.forms import ConfirmForm
from gridwatch.web.pages import street
from gridwatch.web.session import current_actor
from gridwatch.web.street_forms import (
    MergeForm,
    ReassignForm,
    RedrawForm,
    SplitForm,
    pins_from,
)


def _redraw_form(home: dict) -> RedrawForm:
    form = RedrawForm()
    form.community.choices = [("", _("整个街道"))] + [
        (code, f"{name} ({code})") for code, name in home["communities"]
    ]
    return form


@street.route("/grids", methods=["GET", "POST"], endpoint="grids")
def grids():
    """网格调整: the street's versions, build jobs, and a redraw to start."""
    ctx, actor = gw_context(), current_actor()
    home = redraw_home(ctx, actor)
    form = _redraw_form(home)
    if form.validate_on_submit():
        try:
            job = submit_job(ctx, actor, "grids.build", form.params())
        except GridwatchError as exc:
            form.method.errors = [*form.method.errors, exc.user_msg]
        else:
            job_thread.wake()
            return redirect(url_for("street.job", job_id=job["id"]))
    return render_template("street/grids.html", home=home, form=form)


@street.route("/jobs/<id:job_id>", endpoint="job")
def job(job_id: int):
    """A job's progress (the page polls /api/v1/jobs/<id>)."""
    data = get_job(gw_context(), current_actor(), job_id)
    return render_template("street/job.html", job=data)


def _edit_forms(data: dict):
    codes = sorted(f["id"] for f in data["draft"]["features"])
    split, merge = SplitForm(prefix="split"), MergeForm(prefix="merge")
    split.code.choices = merge.first.choices = merge.second.choices = [
        (c, c) for c in codes
    ]
    return split, merge


@street.route("/grids/<id:version_id>", endpoint="grids_version")
def grids_version(version_id: int):
    """A version beside the active one: map, figures, check; edits on a draft."""
    data = compare_versions(gw_context(), current_actor(), version_id)
    split, merge = _edit_forms(data)
    return render_template(
        "street/grids_version.html",
        data=data,
        split=split,
        merge=merge,
        confirm=ConfirmForm(),
    )


def _edit(version_id: int, action) -> object:
    """Run one edit of a draft and flash its sentence (PRG). Refusals of the
    version itself (another street's: 403) are not flashed but answered."""
    try:
        flash(action(), "ok")
    except PermissionDeniedError:
        raise
    except GridwatchError as exc:
        flash(exc.user_msg, "error")
    return redirect(url_for("street.grids_version", version_id=version_id))


@street.route("/grids/<id:version_id>/split", methods=["POST"], endpoint="grids_split")
def grids_split(version_id: int):
    """Split a grid of the draft (the service checks the draft and the parts)."""
    code = request.form.get("split-code", "")[:15]
    parts = request.form.get("split-parts", 0, type=int)
    ctx, actor = gw_context(), current_actor()
    return _edit(
        version_id,
        lambda: _(
            "已拆分 %(code)s 为 %(into)s。",
            **_said(grid_svc.split(ctx, actor, code, parts, version_id)),
        ),
    )


@street.route("/grids/<id:version_id>/merge", methods=["POST"], endpoint="grids_merge")
def grids_merge(version_id: int):
    """Merge two adjacent grids of the draft."""
    codes = [request.form.get(f"merge-{k}", "")[:15] for k in ("first", "second")]
    ctx, actor = gw_context(), current_actor()
    return _edit(
        version_id,
        lambda: _(
            "已合并为 %(code)s。",
            code=grid_svc.merge(ctx, actor, codes, version_id)["into"],
        ),
    )


@street.route("/grids/<id:version_id>/undo", methods=["POST"], endpoint="grids_undo")
def grids_undo(version_id: int):
    """Undo the draft's latest split or merge."""
    ctx, actor = gw_context(), current_actor()
    return _edit(
        version_id,
        lambda: _(
            "已撤销%(op)s，恢复 %(codes)s。",
            **_undone(grid_svc.undo_edit(ctx, actor, version_id)),
        ),
    )


def _said(out: dict) -> dict:
    return {"code": out["split"], "into": "、".join(out["into"])}


def _undone(out: dict) -> dict:
    op = _("拆分") if out["undone"] == "split" else _("合并")
    return {"op": op, "codes": "、".join(out["restored"])}


@street.route("/wardens/assign", endpoint="reassign")
def reassign():
    """The proposed grid → warden assignment of a version, before anything is
    written (manual choices come back as pin-<grid> query parameters)."""
    version = request.args.get("version", type=int)
    preview = preview_wardens(
        gw_context(), current_actor(), version, pins=pins_from(request.args)
    )
    form = ReassignForm(version=preview["version"], digest=preview["digest"])
    return render_template("street/reassign.html", p=preview, form=form)


@street.route("/wardens/assign", methods=["POST"], endpoint="reassign_confirm")
def reassign_confirm():
    """Write the previewed assignment (activating a draft first)."""
    form = ReassignForm()
    if not form.validate_on_submit():
        flash(_("表单已过期，请重新查看分配方案。"), "error")
        return redirect(url_for("street.grids"))
    pins, version = pins_from(request.form), int(form.version.data)
    try:
        out = confirm_wardens(
            gw_context(), current_actor(), version, form.digest.data, pins=pins
        )
    except GridwatchError as exc:
        flash(exc.user_msg, "error")
        return redirect(
            url_for(
                "street.reassign",
                version=version,
                **{f"pin-{k}": v for k, v in pins.items()},
            )
        )
    flash(
        _("已启用网格版本 %(v)s 并分配网格员。", v=out["version"])
        if out["activated"]
        else _("已分配网格员。"),
        "ok",
    )
    return redirect(url_for("street.grids_version", version_id=out["version"]))
