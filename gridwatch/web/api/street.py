"""Jobs and grid redraws (street offices and admins): a job's progress, a
version beside the active one as GeoJSON."""

from __future__ import annotations

from gridwatch.services.jobs import get_job
from gridwatch.services.redraw import compare_versions
from gridwatch.timeutil import to_local
from gridwatch.web.api import GUARDED, area, errors
from gridwatch.web.api.street_schemas import Comparison, Job
from gridwatch.web.extensions import gw_context
from gridwatch.web.session import current_actor

blp = area("api_street", __name__, ("street_office", "admin"), "Jobs and grid redraws")


@blp.route("/jobs/<id:job_id>")
@blp.response(200, Job)
@errors(blp, 404, *GUARDED)
def job(job_id: int):
    """A job you (or your street office) started: status, progress, result."""
    data = get_job(gw_context(), current_actor(), job_id)
    return {
        **data,
        **{k: to_local(data[k]) for k in ("created_at", "started_at", "finished_at")},
    }


@blp.route("/grids/versions/<id:version_id>/compare")
@blp.response(200, Comparison)
@errors(blp, 400, 404, *GUARDED)
def compare(version_id: int):
    """A grid version's grids in your street beside the active version's
    (GeoJSON, WGS-84), with per-grid figures and the quality check."""
    data = compare_versions(gw_context(), current_actor(), version_id)
    data["edits"] = [
        {**e, "created_at": to_local(e["created_at"])} for e in data["edits"]
    ]
    return data
