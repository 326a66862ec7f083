"""gridwatch assign / gridwatch wardens …"""

from __future__ import annotations

import click

from gridwatch.cli.base import GridwatchGroup, cli_actor, emit_json, open_ctx
from gridwatch.cli.params import ROW_ID, Digits


@click.command("assign")
@click.option(
    "--version", "version_id", type=ROW_ID, help="Grid version (default active)."
)
@click.option(
    "--path",
    type=click.Choice(["memory", "sql"]),
    default="memory",
    show_default=True,
    help="memory: cached in-process index; sql: PostGIS ST_Covers (same rule, "
    "same result).",
)
@click.option("--json", "as_json", is_flag=True)
def assign(version_id, path, as_json):
    """Put every located enterprise into exactly one grid (effective-dated).

    A point on a shared edge or vertex goes to the covering grid with the smallest
    code; a point outside every grid is listed with its nearest grid and distance.
    """
    from gridwatch.services.assignment import assign_enterprises_to_grids

    r = assign_enterprises_to_grids(open_ctx(), cli_actor(), version_id, path=path)
    if as_json:
        emit_json(r)
        return
    click.echo(
        f"Version {r['version']}: {r['assigned']} of {r['enterprises']} enterprises "
        f"in grids ({r['on_edge']} on a shared edge, {r['manual_kept']} manual kept); "
        f"{r['rows_opened']} rows opened, {r['rows_closed']} closed."
    )
    if r["outside"]:
        click.echo(f"{len(r['outside'])} outside every grid (fix their location):")
        for o in r["outside"][:20]:
            click.echo(
                f"  {o['uscc']} {o['name']}: nearest {o['nearest_grid']} "
                f"at {o['distance_m']} m"
            )
    if r["no_location"]:
        click.echo(f"{len(r['no_location'])} have no location (geocode status shown):")
        for o in r["no_location"][:20]:
            click.echo(f"  {o['uscc']} {o['name']}: {o['precision']}")


@click.group("wardens", cls=GridwatchGroup)
def wardens_group() -> None:
    """Grid wardens (网格员): assignment to grids, overrides."""


@wardens_group.command("assign")
@click.option("--street", type=Digits(9), help="Only this street/town (9-digit code).")
@click.option(
    "--version", "version_id", type=ROW_ID, help="Grid version (default active)."
)
@click.option("--json", "as_json", is_flag=True)
def wardens_assign(street, version_id, as_json):
    """Give every grid a responsible warden: balanced, contiguous, stable."""
    from gridwatch.services.assignment import assign_wardens

    r = assign_wardens(open_ctx(), cli_actor(), street, version_id)
    if as_json:
        emit_json(r)
        return
    click.echo(
        f"Version {r['version']}: {r['grids']} grids, {r['wardens']} wardens; "
        f"workload per warden max/mean {r['workload_max_over_mean']}, min/mean "
        f"{r['workload_min_over_mean']}; churn {r['churn']}; "
        f"{r['overrides_kept']} overrides kept; {r['rows_opened']} rows opened, "
        f"{r['rows_closed']} closed."
    )
    if r["unstaffed_grids"]:
        click.echo(
            f"No warden for {len(r['unstaffed_grids'])} grids: "
            + ", ".join(r["unstaffed_grids"][:10])
        )


@wardens_group.command("override")
@click.argument("grid_code")
@click.argument("username")
def override(grid_code, username):
    """Make USERNAME the responsible warden of GRID_CODE; automatic runs keep it."""
    from gridwatch.services.assignment import set_override

    set_override(open_ctx(), cli_actor(), grid_code, username)
    click.echo(f"{username} is now responsible for {grid_code} (manual override).")


@wardens_group.command("deputy")
@click.argument("grid_code")
@click.argument("username")
@click.option("--remove", is_flag=True, help="End this deputy's assignment.")
def deputy(grid_code, username, remove):
    """Add USERNAME as a deputy warden of GRID_CODE (or --remove them)."""
    from gridwatch.services.assignment import set_deputy

    set_deputy(open_ctx(), cli_actor(), grid_code, username, remove)
    click.echo(
        f"{username} {'is no longer' if remove else 'is now'} a deputy of {grid_code}."
    )


def register(main: click.Group) -> None:
    main.add_command(assign)
    main.add_command(wardens_group)
