"""The warden's hazards: 我的隐患 (open ones of my grids, overdue first), a
hazard's page (details, photos, history, the next allowed steps as buttons) and
the form of each step (整改完成 / 复查 / 限期整改 / 当场整改).

Every step goes through :func:`gridwatch.services.supervision.transition_hazard`
(one transaction, audited); its refusal (the machine's one sentence) is shown
on the form with the service's status (400/403/409), nothing stored.
"""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gridwatch.errors import (
    ConflictError,
    InvalidInputError,
    PermissionDeniedError,
)
from gridwatch.services.supervision import (
    list_hazards,
    show_hazard,
    transition_hazard,
)
from gridwatch.web.extensions import gw_context
from gridwatch.web.pages import warden
from gridwatch.web.session import current_actor
from gridwatch.web.warden.forms import uploads
from gridwatch.web.warden.supervision_forms import (
    NOTE_LABELS,
    STEP_LABELS,
    STEPS,
    HazardStepForm,
)

PER_PAGE = 30
REFUSALS = (InvalidInputError, ConflictError, PermissionDeniedError)


@warden.route("/hazards", endpoint="hazards")
def hazards():
    """我的隐患: open hazards of my grids, overdue first, then by deadline."""
    page = request.args.get("page", 1, type=int)
    overdue = {"1": True, "0": False}.get(request.args.get("overdue", ""))
    result = list_hazards(gw_context(), current_actor(), open_only=True,
                          overdue=overdue, sort="overdue", page=page,
                          per_page=PER_PAGE)  # fmt: skip
    return render_template("warden/hazards.html", result=result, overdue=overdue)


@warden.route("/hazards/<id:hazard_id>", endpoint="hazard")
def hazard(hazard_id: int):
    """One hazard: details, photos, history and the steps I may take now."""
    h = show_hazard(gw_context(), current_actor(), hazard_id)
    return render_template("warden/hazard_show.html", h=h, steps=steps_of(h))


def steps_of(h: dict) -> list[dict]:
    """The page's buttons from the service's allowed actions (a re-inspection
    is two buttons: pass and fail)."""
    allowed = {a["action"]: a for a in h["actions"]}
    return [
        {**allowed[action], "step": step, "label": STEP_LABELS[step]}
        for step, (action, _passed) in STEPS.items()
        if action in allowed
    ]


@warden.route(
    "/hazards/<id:hazard_id>/<any(" + ", ".join(STEPS) + "):step>",
    methods=["GET", "POST"],
    endpoint="hazard_step",
)
def hazard_step(hazard_id: int, step: str):
    """The form of one step; a POST makes it through the service."""
    ctx, actor, form = gw_context(), current_actor(), HazardStepForm()
    action, passed = STEPS[step]
    error, status = None, 200
    if form.validate_on_submit():
        try:
            transition_hazard(
                ctx, actor, hazard_id, action, note=form.note.data or None,
                deadline=form.deadline.data, passed=passed,
                uploads=uploads(form.photos, int(ctx.settings.photo_max_bytes)),
            )  # fmt: skip
        except REFUSALS as exc:
            error, status = exc.user_msg, exc.http_status
        else:
            flash(_("已记录：%(s)s。", s=STEP_LABELS[step]), "ok")
            return redirect(url_for("warden.hazard", hazard_id=hazard_id))
    elif form.is_submitted():
        status = 400
    h = show_hazard(ctx, actor, hazard_id)
    return _step_page(h, step, form, error, status)


def _step_page(h: dict, step: str, form: HazardStepForm, error, status: int):
    """Render a step's form; a step not allowed now is 409 with the rule."""
    found = next((s for s in steps_of(h) if s["step"] == step), None)
    if found is None:
        if error is None:
            error, status = _("此隐患当前不能进行这一步。"), 409
        page = render_template(
            "warden/hazard_step.html", h=h, step=None,
            step_label=STEP_LABELS[step], error=error,
        )  # fmt: skip
        return page, status
    if (
        request.method == "GET"
        and found.get("default_deadline")
        and step != "reinspect_pass"
    ):
        form.deadline.data = dt.date.fromisoformat(found["default_deadline"])
    form.note.label.text = NOTE_LABELS.get(step, form.note.label.text)
    fields = [f.rstrip("*") for f in found["fields"]]
    required = {f.rstrip("*") for f in found["fields"] if f.endswith("*")}
    if step == "reinspect_pass":
        fields = [f for f in fields if f != "deadline"]
    elif step == "reinspect_fail":
        required |= {"note", "deadline"}  # the machine's rule for a fail
    return render_template(
        "warden/hazard_step.html", h=h, step=found, step_label=STEP_LABELS[step],
        form=form, fields=fields, required=required, error=error,
    ), status  # fmt: skip
