"""gridwatch grids …"""

from __future__ import annotations

import sys

import click

from gridwatch.cli.base import GridwatchGroup, cli_actor, emit_json, open_ctx
from gridwatch.cli.params import (
    ROW_ID,
    SEED,
    CRSParam,
    Digits,
    FiniteFloat,
    Text,
    input_file,
)
from gridwatch.errors import InvalidInputError

GRID_CODE = Digits(15)
TOWN_CODE = Digits(9)
VERSION = click.option(
    "--version", "version_id", type=ROW_ID, help="Draft version (default newest)."
)


@click.group("grids", cls=GridwatchGroup)
def grids_group() -> None:
    """Supervision grids (网格): build, version, edit, check."""


@grids_group.command("build")
@click.option(
    "--method",
    type=click.Choice(["balanced", "square", "hex"]),
    default="balanced",
    show_default=True,
)
@click.option(
    "--target-workload",
    type=FiniteFloat(min=0, min_open=True),
    help="Risk-weighted enterprise count per grid (balanced).",
)
@click.option(
    "--grids-per-unit",
    type=click.IntRange(1, 999),
    help="Exactly this many grids in every parent unit.",
)
@click.option(
    "--cell-size",
    "cell_size",
    type=FiniteFloat(min=10, max=100_000),
    help="Cell size in metres (square/hex).",
)
@click.option(
    "--within",
    type=click.Choice(["community", "town", "district"]),
    default="community",
    show_default=True,
    help="Units the grids may not cross: communities, or towns / the district "
    "itself when no lower boundaries exist (codes still extend the unit's code).",
)
@click.option(
    "--town", type=TOWN_CODE, help="Rebuild only this town/street (9-digit code)."
)
@click.option("--seed", type=SEED, default=0, show_default=True)
@click.option("--activate", is_flag=True, help="Activate the new version at once.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def build(
    method,
    target_workload,
    grids_per_unit,
    cell_size,
    within,
    town,
    seed,
    activate,
    as_json,
):
    """Build grids into a new draft version."""
    given = [o for o in (target_workload, grids_per_unit, cell_size) if o is not None]
    if len(given) != 1:
        raise InvalidInputError(
            "Give exactly one of --target-workload, --grids-per-unit or --cell-size."
        )
    from gridwatch.services.grids import build_version

    result = build_version(
        open_ctx(),
        cli_actor(),
        method,
        target_workload=target_workload,
        grids_per_unit=grids_per_unit,
        cell_size_m=cell_size,
        within=within,
        town=town,
        seed=seed,
        activate=activate,
    )
    if as_json:
        emit_json(result)
        return
    _print_build(result, method, within, activate)


def _print_build(result: dict, method: str, within: str, activate: bool) -> None:
    sketch = (
        f" ({result['illustrative_parents']} of them illustrative 示意边界)"
        if result.get("illustrative_parents")
        else ""
    )
    click.echo(
        f"Version {result['version']} ({result['status']}): {result['rebuilt']} "
        f"{method} grids in {result['parents']} {within} units{sketch}"
        + (
            f", plus {result['kept_from_active']} kept from the active version."
            if result["kept_from_active"]
            else "."
        )
    )
    if result.get("unplaced_left_out"):
        click.echo(
            f"{result['unplaced_left_out']} enterprises located only to town or "
            "district level are not counted (grid unknown until placed by hand; "
            "see 'gridwatch assign unplaced')."
        )
    report = result["report"]
    if report.get("capped"):
        click.echo(
            f"{len(report['capped'])} units have fewer places with enterprises than "
            "the grids asked for and got one grid per place at most; see --json."
        )
    issues = report.get("issues", [])
    if issues:
        click.echo(f"{len(issues)} grids miss ±10% of the target; see --json for why.")
    if not activate:
        click.echo(
            f"Check it with 'gridwatch grids check --version {result['version']}' "
            f"and switch with 'gridwatch grids activate {result['version']}'."
        )


@grids_group.command("versions")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def versions(as_json):
    """List grid versions."""
    from gridwatch.services.grids import list_versions

    rows = list_versions(open_ctx(), cli_actor())
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        click.echo(
            f"{r['version']:>4}  {r['status']:<8} {r['method']:<9} "
            f"{r['grids']:>5} grids  {r['label']}"
        )


