"""gridwatch penalties … / gridwatch self-reports … / gridwatch campaigns …"""

from __future__ import annotations

import click

from gridwatch.cli.base import GridwatchGroup
from gridwatch.cli.params import (
    DAY,
    MONTH,
    USCC,
    Amount,
    Digits,
    OutputPath,
    input_file,
)
from gridwatch.cli.supervision_base import (
    PAGE,
    ROW_ID,
    Text,
    acting,
    as_option,
    echo_import,
    echo_json,
)
from gridwatch.vocab import (
    CAMPAIGNS,
    HAZARD_CATEGORIES,
    INSPECTION_KINDS,
    PENALTY_KINDS,
    PENALTY_TOTAL_LABELS,
    RISK_LEVELS,
    SECTORS,
)

_IN = input_file()
_OUT = OutputPath()


@click.group("penalties", cls=GridwatchGroup)
def penalties_group() -> None:
    """Penalties and fines (行政处罚 / 经济处罚)."""


@penalties_group.command("add")
@click.option("--uscc", type=USCC, required=True, help="The enterprise.")
@click.option("--no", "decision_no", type=Text(64), required=True,
              help="Decision number (处罚决定书文号), unique.")  # fmt: skip
@click.option("--date", "decided_on", type=DAY, required=True)
@click.option("--kind", type=click.Choice(list(PENALTY_KINDS)), required=True)
@click.option("--amount", type=Amount(), default="0", show_default=True,
              help="Yuan (a fine needs more than 0).")  # fmt: skip
@click.option("--inspection", "inspection_id", type=ROW_ID)
@click.option("--hazard", "hazard_id", type=ROW_ID)
@as_option(help_text="The street office or bureau account recording it.")
@click.option("--json", "as_json", is_flag=True)
def add_cmd(uscc, decision_no, decided_on, kind, amount, inspection_id, hazard_id,
            as_user, as_json):  # fmt: skip
    """Record one penalty decision."""
    from gridwatch.services.supervision import add_penalty

    ctx, actor = acting(as_user)
    p = add_penalty(ctx, actor, uscc=uscc, decision_no=decision_no,
                    decided_on=decided_on, kind=kind, amount_yuan=amount,
                    inspection_id=inspection_id, hazard_id=hazard_id)  # fmt: skip
    if as_json:
        echo_json(p)
    else:
        click.echo(f"Recorded {p['decision_no']}: {p['kind_label']} "
                   f"{p['amount_yuan']:.2f} 元 ({p['uscc']}).")  # fmt: skip


@penalties_group.command("import")
@click.argument("file", type=_IN)
@click.option("--sheet", type=Text(100), help="XLSX sheet (default the first).")
@click.option("--dry-run", is_flag=True, help="Check every row; store nothing.")
@click.option(
    "--rejects",
    "rejects_path",
    type=_OUT,
    help="Write rejected rows (行号, 字段, 值, 原因) to this CSV.",
)
@as_option(help_text="The street office or bureau account importing.")
@click.option("--json", "as_json", is_flag=True)
def import_cmd(file, sheet, dry_run, rejects_path, as_user, as_json):
    """Import decisions (CSV/XLSX, Chinese headers); exit 3 if rows were rejected."""
    from gridwatch.services.supervision import import_penalties

    ctx, actor = acting(as_user)
    res = import_penalties(ctx, actor, file, sheet=sheet, dry_run=dry_run,
                           rejects_path=rejects_path)  # fmt: skip
    echo_import(res, as_json, dry_run)


@penalties_group.command("list")
@click.option("--town", type=Digits(9))
@click.option("--from", "start", type=DAY)
@click.option("--to", "end", type=DAY)
@click.option("--page", type=PAGE, default=1, show_default=True)
@as_option()
@click.option("--json", "as_json", is_flag=True)
def list_cmd(town, start, end, page, as_user, as_json):
    """Penalties in scope, newest first."""
    from gridwatch.services.supervision import list_penalties

    ctx, actor = acting(as_user)
    res = list_penalties(ctx, actor, town=town, start=start, end=end, page=page)
    if as_json:
        echo_json(res)
        return
    click.echo(f"{res.total} penalties:")
    for p in res.items:
        click.echo(
            f"  {p['decided_on']} {p['decision_no']} {p['kind_label']} "
            f"{p['amount_yuan']:.2f} {p['uscc']} {p['enterprise_name']}"
        )


