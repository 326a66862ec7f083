"""gridwatch boundaries …"""

from __future__ import annotations

import click

from gridwatch.cli.base import GridwatchGroup, cli_actor, emit_json, open_ctx


@click.group("boundaries", cls=GridwatchGroup)
def boundaries_group() -> None:
    """Administrative boundaries: district, towns/streets, communities/villages."""


@boundaries_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--level",
    type=click.Choice(["district", "town", "community"]),
    required=True,
    help="What the file holds.",
)
@click.option(
    "--crs",
    type=click.Choice(["wgs84", "cgcs2000", "gcj02", "bd09"]),
    help="Datum of the coordinates when the file does not say (.prj).",
)
@click.option("--name-field", help="Attribute holding the unit's name.")
@click.option("--code-field", help="Attribute holding the unit's official code.")
@click.option("--parent-code", help="Code of the parent unit for every feature.")
@click.option("--layer", help="Layer name (GeoPackage with several layers).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def import_cmd(file, level, crs, name_field, code_field, parent_code, layer, as_json):
    """Import GeoJSON, Shapefile (.shp or .zip) or GeoPackage boundaries."""
    from gridwatch.services.boundaries import import_boundaries

    result = import_boundaries(
        open_ctx(),
        cli_actor(),
        file,
        level,
        crs=crs,
        name_field=name_field,
        code_field=code_field,
        parent_code=parent_code,
        layer=layer,
    )
    if as_json:
        emit_json(result)
        return
    click.echo(
        f"{result['units']} {level} units from {file}: {result['inserted']} new, "
        f"{result['updated']} updated, {result['unchanged']} unchanged."
    )
    for note in result["notes"]:
        click.echo(f"  note: {note}")


@boundaries_group.command("list")
@click.option("--level", type=click.Choice(["district", "town", "community"]))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_cmd(level, as_json):
    """List the stored units (示意 marks illustrative boundaries)."""
    from gridwatch.services.admin import read_admin_units

    units = read_admin_units(open_ctx(), level)
    rows = [
        {
            "code": r.code,
            "name": r.name,
            "level": r.level,
            "parent_code": r.parent_code,
            "is_illustrative": bool(r.is_illustrative),
        }
        for r in units.itertuples()
    ]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        mark = "  示意边界" if r["is_illustrative"] else ""
        click.echo(f"{r['level']:<10} {r['code']:<13} {r['name']}{mark}")


def register(main: click.Group) -> None:
    main.add_command(boundaries_group)
