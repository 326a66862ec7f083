"""gridwatch boundaries …"""

from __future__ import annotations

import click

from gridwatch.cli.base import GridwatchGroup, cli_actor, emit_json, open_ctx
from gridwatch.cli.params import SEED, CRSParam, Digits, Text, input_file


@click.group("boundaries", cls=GridwatchGroup)
def boundaries_group() -> None:
    """Administrative boundaries: district, towns/streets, communities/villages."""


LEVEL = click.Choice(["district", "town", "community"])


@boundaries_group.command("import")
@click.argument("file", type=input_file())
@click.option("--level", type=LEVEL, required=True, help="What the file holds.")
@click.option(
    "--crs",
    type=CRSParam(),
    help="Datum (wgs84, cgcs2000, gcj02, bd09) or CRS code (EPSG:4547) of the "
    "coordinates when the file does not say (.prj) or says wrong.",
)
@click.option("--name-field", type=Text(), help="Attribute holding the unit's name.")
@click.option(
    "--code-field", type=Text(), help="Attribute holding the unit's official code."
)
@click.option(
    "--parent-code", type=Digits(6, 9), help="Parent unit's code for every feature."
)
@click.option("--layer", type=Text(), help="Layer name (GeoPackage with several).")
@click.option(
    "--where",
    "where",
    multiple=True,
    type=Text(),
    help="Keep features with FIELD=VALUE (e.g. adcode=440605); repeat to allow "
    "several values of one field or to require several fields.",
)
@click.option(
    "--illustrative",
    is_flag=True,
    help="Mark every unit illustrative (示意边界: drawn by hand, not official). "
    "Without it a 示意/illustrative property marks features one by one.",
)
@click.option(
    "--dry-run", is_flag=True, help="Show what would be stored; write nothing."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def import_cmd(
    file,
    level,
    crs,
    name_field,
    code_field,
    parent_code,
    layer,
    where,
    illustrative,
    dry_run,
    as_json,
):
    """Import GeoJSON, Shapefile (.shp or .zip) or GeoPackage boundaries."""
    from gridwatch.grids.boundary_fields import parse_where
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
        where=parse_where(where),
        illustrative=illustrative,
        dry_run=dry_run,
    )
    if as_json:
        emit_json(result)
        return
    _print_import(result, file, level)


def _print_import(result: dict, file: str, level: str) -> None:
    verb = "would be" if result["dry_run"] else "were"
    marked = (
        f" ({result['illustrative']} illustrative 示意边界)"
        if result["illustrative"]
        else ""
    )
    click.echo(
        f"{result['units']} {level} units{marked} from {file}: {result['inserted']} "
        f"new, {result['updated']} updated, {result['unchanged']} unchanged "
        f"{verb} stored."
    )
    if result["dry_run"]:
        for what in ("inserted", "updated"):
            codes = result["codes"][what]
            if codes:
                more = f" … (+{len(codes) - 10})" if len(codes) > 10 else ""
                click.echo(f"  {what}: {', '.join(codes[:10])}{more}")
        click.echo("Dry run: nothing was written.")
    for note in result["notes"]:
        click.echo(f"  note: {note}")


@boundaries_group.command("import-codes")
@click.argument("file", type=input_file())
@click.option(
    "--level",
    type=click.Choice(["town", "community"]),
    required=True,
    help="Which units of the list to load.",
)
@click.option(
    "--parent",
    type=Digits(6, 9),
    help="Only units under this district (6 digits) or town (9 digits).",
)
@click.option(
    "--illustrative-seed",
    "seed",
    type=SEED,
    default=20131,
    show_default=True,
    help="Seed of the illustrative layout: the same seed draws the same polygons.",
)
@click.option("--code-field", type=Text(), help="Column holding the codes.")
@click.option("--name-field", type=Text(), help="Column holding the names.")
@click.option(
    "--dry-run", is_flag=True, help="Show what would be stored; write nothing."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def import_codes_cmd(
    file, level, parent, seed, code_field, name_field, dry_run, as_json
):
    """Load towns or communities from the official names-and-codes list (CSV).

    The list has no geometry, so each unit gets an illustrative polygon (示意边界)
    generated inside its loaded parent, tiling it exactly; names and codes are
    the official ones. Import the parent boundaries first.
    """
    from gridwatch.services.divisions import import_codes

    r = import_codes(
        open_ctx(),
        cli_actor(),
        file,
        level,
        parent=parent,
        seed=seed,
        code_field=code_field,
        name_field=name_field,
        dry_run=dry_run,
    )
    if as_json:
        emit_json(r)
        return
    verb = "would be" if dry_run else "were"
    sk = r["skipped"]
    click.echo(
        f"{r['units']} {level} units drawn illustrative (示意边界, seed {seed}) in "
        f"{len(r['parents'])} parent(s): {r['inserted']} new, {r['updated']} "
        f"updated, {r['unchanged']} unchanged {verb} stored."
    )
    click.echo(
        f"{r['rows']} rows: {r['units']} drawn, {sk['other_level']} of other "
        f"levels, {sk['other_parent']} under other parents, "
        f"{sk['parent_not_loaded']} whose parent is not loaded, "
        f"{sk['rejected']} rejected."
    )
    for bad in r["rejected"][:10]:
        click.echo(f"  rejected line {bad['line']} ({bad['code']}): {bad['reason']}")
    for note in r["notes"]:
        click.echo(f"  note: {note}")
    if dry_run:
        click.echo("Dry run: nothing was written.")


@boundaries_group.command("list")
@click.option("--level", type=LEVEL)
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
