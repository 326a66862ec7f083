"""Street office: patrol plans (/s/patrol…): make one (a job), plan vs done,
one warden-day on a map, the printable day sheet."""

from __future__ import annotations

import datetime as dt

from flask import abort, redirect, render_template, request, url_for

from gridwatch.errors import GridwatchError
from gridwatch.services.jobs import submit_job
from gridwatch.services.patrol import day_route, list_plans, plan_overview
from gridwatch.timeutil import today
from gridwatch.web import job_thread
from gridwatch.web.extensions import gw_context
from gridwatch.web.pages import street
from gridwatch.web.session import current_actor
from gridwatch.web.sheets import web_assets
from gridwatch.web.street_forms import PlanForm


def _next_monday() -> dt.date:
    d = today()
    return d + dt.timedelta(days=(7 - d.weekday()) % 7 or 7)


@street.route("/patrol", methods=["GET", "POST"], endpoint="patrol")
def patrol():
    """巡查计划: the street's plans and a form to plan a window (a job)."""
    ctx, actor = gw_context(), current_actor()
    form = PlanForm(start=_next_monday())
    if form.validate_on_submit():
        params = {
            "start": form.start.data.isoformat(),
            "days": form.days.data,
            "visits_per_day": form.visits_per_day.data,
        }
        try:
            job = submit_job(ctx, actor, "patrol.plan", params)
        except GridwatchError as exc:
            form.start.errors = [*form.start.errors, exc.user_msg]
        else:
            job_thread.wake()
            return redirect(url_for("street.job", job_id=job["id"]))
    return render_template(
        "street/patrol.html", plans=list_plans(ctx, actor), form=form
    )


@street.route("/patrol/<id:plan_id>", endpoint="patrol_plan")
def patrol_plan(plan_id: int):
    """A plan: per warden-day planned vs done; what did not fit and why."""
    ov = plan_overview(gw_context(), current_actor(), plan_id)
    return render_template("street/patrol_plan.html", ov=ov, today=today())


def _day_args() -> tuple[str, str]:
    warden, day = request.args.get("warden", ""), request.args.get("day", "")
    if not warden or not day or len(warden) > 64 or len(day) > 10:
        abort(404)
    return warden, day


@street.route("/patrol/<id:plan_id>/day", endpoint="patrol_day")
def patrol_day(plan_id: int):
    """One warden-day: the numbered route on a map and its stops."""
    warden, day = _day_args()
    r = day_route(gw_context(), current_actor(), plan_id, warden, day)
    return render_template("street/patrol_day.html", r=r)


@street.route("/patrol/<id:plan_id>/sheet", endpoint="patrol_sheet")
def patrol_sheet(plan_id: int):
    """The printable day sheet (A4) of one warden-day."""
    warden, day = _day_args()
    r = day_route(gw_context(), current_actor(), plan_id, warden, day)
    return render_template("patrol/day_sheet.html", r=r, assets=web_assets())
