"""The warden's tip-off queue (群众举报): tip-offs routed to me or in my grids,
and the triage of one (转为隐患 / 移交 / 不予受理) through
:func:`gridwatch.services.supervision.triage_tipoff` (one transaction, audited).

Contact details are in every item: the warden reads them as scoped staff (the
service refuses every role outside its readers); these pages are the warden's.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from gridwatch import vocab
from gridwatch.errors import NotFoundError
from gridwatch.services.supervision import (
    list_tipoffs,
    show_tipoff,
    tipoff_photo,
    triage_tipoff,
)
from gridwatch.web.extensions import gw_context
from gridwatch.web.pages import warden
from gridwatch.web.session import current_actor
from gridwatch.web.warden.hazards import REFUSALS
from gridwatch.web.warden.supervision_forms import TriageForm

PER_PAGE = 30
#: the queue's tabs: status filter of each (None: all)
TABS = {"new": "new", "done": ["converted", "referred", "dismissed"], "all": None}
#: "pass to the street": a referral to the street office (the first suggestion)
STREET = "街道办事处（安全生产监管）"


@warden.route("/tipoffs", endpoint="tipoffs")
def tipoffs():
    """举报待办: new ones first (oldest first), then the handled ones."""
    tab = request.args.get("tab", "new")
    if tab not in TABS:
        tab = "new"
    page = request.args.get("page", 1, type=int)
    result = list_tipoffs(gw_context(), current_actor(), status=TABS[tab], page=page,
                          per_page=PER_PAGE)  # fmt: skip
    return render_template("warden/tipoffs.html", result=result, tab=tab)


@warden.route("/tipoffs/<id:tipoff_id>", methods=["GET", "POST"], endpoint="tipoff")
def tipoff(tipoff_id: int):
    """One tip-off and its triage forms; a POST triages it."""
    ctx, actor, form = gw_context(), current_actor(), TriageForm()
    action = request.form.get("action", "")
    error, status = None, 200
    if form.validate_on_submit():
        try:
            triage_tipoff(ctx, actor, tipoff_id, action, **_triage_args(form, action))
        except (*REFUSALS, NotFoundError) as exc:
            # a missing enterprise is the form's error; a tip-off out of scope
            # is 404 from show_tipoff below as well
            error, status = exc.user_msg, exc.http_status
        else:
            flash(_("已处理：%(a)s。", a=_(vocab.TIPOFF_ACTIONS[action])), "ok")
            return redirect(url_for("warden.tipoff", tipoff_id=tipoff_id))
    elif form.is_submitted():
        status = 400
    t = show_tipoff(ctx, actor, tipoff_id)
    if not form.is_submitted():
        form.department.data = STREET
    return render_template("warden/tipoff.html", t=t, form=form, error=error,
                           action=action, departments=(STREET,
                           *vocab.REFERRAL_DEPARTMENTS)), status  # fmt: skip


def _triage_args(form: TriageForm, action: str) -> dict:
    """The form's fields that ``action`` takes (the service checks them)."""
    if action == "convert_to_hazard":
        return {
            "enterprise_id": form.enterprise_id.data,
            "level": form.level.data or None,
            "category": form.category.data or None,
            "description": form.description.data or None,
            "deadline": form.deadline.data,
            "note": form.note.data or None,
        }
    if action == "refer":
        return {"department": form.department.data, "note": form.note.data or None}
    return {"reason": form.reason.data}


@warden.route("/tipoffs/<id:tipoff_id>/photos/<key>", endpoint="tipoff_photo")
def photo(tipoff_id: int, key: str):
    """A photo sent with a tip-off (scope-checked; unknown keys 404)."""
    found = tipoff_photo(gw_context(), current_actor(), tipoff_id, key)
    response = send_file(found.path, mimetype=found.content_type,
                         download_name=found.download_name, conditional=True,
                         max_age=3600)  # fmt: skip
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
