"""Read registry files (CSV, XLSX, GeoJSON) as numbered rows of raw values.

Rows stream: a 100,000-row CSV is never held in memory. Row numbers are the ones
a person sees in the file (Excel's row number; for a CSV, the header line is
row 1), so a rejects file can point at the exact line to fix.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from gridwatch.errors import InvalidInputError
from gridwatch.registry.headers import (
    is_row_number_header,
    looks_like_header,
    recognise_headers,
)
from gridwatch.registry.xlsx import MergeFill, xlsx_rows
from gridwatch.spreadsheets import restore

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

    ``raw`` maps field names (``headers.HEADER_ALIASES`` keys) to the non-empty
    cell values as read (str for CSV; str, int, float, bool or datetime for
    XLSX), with three optional entries:

    - ``"_extra"``: ``{header: value}`` for every other non-empty cell (columns
      gridwatch has no field for are kept, never dropped; a column without a
      header is named by its letter, ``列F``);
    - ``"_merged"``: ``{field or header: "C2:C4"}`` for cells filled from the
      top-left cell of a merged range (XLSX);
    - ``"_split"``: ``{field or header: "B5:D5"}`` for cells covered by a range
      merged across columns or with the header, which cannot be filled;
    - ``"_row_label"``: the cell of a row-number column (序号,
      :data:`gridwatch.registry.headers.ROW_NUMBER_HEADERS`), read only to see
      a totals row (序号 合计); not kept. A row holding nothing but its number is
      blank.

    In CSV and XLSX, text that :func:`gridwatch.spreadsheets.neutralise` escaped
    (``'=…``, also after Excel opened such a CSV and saved it as XLSX) is
    restored; GeoJSON is never escaped, so it is read as is. Blank rows come
    through as an empty dict so they can be counted.
    """

    path: Path
    format: str
    columns: dict[int, str]
    extra_columns: dict[int, str]
    header_row: int
    encoding: str | None = None
    sheet: str | None = None
    merges: list = field(default_factory=list)
    col_offset: int = 0
    #: field → the header text it has in this file
    header_text: dict[str, str] = field(default_factory=dict)
    #: row-number columns (序号): index → header text; not kept
    row_number_columns: dict[int, str] = field(default_factory=dict)
    _rows: Iterator = field(default=None, repr=False)

    @property
    def unknown_headers(self) -> list[str]:
        """Headers of the columns kept as extra attributes (no gridwatch field)."""
        return list(self.extra_columns.values())

    def resolve_value_map(self, spec: dict[str, dict[str, str]]
                          ) -> dict[str, dict[str, str]]:
        """Key a value mapping by field or extra header, from the column names a
        user writes (the header as in the file, or the field name).

        Raises
        ------
        InvalidInputError
            A column the file does not have, naming the columns it has.
        """
        from gridwatch.registry.headers import HEADER_ALIASES, header_key

        by_key = {header_key(t): f for f, t in self.header_text.items()}
        extras = {header_key(h): h for h in self.extra_columns.values()}
        out: dict[str, dict[str, str]] = {}
        for column, mapping in spec.items():
            key = header_key(column)
            target = (column if column in HEADER_ALIASES and column in self.columns.values()
                      else by_key.get(key) or extras.get(key))
            if target is None:
                have = [*self.header_text.values(), *self.extra_columns.values()]
                raise InvalidInputError(
                    f"The value mapping names the column {column!r}, which "
                    f"{self.path.name} does not have; its columns are "
                    f"{', '.join(have)}.")
            norm = {unicodedata.normalize("NFKC", str(k)).strip(): v
                    for k, v in mapping.items()}
            out.setdefault(target, {}).update(norm)
        return out

    def column_name(self, index: int) -> str:
        """The field, extra header or ``列F`` of a cell index."""
        if index in self.columns:
            return self.columns[index]
        if index in self.extra_columns:
            return self.extra_columns[index]
        from openpyxl.utils import get_column_letter

        return f"列{get_column_letter(index + self.col_offset + 1)}"

    def __iter__(self) -> Iterator[tuple[int, dict]]:
        if self._rows is None:
            raise RuntimeError("a RegistrySource can be iterated only once")
        rows, self._rows = self._rows, None
        fill = MergeFill(self.merges, self.header_row)
        cols, name = self.columns, self.column_name
        numbers = self.row_number_columns
        restore_text = self.format in ("csv", "xlsx")
        is_csv = self.format == "csv"
        for number, cells in rows:
            if fill:
                cells = list(cells)   # openpyxl gives tuples
                filled, split = fill.apply(number, cells)
            else:
                filled, split = {}, {}
            raw, extra, label = {}, {}, None
            for i, v in enumerate(cells):
                if v is None or (isinstance(v, str) and not v.strip()):
                    continue
                if restore_text and isinstance(v, str) and v[0] in "'=":
                    v = _unwrap(v) if is_csv else restore(v)
                if i in cols:
                    raw[cols[i]] = v
                elif i in numbers:
                    label = v
                else:
                    extra[name(i)] = v
            if extra:
                raw["_extra"] = extra
            # a bare row number (1, 2, "3") alone is a blank row; anything else
            # in the column (合计 alone) is kept so the row is judged, not lost
            if label is not None and (raw or not _is_row_number(label)):
                raw["_row_label"] = label
            if raw and filled:
                raw["_merged"] = {name(i): ref for i, ref in filled.items()
                                  if cells[i] not in (None, "")}
            if raw and split:
                raw["_split"] = {name(i): ref for i, ref in split.items()}
            yield number, raw


