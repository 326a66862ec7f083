"""gridwatch map …"""

from __future__ import annotations

import click

from gridwatch.cli.base import cli_actor, open_ctx
from gridwatch.cli.params import Digits


@click.command("map")
@click.argument("kind", type=click.Choice(["coverage", "hotspots", "grids"]))
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    required=True,
    help="HTML file to write (self-contained, works offline).",
)
@click.option("--town", type=Digits(9), help="Only this town/street (9-digit code).")
@click.option("--grid", type=Digits(15), help="Only this grid (15-digit code).")
@click.option(
    "--from",
    "start",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Period start, YYYY-MM-DD (default: a year before --to).",
)
@click.option(
    "--to",
    "end",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Period end, YYYY-MM-DD (default: today).",
)
def map_cmd(kind, out, town, grid, start, end):
    """Write the coverage, hotspot or grid map of the active grid version."""
    from gridwatch.services.maps import write_map

    path = write_map(
        open_ctx(),
        cli_actor(),
        kind,
        out,
        town=town,
        grid=grid,
        start=start.date() if start else None,
        end=end.date() if end else None,
    )
    size = path.stat().st_size / 1e6
    click.echo(f"Wrote {path} ({size:.1f} MB).")


def register(main: click.Group) -> None:
    main.add_command(map_cmd)
