"""Rows of an enterprise safety-foundation file (企业安全基础台账): safety
standardisation, occupational-hazard declaration and the safety officer.

One file, one row per enterprise and fact, Chinese headers (compared like the
registry's, :func:`gridwatch.registry.headers.header_key`)::

    统一社会信用代码 | 企业名称 | 标准化状态 | 标准化等级 | 标准化日期 |
    申报年度 | 申报状态 | 申报日期 | 安全主任 | 培训日期

A row may carry any of the three parts; a blank cell sets nothing (an import
never erases a stored fact). Rules, each broken rule one :class:`Reject`:

* **Standardisation**: 状态 自评/已自评 (``self_assessed``), 评审/已评审/达标
  (``reviewed``) or 无 (``none``, lapsed or revoked); a self-assessment or review
  needs its date; 等级 一级/二级/三级/小微 (optional).
* **Declaration**: 申报年度 (four digits) with 状态 已申报 (``declared``, needs
  its 申报日期) or 应报未报/未申报 (``missing``, no date).
* **Safety officer**: 安全主任 (the name) and, once trained, 培训日期.
* No date lies in the future; a row with none of the three parts is rejected
  (it records nothing); the same fact twice in one file: the first row counts,
  the later one is rejected naming it.

Nothing is lost: every data row is valid, rejected or blank, and
:class:`FoundationSummary` checks that the counts add up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from gridwatch.errors import InvalidInputError
from gridwatch.registry import fields as F
from gridwatch.registry.headers import header_key
from gridwatch.registry.uscc import explain_uscc, normalise_uscc
from gridwatch.registry.validate import Reject

__all__ = [
    "HEADERS",
    "FoundationRow",
    "FoundationSummary",
    "columns_of",
    "validate_foundation_row",
    "validate_foundation_rows",
]

#: field → accepted header spellings (the first is written in templates).
HEADERS: dict[str, tuple[str, ...]] = {
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "uscc"),
    "name": ("企业名称", "单位名称", "名称", "name"),
    "std_status": ("标准化状态", "安全生产标准化", "标准化", "standardisation"),
    "std_level": ("标准化等级", "达标等级", "等级", "standardisation_level"),
    "std_date": ("标准化日期", "自评日期", "评审日期", "达标日期", "standardised_on"),
    "decl_year": ("申报年度", "申报年份", "declaration_year"),
    "decl_status": ("申报状态", "职业病危害申报", "是否申报", "declaration"),
    "decl_date": ("申报日期", "申报时间", "declared_on"),
    "officer": ("安全主任", "安全主任姓名", "safety_officer"),
    "trained_on": ("培训日期", "安全主任培训日期", "培训时间", "trained_on"),
}
_LOOKUP = {header_key(a): f for f, names in HEADERS.items() for a in names}
_STD = {
    "自评": "self_assessed",
    "已自评": "self_assessed",
    "self_assessed": "self_assessed",
    "评审": "reviewed",
    "已评审": "reviewed",
    "达标": "reviewed",
    "已达标": "reviewed",
    "reviewed": "reviewed",
    "无": "none",
    "未开展": "none",
    "none": "none",
}
_LEVEL = {
    "一级": "level1",
    "二级": "level2",
    "三级": "level3",
    "小微": "small",
    "小微企业": "small",
    "level1": "level1",
    "level2": "level2",
    "level3": "level3",
    "small": "small",
}
_DECL = {
    "已申报": "declared",
    "申报": "declared",
    "是": "declared",
    "declared": "declared",
    "应报未报": "missing",
    "未申报": "missing",
    "否": "missing",
    "missing": "missing",
}
NAME_LIMIT = 100


def columns_of(cells, name: str = "the file") -> dict[int, str]:
    """Column index → field of a header row.

    Raises
    ------
    InvalidInputError
        No 统一社会信用代码 column, or none of the three parts' columns.
    """
    cols, seen = {}, set()
    for i, cell in enumerate(cells):
        f = _LOOKUP.get(header_key(cell))
        if f is not None and f not in seen:
            cols[i] = f
            seen.add(f)
    if "uscc" not in seen:
        raise InvalidInputError(
            f"{name} has no column 统一社会信用代码; the header row needs it."
        )
    if not seen & {"std_status", "decl_status", "decl_year", "officer"}:
        raise InvalidInputError(
            f"{name} has none of the columns 标准化状态, 申报年度/申报状态 or 安全主任; "
            "there is nothing to import."
        )
    return cols


@dataclass(frozen=True)
class FoundationRow:
    """The facts of one valid row (each part None when the row does not set it)."""

    row: int
    uscc: str
    standardisation: dict | None = None  # status, level, done_on
    declaration: dict | None = None  # year, status, declared_on
    officer: dict | None = None  # name, trained_on

    def fact_keys(self) -> list[tuple]:
        """What the row sets, for duplicate detection within one file."""
        out = []
        if self.standardisation:
            s = self.standardisation
            out.append(("标准化", self.uscc, s["status"], s["done_on"]))
        if self.declaration:
            out.append(("申报", self.uscc, self.declaration["year"]))
        if self.officer:
            o = self.officer
            out.append(("安全主任", self.uscc, o["name"], o["trained_on"]))
        return out


@dataclass
class FoundationSummary:
    """Counts of one import: ``rows == valid + rejected + blank``."""

    rows: int = 0
    valid: int = 0
    rejected: int = 0
    blank: int = 0
    stored: int = 0
    unchanged: int = 0
    rejects: list[Reject] = field(default_factory=list, repr=False)
    changes: dict = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        """Every row accounted for, and every valid row stored or unchanged."""
        return (
            self.rows == self.valid + self.rejected + self.blank
            and self.stored + self.unchanged == self.valid
        )

    def to_dict(self) -> dict:
        return {
            "rows": self.rows,
            "valid": self.valid,
            "rejected": self.rejected,
            "blank": self.blank,
            "stored": self.stored,
            "unchanged": self.unchanged,
            "changes": dict(self.changes),
            "balanced": self.balanced,
            "rejects": [_rj(r) for r in self.rejects],
        }


def _rj(r: Reject) -> dict:
    return {"row": r.row, "field": r.field, "value": r.value, "reason": r.reason}


def _short(value) -> str:
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= 100 else text[:97] + "…"


def _choice(value, table: dict, what: str) -> str:
    key = header_key(value)
    for k, v in table.items():
        if header_key(k) == key:
            return v
    names = "、".join(k for k in table if not k.isascii())
    raise ValueError(f"unknown {what} {str(value)!r}; use {names}")


def _date(value, today: dt.date) -> dt.date:
    d = F.parse_date(value)
    if d > today:
        raise ValueError(f"{d} is in the future")
    return d


class _Row:
    """Collects one row's rejects while its parts are parsed."""

    def __init__(self, number: int, raw: dict, today: dt.date):
        self.number, self.raw, self.today = number, raw, today
        self.rejects: list[Reject] = []

    def bad(self, field_: str, reason: str) -> None:
        value = self.raw.get(field_)
        shown = "" if value is None else _short(value)
        self.rejects.append(Reject(self.number, field_, shown, reason))

    def get(self, field_: str, parse):
        value = self.raw.get(field_)
        if value is None:
            return None
        try:
            return parse(value)
        except ValueError as exc:
            self.bad(field_, str(exc))
            return None

    def date(self, field_: str):
        return self.get(field_, lambda v: _date(v, self.today))