_KEEP_AS_TEXT = re.compile(r'^="(.*)"$', re.DOTALL)


def _unwrap(text: str) -> str:
    """A CSV cell as text: ``'=…`` loses the apostrophe our export added
    (:func:`gridwatch.spreadsheets.restore`); ``="00123"``, the idiom that makes
    Excel keep a number as text (long codes, leading zeros), gives ``00123``. The
    apostrophe is checked first, so an exported ``'="x"`` stays ``="x"``."""
    if text.startswith("'"):
        return restore(text)
    m = _KEEP_AS_TEXT.match(text)
    return m.group(1).replace('""', '"') if m else text


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
    merges, offset = [], 0
    if suffix in (".xlsx", ".xlsm") or magic == b"PK\x03\x04":
        sheet_rows = xlsx_rows(path, sheet)
        rows, sheet_name = sheet_rows.rows, sheet_rows.sheet
        merges, offset = sheet_rows.merges, sheet_rows.col_offset
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
    columns, _unknown = recognise_headers(cells, header_map)
    rows = _chain(pending, rows)
    first = _first_data_row(rows)
    if first is None:
        raise InvalidInputError(
            f"{path.name} has a header row but no data rows; nothing to import.")
    numbered = {i: str(c).strip() for i, c in enumerate(cells)
                if i not in columns and is_row_number_header(c)}
    extra = _extra_names(cells, columns, offset)
    return RegistrySource(
        path, fmt, columns, {i: h for i, h in extra.items() if i not in numbered},
        header_row, encoding, sheet_name, merges, offset,
        header_text={f: str(cells[i]).strip() for i, f in columns.items()},
        row_number_columns=numbered, _rows=_chain([first], rows))


def _is_row_number(value) -> bool:
    """True for a plain row number: an int, an integral float, or digits."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, str) and value.strip().isdigit()


def _extra_names(cells, columns: dict[int, str], offset: int) -> dict[int, str]:
    """Header text of every other column; a blank header is named by its letter and
    a repeated one gets "(2)", "(3)" so no column overwrites another."""
    from openpyxl.utils import get_column_letter

    names: dict[int, str] = {}
    seen: dict[str, int] = {}
    for i, cell in enumerate(cells):
        if i in columns:
            continue
        text = restore(str(cell).strip()) if cell not in (None, "") else ""
        text = " ".join(text.split()) or f"列{get_column_letter(i + offset + 1)}"
        seen[text] = seen.get(text, 0) + 1
        names[i] = text if seen[text] == 1 else f"{text}({seen[text]})"
    return names


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

