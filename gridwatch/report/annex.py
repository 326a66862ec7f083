"""The report's XLSX annex (openpyxl): every table as a sheet, values as values.

Numbers stay numbers (a ``pct`` column is stored as 0.953 with the format
``0.0%``; a ``wan`` column in yuan with ``#,##0.00``), so the bureau can add them
up. Text that a spreadsheet would run as a formula is neutralised (OWASP "CSV
injection"): a cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading apostrophe and is stored as text. Enterprise names and
notes are typed by people, and a name like ``=HYPERLINK(...)`` must not become a
live link in the bureau's Excel.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from gridwatch.report.data import Table

__all__ = ["FORMULA_PREFIXES", "neutralise", "write_annex"]

#: First characters that make Excel, LibreOffice or Sheets evaluate a cell.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_FORMATS = {
    "int": "0",
    "num": "0.00",
    "pct": "0.0%",
    "wan": "#,##0.00",
    "date": "yyyy-mm-dd",
}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def neutralise(value):
    """Text starting like a formula gets a leading apostrophe; others unchanged.

    >>> neutralise("=1+1"), neutralise("-5%"), neutralise("甲公司"), neutralise(-5)
    ("'=1+1", "'-5%", '甲公司', -5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _sheet_name(title: str, used: set[str]) -> str:
    """A valid, unique sheet name (31 characters, none of []:*?/\\)."""
    base = _BAD_SHEET_CHARS.sub("_", title).strip("'") or "表"
    name, k = base[:31], 2
    while name.lower() in used:
        suffix = f"({k})"
        name, k = base[: 31 - len(suffix)] + suffix, k + 1
    used.add(name.lower())
    return name


def _write_sheet(ws, table: Table) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws.append([neutralise(c) for c in table.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for row in table.rows:
        values = []
        for col, v in zip(table.columns, row):
            if isinstance(v, float) and math.isnan(v):  # an empty cell
                v = None
            values.append(neutralise(v))
        ws.append(values)
        for cell, col, v in zip(ws[ws.max_row], table.columns, values):
            if isinstance(v, str):
                cell.data_type = "s"  # text stays text, never a formula
            fmt = _NUMBER_FORMATS.get(table.format_of(col, v))
            if fmt and isinstance(v, (int, float, dt.date)):
                cell.number_format = fmt
    for k, col in enumerate(table.columns, 1):
        widest = max([len(str(col))] + [len(str(r[k - 1] or "")) for r in table.rows])
        ws.column_dimensions[get_column_letter(k)].width = min(60, 4 + 1.8 * widest)
    ws.freeze_panes = "A2"
    if table.note:
        ws.cell(ws.max_row + 2, 1, neutralise(table.note)).data_type = "s"


def write_annex(tables: list[Table], out) -> None:
    """Write ``tables`` to ``out`` (a path or a binary file), one sheet each.

    The sheet is named after the table's title (shortened to Excel's 31
    characters and made unique); its first row holds the headers, frozen.
    """
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for table in tables:
        _write_sheet(wb.create_sheet(_sheet_name(table.title, used)), table)
    if not tables:
        wb.create_sheet("说明").append(["本报告没有表格。"])
    wb.save(out)
