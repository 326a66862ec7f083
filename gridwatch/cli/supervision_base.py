"""Shared plumbing of the supervision commands: parameter types, the acting user,
output.

Supervision acts (a hazard's transitions, a tip-off's triage) name the inspector
who made them, so those commands need ``--as USERNAME``: the command then acts
as that account, with its role and scope, and the audit log and the event name
it. Reads default to the command line's ``system`` actor (the whole district);
``--as`` narrows them to that account's scope.
"""

from __future__ import annotations

import click

from gridwatch.cli import params
from gridwatch.cli.base import cli_actor, emit_json, open_ctx

#: Database ids are positive and fit the API's 32-bit ids.
ROW_ID = click.IntRange(1, 2**31 - 1)
PAGE = click.IntRange(1, 10**6)


class Text(params.Text):
    """Free text that is not blank (a note, a reason, a name): the CLI's one
    :class:`gridwatch.cli.params.Text`, with room for a note (2,000 characters)."""

    def __init__(self, max_length: int = 2000):
        super().__init__(max_length)


USERNAME = Text(64)


def as_option(required: bool = False, help_text: str | None = None):
    """``--as USERNAME``: act as that account."""
    return click.option(
        "--as",
        "as_user",
        type=USERNAME,
        required=required,
        help=help_text
        or "Act as this account (its role and scope); default the whole district.",
    )


def acting(as_user: str | None):
    """(context, actor): the named account's actor, else the command line's."""
    ctx = open_ctx()
    if as_user is None:
        return ctx, cli_actor()
    from gridwatch.services.supervision import actor_for_user

    return ctx, actor_for_user(ctx, as_user)


def echo_json(data) -> None:
    from gridwatch.services.supervision.common import plain

    emit_json(plain(data.to_json() if hasattr(data, "to_json") else data))


def echo_import(res, as_json: bool, dry_run: bool) -> None:
    """Print an import's accounting; exit 3 when rows were rejected."""
    import sys

    if as_json:
        echo_json(res)
    else:
        verb = "would store" if dry_run else "stored"
        click.echo(
            f"{res.rows} rows: {res.stored} {verb}, {res.updated} updated, "
            f"{res.unchanged} unchanged, {res.rejected} rejected, {res.blank} blank"
            + (f"; {res.hazards} hazards recorded" if res.hazards else "")
            + "."
        )
        for r in res.rejects[:10]:
            click.echo(f"  row {r.row} {r.field}: {r.reason} ({r.value})")
        if len(res.rejects) > 10:
            click.echo(f"  … {len(res.rejects) - 10} more; use --rejects FILE.csv")
        if res.unknown_headers:
            click.echo(f"  ignored columns: {', '.join(res.unknown_headers)}")
    if res.rejected:
        sys.exit(3)  # some rows were not imported: a script must notice