def _standardisation(r: _Row) -> dict | None:
    status = r.get("std_status", lambda v: _choice(v, _STD, "standardisation status"))
    level = r.get("std_level", lambda v: _choice(v, _LEVEL, "standardisation level"))
    done_on = r.date("std_date")
    given = any(
        r.raw.get(f) is not None for f in ("std_status", "std_level", "std_date")
    )
    if not given:
        return None
    if status is None:
        if r.raw.get("std_status") is None:
            r.bad("std_status", "a standardisation level or date needs its 标准化状态")
        return None
    if status in ("self_assessed", "reviewed") and done_on is None:
        if r.raw.get("std_date") is None:
            r.bad("std_date", "a self-assessment or review needs its 标准化日期")
        return None
    if status == "none" and level is not None:
        r.bad("std_level", "标准化状态 无 takes no level")
        return None
    return {"status": status, "level": level, "done_on": done_on}


def _year(value) -> int:
    """A four-digit year; "2026", 2026, 2026.0 ("2026.0" from a spreadsheet
    that stored the column as numbers) and "2026年" are all 2026."""
    text = str(value).strip().removesuffix("年")
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if not (text.isdigit() and len(text) == 4 and 1990 <= int(text) <= 2100):
        raise ValueError(f"{value!r} is not a year; write four digits, e.g. 2026")
    return int(text)


