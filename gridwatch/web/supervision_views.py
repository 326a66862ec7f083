"""Views shared by the street office's and the bureau's supervision pages.

The same hazard page serves both areas (``area`` is the blueprint name): its
details, history and the actions the service says the actor may take today
(:func:`~gridwatch.services.supervision.show_hazard`), each posted to
:func:`~gridwatch.services.supervision.transition_hazard`. An import's page
(penalties, self-reports) saves the upload to a temporary file for the service.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gridwatch.errors import GridwatchError, InvalidInputError
from gridwatch.services.supervision import show_hazard, transition_hazard
from gridwatch.web.extensions import gw_context
from gridwatch.web.session import current_actor
from gridwatch.web.supervision_forms import HazardActionForm


def hazard_page(area: str, hazard_id: int):
    """GET: the hazard; POST: one of its actions, then back to the page (303).

    A refusal (the service's one sentence) re-shows the page with its status.
    """
    form, status = HazardActionForm(), 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                transition_hazard(
                    gw_context(),
                    current_actor(),
                    hazard_id,
                    form.action.data,
                    **form.values(),
                )
            except GridwatchError as exc:
                flash(exc.user_msg, "error")
                status = exc.http_status
            else:
                flash(_("已保存。"), "ok")
                return redirect(url_for(f"{area}.hazard", hazard_id=hazard_id), 303)
        else:
            flash(_("表单有误，请检查后重新提交。"), "error")
            status = 400
    hazard = show_hazard(gw_context(), current_actor(), hazard_id)
    page = render_template(
        "supervision/hazard.html", h=hazard, form=form, area=area
    )
    return page, status


def run_sheet_import(service, form, prefix: str):
    """Save the form's upload to a temporary file and import it with ``service``
    (``import_penalties`` or ``import_self_reports``): ``(result or None, status)``;
    a refused file puts the service's sentence on the file field."""
    upload = form.file.data
    suffix = Path(upload.filename or "").suffix.lower()
    suffix = suffix if suffix in (".xlsx", ".csv") else ".csv"
    name = Path(upload.filename or f"{prefix}{suffix}").name or f"{prefix}{suffix}"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / (Path(name).stem[:80] + suffix)
        upload.save(path)
        try:
            return service(gw_context(), current_actor(), path).to_json(), 200
        except GridwatchError as exc:
            form.file.errors = [exc.user_msg]
            return None, exc.http_status


def check_filters(form) -> dict:
    """A GET filter form's values, or a 400 naming each wrong field in one
    sentence (e.g. "筛选条件有误：自：Not a valid date value.")."""
    if form.validate():
        return form.values()
    wrong = "；".join(
        f"{getattr(form, name).label.text}：{' '.join(map(str, errs))}"
        for name, errs in form.errors.items()
    )
    raise InvalidInputError(_("筛选条件有误：%(wrong)s", wrong=wrong))


def campaign_xlsx(campaign_id: int):
    """The campaign's progress workbook over the actor's scope, as a download."""
    from flask import Response

    from gridwatch.services.supervision import export_campaign_xlsx

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"campaign-{campaign_id}.xlsx"
        export_campaign_xlsx(gw_context(), current_actor(), campaign_id, path)
        data = path.read_bytes()
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f"attachment; filename=campaign-{campaign_id}.xlsx"
        },
    )
