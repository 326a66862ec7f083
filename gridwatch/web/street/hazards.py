"""The street office's hazards and escalated tip-offs (issue 10, routes on the
``street`` blueprint):

- ``/s/hazards``: all hazards of the street, not yet closed unless a status is
  chosen; filter by status, level, grid and overdue; paged in SQL.
- ``/s/hazards/<id>``: one hazard, its history and the allowed actions (the
  deadline extension, once, with a reason; a major hazard's deadline).
- ``/s/tipoffs``: tip-offs escalated to the street (unhandled past the
  configured days, or routed to the street because no grid/warden was found);
  ``/s/tipoffs/<id>``: one of them, with its triage actions.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gridwatch.errors import GridwatchError
from gridwatch.services.supervision import (
    list_hazards,
    list_tipoffs,
    show_tipoff,
    triage_tipoff,
)
from gridwatch.web.extensions import gw_context
from gridwatch.web.pages import street
from gridwatch.web.session import current_actor
from gridwatch.web.supervision_forms import HazardFilterForm, TriageForm
from gridwatch.web.supervision_views import check_filters, hazard_page

PER_PAGE = 50


@street.route("/hazards", endpoint="hazards")
def hazards():
    """街道隐患清单: the street's hazards, filtered and paged in SQL."""
    form = HazardFilterForm(request.args)
    page = list_hazards(
        gw_context(),
        current_actor(),
        **check_filters(form),
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
    )
    return render_template("supervision/hazards.html", form=form, page=page)


@street.route("/hazards/<id:hazard_id>", methods=["GET", "POST"], endpoint="hazard")
def hazard(hazard_id: int):
    """One hazard of the street: details, history, allowed actions."""
    return hazard_page("street", hazard_id)


@street.route("/tipoffs", endpoint="tipoffs")
def tipoffs():
    """上报街道的群众举报: new tip-offs escalated to the street office."""
    page = list_tipoffs(
        gw_context(),
        current_actor(),
        status="new",
        escalated=True,
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
    )
    return render_template("supervision/tipoffs.html", page=page)


@street.route("/tipoffs/<id:tipoff_id>", methods=["GET", "POST"], endpoint="tipoff")
def tipoff(tipoff_id: int):
    """One tip-off: details, photos' count, nearby enterprises, triage."""
    form, status = TriageForm(), 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                triage_tipoff(
                    gw_context(),
                    current_actor(),
                    tipoff_id,
                    form.action.data,
                    **form.values(),
                )
            except GridwatchError as exc:
                flash(exc.user_msg, "error")
                status = exc.http_status
            else:
                flash(_("已处理。"), "ok")
                return redirect(url_for("street.tipoff", tipoff_id=tipoff_id), 303)
        else:
            flash(_("表单有误，请检查后重新提交。"), "error")
            status = 400
    data = show_tipoff(gw_context(), current_actor(), tipoff_id)
    return render_template("supervision/tipoff.html", t=data, form=form), status
