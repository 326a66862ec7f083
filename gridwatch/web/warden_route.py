"""The warden's route of the day on the phone (/w/route): stops in order, each
with the enterprise's file, the record-inspection form and "navigate"."""

from __future__ import annotations

import datetime as dt

from flask import render_template, request, url_for

from gridwatch.services.patrol import warden_today
from gridwatch.web.extensions import gw_context
from gridwatch.web.pages import warden
from gridwatch.web.session import current_actor

#: The warden pages each stop links to (gridwatch.web.warden.enterprise, .record)
ENTERPRISE_ENDPOINT = "warden.enterprise"
RECORD_ENDPOINT = "warden.record_inspection"


class StopLinks:
    """URLs of a stop's enterprise file and record-inspection form."""

    def enterprise(self, enterprise_id: int) -> str:
        return url_for(ENTERPRISE_ENDPOINT, enterprise_id=enterprise_id)

    def record(self, enterprise_id: int) -> str:
        return url_for(RECORD_ENDPOINT, enterprise_id=enterprise_id)


def _day() -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        return None


@warden.route("/route", endpoint="route")
def route():
    """今日路线: the warden's stops of the day (default today) in route order."""
    r = warden_today(gw_context(), current_actor(), day=_day())
    return render_template(
        "warden/route.html",
        r=r,
        links=StopLinks(),
        prev=r["day"] - dt.timedelta(days=1),
        next=r["day"] + dt.timedelta(days=1),
    )
