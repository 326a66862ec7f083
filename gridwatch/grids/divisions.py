"""The official names-and-codes list of towns and communities, without geometry.

The National Bureau of Statistics publishes the 统计用区划代码 (12-digit codes of
every town and village-level unit) every year; redistributions come as CSV with
their own column names: ``code,name,streetCode,…,areaCode`` (modood/
Administrative-divisions-of-China), ``id,pid,deep,name,…,ext_id,ext_name``
(AreaCity), or the NBS headers ``统计用区划代码,城乡分类代码,名称``. Codes come as
9 or 12 digits for a town (``440604010`` or ``440604010000``) and 6 or 12 for a
district; :func:`read_divisions` takes any of these, keeps one level, and
accounts for every row it does not keep.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from gridwatch.errors import InvalidInputError
from gridwatch.grids.codes import CODE_LENGTHS, district_of, is_within, town_of
from gridwatch.grids.illustrative import kind_of

LEVELS = {k: CODE_LENGTHS[k] for k in ("district", "town", "community")}
CODE_COLUMNS = ("code", "统计用区划代码", "区划代码", "行政区划代码", "代码", "id",
                "ext_id", "adcode")
NAME_COLUMNS = ("ext_name", "name", "名称", "区划名称", "单位名称")
#: Columns naming the parent: the town of a village, the district of a town.
PARENT_COLUMNS = {"community": ("streetcode", "towncode", "pid", "parent_code",
                                "parentcode"),
                  "town": ("areacode", "countycode", "pid", "parent_code",
                           "parentcode"),
                  "district": ("citycode", "pid", "parent_code", "parentcode")}

#: Suffixes of official village-level names, longest first, stripped for short names.
_NAME_SUFFIXES = (
    "社区居民委员会",
    "社区居委会",
    "村民委员会",
    "居民委员会",
    "村委会",
    "居委会",
)


def short_name(official: str) -> str:
    """Official village-level name → short name (澜石社区居委会 → 澜石社区).

    >>> [short_name(n) for n in ("澜石社区居委会", "吉利村民委员会", "番村村民委员会")]
    ['澜石社区', '吉利村', '番村']
    """
    for suffix in _NAME_SUFFIXES:
        if official.endswith(suffix):
            stem = official[: -len(suffix)]
            if suffix.startswith("社区"):
                return stem + "社区"
            if suffix.startswith("村"):
                # 番村村民委员会 → 番村, not 番村村
                return stem if stem.endswith("村") else stem + "村"
            return stem + ("社区" if suffix == "居委会" else "")
    return official


def normalise_code(code: str, level: str) -> str | None:
    """The ``level``'s code from a 6/9/12-digit text, or None if it is another level.

    >>> normalise_code("440604010000", "town"), normalise_code("440604010", "town")
    ('440604010', '440604010')
    >>> normalise_code("440604010001", "town") is None
    True
    >>> normalise_code("440604010000", "community") is None  # the town, padded
    True
    """
    code = str(code).strip()
    code = code.removesuffix(".0")
    if not code.isdigit():
        return None
    want = LEVELS[level]
    if len(code) == 12 and code[want:] == "0" * (12 - want):
        code = code[:want]
    if len(code) != want:
        return None
    # a unit's own part is never 000: 440604011000 is the town 440604011 padded,
    # not one of its villages, and 440604000 is the district
    if level != "district" and code[-3:] == "000":
        return None
    return code


@dataclass
class DivisionList:
    """The kept rows and an account of every other row."""

    units: pd.DataFrame  # code, name, short_name, kind, parent_code
    rows: int
    other_level: int = 0
    outside_parent: int = 0
    rejected: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _read_text(path: Path) -> tuple[str, str]:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise InvalidInputError(
        f"{path.name} is neither UTF-8 nor GBK text; save it as CSV in UTF-8 or GBK.",
        details={"file": str(path)})


def _column(frame, wanted, candidates, what, path) -> str | None:
    lower = {str(c).strip().lower(): c for c in frame.columns}
    if wanted is not None:
        if wanted.lower() not in lower:
            raise InvalidInputError(
                f"{path.name} has no column {wanted!r} for the {what}; its columns "
                f"are {', '.join(map(str, frame.columns))}.")
        return lower[wanted.lower()]
    for cand in candidates:
        if cand.lower() in lower:
            return lower[cand.lower()]
    return None


def read_divisions(path, level: str, parent: str | None = None, *,
                   code_field: str | None = None, name_field: str | None = None
                   ) -> DivisionList:
    """Units of one level from a names-and-codes CSV (UTF-8 or GBK).

    Parameters
    ----------
    path : str or Path
        The CSV.
    level : {"town", "community"}
    parent : str, optional
        Keep only units under this code (a district's 6 digits or a town's 9).
    code_field, name_field : str, optional
        Column names; default the usual ones (:data:`CODE_COLUMNS`,
        :data:`NAME_COLUMNS`).

    Returns
    -------
    DivisionList
        ``units`` with ``code``, ``name``, ``short_name``, ``kind``
        (community/village), ``parent_code``, sorted by code; counts of rows of
        other levels and outside ``parent``; rejected rows with their reason.

    Raises
    ------
    InvalidInputError
        Missing file or columns, no row of the level (under ``parent``).
    """
    path = Path(path)
    if level not in ("town", "community"):
        raise InvalidInputError(
            f"Names and codes give towns or communities, not {level!r}.")
    if not path.is_file():
        raise InvalidInputError(f"There is no file {path}; check the path.")
    text, enc = _read_text(path)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InvalidInputError(f"Cannot read {path.name} as CSV ({exc}).") from None
    code_col = _column(frame, code_field, CODE_COLUMNS, "code", path)
    name_col = _column(frame, name_field, NAME_COLUMNS, "name", path)
    if code_col is None or name_col is None:
        raise InvalidInputError(
            f"{path.name} needs a code and a name column; its columns are "
            f"{', '.join(map(str, frame.columns))}.",
            details={"hint": "--code-field / --name-field"})
    parent_col = _column(frame, None, PARENT_COLUMNS[level], "parent", path)
    out = DivisionList(pd.DataFrame(), rows=len(frame))
    out.notes.append(f"read {len(frame)} rows ({enc}); code ← {code_col}, name ← "
                     f"{name_col}" + (f", parent ← {parent_col}" if parent_col
                                      else ", parent ← the code's prefix"))
    kept = []
    seen: set[str] = set()
    for i, row in enumerate(frame.to_dict("records"), start=2):
        raw = str(row[code_col]).strip()
        code = normalise_code(raw, level)
        if code is None:
            if raw.isdigit() and len(raw) in (2, 4, 6, 9, 12):
                out.other_level += 1
            else:
                out.rejected.append({"line": i, "code": raw,
                                     "reason": "not a division code (2 to 12 digits)"})
            continue
        if parent and not is_within(code, parent):
            out.outside_parent += 1
            continue
        name = str(row[name_col]).strip()
        if not name:
            out.rejected.append({"line": i, "code": code, "reason": "no name"})
            continue
        if code in seen:
            out.rejected.append({"line": i, "code": code,
                                 "reason": "the same code again"})
            continue
        seen.add(code)
        pcode = _parent_code(row.get(parent_col) if parent_col else None, code, level)
        kept.append({"code": code, "name": name, "short_name": short_name(name),
                     "kind": kind_of(name) if level == "community" else None,
                     "parent_code": pcode})
    if not kept:
        where = f" under {parent}" if parent else ""
        raise InvalidInputError(
            f"{path.name} lists no {level}{where} ({out.other_level} rows of other "
            f"levels, {out.outside_parent} under other parents, "
            f"{len(out.rejected)} rejected); check the level and the parent code.",
            details={"rows": len(frame), "hint": "--level / --parent"})
    out.units = pd.DataFrame(kept).sort_values("code").reset_index(drop=True)
    return out


def _parent_code(value, code: str, level: str) -> str:
    """The parent's code: from the parent column when it agrees with the code."""
    want = {"community": "town", "town": "district"}[level]
    prefix = {"town": town_of, "district": district_of}[want](code)
    given = normalise_code(value, want) if value not in (None, "") else None
    return given if given and is_within(code, given) else prefix
