"""The JSON API under ``/api/v1``, documented at ``/api/v1/openapi.json``.

Built on flask-smorest (marshmallow schemas validate the requests and build the
OpenAPI document). flask-smorest rather than apiflask: its ``Api`` attaches to a
plain ``Flask`` app from an application factory and registers ordinary (smorest)
blueprints, where apiflask's OpenAPI generation expects the ``APIFlask`` app class.

Each area is one smorest ``Blueprint`` made by :func:`area` (guarded, CSRF handled)
in its own module, listed in :data:`AREAS`. See docs/web.md.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, current_app, request
from flask_login import current_user
from flask_smorest import Api, Blueprint

from gridwatch.web.api.schemas import ErrorEnvelope
from gridwatch.web.extensions import csrf
from gridwatch.web.routing import MAX_ID, IdConverter
from gridwatch.web.session import guard

PREFIX = "/api/v1"
#: modules holding one API area each (a ``blp`` attribute): add yours here
AREAS = (
    "gridwatch.web.api.core",
    "gridwatch.web.api.geo",
    "gridwatch.web.api.fieldwork",
    "gridwatch.web.api.coverage",
    "gridwatch.web.api.street",
    "gridwatch.web.api.patrol",
)
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


class GridwatchApi(Api):
    """Errors documented in the app's one shape, ``{"error": {...}}``."""

    ERROR_SCHEMA = ErrorEnvelope


def area(name: str, import_name: str, roles: Iterable[str] | None, doc: str):
    """A smorest blueprint under ``/api/v1`` for ``roles`` (None: public).

    Signed-out requests get 401, other roles 403. Requests with a session cookie
    must carry the CSRF token (``X-CSRFToken`` header) on unsafe methods; requests
    with an API token need none (a script's token is not sent by a browser on its
    own, so it cannot be forged cross-site).
    """
    blp = Blueprint(name, import_name, url_prefix=PREFIX, description=doc)
    if roles is not None:
        guard(blp, roles, api=True)

        @blp.before_request
        def _csrf_for_sessions():
            # WTF_CSRF_ENABLED off (tests only) turns this off as it does for forms
            enabled = current_app.config.get("WTF_CSRF_ENABLED", True)
            if enabled and request.method not in _SAFE and not current_user.via_token:
                csrf.protect()

    return blp


#: what any guarded endpoint may answer besides its own responses
GUARDED = (401, 403, 429)


def errors(blp: Blueprint, *statuses: int):
    """Document the error responses a view can give, in the one error shape
    (schemathesis fails a response whose status the document does not list)."""

    def wrap(view):
        for status in statuses:
            view = blp.alt_response(status, schema=ErrorEnvelope)(view)
        return view

    return wrap


def init_api(app: Flask) -> Api:
    """Attach the API to ``app``: OpenAPI settings, every area, CSRF exemptions."""
    import importlib

    app.config.update(
        API_TITLE="gridwatch API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
    )
    api = GridwatchApi(
        app,
        spec_kwargs={
            "info": {
                "description": "gridwatch JSON/GeoJSON API. Scripts send a personal "
                "token: 'Authorization: Bearer gw_…'; browsers use their session."
            }
        },
    )
    api.register_converter(
        IdConverter, lambda _c: {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    )
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearer": []}]
    for module in AREAS + ("gridwatch.web.api.health",):
        blp = importlib.import_module(module).blp
        csrf.exempt(blp)
        api.register_blueprint(blp)
    return api
