"""gridwatch config …"""

from __future__ import annotations

import click

from gridwatch.cli.base import GridwatchGroup, emit_json
from gridwatch.config import SETTINGS, load_settings


@click.group("config", cls=GridwatchGroup)
def config_group() -> None:
    """Show the settings in force."""


@config_group.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show(as_json: bool) -> None:
    """Print every setting in force, secrets masked."""
    settings = load_settings()
    values = settings.masked()
    values["database_url"] = values["database_url"] or (
        settings.resolved_database_url() + "  (default)"
    )
    if as_json:
        emit_json(values)
        return
    for s in SETTINGS:
        click.echo(f"GRIDWATCH_{s.name.upper():<22} {values[s.name]}")
        click.echo(f"    {s.help}")
