"""Option parsing and output formatting of the registry commands
(``gridwatch enterprises import|export|list|show``)."""

from __future__ import annotations

import click

from gridwatch.cli.params import Digits
from gridwatch.errors import InvalidInputError


def parse_header_map(pairs: tuple[str, ...]) -> dict[str, str] | None:
    out = {}
    for p in pairs:
        if "=" not in p:
            raise InvalidInputError(f"--map {p!r} must look like '单位名称=name'.")
        k, v = p.split("=", 1)
        out[k.strip()] = v.strip()
    return out or None


def parse_value_map(pairs: tuple[str, ...]) -> dict[str, dict[str, str]] | None:
    """``行业类别:旧值=新值`` → ``{"行业类别": {"旧值": "新值"}}``."""
    out: dict[str, dict[str, str]] = {}
    for p in pairs:
        column, sep, rest = p.replace("：", ":", 1).partition(":")
        old, eq, new = rest.partition("=")
        if not (sep and eq and column.strip() and old.strip()):
            raise InvalidInputError(
                f"--map-values {p!r} must look like '行业类别:旧值=新值' (column, old "
                "value, new value)."
            )
        out.setdefault(column.strip(), {})[old.strip()] = new.strip()
    return out or None


#: CLI advice for a reject/note hint the service raised (services name no flags).
HINT_ADVICE = {
    "datum": "Rows have coordinates but no 坐标系: add a 坐标系 column, or pass "
    "--datum wgs84|cgcs2000|gcj02|bd09 for the whole file.",
}


def issue_dict(r) -> dict:
    return {"row": r.row, "field": r.field, "value": r.value, "reason": r.reason}


def echo_summary(summary, dry_run: bool, rejects_path) -> None:
    d = summary.to_dict()
    verb = "would import" if dry_run else "imported"
    click.echo(
        f"{d['rows']} rows: {d['valid']} valid ({verb}: {d['inserted']} new, "
        f"{d['updated']} updated, {d['unchanged']} unchanged), {d['rejected']} "
        f"rejected, {d['blank']} blank, {d['totals']} totals rows skipped."
    )
    for r in summary.rejects[:10]:
        click.echo(f"  row {r.row} {r.field}: {r.reason} ({r.value})")
    if len(summary.rejects) > 10:
        click.echo(
            f"  … {len(summary.rejects) - 10} more rejected"
            + ("" if rejects_path else "; use --rejects FILE.csv for all")
        )
    notes = [n for n in summary.notes if n.kind != "totals"]
    if notes:
        click.echo(f"{len(notes)} notes on stored rows (check them):")
        for n in notes[:10]:
            click.echo(f"  row {n.row} {n.field}: {n.reason}")
        if len(notes) > 10:
            click.echo(
                f"  … {len(notes) - 10} more notes"
                + ("" if rejects_path else "; use --rejects FILE.csv for all")
            )
    if summary.flagged:
        click.echo(
            f"{summary.flagged} enterprises flagged for a person to check: "
            "'gridwatch enterprises list --flagged'."
        )
    if d["extra_columns"]:
        click.echo(
            f"Kept columns (stored with each enterprise, shown by 'enterprises show', "
            f"written back on export): {', '.join(map(str, d['extra_columns']))}"
        )
    if d.get("row_number_columns"):
        click.echo(
            f"Not kept: {', '.join(d['row_number_columns'])} (the file's row "
            "numbers; they also mark totals rows)."
        )
    for hint in summary.hints:
        if hint in HINT_ADVICE:
            click.echo(HINT_ADVICE[hint])


def filter_options(f):
    for opt in reversed(
        [
            click.option(
                "--town",
                help="Town/street code or name (placed there, or "
                "declared there in 所属镇街 and not placed yet).",
            ),
            click.option("--community", help="Village/community code or name."),
            click.option("--grid", type=Digits(15), help="Grid code (assigned today)."),
            click.option(
                "--risk", help="Risk level: red/orange/yellow/blue or 红/橙/黄/蓝."
            ),
            click.option(
                "--sector",
                help="Sector code, label or GB/T 4754 industry "
                "(see 'gridwatch vocab sectors').",
            ),
            click.option(
                "--precision",
                help="Geocode precision (see 'gridwatch vocab precisions').",
            ),
            click.option(
                "--flagged",
                is_flag=True,
                help="Only enterprises with registry flags for a person to check.",
            ),
        ]
    ):
        f = opt(f)
    return f


def filter_values(**kw) -> dict:
    return {k: v for k, v in kw.items() if v not in (None, False)}


#: Labels of ``enterprises show``, in order.
SHOW_FIELDS = (
    ("uscc", "统一社会信用代码"),
    ("name", "企业名称"),
    ("address", "地址"),
    ("sector", "行业"),
    ("industry_code", "国民经济行业代码"),
    ("risk_level", "风险等级"),
    ("is_three_in_one", "三合一"),
    ("has_hazchem", "涉危化品"),
    ("employees", "从业人数"),
    ("registered_on", "成立日期"),
    ("legal_representative", "法定代表人"),
    ("principal", "主要负责人"),
    ("safety_officer", "安全负责人"),
    ("contact_phone", "联系电话"),
    ("town_hint", "所属镇街(登记)"),
    ("town_hint_code", "所属镇街代码"),
    ("community_hint", "所属村居(登记)"),
    ("community_hint_code", "所属村居代码"),
    ("town_code", "定位镇街"),
    ("community_code", "定位村居"),
    ("grid_code", "网格"),
    ("lng", "经度 WGS-84"),
    ("lat", "纬度 WGS-84"),
    ("precision", "定位精度"),
    ("source_datum", "原始坐标系"),
)


def shown_value(key, value):
    from gridwatch.vocab import PRECISIONS, RISK_LEVELS, SECTORS

    labels = {"sector": SECTORS, "risk_level": RISK_LEVELS, "precision": PRECISIONS}
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key in labels:
        return labels[key].get(value, value)
    if key in ("lng", "lat"):
        return f"{value:.6f}"
    return value