@penalties_group.command("totals")
@click.option("--by", type=click.Choice(["town,month", "town", "month", "year",
                                         "none"]),
              default="town,month", show_default=True)  # fmt: skip
@click.option("--from", "start", type=DAY)
@click.option("--to", "end", type=DAY)
@as_option()
@click.option("--json", "as_json", is_flag=True)
def totals_cmd(by, start, end, as_user, as_json):
    """Counts and yuan by town and month: the same rule as the report."""
    from gridwatch.services.supervision import penalty_totals_by
    from gridwatch.services.supervision.common import plain

    cols = {"town,month": ("town_code", "month"), "town": ("town_code",),
            "month": ("month",), "year": ("year",), "none": ()}[by]  # fmt: skip
    ctx, actor = acting(as_user)
    frame = penalty_totals_by(ctx, actor, by=cols, start=start, end=end)
    rows = [plain(r) for r in frame.to_dict("records")]
    if as_json:
        echo_json(rows)
        return
    heads = [{"town_code": "镇街", "month": "月份", "year": "年度"}[c] for c in cols]
    click.echo("  ".join(heads + list(PENALTY_TOTAL_LABELS.values())))
    for r in rows:
        click.echo("  ".join([str(r[c]) for c in cols] + [
            str(r["penalties"]), str(r["fines"]), f"{r['fines_yuan']:.2f}",
            f"{r['confiscated_yuan']:.2f}"]))  # fmt: skip


@click.group("self-reports", cls=GridwatchGroup)
def self_reports_group() -> None:
    """Monthly self-inspection reports (自查自报)."""


@self_reports_group.command("import")
@click.argument("file", type=_IN)
@click.option("--sheet", type=Text(100))
@click.option("--dry-run", is_flag=True, help="Check every row; store nothing.")
@click.option("--rejects", "rejects_path", type=_OUT)
@as_option(help_text="The street office or bureau account importing.")
@click.option("--json", "as_json", is_flag=True)
def sr_import(file, sheet, dry_run, rejects_path, as_user, as_json):
    """Import the city system's monthly export; exit 3 if rows were rejected."""
    from gridwatch.services.supervision import import_self_reports

    ctx, actor = acting(as_user)
    res = import_self_reports(ctx, actor, file, sheet=sheet, dry_run=dry_run,
                              rejects_path=rejects_path)  # fmt: skip
    echo_import(res, as_json, dry_run)


@self_reports_group.command("missing")
@click.option("--month", type=MONTH, help="YYYY-MM (default the latest due).")
@click.option("--grid", type=Digits(15))
@as_option()
@click.option("--json", "as_json", is_flag=True)
def sr_missing(month, grid, as_user, as_json):
    """Enterprises that have not reported, per grid."""
    from gridwatch.services.supervision import missing_reports

    ctx, actor = acting(as_user)
    out = missing_reports(ctx, actor, month=month, grid=grid)
    if as_json:
        echo_json(out)
        return
    click.echo(f"{out['month']} (due {out['due_on']}): {out['submitted']} of "
               f"{out['expected']} reported, {out['missing']} missing, "
               f"{out['pending']} pending.")  # fmt: skip
    for i in out["items"][:50]:
        click.echo(
            f"  {i['grid_code'] or '—'} {i['uscc']} {i['name']} "
            f"{i['warden_username'] or ''}"
        )


@click.group("campaigns", cls=GridwatchGroup)
def campaigns_group() -> None:
    """Special campaigns (专项整治)."""


@campaigns_group.command("create")
@click.option("--preset", type=click.Choice(list(CAMPAIGNS)))
@click.option("--name", type=Text(200), help="Required without --preset.")
@click.option("--start", type=DAY, required=True)
@click.option("--end", type=DAY, required=True)
@click.option("--sector", "sectors", multiple=True, type=click.Choice(list(SECTORS)))
@click.option("--risk", "risks", multiple=True, type=click.Choice(list(RISK_LEVELS)))
@click.option("--three-in-one/--not-three-in-one", default=None)
@click.option("--hazchem/--no-hazchem", default=None)
@click.option("--hazard-category", "cats", multiple=True,
              type=click.Choice(list(HAZARD_CATEGORIES)))  # fmt: skip
