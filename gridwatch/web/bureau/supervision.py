"""The bureau's supervision pages (issue 10, routes on the ``bureau`` blueprint):

- ``/b/listed``: major hazards under listed supervision (挂牌督办; with
  ``?all=1`` also the delisted ones); ``/b/majors``: open major hazards not
  listed, to choose one to list; ``/b/overdue-majors``: the district's overdue
  major hazards.
- ``/b/hazards/<id>``: one hazard with the bureau's actions (list: listing
  date = today, supervising body, deadline, responsible person; delist after a
  passed re-inspection; the service refuses anything else in one sentence).
- ``/b/campaigns``: the campaigns and the form defining one (a preset of the
  seed report or custom targets); ``/b/campaigns/<id>``: progress by town or
  grid; ``/b/campaigns/<id>/progress.xlsx``: the workbook.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gridwatch.errors import GridwatchError
from gridwatch.services.supervision import (
    campaign_progress,
    create_campaign,
    list_campaigns,
    list_hazards,
    listed_hazards,
    overdue_hazards,
)
from gridwatch.web.extensions import gw_context
from gridwatch.web.pages import bureau
from gridwatch.web.session import current_actor
from gridwatch.web.supervision_forms import CampaignForm
from gridwatch.web.supervision_views import campaign_xlsx, hazard_page

PER_PAGE = 50


def _page_no() -> int:
    return request.args.get("page", 1, type=int)


@bureau.route("/listed", endpoint="listed")
def listed():
    """挂牌督办的重大隐患 (``?all=1``: also those already delisted)."""
    everything = request.args.get("all") == "1"
    page = listed_hazards(
        gw_context(),
        current_actor(),
        include_delisted=everything,
        page=_page_no(),
        per_page=PER_PAGE,
    )
    return render_template(
        "supervision/hazard_list.html", page=page, which="listed", everything=everything
    )


@bureau.route("/majors", endpoint="majors")
def majors():
    """未挂牌的重大隐患: open major hazards, to choose one to list."""
    page = list_hazards(
        gw_context(),
        current_actor(),
        level="major",
        listed=False,
        open_only=True,
        page=_page_no(),
        per_page=PER_PAGE,
    )
    return render_template("supervision/hazard_list.html", page=page, which="majors")


@bureau.route("/overdue-majors", endpoint="overdue_majors")
def overdue_majors():
    """全区逾期重大隐患, most overdue first."""
    page = overdue_hazards(
        gw_context(), current_actor(), level="major", page=_page_no(), per_page=PER_PAGE
    )
    return render_template("supervision/hazard_list.html", page=page, which="overdue")


@bureau.route("/hazards/<id:hazard_id>", methods=["GET", "POST"], endpoint="hazard")
def hazard(hazard_id: int):
    """One hazard of the district with the bureau's actions (list, delist, …)."""
    return hazard_page("bureau", hazard_id)


@bureau.route("/campaigns", methods=["GET", "POST"], endpoint="campaigns")
def campaigns():
    """专项整治: the campaigns, and the form that defines one."""
    form, status = CampaignForm(), 200
    if form.validate_on_submit():
        try:
            made = create_campaign(gw_context(), current_actor(), **form.values())
        except GridwatchError as exc:
            flash(exc.user_msg, "error")
            status = exc.http_status
        else:
            flash(_("专项整治已创建。"), "ok")
            return redirect(url_for("bureau.campaign", campaign_id=made["id"]), 303)
    elif form.is_submitted():
        status = 400
    rows = list_campaigns(gw_context(), current_actor())
    page = render_template(
        "supervision/campaigns.html", rows=rows, area="bureau", form=form
    )
    return page, status


@bureau.route("/campaigns/<id:campaign_id>", endpoint="campaign")
def campaign(campaign_id: int):
    """One campaign's progress by town (``?by=street``) or grid."""
    by = request.args.get("by", "street")
    data = campaign_progress(gw_context(), current_actor(), campaign_id, by=by)
    return render_template("supervision/campaign.html", p=data, area="bureau")


@bureau.route("/campaigns/<id:campaign_id>/progress.xlsx", endpoint="campaign_xlsx")
def campaign_download(campaign_id: int):
    """The campaign's progress as XLSX (概况, 按网格, 按街道, 企业明细)."""
    return campaign_xlsx(campaign_id)
