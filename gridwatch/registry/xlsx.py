"""XLSX sheets as numbered rows, with their merged ranges.

python-calamine (Rust) reads when installed, else openpyxl. Both give each cell
its type as stored: text as ``str``, numbers as ``int``/``float``, dates as
``date``/``datetime``, so a credit code typed as a number is seen as one.

Merged ranges (``行业`` merged over three rows) hold their value in the
top-left cell only; the other cells read as empty. calamine lists the ranges
(``merged_cell_ranges``); openpyxl's streaming reader does not, so they are read
from the sheet's ``<mergeCells>`` element (ECMA-376 §18.3.1.55).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import iterparse

from gridwatch.errors import InvalidInputError

__all__ = ["Merge", "MergeFill", "SheetRows", "xlsx_rows"]


@dataclass(frozen=True, slots=True)
class Merge:
    """A merged range: Excel row numbers (1-based, inclusive) and column indices
    into the row lists the reader yields (0-based, inclusive); ``ref`` as Excel
    writes it (``C2:C4``)."""

    row0: int
    col0: int
    row1: int
    col1: int
    ref: str


@dataclass
class SheetRows:
    """Rows of one sheet: ``(excel_row_number, cells)``; ``col_offset`` is the
    sheet column of ``cells[0]`` (0 = column A)."""

    rows: object
    merges: list[Merge]
    col_offset: int
    sheet: str


def xlsx_rows(path: Path, sheet: str | None) -> SheetRows:
    """Rows of one sheet: python-calamine when installed, else openpyxl.

    openpyxl's XML parsing reads ~3,000 rows/s of a 14-column registry, so a
    100,000-row workbook alone took half a minute; calamine reads ~40,000/s.

    Raises
    ------
    InvalidInputError
        An unreadable workbook or an unknown sheet name.
    """
    try:
        import python_calamine
    except ImportError:
        return _openpyxl_rows(path, sheet)
    return _calamine_rows(python_calamine, path, sheet)


def _unreadable(path: Path, exc: Exception) -> InvalidInputError:
    return InvalidInputError(
        f"{path.name} is not a readable XLSX workbook ({type(exc).__name__}); "
        "open it in Excel/WPS and save it as .xlsx again."
    )


def _no_sheet(path: Path, sheet: str, names) -> InvalidInputError:
    return InvalidInputError(
        f"{path.name} has no sheet {sheet!r}; its sheets are {', '.join(names)}."
    )


def _ref(row0: int, col0: int, row1: int, col1: int) -> str:
    from openpyxl.utils import get_column_letter

    a, b = get_column_letter(col0 + 1), get_column_letter(col1 + 1)
    return f"{a}{row0}:{b}{row1}"


def _calamine_rows(pc, path: Path, sheet: str | None) -> SheetRows:
    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
    except (
        pc.CalamineError,
        pc.ZipError,
        pc.XmlError,
        pc.PasswordError,
        OSError,
        ValueError,
    ) as exc:
        raise _unreadable(path, exc) from None
    if sheet is not None and sheet not in wb.sheet_names:
        wb.close()
        raise _no_sheet(path, sheet, wb.sheet_names)
    ws = wb.get_sheet_by_name(sheet) if sheet is not None else wb.get_sheet_by_index(0)
    # iter_rows starts at sheet row 1 but at the first used column, so a cell's
    # list index is its sheet column minus start[1]; merged ranges are absolute
    offset = ws.start[1] if ws.start else 0
    merges = [
        Merge(r0 + 1, c0 - offset, r1 + 1, c1 - offset, _ref(r0 + 1, c0, r1 + 1, c1))
        for (r0, c0), (r1, c1) in (ws.merged_cell_ranges or [])
    ]
    return SheetRows(_numbered_calamine(wb, ws), merges, offset, ws.name)


def _numbered_calamine(wb, ws):
    # counting gives Excel's row numbers; empty cells come as ""
    try:
        for number, cells in enumerate(ws.iter_rows(), start=1):
            # calamine gives every number as a float: 12 people, not 12.0
            yield (
                number,
                [
                    int(c) if isinstance(c, float) and c.is_integer() else c
                    for c in cells
                ],
            )
    finally:
        wb.close()


def _openpyxl_rows(path: Path, sheet: str | None) -> SheetRows:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    # a file object: openpyxl refuses a workbook whose name does not end .xlsx
    fh = path.open("rb")
    try:
        wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        OSError,
        ValueError,
    ) as exc:
        fh.close()
        raise _unreadable(path, exc) from None
    if sheet is not None and sheet not in wb.sheetnames:
        wb.close()
        fh.close()
        raise _no_sheet(path, sheet, wb.sheetnames)
    ws = wb[sheet] if sheet is not None else wb.worksheets[0]
    merges = _merges_from_xml(path, ws._worksheet_path)
    return SheetRows(_numbered_xlsx(wb, ws, fh), merges, 0, ws.title)


def _merges_from_xml(path: Path, part: str) -> list[Merge]:
    """``<mergeCell ref="C2:C4"/>`` elements of one worksheet part."""
    from openpyxl.utils.cell import range_boundaries

    out = []
    with zipfile.ZipFile(path) as zf, zf.open(part) as fh:
        for _event, elem in iterparse(fh):
            if elem.tag.endswith("}mergeCell") or elem.tag == "mergeCell":
                c0, r0, c1, r1 = range_boundaries(elem.get("ref"))
                out.append(Merge(r0, c0 - 1, r1, c1 - 1, elem.get("ref")))
            elif elem.tag.endswith("}row"):
                elem.clear()  # stream: a 100,000-row sheet is not held in memory
    return out


def _numbered_xlsx(wb, ws, fh):
    # read-only iter_rows fills missing rows from row 1 on, so counting gives
    # Excel's row numbers; values_only skips building a cell object per value
    try:
        yield from enumerate(ws.iter_rows(min_row=1, values_only=True), start=1)
    finally:
        wb.close()
        fh.close()


class MergeFill:
    """Fill merged ranges row by row as the rows stream past.

    A range within one column (行业 merged over rows 2-4) gives every covered
    cell the top-left cell's value, reported in ``_merged``. Any other covered
    cell (a range across columns, or one that starts at or above the header) has
    no value of its own to take and is reported in ``_split``.
    """

    #: Covered cells beyond this are refused (a whole-column merge is a mistake).
    LIMIT = 2_000_000

    def __init__(self, merges, header_row: int):
        self.fill: dict[int, list] = {}
        self.split: dict[int, list] = {}
        self.top: dict[tuple[int, int], object] = {}
        self.starts: dict[int, list] = {}
        covered = 0
        for m in merges:
            if m.row1 <= header_row:
                continue  # a title or header merge: no data cells under it
            covered += (m.row1 - max(m.row0, header_row + 1) + 1) * (
                m.col1 - m.col0 + 1
            )
            if covered > self.LIMIT:
                raise InvalidInputError(
                    f"The sheet has merged ranges covering over {self.LIMIT:,} cells "
                    f"(e.g. {m.ref}); unmerge them and fill in each cell."
                )
            for r in range(max(m.row0, header_row + 1), m.row1 + 1):
                for c in range(m.col0, m.col1 + 1):
                    if (r, c) == (m.row0, m.col0):
                        continue
                    if c == m.col0 and m.row0 > header_row:
                        self.fill.setdefault(r, []).append((c, m.row0, m.ref))
                    else:
                        self.split.setdefault(r, []).append((c, m.ref))
            self.starts.setdefault(m.row0, []).append(m.col0)

    def __bool__(self) -> bool:
        return bool(self.fill or self.split)

    def apply(self, number: int, cells: list) -> tuple[dict, dict]:
        """Fill ``cells`` (in place) for row ``number``; return what was done."""
        for c in self.starts.get(number, ()):
            self.top[(number, c)] = cells[c] if 0 <= c < len(cells) else None
        filled, split = {}, {}
        for c, row0, ref in self.fill.get(number, ()):
            value = self.top.get((row0, c))
            if c < 0 or value in (None, ""):
                continue
            while len(cells) <= c:
                cells.append(None)
            if cells[c] in (None, ""):
                cells[c] = value
                filled[c] = ref
        for c, ref in self.split.get(number, ()):
            if c >= 0:
                split[c] = ref
        return filled, split
