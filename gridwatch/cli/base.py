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
            raise click.ClickException(with_hint(exc)) from None
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


def with_hint(exc: GridwatchError) -> str:
    """The error's sentence and, when the service gave one, the option to use."""
    hint = (exc.details or {}).get("hint")
    return f"{exc.user_msg} (try: {hint})" if hint else exc.user_msg


def open_ctx(migrate_mode: str = "auto"):
    from gridwatch.services.context import open_context

    return open_context(load_settings(), migrate_mode=migrate_mode)


def cli_actor(name: str | None = None):
    """The acting user of a command: ``system`` (whoever holds the database),
    named ``cli:<OS user>`` in the audit log unless ``name`` is given."""
    from gridwatch.services.actor import system_actor

    return system_actor(name)


def step_printer():
    """A ``progress(step, seconds)`` callback for services' long steps: one line
    per finished step on stderr (None when progress is off or not a terminal)."""
    if not want_progress():
        return None

    def report(step: str, seconds: float | None) -> None:
        if seconds is not None:
            click.echo(f"  ✓ {step} ({seconds:.1f} s)", err=True)

    return report


def row_progress(desc: str):
    """Wrap a row iterator in a tqdm bar on stderr (None when progress is off)."""
    if not want_progress():
        return None
    from tqdm import tqdm

    return lambda rows: tqdm(rows, desc=desc, unit=" rows")


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def want_progress() -> bool:
    try:
        return bool(load_settings().progress) and sys.stderr.isatty()
    except GridwatchError:
        return False
