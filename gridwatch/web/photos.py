"""Photos of inspections and hazards, sent only to users whose scope covers the
enterprise (:func:`gridwatch.services.photos.read_photo`; out of scope is 404).

The stored file was re-encoded by the photo checks, so its content type is known
(JPEG or PNG) and sent as such, with ``nosniff`` (set on every response by
:mod:`gridwatch.web.security`) so a browser never second-guesses it.
"""

from __future__ import annotations

from flask import Blueprint, send_file

from gridwatch.services.photos import read_photo
from gridwatch.web.extensions import gw_context
from gridwatch.web.session import ALL_ROLES, current_actor, guard

bp = Blueprint("photos", __name__, url_prefix="/photos")
guard(bp, ALL_ROLES)


@bp.route("/<id:photo_id>", endpoint="photo")
def photo(photo_id: int):
    """One stored photo (inline; private cache: the bytes never change)."""
    found = read_photo(gw_context(), current_actor(), photo_id)
    response = send_file(
        found.path,
        mimetype=found.content_type,
        download_name=found.download_name,
        as_attachment=False,
        etag=found.sha256,
        conditional=True,
        max_age=3600,
    )
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
