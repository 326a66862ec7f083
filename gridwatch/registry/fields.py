"""Parse single registry cells: text, sector, risk, numbers, yes/no, dates.

Each parser returns the clean value or raises ``ValueError`` whose message is
the reason shown in the rejects file (Chinese users read it, English fields
keep it short).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from gridwatch.registry.industry import match_industry
from gridwatch.vocab import (
    RISK_ALIASES,
    RISK_LEVELS,
    SECTOR_ALIASES,
    SECTORS,
    YES_NO_ALIASES,
)

__all__ = ["SectorMatch", "clean_text", "parse_bool", "parse_date", "parse_employees",
           "parse_float", "parse_industry", "parse_risk", "parse_sector",
           "parse_sector_cell"]

# Zero-width joiner and variation selectors build emoji sequences: keep them.
_KEEP_FORMAT = {"\u200d", "\ufe0e", "\ufe0f"}
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _invisible() -> re.Pattern:
    """Control, format, surrogate and private-use characters, as one class.

    A regex, not a per-character ``unicodedata.category`` loop: that loop cost
    ~20 µs a cell, a third of a 100,000-row import. The BMP is scanned once;
    above it the few format/private ranges are listed (emoji tag characters
    U+E0020-E007F stay: they spell subdivision flags).
    """
    bad = [chr(c) for c in range(0x10000)
           if unicodedata.category(chr(c)) in ("Cc", "Cf", "Cs", "Co")
           and chr(c) not in _KEEP_FORMAT and chr(c) not in "\t\n\r"]
    ranges = ["\U000110bd", "\U000110cd", "\U0001bca0-\U0001bca3",
              "\U0001d173-\U0001d17a", "\U000e0001", "\U000f0000-\U0010ffff"]
    body = "".join(re.escape(c) for c in bad if not 0xD800 <= ord(c) <= 0xDFFF)
    return re.compile("[" + body + "\ud800-\udfff" + "".join(ranges) + "]+")


def clean_text(value: object, limit: int) -> str:
    """Strip control/format characters and collapse spaces; cap the length.

    Emoji and HTML are kept as plain text (the web layer escapes on output).

    Raises
    ------
    ValueError
        If the cleaned text is longer than ``limit`` characters.

    Examples
    --------
    >>> clean_text("  佛山\\x00陶瓷 <b>厂</b>🏭\\u200b ", 50)
    '佛山陶瓷 <b>厂</b>🏭'
    """
    text = value if isinstance(value, str) else str(value)
    if len(text) > 20 * limit:   # do not normalise megabytes just to refuse them
        raise ValueError(f"is {len(text):,} characters long; the limit is {limit}")
    text = _invisible().sub("", unicodedata.normalize("NFC", text))
    text = _SPACES.sub(" ", text).strip()
    if len(text) > limit:
        raise ValueError(f"is {len(text):,} characters long; the limit is {limit}")
    return text


#: Common spellings in registries → sector code (kept for callers; see vocab).
SECTOR_SYNONYMS: dict[str, str] = SECTOR_ALIASES
_SECTOR_LOOKUP: dict[str, str] = {
    **{k.lower(): k for k in SECTORS}, **{v: k for k, v in SECTORS.items()},
    **SECTOR_ALIASES}


@dataclass(frozen=True, slots=True)
class SectorMatch:
    """A sector cell read: the supervision sector, the GB/T 4754-2017 code when the
    cell gave one (else None), and a note for the import report (or "")."""

    sector: str
    industry_code: str | None = None
    note: str = ""


def parse_sector_cell(value: object) -> SectorMatch:
    """Read a sector cell: a gridwatch code or label, a common spelling, or the
    national classification GB/T 4754-2017 (code and/or name, mapped through the
    data table in :mod:`gridwatch.registry.industry`).

    Order: exact code/label/spelling; GB/T 4754; the longest label contained in
    the text; a close spelling (rapidfuzz ratio ≥ 80).

    Raises
    ------
    ValueError
        Unknown sector, or a GB/T 4754 code that is malformed or disagrees with
        its name.

    >>> parse_sector_cell("非金属矿物制品业")
    SectorMatch(sector='building_materials', industry_code='30', note='')
    >>> parse_sector_cell("陶瓷").sector
    'ceramics'
    """
    text = unicodedata.normalize("NFKC", str(value)).strip()
    key = text.lower().replace(" ", "_")
    if key in _SECTOR_LOOKUP:
        return SectorMatch(_SECTOR_LOOKUP[key])
    gb = match_industry(value)
    if gb is not None:
        return SectorMatch(gb.sector, gb.code, gb.note)
    # "陶瓷制品制造业" contains a label: the longest contained label wins
    inside = [k for k in _SECTOR_LOOKUP if len(k) >= 2 and k in text]
    if inside:
        return SectorMatch(_SECTOR_LOOKUP[max(inside, key=len)])
    hit = process.extractOne(text, list(_SECTOR_LOOKUP), scorer=fuzz.ratio,
                             score_cutoff=80)
    if hit:
        return SectorMatch(_SECTOR_LOOKUP[hit[0]])
    raise ValueError(
        f"unknown sector {text!r}; use a supervision sector or a GB/T 4754-2017 "
        "industry (code or name), or map the value to one")


def parse_sector(value: object) -> str:
    """Sector code from a code, its Chinese label, a common synonym or GB/T 4754.

    >>> parse_sector("陶瓷"), parse_sector("CERAMICS"), parse_sector("五金制品")
    ('ceramics', 'ceramics', 'metal_products')
    >>> parse_sector("C30")
    'building_materials'
    """
    return parse_sector_cell(value).sector


def parse_industry(value: object) -> str:
    """A GB/T 4754-2017 code from a code and/or name cell (行业代码 column).

    >>> parse_industry("C3071 建筑陶瓷制品制造"), parse_industry(30)
    ('3071', '30')
    """
    match = match_industry(value)
    if match is None:
        raise ValueError(
            f"{value!r} is not a GB/T 4754-2017 industry; give its code (e.g. 30 or "
            "C3071) or its name (e.g. 非金属矿物制品业)")
    return match.code


def parse_risk(value: object) -> str:
    """Risk code from red/orange/yellow/blue or a Chinese spelling (红, 较大风险 …).

    >>> parse_risk("橙色"), parse_risk("Red"), parse_risk("一般风险")
    ('orange', 'red', 'yellow')
    """
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if text in RISK_LEVELS:
        return text
    for candidate in (text, text.replace("级", "").replace("色风险", "")):
        if candidate in RISK_ALIASES:
            return RISK_ALIASES[candidate]
    raise ValueError(f"unknown risk level {value!r}; use 红/橙/黄/蓝 or red/orange/yellow/blue")


def parse_float(value: object) -> float:
    """A number from a cell: 113.12, "113.12", "113.12°", "１１３．１２"."""
    if isinstance(value, bool):  # a yes/no cell in a number column: a data error
        raise ValueError(f"{value!r} is not a number")  # noqa: TRY004
    if isinstance(value, (int, float)):
        out = float(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().rstrip("°度")
        try:
            out = float(text)
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
    if not math.isfinite(out):
        raise ValueError(f"{value!r} is not a finite number")
    return out


def parse_employees(value: object) -> int:
    """Non-negative head count: 12, "12", "12人", 12.0.

    >>> parse_employees("35人")
    35
    """
    text = value
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().rstrip("人名")
    try:
        number = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not a whole number of people") from None
    if number != int(number) or number < 0:
        raise ValueError(f"{value!r} is not a whole number of people (0 or more)")
    if number > 1_000_000:
        raise ValueError(f"{value!r} people is not plausible for one enterprise")
    return int(number)


_TRUE = {k for k, v in YES_NO_ALIASES.items() if v == "yes"}
_FALSE = {k for k, v in YES_NO_ALIASES.items() if v == "no"}


def parse_bool(value: object) -> bool:
    """是/否, 有/无, Y/N, true/false, 1/0, √/×.

    >>> parse_bool("是"), parse_bool("N"), parse_bool(1)
    (True, False, True)
    """
    if isinstance(value, bool):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    text = text.removesuffix(".0")
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{value!r} is not yes/no; use 是 or 否")


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                   r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)   # Excel's day 0 (after its 1900 leap-year bug)


def parse_date(value: object) -> dt.date:
    """A date from a cell: date/datetime, Excel serial, 2021-03-05, 2021/3/5,
    2021.3.5, 2021年3月5日, 20210305.

    >>> parse_date("2021年3月5日"), parse_date(44260)
    (datetime.date(2021, 3, 5), datetime.date(2021, 3, 5))
    """
    if isinstance(value, dt.datetime):
        out = value.date()
    elif isinstance(value, dt.date):
        out = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 1 <= value < 2958466:
            raise ValueError(f"{value!r} is not a date")
        out = _EXCEL_EPOCH + dt.timedelta(days=int(value))
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        m = _DATE.match(text) or _COMPACT.match(text)
        if m is None:
            raise ValueError(f"{value!r} is not a date; write it as 2021-03-05")
        try:
            out = dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise ValueError(f"{value!r} is not a real date") from None
    if not 1900 <= out.year <= 2100:
        raise ValueError(f"{value!r}: the year {out.year} is not plausible")
    return out
