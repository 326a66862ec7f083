"""Security headers, the secret key, and the forced password change.

The Content-Security-Policy allows only this site ('self'): no inline scripts
(every script is a static file), no inline ``style`` attributes or ``<style>``
elements in markup. Leaflet positions its panes through the CSSOM
(``element.style.transform = …``), which CSP's ``style-src`` does not govern, so
it needs no ``'unsafe-inline'``. Map tiles from another host are the one
exception, and only when ``GRIDWATCH_TILES`` names such a host.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, abort, redirect, request, url_for
from flask_babel import gettext
from flask_login import current_user

from gridwatch.errors import PermissionDeniedError

_TILE_HOSTS = {
    "osm": "https://tile.openstreetmap.org",
    "amap": "https://*.is.autonavi.com",
}


def tile_origin(tiles: str | None) -> str | None:
    """The origin map tiles come from (None: no tiles, nothing leaves the site)."""
    tiles = (tiles or "none").strip()
    if tiles == "none":
        return None
    if tiles in _TILE_HOSTS:
        return _TILE_HOSTS[tiles]
    parts = urlsplit(tiles.replace("{s}", "a"))
    if parts.hostname in (None, "localhost", "127.0.0.1"):
        return None if not parts.netloc else f"{parts.scheme}://{parts.netloc}"
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(tiles: str | None) -> str:
    img = "'self' data: blob:"
    origin = tile_origin(tiles)
    if origin:
        img += f" {origin}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {img}",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def load_secret_key(configured: str | None, data_dir: Path) -> str:
    """The configured key, else ``<data_dir>/secret_key`` (created once, mode 0600).

    Several workers may start at once: the key is written to a private temp file
    and then hard-linked into place, so a reader never sees a half-written key and
    only the first worker's key wins.
    """
    if configured:
        return configured
    path = Path(data_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    key = path.read_text().strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable key; delete it to make a new one.")
    return key


#: endpoints a user who must change their password may still reach
_OPEN_WHILE_CHANGING = {
    "auth.change_password",
    "auth.sign_out",
    "auth.language",
    "static",
    "maps_static.static",
}


def refuse_large_bodies(app: Flask) -> None:
    """413 for a body over ``MAX_CONTENT_LENGTH`` before anything reads it (the
    CSRF check would otherwise read the form and report a missing token)."""

    @app.before_request
    def _too_large():
        limit = app.config.get("MAX_CONTENT_LENGTH")
        if limit and (request.content_length or 0) > limit:
            abort(413)


def install(app: Flask) -> None:
    csp = content_security_policy(app.extensions["gridwatch"].settings.tiles)

    @app.after_request
    def _headers(response):
        h = response.headers
        h.setdefault("Content-Security-Policy", csp)
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Permissions-Policy", "camera=(self), geolocation=(self)")
        if request.endpoint not in ("static", "maps_static.static"):
            h.setdefault("Cache-Control", "no-store")
        return response

    @app.before_request
    def _forced_password_change():
        if not current_user.is_authenticated or current_user.via_token:
            return None
        if not current_user.must_change_password:
            return None
        if request.endpoint in _OPEN_WHILE_CHANGING:
            return None
        if request.path.startswith("/api/"):
            raise PermissionDeniedError(
                gettext("请先在网页上修改密码。"),
                details={"code": "password_change_required"},
            )
        return redirect(url_for("auth.change_password"))
