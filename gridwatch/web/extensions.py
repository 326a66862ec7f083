"""Flask extensions: sign-in sessions, CSRF, translations, rate limiting.

Flask-Login, CSRFProtect and Babel keep no per-app state on the extension object,
so one instance of each serves every app. Flask-Limiter does (its storage and
strategy are set by ``init_app``), so :func:`make_limiter` builds one per app: two
apps in one process (the tests' "two workers") must not share an in-memory one.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

login_manager = LoginManager()
login_manager.login_view = "auth.sign_in"
login_manager.login_message = None  # the sign-in page says why on its own
login_manager.session_protection = "basic"
csrf = CSRFProtect()
babel = Babel()


def client_address() -> str:
    """The client's address for rate limiting. Behind a reverse proxy set
    ``GRIDWATCH_PROXY_HOPS`` so ``remote_addr`` is the client's, not the proxy's."""
    return request.remote_addr or "unknown"


def signin_username() -> str:
    """Rate-limit key per account: the username a sign-in form names."""
    return "user:" + (request.form.get("username") or "").strip().lower()[:64]


def make_limiter(app: Flask) -> Limiter:
    """A Limiter for ``app`` whose counters live in gridwatch's database (shared by
    every worker; see :mod:`gridwatch.services.throttle`)."""
    from gridwatch.services import throttle  # registers the gridwatch+db scheme

    ctx = app.extensions["gridwatch"]
    limiter = Limiter(
        key_func=client_address,
        storage_uri=f"{throttle.SCHEME}://",
        storage_options={"engine": ctx.engine},
        strategy="fixed-window",
        headers_enabled=True,
        key_prefix="gw",
    )
    limiter.init_app(app)
    return limiter


def limit_sign_in(app: Flask, limiter: Limiter, endpoint: str) -> None:
    """Throttle POSTs to the sign-in view per client address and per username."""
    rate = app.extensions["gridwatch"].settings.signin_limit
    view = app.view_functions[endpoint]
    view = limiter.limit(rate, methods=["POST"], scope="signin-ip")(view)
    view = limiter.limit(
        rate, methods=["POST"], key_func=signin_username, scope="signin-user"
    )(view)
    app.view_functions[endpoint] = view


def limit_endpoint(app: Flask, limiter: Limiter, endpoint: str, rate: str) -> None:
    """Throttle POSTs to ``endpoint`` per client address (a public form)."""
    view = app.view_functions[endpoint]
    app.view_functions[endpoint] = limiter.limit(
        rate, methods=["POST"], scope=endpoint
    )(view)


def gw_context():
    """The app's :class:`~gridwatch.services.context.Context`."""
    return current_app.extensions["gridwatch"]
