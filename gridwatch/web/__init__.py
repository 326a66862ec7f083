"""gridwatch's web application: ``create_app()`` builds it; importing builds nothing.

Production: ``gunicorn 'gridwatch.web:create_app()' -w 2`` (after
``gridwatch db upgrade``); development: ``gridwatch serve``. See docs/web.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from gridwatch.config import Settings
    from gridwatch.services.context import Context


def create_app(settings: Settings | None = None, ctx: Context | None = None) -> Flask:
    """Build the Flask app on ``ctx`` (default: open the configured database in
    ``check`` mode, which never migrates: run ``gridwatch db upgrade`` first)."""
    from gridwatch.web.app import build_app

    return build_app(settings, ctx)