@grids_group.command("activate")
@click.argument("version", type=ROW_ID)
def activate(version):
    """Make VERSION the active grid version (the previous one is retired, kept)."""
    from gridwatch.services.grids import activate_version

    activate_version(open_ctx(), cli_actor(), version)
    click.echo(
        f"Grid version {version} is active. Run 'gridwatch assign' and "
        "'gridwatch wardens assign' to move enterprises and wardens onto it."
    )


@grids_group.command("split")
@click.argument("code", type=GRID_CODE)
@click.option("--parts", type=click.IntRange(2, 999), default=2, show_default=True)
@VERSION
@click.option("--seed", type=SEED, default=0, show_default=True)
def split(code, parts, version_id, seed):
    """Split grid CODE of the draft into PARTS grids of equal workload.

    Refused, leaving the draft unchanged, when the workload cannot be balanced:
    fewer places with enterprises than PARTS, one place heavier than a share, or
    no split within ±10%."""
    from gridwatch.services.grids import split as do_split

    r = do_split(open_ctx(), cli_actor(), code, parts, version_id, seed)
    click.echo(
        f"Split {code} into {', '.join(r['into'])} (draft {r['version']}); "
        "'gridwatch grids undo' reverts it."
    )


@grids_group.command("merge")
@click.argument("codes", nargs=-1, required=True, type=GRID_CODE)
@VERSION
def merge(codes, version_id):
    """Merge adjacent grids CODES (same parent) of the draft into the lowest code."""
    if len(codes) < 2:
        raise InvalidInputError("Give at least two grid codes to merge.")
    from gridwatch.services.grids import merge as do_merge

    r = do_merge(open_ctx(), cli_actor(), list(codes), version_id)
    click.echo(
        f"Merged {', '.join(r['merged'])} into {r['into']} (draft {r['version']}); "
        "'gridwatch grids undo' reverts it."
    )


@grids_group.command("undo")
@VERSION
def undo(version_id):
    """Undo the latest split or merge of the draft."""
    from gridwatch.services.grids import undo_edit

    r = undo_edit(open_ctx(), cli_actor(), version_id)
    click.echo(
        f"Undid {r['undone']} on draft {r['version']}: restored "
        f"{', '.join(r['restored'])}."
    )


