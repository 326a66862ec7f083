"""gridwatch grids …"""

from __future__ import annotations

import sys

import click

from gridwatch.cli.base import GridwatchGroup, cli_actor, emit_json, open_ctx
from gridwatch.errors import InvalidInputError


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
    type=click.FloatRange(min=0, min_open=True),
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
    type=click.FloatRange(min=10),
    help="Cell size in metres (square/hex).",
)
@click.option(
    "--within",
    type=click.Choice(["community", "town"]),
    default="community",
    show_default=True,
    help="Units the grids may not cross.",
)
@click.option("--town", help="Rebuild only this town/street (9-digit code).")
@click.option("--seed", type=int, default=0, show_default=True)
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
    click.echo(
        f"Version {result['version']} ({result['status']}): {result['rebuilt']} "
        f"{method} grids in {result['parents']} {within} units"
        + (
            f", plus {result['kept_from_active']} kept from the active version."
            if result["kept_from_active"]
            else "."
        )
    )
    issues = result["report"].get("issues", [])
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
@click.argument("version", type=int)
def activate(version):
    """Make VERSION the active grid version (the previous one is retired, kept)."""
    from gridwatch.services.grids import activate_version

    activate_version(open_ctx(), cli_actor(), version)
    click.echo(
        f"Grid version {version} is active. Run 'gridwatch assign' and "
        "'gridwatch wardens assign' to move enterprises and wardens onto it."
    )


@grids_group.command("split")
@click.argument("code")
@click.option("--parts", type=click.IntRange(2, 20), default=2, show_default=True)
@click.option(
    "--version", "version_id", type=int, help="Draft version (default newest)."
)
@click.option("--seed", type=int, default=0)
def split(code, parts, version_id, seed):
    """Split grid CODE of the draft into PARTS grids of equal workload."""
    from gridwatch.services.grids import split as do_split

    r = do_split(open_ctx(), cli_actor(), code, parts, version_id, seed)
    click.echo(
        f"Split {code} into {', '.join(r['into'])} (draft {r['version']}); "
        "'gridwatch grids undo' reverts it."
    )


@grids_group.command("merge")
@click.argument("codes", nargs=-1, required=True)
@click.option(
    "--version", "version_id", type=int, help="Draft version (default newest)."
)
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
@click.option(
    "--version", "version_id", type=int, help="Draft version (default newest)."
)
def undo(version_id):
    """Undo the latest split or merge of the draft."""
    from gridwatch.services.grids import undo_edit

    r = undo_edit(open_ctx(), cli_actor(), version_id)
    click.echo(
        f"Undid {r['undone']} on draft {r['version']}: restored "
        f"{', '.join(r['restored'])}."
    )


@grids_group.command("check")
@click.option("--version", "version_id", type=int, help="Version (default the active).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def check(version_id, as_json):
    """Quality report; exits non-zero when the tiling is broken."""
    from gridwatch.services.grids import check_version

    vid, report = check_version(open_ctx(), cli_actor(), version_id)
    data = report.to_dict()
    if as_json:
        emit_json({"version": vid, **data})
    else:
        o = data["overall"]
        click.echo(
            f"Version {vid}: {o['n_grids']} grids in {o['n_parents']} units; workload "
            f"max/mean within a unit {o['worst_parent_imbalance_max']:.2f}, min/mean "
            f"{o['worst_parent_imbalance_min']:.2f}; compactness (Polsby-Popper) "
            f"{o['mean_compactness']:.2f}; gaps {o['gap_m2']:.1f} m², overlaps "
            f"{o['overlap_m2']:.1f} m², outside parents {o['outside_m2']:.1f} m²; "
            + ("every grid one polygon." if o["is_contiguous"] else "SOME GRIDS SPLIT.")
        )
        click.echo("Tiling OK." if report.is_ok else "Tiling BROKEN.")
        for p in data.get("problems", []):
            click.echo(f"  problem: {p}")
    if not report.is_ok:
        sys.exit(1)


def register(main: click.Group) -> None:
    main.add_command(grids_group)
