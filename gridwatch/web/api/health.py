"""Liveness for load balancers and the gunicorn test: no sign-in, no data."""

from __future__ import annotations

from gridwatch.services.landing import health
from gridwatch.web.api import area, errors
from gridwatch.web.api.schemas import Health
from gridwatch.web.extensions import gw_context

blp = area("api_public", __name__, None, "Service health (no sign-in)")


@blp.route("/health")
@blp.response(200, Health)
@errors(blp, 429, 503)
def health_check():
    """Whether the app reaches its database at the schema it needs."""
    return health(gw_context())
