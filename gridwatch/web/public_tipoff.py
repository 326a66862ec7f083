"""群众举报: the public tip-off page (no sign-in) and its receipt.

``/tipoff``: describe the problem, pick the place on the map or type an address,
add photos and (optionally) a contact; the report goes through
:func:`gridwatch.services.supervision.submit_tipoff`, which routes it to the
grid's warden, limits each network address (counted in the database, so across
gunicorn workers) and answers with a tracking code. Flask-Limiter throttles the
POSTs per address as well (:func:`gridwatch.web.extensions.limit_endpoint`):
the service counts only accepted reports, the limiter also counts refused ones.

The receipt goes through the session (post/redirect/get), so reloading the
receipt never sends the report twice; it shows the code and the day only.
"""

from __future__ import annotations

import threading

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from gridwatch.errors import InvalidInputError, RateLimitedError
from gridwatch.services.supervision import submit_tipoff
from gridwatch.services.supervision.tipoff_map import tipoff_map
from gridwatch.services.supervision.tipoffs import MAX_DESCRIPTION, MAX_PHOTOS
from gridwatch.web.extensions import gw_context
from gridwatch.web.warden.forms import uploads

bp = Blueprint("public", __name__, url_prefix="/tipoff")
_LOCK = threading.Lock()
#: POSTs per client address that Flask-Limiter lets through (refused ones too)
POST_LIMIT = "10 per minute;40 per day"


class TipoffForm(FlaskForm):
    """The public report (the service checks every value again)."""

    description = TextAreaField(
        _l("发现了什么问题"), validators=[DataRequired(), Length(max=MAX_DESCRIPTION)]
    )
    address = StringField(_l("地址（或在地图上点选位置）"), validators=[Optional(),
                          Length(max=300)])  # fmt: skip
    lng = HiddenField()
    lat = HiddenField()
    datum = HiddenField()
    photos = MultipleFileField(_l("照片（可选，最多 6 张）"))
    contact_name = StringField(_l("您的称呼（可选）"), validators=[Optional(),
                               Length(max=100)])  # fmt: skip
    contact_phone = StringField(_l("联系电话（可选）"), validators=[Optional(),
                                Length(max=32)])  # fmt: skip


def _gazetteer():
    """The geocoding index, loaded once per worker when an address must be placed
    (the demo district's takes seconds to read)."""
    ext = current_app.extensions
    with _LOCK:
        if "gw_gazetteer" not in ext:
            from gridwatch.services.geocoding import load_gazetteer

            ext["gw_gazetteer"] = load_gazetteer(gw_context())
        return ext["gw_gazetteer"]


def _point(form: TipoffForm) -> dict:
    try:
        lng = float(form.lng.data) if form.lng.data else None
        lat = float(form.lat.data) if form.lat.data else None
    except ValueError:
        raise InvalidInputError("The point picked on the map is not a number pair; "
                                "pick the place again.") from None  # fmt: skip
    return {"lng": lng, "lat": lat, "datum": form.datum.data or "wgs84"}


@bp.route("", methods=["GET", "POST"], endpoint="tipoff")
def tipoff():
    """The form; a POST files the report and redirects to the receipt."""
    ctx, form = gw_context(), TipoffForm()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            done = submit_tipoff(
                ctx,
                description=form.description.data,
                address=form.address.data,
                contact_name=form.contact_name.data,
                contact_phone=form.contact_phone.data,
                uploads=uploads(form.photos, int(ctx.settings.photo_max_bytes)),
                client_address=request.remote_addr,
                gazetteer=_gazetteer,
                **_point(form),
            )
        except (InvalidInputError, RateLimitedError) as exc:
            error, status = exc.user_msg, exc.http_status
        else:
            session["tipoff_receipt"] = done
            return redirect(url_for("public.receipt"))
    elif form.is_submitted():
        status = 400
    frame = tipoff_map(ctx)
    return render_template(
        "public/tipoff.html", form=form, frame=frame, error=error,
        max_photos=MAX_PHOTOS,
    ), status  # fmt: skip


@bp.route("/received", endpoint="receipt")
def receipt():
    """回执: the tracking code and the day (from this browser's session only)."""
    done = session.get("tipoff_receipt")
    if not done:
        return redirect(url_for("public.tipoff"))
    days = int(gw_context().settings.tipoff_escalation_days)
    return render_template("public/tipoff_receipt.html", done=done, days=days)
