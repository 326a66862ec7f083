"""A campaign's progress as an XLSX workbook (Chinese headers, one sheet a level).

Sheets: 概况 (the definition and the total), 按网格, 按街道, 企业明细. The
figures are those of :func:`~gridwatch.services.supervision.campaigns.campaign_progress`
(the same targets, inspections and rule), so the file and the page agree.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from gridwatch import vocab
from gridwatch.services.actor import Actor
from gridwatch.services.context import Context
from gridwatch.services.supervision.campaigns import campaign_progress
from gridwatch.services.supervision.imports import check_output
from gridwatch.spreadsheets import neutralise

_GROUP = {"grid_code": "网格编码", "town_code": "镇街编码",
          "community_code": "村(社区)编码"}  # fmt: skip
_COUNTS = ["targets", "inspected", "reached", "remaining", "inspections",
           "share_reached"]  # fmt: skip
_ENTERPRISE = [
    ("uscc", "统一社会信用代码"), ("name", "企业名称"), ("grid_code", "网格编码"),
    ("town_code", "镇街编码"), ("inspections", "检查次数"),
    ("last_inspected_on", "最近检查日期"), ("is_reached", "是否达标"),
]  # fmt: skip


def _sheet(wb, title: str, header: list[str], rows: list[list]) -> None:
    from openpyxl.styles import Font

    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:  # names and codes echo user text: never a formula (OWASP)
        ws.append([neutralise(v) for v in row])
    for i, name in enumerate(header, start=1):
        letter = ws.cell(row=1, column=i).column_letter
        ws.column_dimensions[letter].width = max(12, len(str(name)) * 2 + 2)
    if "完成率" in header:
        col = header.index("完成率") + 1
        for r in range(2, ws.max_row + 1):
            ws.cell(row=r, column=col).number_format = "0.0%"


def _level_rows(rows: list[dict], key: str | None) -> list[list]:
    out = []
    for r in rows:
        head = [r.get(key)] if key else []
        out.append(head + [r[c] for c in _COUNTS])
    return out


def export_campaign_xlsx(
    ctx: Context, actor: Actor, campaign_id: int, path, *, on: dt.date | None = None
) -> dict:
    """Write the campaign's progress over the actor's scope to ``path`` (XLSX).

    Returns
    -------
    dict
        ``path``, ``sheets`` (names) and ``targets`` (enterprises listed).
    """
    import openpyxl

    out = check_output(path)
    grid = campaign_progress(ctx, actor, campaign_id, by="grid", on=on)
    street = campaign_progress(ctx, actor, campaign_id, by="street", on=on)
    ents = campaign_progress(ctx, actor, campaign_id, by="enterprise", on=on)
    c = grid["campaign"]
    labels = [vocab.CAMPAIGN_PROGRESS_LABELS[k] for k in _COUNTS]
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    facts = [
        ["专项整治", c["name"]],
        ["开始日期", c["starts_on"]],
        ["结束日期", c["ends_on"]],
        ["每家目标检查次数", c["min_inspections"]],
        ["统计日期", grid["on"]],
        ["统计范围", actor.scope_code or "全区"],
    ] + [[lab, grid["total"][k]] for lab, k in zip(labels, _COUNTS, strict=True)]
    _sheet(wb, "概况", ["项目", "值"], facts)
    _sheet(wb, "按网格", [_GROUP["grid_code"], *labels],
           _level_rows(grid["rows"], "grid_code"))  # fmt: skip
    _sheet(wb, "按街道", [_GROUP["town_code"], *labels],
           _level_rows(street["rows"], "town_code"))  # fmt: skip
    _sheet(wb, "企业明细", [h for _, h in _ENTERPRISE],
           [[("是" if r[k] else "否") if k == "is_reached" else r.get(k)
             for k, _ in _ENTERPRISE] for r in ents["rows"]])  # fmt: skip
    wb.save(Path(out))
    return {"path": str(out), "sheets": wb.sheetnames, "targets": len(ents["rows"])}