def _declaration(r: _Row) -> dict | None:
    given = any(
        r.raw.get(f) is not None for f in ("decl_year", "decl_status", "decl_date")
    )
    if not given:
        return None
    year = r.get("decl_year", _year)
    status = r.get("decl_status", lambda v: _choice(v, _DECL, "declaration status"))
    declared_on = r.date("decl_date")
    if r.raw.get("decl_year") is None:
        r.bad("decl_year", "a declaration needs its 申报年度")
    if r.raw.get("decl_status") is None:
        r.bad("decl_status", "a declaration needs its 申报状态 (已申报 or 应报未报)")
    if year is None or status is None:
        return None
    if status == "declared" and declared_on is None:
        if r.raw.get("decl_date") is None:
            r.bad("decl_date", "a declaration made needs its 申报日期")
        return None
    if status == "missing" and r.raw.get("decl_date") is not None:
        r.bad("decl_date", "应报未报 takes no 申报日期")
        return None
    if year > r.today.year:
        r.bad("decl_year", f"the year {year} has not begun")
        return None
    return {"year": year, "status": status, "declared_on": declared_on}


def _officer(r: _Row) -> dict | None:
    if r.raw.get("officer") is None and r.raw.get("trained_on") is None:
        return None
    name = r.get("officer", lambda v: F.clean_text(v, NAME_LIMIT))
    trained_on = r.date("trained_on")
    if r.raw.get("officer") is None:
        r.bad("trained_on", "a training date needs the 安全主任's name")
        return None
    if not name:
        if r.raw.get("officer") is not None and not r.rejects:
            r.bad("officer", "the 安全主任's name is empty")
        return None
    return {"name": name, "trained_on": trained_on}


def validate_foundation_row(
    number: int, raw: dict, today: dt.date
) -> tuple[FoundationRow | None, list[Reject]]:
    """Check one row; the row and no rejects, or None and every reject."""
    r = _Row(number, raw, today)
    code = raw.get("uscc")
    uscc = None
    if code is None:
        r.bad("uscc", "the 统一社会信用代码 is empty")
    else:
        uscc = normalise_uscc(code)
        why = explain_uscc(uscc)
        if why:
            r.bad("uscc", why)
    parts = (_standardisation(r), _declaration(r), _officer(r))
    if not r.rejects and not any(parts):
        r.bad("uscc", "the row sets no standardisation, declaration or safety officer")
    if r.rejects:
        return None, r.rejects
    return FoundationRow(number, uscc, *parts), []


def validate_foundation_rows(
    rows: Iterable[tuple[int, dict]], summary: FoundationSummary, today: dt.date
) -> Iterator[FoundationRow]:
    """Validate ``(row number, raw)`` pairs, counting into ``summary``.

    Yields the valid rows; blank rows are counted, rejected rows recorded with
    their reasons, and a fact repeated in the file is rejected naming the row
    that set it first.
    """
    first: dict[tuple, int] = {}
    for number, raw in rows:
        summary.rows += 1
        if not raw:
            summary.blank += 1
            continue
        row, rejects = validate_foundation_row(number, raw, today)
        if row is not None:
            dup = [first[k] for k in row.fact_keys() if k in first]
            if dup:
                rejects = [
                    Reject(
                        number, "uscc", row.uscc, f"repeats row {dup[0]} of this file"
                    )
                ]
                row = None
        if row is None:
            summary.rejected += 1
            summary.rejects.extend(rejects)
            continue
        for k in row.fact_keys():
            first.setdefault(k, number)
        summary.valid += 1
        yield row
