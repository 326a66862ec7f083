"""The responsibility assessment (/assess): ranking, drill-down, manual figures,
and the scheme the bureau (or an admin) edits."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gridwatch.errors import GridwatchError
from gridwatch.services.bureau import assessment_pages as pages
from gridwatch.services.bureau.assessment import save_scheme, set_manual_figure
from gridwatch.services.bureau.figures import resolve_period
from gridwatch.web.bureau_forms import ManualFigureForm, SchemeForm
from gridwatch.web.dashboard import XLSX, attachment
from gridwatch.web.extensions import gw_context
from gridwatch.web.session import current_actor, guard

bp = Blueprint("assess", __name__, url_prefix="/assess")
guard(bp, ["bureau", "admin"])


def _args() -> tuple[str, int | None]:
    period = (request.args.get("period") or "").strip()[:40]
    version = request.args.get("version", type=int)
    return period, version


@bp.route("/", endpoint="index")
def index():
    """考核排名: total, rank, grade and veto of every town/street."""
    period, version = _args()
    page = pages.assessment_page(gw_context(), current_actor(), period, version)
    return render_template("assess/index.html", page=page, version=version)


@bp.route("/ranking.xlsx", endpoint="ranking_xlsx")
def ranking_xlsx():
    """The ranking and the points of each indicator as XLSX."""
    period, version = _args()
    name, content = pages.assessment_xlsx(
        gw_context(), current_actor(), period, version
    )
    return attachment(content, name, XLSX)


@bp.route("/town/<code>", endpoint="town")
def town(code: str):
    """One town's indicators with the figures behind each score."""
    period, version = _args()
    page = pages.town_page(gw_context(), current_actor(), code, period, version)
    return render_template("assess/town.html", page=page, version=version)


@bp.route("/town/<code>/<indicator>", endpoint="items")
def items(code: str, indicator: str):
    """The enterprises, hazards or records one indicator's figure counted."""
    period, version = _args()
    page = pages.indicator_items(
        gw_context(), current_actor(), code, indicator, period, version
    )
    return render_template(
        "assess/items.html",
        page=page,
        code=code,
        indicator=indicator,
        period=period,
        version=version,
    )


@bp.route("/town/<code>/<indicator>.xlsx", endpoint="items_xlsx")
def items_xlsx(code: str, indicator: str):
    period, version = _args()
    name, content = pages.indicator_xlsx(
        gw_context(), current_actor(), code, indicator, period, version
    )
    return attachment(content, name, XLSX)


@bp.route("/manual", methods=["GET", "POST"], endpoint="manual")
def manual():
    """Figures of the manual indicators (meetings, drills), each with its note."""
    ctx, actor = gw_context(), current_actor()
    form, status = ManualFigureForm(), 200
    if form.validate_on_submit():
        try:
            period = resolve_period(form.period.data)
            set_manual_figure(
                ctx,
                actor,
                period,
                form.town_code.data,
                form.indicator.data,
                form.value.data,
                form.note.data,
            )
        except GridwatchError as exc:
            flash(exc.user_msg, "error")
            status = exc.http_status
        else:
            flash(_("已保存。"), "ok")
            return redirect(url_for("assess.manual", period=period.key))
    elif form.is_submitted():
        status = 400
    page = pages.manual_page(ctx, actor, request.values.get("period", "")[:40])
    form.period.data = page["period"].key
    form.town_code.choices = page["towns"]
    form.indicator.choices = page["indicators"]
    return render_template("assess/manual.html", page=page, form=form), status


@bp.route("/scheme", methods=["GET", "POST"], endpoint="scheme")
def scheme():
    """The scheme: edit its text (a new version, audited) and see every version."""
    ctx, actor = gw_context(), current_actor()
    page = pages.scheme_page(ctx, actor, request.args.get("version", type=int))
    form = SchemeForm()
    if request.method == "GET":
        form.text.data = page["current"].text
        form.fmt.data = page["current"].format
    errors = []
    if form.validate_on_submit():
        try:
            saved = save_scheme(
                ctx,
                actor,
                form.text.data,
                fmt=form.fmt.data,
                in_force_from=form.in_force_from.data,
                note=form.note.data,
            )
        except GridwatchError as exc:
            errors = exc.details.get("errors") or [exc.user_msg]
        else:
            flash(_("已保存为第 %(n)s 版。", n=saved.version), "ok")
            return redirect(url_for("assess.scheme"))
    status = 400 if errors or (form.is_submitted() and form.errors) else 200
    page_html = render_template(
        "assess/scheme.html", page=page, form=form, errors=errors
    )
    return page_html, status
