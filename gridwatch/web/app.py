"""The application factory's body (see :func:`gridwatch.web.create_app`)."""

from __future__ import annotations

import datetime as dt
import logging

from flask import Blueprint, Flask

from gridwatch.config import Settings, load_settings
from gridwatch.services.context import Context, open_context
from gridwatch.web import errors, i18n, job_thread, mapview, nav, security
from gridwatch.web.extensions import (
    babel,
    csrf,
    limit_endpoint,
    limit_sign_in,
    login_manager,
    make_limiter,
)
from gridwatch.web.routing import IdConverter

log = logging.getLogger("gridwatch.web")


def build_app(settings: Settings | None = None, ctx: Context | None = None) -> Flask:
    settings = settings or (ctx.settings if ctx is not None else load_settings())
    ctx = ctx or open_context(settings, migrate_mode="check")
    app = Flask("gridwatch.web", static_folder="static", template_folder="templates")
    app.extensions["gridwatch"] = ctx
    app.url_map.converters["id"] = IdConverter
    _configure(app, settings)
    login_manager.init_app(app)
    security.refuse_large_bodies(app)  # before CSRF, which would read the body
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=str(i18n.compile_catalogs(settings.data_path)),
    )
    i18n.install(app)
    mapview.install(app)
    _register_blueprints(app)
    limiter = make_limiter(app)
    limit_sign_in(app, limiter, "auth.sign_in")
    # the public tip-off form (issue 10): POSTs per client address
    from gridwatch.web.public_tipoff import POST_LIMIT

    limit_endpoint(app, limiter, "public.tipoff", POST_LIMIT)
    security.install(app)
    errors.register_error_handlers(app)
    app.jinja_env.globals.update(nav_items=nav.items)
    job_thread.install(app, ctx, settings)
    if settings.proxy_hops:
        # behind a TLS proxy: the client address (sign-in throttling) and https
        # come from its X-Forwarded-* headers, trusted for that many hops only
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    return app


def _warden_supervision(app: Flask) -> None:
    """Issue 10: the warden's hazards and tip-off queue (routes on pages.warden,
    imported before it is registered) and the public tip-off page."""
    from gridwatch.web import public_tipoff
    from gridwatch.web.warden import hazards, tipoffs  # noqa: F401

    app.register_blueprint(public_tipoff.bp)


def _configure(app: Flask, settings: Settings) -> None:
    secure = bool(settings.secure_cookies)
    app.config.update(
        SECRET_KEY=security.load_secret_key(settings.secret_key, settings.data_path),
        SESSION_COOKIE_NAME="gridwatch_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        # the session cookie is renewed on every request: 12 hours without one
        # (a working day left open on a shared phone) and the user signs in again
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=12),
        # a form opened in the morning still submits in the afternoon
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=int(settings.max_upload_mb * 1024 * 1024),
        BABEL_DEFAULT_LOCALE=settings.language,
        BABEL_DEFAULT_TIMEZONE="Asia/Shanghai",
    )
    app.json.ensure_ascii = False


def _register_blueprints(app: Flask) -> None:
    from gridwatch.maps.assets import static_dir
    from gridwatch.web import (  # noqa: F401
        admin,
        assess,
        auth,
        bureau_records,
        dashboard,
        pages,
        photos,
        street_grids,
        street_patrol,
        warden_route,
    )
    from gridwatch.web.api import init_api
    from gridwatch.web.bureau import coverage  # noqa: F401  (routes on pages.bureau)
    from gridwatch.web.street import overview  # noqa: F401  (routes on pages.street)
    from gridwatch.web.warden import enterprise, grids, record, todo  # noqa: F401

    _import_supervision_office_routes()

    _ = bureau_records  # its routes are on pages.bureau: imported before registering
    _warden_supervision(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(pages.warden)
    app.register_blueprint(pages.street)
    app.register_blueprint(pages.bureau)
    app.register_blueprint(admin.bp)
    app.register_blueprint(photos.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(assess.bp)
    # Leaflet and the map scripts are vendored once, in gridwatch/maps/static;
    # the web pages load them from there (/static/maps/…), not from a copy
    app.register_blueprint(
        Blueprint(
            "maps_static",
            __name__,
            static_folder=str(static_dir()),
            static_url_path="/static/maps",
        )
    )
    init_api(app)


def _import_supervision_office_routes() -> None:
    """Issue 10: the street office's and the bureau's supervision pages (their
    routes are on ``pages.street`` and ``pages.bureau``: imported before those
    blueprints are registered)."""
    from gridwatch.web.bureau import supervision  # noqa: F401
    from gridwatch.web.street import hazards, records  # noqa: F401