@click.option("--area", "areas", multiple=True, type=Digits(6, 9, 12),
              help="Town or community code (repeat).")  # fmt: skip
@click.option("--min-inspections", type=click.IntRange(1, 100), default=1,
              show_default=True)  # fmt: skip
@click.option("--kind", "kinds", multiple=True,
              type=click.Choice(list(INSPECTION_KINDS)))  # fmt: skip
@as_option(help_text="The bureau account defining it.")
@click.option("--json", "as_json", is_flag=True)
def create_cmd(preset, name, start, end, sectors, risks, three_in_one, hazchem, cats,
               areas, min_inspections, kinds, as_user, as_json):  # fmt: skip
    """Define a campaign (a preset, or one selector from the options)."""
    from gridwatch.services.supervision import create_campaign

    sel = {k: v for k, v in (("sectors", list(sectors)), ("risk_levels", list(risks)),
                             ("is_three_in_one", three_in_one),
                             ("has_hazchem", hazchem),
                             ("hazard_categories", list(cats)))
           if v is not None and v != []}  # fmt: skip
    ctx, actor = acting(as_user)
    c = create_campaign(ctx, actor, preset=preset, name=name, start=start, end=end,
                        selectors=[sel] if sel else None, area_prefixes=areas,
                        min_inspections=min_inspections,
                        inspection_kinds=kinds)  # fmt: skip
    if as_json:
        echo_json(c)
    else:
        click.echo(
            f"Campaign {c['id']} {c['name']} ({c['starts_on']} – "
            f"{c['ends_on']}): {c['targets']} target enterprises."
        )


@campaigns_group.command("list")
@as_option()
@click.option("--json", "as_json", is_flag=True)
def campaigns_list(as_user, as_json):
    """Campaigns, newest first, with their targets in scope."""
    from gridwatch.services.supervision import list_campaigns

    ctx, actor = acting(as_user)
    rows = list_campaigns(ctx, actor)
    if as_json:
        echo_json(rows)
        return
    for c in rows:
        run = " running" if c["is_running"] else ""
        click.echo(
            f"{c['id']:>4} {c['starts_on']} – {c['ends_on']}{run}  "
            f"{c['name']}  ({c['targets']} targets)"
        )


@campaigns_group.command("progress")
@click.argument("campaign_id", type=ROW_ID)
@click.option("--by", type=click.Choice(["grid", "community", "street", "district",
                                         "enterprise"]),
              default="street", show_default=True)  # fmt: skip
@click.option("--on", type=DAY, help="Judge on this day (default today).")
@click.option("--xlsx", "xlsx", type=_OUT, help="Also write the XLSX workbook.")
@as_option()
@click.option("--json", "as_json", is_flag=True)
def progress_cmd(campaign_id, by, on, xlsx, as_user, as_json):
    """Progress per grid, street or the district; --xlsx writes every level."""
    from gridwatch.services.supervision import (
        campaign_progress,
        export_campaign_xlsx,
    )

    ctx, actor = acting(as_user)
    out = campaign_progress(ctx, actor, campaign_id, by=by, on=on)
    if xlsx:
        out["xlsx"] = export_campaign_xlsx(ctx, actor, campaign_id, xlsx, on=on)
    if as_json:
        echo_json(out)
        return
    t = out["total"]
    click.echo(
        f"{out['campaign']['name']} on {out['on']}: {t['reached']} of "
        f"{t['targets']} targets reached ({t['inspections']} inspections)."
    )
    key = {"grid": "grid_code", "community": "community_code",
           "street": "town_code"}.get(by)  # fmt: skip
    for r in out["rows"][:100]:
        if by == "enterprise":
            click.echo(
                f"  {r['uscc']} {r['name']} {r['inspections']}"
                + (" 达标" if r["is_reached"] else "")
            )
        elif key:
            click.echo(f"  {r[key] or '—'}  {r['reached']}/{r['targets']}")
    if xlsx:
        click.echo(f"Wrote {xlsx}.")


def register(main: click.Group) -> None:
    main.add_command(penalties_group)
    main.add_command(self_reports_group)
    main.add_command(campaigns_group)
