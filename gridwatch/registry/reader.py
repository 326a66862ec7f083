"""Read registry files (CSV, XLSX, GeoJSON) as numbered rows of raw values.

Rows stream: a 100,000-row CSV is never held in memory. Row numbers are the ones
a person sees in the file (Excel's row number; for a CSV, the header line is
row 1), so a rejects file can point at the exact line to fix.
"""

from __future__ import annotations

import codecs
import csv
import json
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from gridwatch.errors import InvalidInputError
from gridwatch.registry.headers import looks_like_header, recognise_headers

__all__ = ["RegistrySource", "detect_encoding", "read_registry"]

_SAMPLE = 1 << 16
#: Title rows ("禅城区企业名单 2024年") often sit above the header; look this far.
_HEADER_SEARCH_ROWS = 10
# The csv module refuses fields over 128 KiB by default and would abort the
# whole import on one 10 MB cell; lift the limit so validation can reject the
# cell with a reason instead.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def _is_binary(sample: bytes) -> bool:
    """NUL bytes or many control characters: not a text file."""
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    ctrl = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return ctrl > len(sample) * 0.01


def detect_encoding(path: str | Path) -> str:
    """Encoding of a CSV file: "utf-8-sig", "utf-8" or "gb18030".

    UTF-8 is tried first (it rejects nearly every GBK text), then GB18030 (a
    superset of GBK and GB2312); charset-normalizer decides what is left.

    Raises
    ------
    InvalidInputError
        If the file is empty or binary (an image or a Word file renamed .csv).
    """
    path = Path(path)
    with path.open("rb") as fh:
        sample = fh.read(_SAMPLE)
    if not sample.strip():
        raise InvalidInputError(f"{path.name} is empty; export the registry again.")
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if _is_binary(sample):
        raise InvalidInputError(
            f"{path.name} is not a text CSV file (it looks binary); save it as CSV "
            "(UTF-8) or XLSX and import that.")
    for enc in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(enc)().decode(sample, final=False)
            return enc
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        raise InvalidInputError(
            f"{path.name}: cannot tell its text encoding; save it as CSV (UTF-8).")
    return best.encoding


@dataclass
class RegistrySource:
    """An opened registry file; iterate it for ``(row_number, raw)`` pairs.

    ``raw`` maps field names (``headers.HEADER_ALIASES`` keys) to the cell values
    as read (str for CSV; str, int, float or datetime for XLSX). Blank rows come
    through as an empty dict so they can be counted.
    """

    path: Path
    format: str
    columns: dict[int, str]
    unknown_headers: list[str]
    header_row: int
    encoding: str | None = None
    sheet: str | None = None
    _rows: Iterator = field(default=None, repr=False)

    def __iter__(self) -> Iterator[tuple[int, dict]]:
        if self._rows is None:
            raise RuntimeError("a RegistrySource can be iterated only once")
        rows, self._rows = self._rows, None
        cols = self.columns
        for number, cells in rows:
            raw = {}
            for i, name in cols.items():
                if i < len(cells):
                    v = cells[i]
                    if v is not None and not (isinstance(v, str) and not v.strip()):
                        raw[name] = v
            yield number, raw


