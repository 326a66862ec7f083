"""Shared CLI plumbing: error translation, context opening, JSON output."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from gridwatch.config import load_settings
from gridwatch.errors import GridwatchError


class GridwatchGroup(click.Group):
    """A group whose commands turn GridwatchError into one-line ClickExceptions."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GridwatchError as exc:
            raise click.ClickException(exc.user_msg) from None
        except OSError as exc:  # a file the user named cannot be read or written
            where = f" {exc.filename}" if exc.filename else ""
            raise click.ClickException(
                f"Cannot use{where}: {exc.strerror or exc}; check the path and its "
                "permissions."
            ) from None
        except KeyboardInterrupt:
            raise click.ClickException(
                "Interrupted; nothing was half-written "
                "(each step runs in one transaction)."
            ) from None

    def group(self, *args, **kwargs):
        kwargs.setdefault("cls", GridwatchGroup)
        return super().group(*args, **kwargs)


def open_ctx(migrate_mode: str = "auto"):
    from gridwatch.services.context import open_context

    return open_context(load_settings(), migrate_mode=migrate_mode)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def want_progress() -> bool:
    try:
        return bool(load_settings().progress) and sys.stderr.isatty()
    except GridwatchError:
        return False
