"""The dashboard (/dash): the bureau's district, a street office's own street.

The page shows the figure cards and every table (each with an XLSX download);
its charts and maps are drawn by static/js/dashboard.js from the JSON of
/api/v1/dashboard/… (no inline script). The bureau also downloads the annual
report here.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, render_template, request, url_for

from gridwatch.services.bureau.dashboard import dashboard as dashboard_page
from gridwatch.services.bureau.dashboard import table_xlsx
from gridwatch.services.bureau.report import annual_report_files
from gridwatch.web.extensions import gw_context
from gridwatch.web.session import current_actor, guard

bp = Blueprint("dash", __name__, url_prefix="/dash")
guard(bp, ["bureau", "street_office"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def period_arg() -> str:
    """The period asked for: a typed range wins over the list's choice."""
    custom = (request.args.get("custom") or "").strip()[:40]
    return custom or (request.args.get("period") or "").strip()[:40]


def attachment(content: bytes, name: str, mimetype: str) -> Response:
    """A download whose Chinese file name survives (RFC 6266 filename*)."""
    ascii_name = name.encode("ascii", "ignore").decode() or "gridwatch"
    disposition = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    )
    return Response(
        content, mimetype=mimetype, headers={"Content-Disposition": disposition}
    )


@bp.route("/", endpoint="index")
def index():
    """数据看板: figures of the chosen period beside the same period last year."""
    page = dashboard_page(gw_context(), current_actor(), period_arg())
    key = page["period"]["key"]
    api = {
        "series": url_for("api_dashboard.series", period=key),
        "towns": url_for("api_dashboard.towns", period=key),
        "hotspots": url_for("api_dashboard.hotspots", period=key),
    }
    return render_template("dash/index.html", page=page, api=api)


@bp.route("/table/<key>.xlsx", endpoint="table")
def table(key: str):
    """One of the dashboard's tables as XLSX."""
    name, content = table_xlsx(gw_context(), current_actor(), key, period_arg())
    return attachment(content, name, XLSX)


@bp.route("/report/<int:year>.<any(docx, xlsx):kind>", endpoint="report")
def report(year: int, kind: str):
    """The annual work report of ``year`` (Word), or its XLSX annex."""
    files = annual_report_files(gw_context(), current_actor(), year)
    name, content = files[kind]
    return attachment(content, name, DOCX if kind == "docx" else XLSX)