def read_registry(path, sheet: str | None = None,
                  header_map: dict[str, str] | None = None) -> RegistrySource:
    """Open a registry file and recognise its header row.

    Parameters
    ----------
    path : str or Path
        A .csv/.txt (UTF-8, UTF-8 with BOM, GBK/GB18030; comma, semicolon, tab
        or bar separated), .xlsx/.xlsm, or .geojson/.json (as written by
        :func:`gridwatch.registry.write_registry`).
    sheet : str, optional
        XLSX sheet name; default the first sheet.
    header_map : dict, optional
        ``{header in the file: field}`` for headers the built-in list misses.

    Returns
    -------
    RegistrySource
        Iterable of ``(row_number, raw)``; header row = its number in the file.

    Raises
    ------
    InvalidInputError
        Empty, binary or unreadable file; unknown sheet; no header row; missing
        required columns; a header row with no data rows.
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(f"{path} does not exist or is not a file.")
    suffix = path.suffix.lower()
    with path.open("rb") as fh:
        magic = fh.read(4)
    if suffix in (".xlsx", ".xlsm") or magic == b"PK\x03\x04":
        rows, sheet_name = _xlsx_rows(path, sheet), sheet
        fmt, encoding = "xlsx", None
    elif suffix in (".geojson", ".json"):
        rows, fmt, encoding, sheet_name = _geojson_rows(path), "geojson", "utf-8", None
    elif suffix == ".xls":
        raise InvalidInputError(
            f"{path.name} is an old .xls workbook; save it as .xlsx or CSV and import that.")
    else:
        encoding = detect_encoding(path)
        rows, fmt, sheet_name = _csv_rows(path, encoding), "csv", None
    header_row, cells, pending = _find_header(rows, path, header_map)
    columns, unknown = recognise_headers(cells, header_map)
    rows = _chain(pending, rows)
    first = _first_data_row(rows)
    if first is None:
        raise InvalidInputError(
            f"{path.name} has a header row but no data rows; nothing to import.")
    return RegistrySource(path, fmt, columns, unknown, header_row, encoding, sheet_name,
                          _chain([first], rows))


def _chain(head: list, rows):
    yield from head
    yield from rows


def _find_header(rows, path: Path, header_map):
    """The header row: the first with two known headers within the first rows,
    else the first non-empty row. Returns it and any rows read past it."""
    seen = []
    for number, cells in rows:
        if not any(c not in (None, "") and str(c).strip() for c in cells):
            seen.append((number, cells))
            continue
        seen.append((number, cells))
        if looks_like_header(cells, header_map):
            return number, cells, []
        if sum(1 for _, c in seen if any(c)) >= _HEADER_SEARCH_ROWS:
            break
    first = next((i for i, (_, c) in enumerate(seen)
                  if any(v not in (None, "") and str(v).strip() for v in c)), None)
    if first is None:
        raise InvalidInputError(f"{path.name} is empty; export the registry again.")
    # no row with two known headers: the first non-empty row is the header and
    # recognise_headers names what is missing; rows read past it are kept
    number, cells = seen[first]
    return number, cells, seen[first + 1:]


def _first_data_row(rows):
    for number, cells in rows:
        return number, cells
    return None


def _csv_rows(path: Path, encoding: str):
    fh = path.open("r", encoding=encoding, errors="strict", newline="")
    sample = fh.read(_SAMPLE)
    fh.seek(0)
    # The separator is whichever of , ; tab | the first lines use most (a title
    # row above the header may have none). csv.Sniffer also guesses quoting, and
    # on a quote-free header guesses doublequote=False, mangling "" in cells.
    head = "\n".join([ln for ln in sample.splitlines() if ln.strip()][:5])
    delimiter = max(",;\t|", key=head.count)
    return _numbered_csv(fh, delimiter if head.count(delimiter) else ",", path)


def _numbered_csv(fh, delimiter: str, path: Path):
    with fh:
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            for cells in reader:
                # line_num counts physical lines; a quoted cell may span several,
                # so number rows by where they start: a person finds them there.
                yield reader.line_num - _extra_lines(cells), cells
        except UnicodeDecodeError as exc:
            raise InvalidInputError(
                f"{path.name} mixes text encodings (bad byte at position {exc.start}); "
                "save it again as CSV (UTF-8).") from None
        except csv.Error as exc:
            raise InvalidInputError(
                f"{path.name} line {reader.line_num}: broken CSV ({exc}); fix the "
                "quoting on that line.") from None


def _extra_lines(cells) -> int:
    return sum(c.count("\n") for c in cells if "\n" in c)


def _xlsx_rows(path: Path, sheet: str | None):
    """Rows of one sheet: python-calamine (Rust) when installed, else openpyxl.

    openpyxl's XML parsing reads ~3,000 rows/s of a 14-column registry, so a
    100,000-row workbook alone took half a minute; calamine reads ~40,000/s.
    """
    try:
        import python_calamine
    except ImportError:
        return _openpyxl_rows(path, sheet)
    return _calamine_rows(python_calamine, path, sheet)


def _calamine_rows(pc, path: Path, sheet: str | None):
    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
    except (pc.CalamineError, pc.ZipError, pc.XmlError, pc.PasswordError, OSError,
            ValueError) as exc:
        raise InvalidInputError(
            f"{path.name} is not a readable XLSX workbook ({type(exc).__name__}); "
            "open it in Excel/WPS and save it as .xlsx again.") from None
    if sheet is not None and sheet not in wb.sheet_names:
        wb.close()
        raise InvalidInputError(
            f"{path.name} has no sheet {sheet!r}; its sheets are "
            f"{', '.join(wb.sheet_names)}.")
    ws = wb.get_sheet_by_name(sheet) if sheet is not None else wb.get_sheet_by_index(0)
    return _numbered_calamine(wb, ws)


def _numbered_calamine(wb, ws):
    # iter_rows starts at row 1 even when the used area starts lower, so
    # counting gives Excel's row numbers; empty cells come as ""
    try:
        for number, cells in enumerate(ws.iter_rows(), start=1):
            # calamine gives every number as a float: 12 people, not 12.0
            yield number, [int(c) if isinstance(c, float) and c.is_integer() else c
                           for c in cells]
    finally:
        wb.close()


def _openpyxl_rows(path: Path, sheet: str | None):
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    # a file object: openpyxl refuses a workbook whose name does not end .xlsx
    fh = path.open("rb")
    try:
        wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError,
            ValueError) as exc:
        fh.close()
        raise InvalidInputError(
            f"{path.name} is not a readable XLSX workbook ({type(exc).__name__}); "
            "open it in Excel/WPS and save it as .xlsx again.") from None
    if sheet is not None and sheet not in wb.sheetnames:
        wb.close()
        fh.close()
        raise InvalidInputError(
            f"{path.name} has no sheet {sheet!r}; its sheets are "
            f"{', '.join(wb.sheetnames)}.")
    ws = wb[sheet] if sheet is not None else wb.worksheets[0]
    return _numbered_xlsx(wb, ws, fh)


def _numbered_xlsx(wb, ws, fh):
    # read-only iter_rows fills missing rows from row 1 on, so counting gives
    # Excel's row numbers; values_only skips building a cell object per value
    try:
        yield from enumerate(ws.iter_rows(min_row=1, values_only=True), start=1)
    finally:
        wb.close()
        fh.close()


def _geojson_rows(path: Path):
    """Rows from a FeatureCollection: properties plus 经度/纬度 from the Point."""
    try:
        data = json.loads(path.read_text("utf-8-sig"))
        features = data["features"]
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        raise InvalidInputError(
            f"{path.name} is not a GeoJSON FeatureCollection; export it again.") from None
    props = [f.get("properties") or {} for f in features]
    header = list(dict.fromkeys(k for p in props for k in p))
    for extra in ("经度", "纬度", "坐标系"):
        if extra not in header:
            header.append(extra)
    yield 1, header
    for n, (feat, p) in enumerate(zip(features, props, strict=True), start=2):
        row = dict(p)
        geom = feat.get("geometry") or {}
        if geom.get("type") == "Point":
            row["经度"], row["纬度"] = geom["coordinates"][:2]
            row["坐标系"] = "wgs84"   # RFC 7946: GeoJSON is WGS-84
        yield n, [row.get(k) for k in header]

