"""Spreadsheet imports of supervision records: reading, cells, and the accounting.

The files (penalty decisions, the city system's monthly self-report export) come
as CSV (UTF-8 or GBK/GB18030, comma/semicolon/tab separated) or XLSX, with
Chinese headers, sometimes under a title row. :func:`read_sheet` finds the header
row (the first of the first ten rows with two known headers), maps headers to
fields by the same normalisation as the registry import
(:func:`gridwatch.registry.headers.header_key`) and yields numbered rows: the row
numbers a person sees in the file, so a reject points at the line to fix.

Every row ends in exactly one bucket of :class:`ImportResult` (stored, updated,
unchanged, rejected with its reason, or blank), so ``rows`` always equals their
sum; nothing stored is ever replaced by an empty cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gridwatch.errors import InvalidInputError
from gridwatch.registry.headers import header_key
from gridwatch.registry.reader import detect_encoding
from gridwatch.spreadsheets import neutralise

_HEADER_SEARCH_ROWS = 10
MAX_STORED_REJECTS = 2000


@dataclass(frozen=True)
class Reject:
    """A row that was not imported: row number, field, value as read, reason."""

    row: int
    field: str
    value: str
    reason: str


@dataclass
class ImportResult:
    """What an import did with every row (``rows`` = the sum of the buckets)."""

    kind: str
    file_name: str
    rows: int = 0
    stored: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    blank: int = 0
    hazards: int = 0
    dry_run: bool = False
    import_id: int | None = None
    unknown_headers: list[str] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def reject(self, row: int, field_: str, value: Any, reason: str) -> None:
        self.rejected += 1
        self.rejects.append(Reject(row, field_, "" if value is None else str(value),
                                   reason))  # fmt: skip

    def check(self) -> None:
        """Every row in one bucket (a coding error otherwise)."""
        total = self.stored + self.updated + self.unchanged + self.rejected + self.blank
        if total != self.rows:
            raise AssertionError(f"{self.rows} rows but {total} accounted for")

    def to_json(self) -> dict:
        out = asdict(self)
        out["rejects"] = [asdict(r) for r in self.rejects]
        return out


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _csv_rows(path: Path) -> Iterator[tuple[int, list]]:
    encoding = detect_encoding(path)
    with path.open("r", encoding=encoding, newline="") as fh:
        head = fh.read(1 << 16)
        fh.seek(0)
        lines = "\n".join([ln for ln in head.splitlines() if ln.strip()][:5])
        delimiter = max(",;\t", key=lines.count)
        reader = csv.reader(fh, delimiter=delimiter if lines.count(delimiter) else ",")
        try:
            for cells in reader:
                yield reader.line_num - sum(c.count("\n") for c in cells), cells
        except (UnicodeDecodeError, csv.Error) as exc:
            raise InvalidInputError(
                f"{path.name} line {reader.line_num} cannot be read ({exc}); save "
                "the file again as CSV (UTF-8) or XLSX."
            ) from None


def _xlsx_rows(path: Path, sheet: str | None) -> Iterator[tuple[int, list]]:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    fh = path.open("rb")
    try:
        wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        fh.close()
        raise InvalidInputError(
            f"{path.name} is not a readable XLSX workbook; open it in Excel or WPS "
            "and save it as .xlsx again."
        ) from None
    if sheet is not None and sheet not in wb.sheetnames:
        names = ", ".join(wb.sheetnames)
        wb.close()
        fh.close()
        raise InvalidInputError(f"{path.name} has no sheet {sheet!r}; it has {names}.")
    ws = wb[sheet] if sheet is not None else wb.worksheets[0]
    try:
        yield from enumerate(ws.iter_rows(values_only=True), start=1)
    finally:
        wb.close()
        fh.close()


def _rows(path: Path, sheet: str | None):
    if not path.is_file():
        raise InvalidInputError(f"{path} does not exist or is not a file.")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if path.suffix.lower() in (".xlsx", ".xlsm") or magic == b"PK\x03\x04":
        return _xlsx_rows(path, sheet)
    if path.suffix.lower() == ".xls":
        raise InvalidInputError(
            f"{path.name} is an old .xls workbook; save it as .xlsx or CSV."
        )
    return _csv_rows(path)


@dataclass
class Sheet:
    """An opened file: ``columns`` (index → field), ``unknown_headers``, and the
    numbered data rows (``(row_number, {field: value})``; blank rows as ``{}``)."""

    columns: dict[int, str]
    unknown_headers: list[str]
    header_row: int
    rows: Iterator[tuple[int, dict]]


def read_sheet(
    path, headers: dict[str, tuple[str, ...]], required: tuple[str, ...],
    sheet: str | None = None,
) -> Sheet:  # fmt: skip
    """Open a CSV/XLSX file and map its header row to ``headers``' fields.

    Raises
    ------
    InvalidInputError
        Unreadable or empty file, no header row, a required column missing, two
        columns for one field.
    """
    path = Path(path)
    lookup = {header_key(a): f for f, aliases in headers.items() for a in aliases}
    rows = _rows(path, sheet)
    seen = 0
    for number, cells in rows:
        cells = list(cells)
        if not any(c is not None and str(c).strip() for c in cells):
            continue
        seen += 1
        known = [lookup.get(header_key(c)) for c in cells]
        if sum(k is not None for k in known) >= 2:
            break
        if seen >= _HEADER_SEARCH_ROWS:
            number = None
            break
    else:
        number = None
    if number is None:
        names = "、".join(a[0] for a in headers.values())
        raise InvalidInputError(
            f"{path.name} has no header row with the expected columns ({names}); "
            "check that it is the right export."
        )
    columns, unknown, taken = {}, [], {}
    for i, (cell, fld) in enumerate(zip(cells, known, strict=True)):
        if fld is None:
            if cell is not None and str(cell).strip():
                unknown.append(str(cell).strip())
            continue
        if fld in taken:
            raise InvalidInputError(
                f"Columns {taken[fld]!r} and {str(cell).strip()!r} both hold "
                f"{headers[fld][0]}; delete one."
            )
        taken[fld] = str(cell).strip()
        columns[i] = fld
    missing = [headers[f][0] for f in required if f not in taken]
    if missing:
        raise InvalidInputError(
            f"{path.name} has no column {'、'.join(missing)}; rename the header to "
            "the name the import expects."
        )

    def data():
        for n, cells in rows:
            raw = {}
            for i, fld in columns.items():
                v = cells[i] if i < len(cells) else None
                if isinstance(v, str):
                    v = v.strip()
                if v is not None and v != "":
                    raw[fld] = v
            yield n, raw

    return Sheet(columns, unknown, number, data())


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_MONTH_RE = re.compile(r"^(\d{4})\s*(?:[-/.年]\s*)?(\d{1,2})\s*月?$")


def cell_date(value: Any) -> dt.date:
    """A date from a cell: a date, ``2024-03-05``, ``2024/3/5``, ``2024年3月5日``.

    Raises ValueError (the caller turns it into a reject) for anything else.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = _DATE_RE.match(str(value).strip())
    if not m:
        raise ValueError(f"{value!r} is not a date; write it as YYYY-MM-DD")
    return dt.date(int(m[1]), int(m[2]), int(m[3]))


def cell_month(value: Any) -> str:
    """``YYYY-MM`` from ``2024-03``, ``2024年3月``, ``202403`` or a date cell."""
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    text = str(value).strip()
    if isinstance(value, int | float) and len(str(int(value))) == 6:
        text = str(int(value))
    m = _MONTH_RE.match(text) or re.match(r"^(\d{4})(\d{2})$", text)
    if not m or not 1 <= int(m[2]) <= 12:
        raise ValueError(f"{value!r} is not a month; write it as YYYY-MM")
    return f"{int(m[1]):04d}-{int(m[2]):02d}"


def write_rejects(path, rejects: list[Reject]) -> None:
    """The rejects as a UTF-8 (BOM) CSV with Chinese headers, for Excel."""
    with Path(path).open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["行号", "字段", "值", "原因"])
        for r in rejects:
            # values echo the input file: neutralised like any export (OWASP)
            w.writerow([r.row, *(neutralise(v) for v in (r.field, r.value, r.reason))])