@grids_group.command("check")
@click.option(
    "--version", "version_id", type=ROW_ID, help="Version (default the active)."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def check(version_id, as_json):
    """Tiling, balance and the district outline; exit 1 unless all three are OK.

    Tiling: grids cover their unit without gaps or overlaps. Balance: no grid
    is empty and each is within ±10% of its unit's mean workload (a place
    heavier than that mean is a warning: it cannot be split). Outline: the
    grids neither leave the district nor leave 1% of it uncovered (a datum
    mistake in a boundary file shows here).
    """
    from gridwatch.services.grid_reports import check_version

    vid, report = check_version(open_ctx(), cli_actor(), version_id)
    data = report.to_dict()
    if as_json:
        emit_json({"version": vid, **data})
    else:
        _print_check(vid, report, data)
    if not report.is_ok:
        sys.exit(1)


def _print_check(vid: int, report, data: dict) -> None:
    o = data["overall"]
    click.echo(
        f"Version {vid}: {o['n_grids']} grids in {o['n_parents']} units "
        f"({', '.join(o.get('levels', []))}); workload max/mean within a unit "
        f"{o['worst_parent_imbalance_max']:.2f}, min/mean "
        f"{o['worst_parent_imbalance_min']:.2f}; compactness (Polsby-Popper) "
        f"{o['mean_compactness']:.2f}; gaps {o['gap_m2']:.1f} m², overlaps "
        f"{o['overlap_m2']:.1f} m², outside parents {o['outside_m2']:.1f} m²; "
        + ("every grid one polygon." if o["is_contiguous"] else "SOME GRIDS SPLIT.")
    )
    click.echo("Tiling OK." if report.tiling_ok else "Tiling BROKEN.")
    click.echo(
        "Balance OK."
        if report.balance_ok
        else f"Balance BROKEN: {o['empty_grids']} empty grids, "
        f"{o['out_of_tolerance']} outside ±{o['tolerance']:.0%}."
    )
    fit = o.get("outline")
    if fit is None:
        click.echo("Outline not checked: no district boundary is loaded.")
    else:
        click.echo(
            f"{'Outline OK' if report.outline_ok else 'Outline BROKEN'}: "
            f"{fit['outside_km2']:.2f} km² outside the district, "
            f"{fit['uncovered_km2']:.2f} km² of it uncovered (tolerance "
            f"{fit['tolerance_km2']:.2f} km² each)."
        )
    shown = data["problems"] + data["balance_problems"] + data["outline_problems"]
    for p in shown[:20]:
        click.echo(f"  problem: {p}")
    if len(shown) > 20:
        click.echo(f"  … {len(shown) - 20} more problems (see --json)")
    for w in data["warnings"][:10]:
        click.echo(f"  warning: {w}")


@grids_group.command("list")
@click.option(
    "--version", "version_id", type=ROW_ID, help="Version (default the active)."
)
@click.option("--town", type=TOWN_CODE, help="Only this town/street (9-digit code).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_cmd(version_id, town, as_json):
    """List grids with workload, enterprises and the responsible warden."""
    from gridwatch.services.grid_reports import list_grids

    data = list_grids(open_ctx(), cli_actor(), version_id, town)
    if as_json:
        emit_json(data)
        return
    rows = data["grids"]
    click.echo(
        f"Version {data['version']} ({data['status']}): {len(rows)} grids built "
        f"within {', '.join(data['levels']) or '-'} units."
    )
    click.echo(
        f"{'网格 grid':<17}{'所属单元 unit':<22}{'工作量':>8}{'企业':>6}  网格员 warden"
    )
    for r in rows:
        unit = f"{r['parent_name'] or r['parent_code']}"
        if r["is_illustrative"]:
            unit += "（示意）"
        work = "?" if r["workload"] is None else f"{r['workload']:.1f}"
        n = "?" if r["n_enterprises"] is None else str(r["n_enterprises"])
        click.echo(f"{r['code']:<17}{unit:<22}{work:>8}{n:>6}  {r['warden'] or '—'}")


@grids_group.command("import")
@click.argument("file", type=input_file())
@click.option(
    "--parent-field",
    type=Text(),
    help="Field holding each grid's community/town code (default: from the code).",
)
@click.option(
    "--code-field",
    type=Text(),
    help="Field holding the 15-digit grid codes (default: assigned west→east, "
    "north→south within each unit).",
)
@click.option(
    "--crs",
    type=CRSParam(),
    help="Datum or CRS code when the file does not say (see boundaries import).",
)
@click.option("--layer", type=Text(), help="Layer name (GeoPackage).")
@click.option(
    "--where", "where", multiple=True, type=Text(), help="Keep FIELD=VALUE features."
)
@click.option("--label", type=Text(), help="Label of the new draft version.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def import_cmd(file, parent_field, code_field, crs, layer, where, label, as_json):
    """Bring grids drawn elsewhere in as a draft version, checked like a built one.

    Exits 1 when the draft's check fails (gaps, overlaps, grids outside their
    unit, empty or unbalanced grids, grids off the district outline); the draft
    is kept either way so it can be fixed or discarded.
    """
    from gridwatch.grids.boundary_fields import parse_where
    from gridwatch.services.grid_files import import_grids

    r = import_grids(
        open_ctx(),
        cli_actor(),
        file,
        parent_field=parent_field,
        code_field=code_field,
        crs=crs,
        layer=layer,
        where=parse_where(where),
        label=label,
    )
    if as_json:
        emit_json(r)
    else:
        kept = (
            f", plus {r['kept_from_active']} kept from the active version"
            if r["kept_from_active"]
            else ""
        )
        click.echo(
            f"Version {r['version']} (draft): {r['grids']} grids imported for "
            f"{', '.join(r['towns'])}{kept}."
        )
        for note in r["notes"]:
            click.echo(f"  note: {note}")
        check = r["check"]
        for name, key in (
            ("Tiling", "tiling_ok"),
            ("Balance", "balance_ok"),
            ("Outline", "outline_ok"),
        ):
            click.echo(f"{name} {'OK' if check[key] else 'BROKEN'}.")
        shown = (
            check["problems"] + check["balance_problems"] + check["outline_problems"]
        )
        for p in shown[:20]:
            click.echo(f"  problem: {p}")
        click.echo(
            f"Details: 'gridwatch grids check --version {r['version']}'; switch with "
            f"'gridwatch grids activate {r['version']}'."
        )
    if not r["check"]["is_ok"]:
        sys.exit(1)


def register(main: click.Group) -> None:
    main.add_command(grids_group)
