"""The landing pages of the warden (/w), street office (/s) and bureau (/b).

Each area is one blueprint guarded for its role; the pages behind the landing
page are added to these blueprints by their own modules (docs/web.md).
"""

from __future__ import annotations

from flask import Blueprint, render_template

from gridwatch.services.landing import scope_overview
from gridwatch.web.extensions import gw_context
from gridwatch.web.session import current_actor, guard

warden = Blueprint("warden", __name__, url_prefix="/w")
guard(warden, ["warden"])

street = Blueprint("street", __name__, url_prefix="/s")
guard(street, ["street_office"])

bureau = Blueprint("bureau", __name__, url_prefix="/b")
guard(bureau, ["bureau"])


def _home(template: str):
    overview = scope_overview(gw_context(), current_actor())
    return render_template(template, overview=overview)


@warden.route("/", endpoint="home")
def home_warden():
    """网格员首页: the warden's grids and how many enterprises they hold."""
    return _home("warden/home.html")


@street.route("/", endpoint="home")
def home_street():
    """街道首页: the street's grids and enterprises."""
    return _home("street/home.html")


@bureau.route("/", endpoint="home")
def home_bureau():
    """区局首页: the district's grids and enterprises."""
    return _home("bureau/home.html")
