"""The street office's penalties, self-reports and campaign progress (issue 10,
routes on the ``street`` blueprint):

- ``/s/penalties``: the street's penalties (kind, period; paged) and the form
  that records one; ``/s/penalties/totals``: totals by month (the report's
  function); ``/s/penalties/import``: a CSV/XLSX of decisions, with the report
  of every row; ``/s/imports/<id>/rejects.csv``: an import's rejected rows.
- ``/s/self-reports``: enterprises without a self-report per grid and month;
  ``/s/self-reports/import``: the city system's monthly export.
- ``/s/campaigns`` and ``/s/campaigns/<id>``: running and past campaigns and the
  street's progress by grid (read only; the bureau defines them).
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gridwatch.errors import GridwatchError
from gridwatch.services.supervision import (
    add_penalty,
    campaign_progress,
    import_penalties,
    import_self_reports,
    list_campaigns,
    list_penalties,
    missing_reports,
    penalty_totals_by,
)
from gridwatch.services.supervision.import_records import rejects_csv
from gridwatch.web.extensions import gw_context
from gridwatch.web.pages import street
from gridwatch.web.session import current_actor
from gridwatch.web.supervision_forms import (
    PenaltyFilterForm,
    PenaltyForm,
    SheetImportForm,
)
from gridwatch.web.supervision_views import (
    campaign_xlsx,
    check_filters,
    run_sheet_import,
)

PER_PAGE = 50


@street.route("/penalties", methods=["GET", "POST"], endpoint="penalties")
def penalties():
    """行政处罚: the list (filters) and the form that records one decision."""
    form, status = PenaltyForm(), 200
    if form.validate_on_submit():
        try:
            add_penalty(gw_context(), current_actor(), **form.values())
        except GridwatchError as exc:
            flash(exc.user_msg, "error")
            status = exc.http_status
        else:
            flash(_("处罚决定已记录。"), "ok")
            return redirect(url_for("street.penalties"), 303)
    elif form.is_submitted():
        status = 400
    filters = PenaltyFilterForm(request.args)
    page = list_penalties(
        gw_context(),
        current_actor(),
        **check_filters(filters),
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
    )
    return render_template(
        "supervision/penalties.html", form=form, filters=filters, page=page
    ), status


@street.route("/penalties/totals", endpoint="penalty_totals")
def penalty_totals():
    """处罚与罚款按月合计 (the same function as the report's figures)."""
    frame = penalty_totals_by(gw_context(), current_actor(), by=("month",))
    rows = frame.sort_values("month", ascending=False).to_dict("records")
    return render_template("supervision/penalty_totals.html", rows=rows)


@street.route("/penalties/import", methods=["GET", "POST"], endpoint="penalty_import")
def penalty_import():
    """导入处罚决定: every row stored, unchanged or rejected with its reason."""
    form, result, status = SheetImportForm(), None, 200
    if form.validate_on_submit():
        result, status = run_sheet_import(import_penalties, form, "penalties")
    elif form.is_submitted():
        status = 400
    return render_template(
        "supervision/import.html", form=form, result=result, kind="penalties"
    ), status


@street.route("/imports/<id:import_id>/rejects.csv", endpoint="import_rejects")
def import_rejects(import_id: int):
    """An import's rejected rows as CSV (行号, 字段, 值, 原因)."""
    name, data = rejects_csv(gw_context(), current_actor(), import_id)
    return Response(
        data,
        mimetype="text/csv",
        headers={"Content-Disposition": _attachment(name)},
    )


def _attachment(name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=rejects.csv; filename*=UTF-8''{quote(name)}"


@street.route("/self-reports", endpoint="self_reports")
def self_reports():
    """自查自报未报企业: per grid and month (default the latest month due)."""
    data = missing_reports(
        gw_context(),
        current_actor(),
        month=(request.args.get("month") or "").strip() or None,
        grid=(request.args.get("grid") or "").strip() or None,
    )
    return render_template("supervision/self_reports.html", m=data)


@street.route(
    "/self-reports/import", methods=["GET", "POST"], endpoint="self_report_import"
)
def self_report_import():
    """导入自查自报: the city system's monthly export, with a report of every row."""
    form, result, status = SheetImportForm(), None, 200
    if form.validate_on_submit():
        result, status = run_sheet_import(import_self_reports, form, "self-reports")
    elif form.is_submitted():
        status = 400
    return render_template(
        "supervision/import.html", form=form, result=result, kind="self_reports"
    ), status


@street.route("/campaigns", endpoint="campaigns")
def campaigns():
    """专项整治: the campaigns and their targets in the street."""
    rows = list_campaigns(gw_context(), current_actor())
    return render_template("supervision/campaigns.html", rows=rows, area="street")


@street.route("/campaigns/<id:campaign_id>", endpoint="campaign")
def campaign(campaign_id: int):
    """One campaign's progress in the street, by grid (or by enterprise)."""
    by = request.args.get("by", "grid")
    data = campaign_progress(gw_context(), current_actor(), campaign_id, by=by)
    return render_template("supervision/campaign.html", p=data, area="street")


@street.route("/campaigns/<id:campaign_id>/progress.xlsx", endpoint="campaign_xlsx")
def campaign_download(campaign_id: int):
    """The campaign's progress in the street as XLSX (概况, 按网格, 按街道, 企业明细)."""
    return campaign_xlsx(campaign_id)
