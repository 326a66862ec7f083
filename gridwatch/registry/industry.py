"""The national industry classification GB/T 4754-2017 (国民经济行业分类) and its
mapping onto gridwatch's supervision sectors (:data:`gridwatch.vocab.SECTORS`).

Both are data, not code, in ``gridwatch/data/``:

- ``gbt4754_2017.csv`` (code, level, name, aliases): the 20 sections (门类, letters
  A-T) and 97 divisions (大类, two digits) of GB/T 4754-2017 in full, and the
  groups (中类, three digits) and classes (小类, four digits) the sector map
  names. ``aliases`` holds the GB/T 4754-2011 names of divisions renamed in 2017,
  which older registries still use.
- ``gbt4754_sector_map.csv`` (code, sector, why): which supervision sector a
  code falls in. The longest listed prefix of a code wins (3072 卫生陶瓷 →
  sanitary_ware before 307 陶瓷 → ceramics before 30 → building_materials); a
  division with no row takes its section's row. A bureau edits this file, not
  the code, to change the mapping.

A group or class code not in the table is accepted by its division (the first
two digits): every code of a known division is a valid place in the hierarchy,
even when its own name is not listed here.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from gridwatch.vocab import SECTORS

__all__ = [
    "Industry",
    "IndustryMatch",
    "industries",
    "match_industry",
    "sector_map",
    "sector_of_code",
]

LEVELS = {"section": "门类", "division": "大类", "group": "中类", "class": "小类"}


@dataclass(frozen=True, slots=True)
class Industry:
    """One row of the GB/T 4754-2017 table."""

    code: str
    level: str
    name: str
    section: str


@dataclass(frozen=True, slots=True)
class IndustryMatch:
    """A cell read as GB/T 4754: the code (a letter for a section, else 2-4
    digits), the name of the code or of its nearest listed parent, the
    supervision sector it maps to, and a note for the import report (or "")."""

    code: str
    name: str
    sector: str
    note: str = ""


def _data_rows(name: str):
    text = resources.files("gridwatch.data").joinpath(name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=1)
def industries() -> dict[str, Industry]:
    """Code → :class:`Industry`, in table order (sections, divisions, then the
    listed groups and classes)."""
    rows = _data_rows("gbt4754_2017.csv")
    out: dict[str, Industry] = {}
    section = ""
    division_section: dict[str, str] = {}
    for r in rows:
        code, level = r["code"].strip(), r["level"].strip()
        if level == "section":
            section = code
        elif level == "division":
            division_section[code] = section
        sec = code if level == "section" else division_section[code[:2]]
        out[code] = Industry(code, level, r["name"].strip(), sec)
    return out


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """Normalised name (and 2011 alias) → code."""
    out = {}
    for r in _data_rows("gbt4754_2017.csv"):
        for name in [r["name"], *filter(None, (r["aliases"] or "").split("|"))]:
            out[_norm(name)] = r["code"].strip()
    return out


@lru_cache(maxsize=1)
def sector_map() -> dict[str, str]:
    """Code prefix → supervision sector, as listed in the sector map file.

    Raises
    ------
    ValueError
        If the file names a sector that :data:`gridwatch.vocab.SECTORS` lacks or
        a code the industry table does not know (a broken data file).
    """
    table = industries()
    out = {}
    for r in _data_rows("gbt4754_sector_map.csv"):
        code, sector = r["code"].strip(), r["sector"].strip()
        if sector not in SECTORS:
            raise ValueError(f"gbt4754_sector_map.csv: unknown sector {sector!r}")
        if code not in table and code[:2] not in table:
            raise ValueError(f"gbt4754_sector_map.csv: unknown code {code!r}")
        out[code] = sector
    return out


def sector_of_code(code: str) -> str:
    """Supervision sector of a GB/T 4754 code: its longest mapped prefix, else its
    section's mapping.

    >>> sector_of_code("3072"), sector_of_code("3071"), sector_of_code("30")
    ('sanitary_ware', 'ceramics', 'building_materials')
    >>> sector_of_code("83")
    'other'
    """
    mapping = sector_map()
    for n in range(len(code), 1, -1):
        if code[:n] in mapping:
            return mapping[code[:n]]
    section = code if code.isalpha() else industries()[code[:2]].section
    return mapping.get(section, "other")


def _norm(name: str) -> str:
    # 2002-era names wrote 及 where 2011/2017 write 和; brackets and spaces vary
    text = unicodedata.normalize("NFKC", str(name))
    return re.sub(r"[\s()（）]", "", text).replace("及", "和")


_BRACKETED_CODE = re.compile(r"^(?P<name>.*?)[(（](?P<code>[A-Za-z]?\d{0,4})[)）]$")
_LEADING_CODE = re.compile(
    r"^(?P<letter>[A-Ta-t](?=\d|$|[-—_.、:：\s]))?(?P<digits>\d+)?"
)
_SEPARATORS = " -—_.、:：\t"


def _split(text: str) -> tuple[str, str, str]:
    """(letter, digits, name) of "C3071 建筑陶瓷制品制造", "非金属矿物制品业(30)" …"""
    m = _BRACKETED_CODE.match(text)
    if m and m["code"]:
        letter, digits = (
            (m["code"][0], m["code"][1:]) if m["code"][0].isalpha() else ("", m["code"])
        )
        return letter.upper(), digits, m["name"].strip(_SEPARATORS)
    m = _LEADING_CODE.match(text)
    letter, digits = (m["letter"] or "").upper(), m["digits"] or ""
    return letter, digits, text[m.end() :].strip(_SEPARATORS)


def match_industry(value: object) -> IndustryMatch | None:
    """Read a cell as a GB/T 4754-2017 code and/or name; None if it is neither.

    Accepts a section letter (``C``), a code of 2-4 digits with or without its
    letter (``30``, ``C30``, ``3071``, ``C3071``), a listed name
    (``非金属矿物制品业``, also the 2011 names) or both (``C30 非金属矿物制品业``,
    ``非金属矿物制品业(30)``).

    Raises
    ------
    ValueError
        A code that cannot be GB/T 4754 (an unknown division, a letter that is
        not the division's section, a code of 1 or 5+ digits) or a code and a
        name that disagree.

    Examples
    --------
    >>> m = match_industry("非金属矿物制品业")
    >>> m.code, m.sector
    ('30', 'building_materials')
    >>> match_industry("C3071 建筑陶瓷制品制造").sector
    'ceramics'
    >>> match_industry("航天发射") is None
    True
    """
    if isinstance(value, bool):
        return None
    numeric = isinstance(value, (int, float))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if numeric and len(text) == 1:
        text = "0" + text  # a spreadsheet number lost the division's leading zero
    letter, digits, name = _split(text)
    if not letter and not digits:
        code = _names().get(_norm(name)) if name else None
        return _result(code) if code else None
    code = _check_code(text, letter, digits)
    note = ""
    if name:
        named = _names().get(_norm(name))
        if named is None:
            note = (
                f"行业 {text}: the name {name!r} is not in gridwatch's GB/T 4754 "
                f"table; read as code {code}"
            )
        elif not (named.startswith(code) or code.startswith(named)):
            raise ValueError(
                f"{text!r}: GB/T 4754 code {code} is "
                f"{industries().get(code, industries()[code[:2]]).name}, not {name}"
            )
    if numeric and len(digits) == 3:
        note = (
            f"行业代码 {text} was a number: a leading zero may be lost (e.g. 0131); "
            "format the column as text"
        )
    return _result(code, note)


def _check_code(text: str, letter: str, digits: str) -> str:
    table = industries()
    if not digits:
        if letter not in table:
            raise ValueError(f"{text!r} is not a GB/T 4754 section (A-T)")
        return letter
    if not 2 <= len(digits) <= 4 or digits[:2] not in table:
        raise ValueError(
            f"{text!r} is not a GB/T 4754-2017 code: give the section letter A-T or "
            "a division of two digits (01-97), optionally with its group/class digits"
        )
    section = table[digits[:2]].section
    if letter and letter != section:
        raise ValueError(
            f"{text!r}: division {digits[:2]} ({table[digits[:2]].name}) is in "
            f"section {section}, not {letter}"
        )
    return digits


def _result(code: str, note: str = "") -> IndustryMatch:
    table = industries()
    known = next(code[:n] for n in range(len(code), 0, -1) if code[:n] in table)
    sector = sector_of_code(code)
    if known != code and not note:
        note = (
            f"行业代码 {code} is not listed in gridwatch's GB/T 4754 table; read by "
            f"{LEVELS[table[known].level]} {known} ({table[known].name})"
        )
    if table[known].level == "section" and sector == "other" and not note:
        note = (
            f"行业 {code} is a whole GB/T 4754 section ({table[known].name}): read as "
            f"{SECTORS['other']}; give the two-digit division for a precise sector"
        )
    return IndustryMatch(code, table[known].name, sector, note)
