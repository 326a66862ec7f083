"""The arithmetic of the bureau's report: year-on-year change, percent of target.

One function per rule, so the dashboard, the assessment and the annual report
print the same number for the same figure:

* **Year-on-year change** (同比) = (this year − last year) / last year, the way the
  seed computes it: 432 administrative penalties against 205 is +110.7 %
  (``(432 - 205) / 205 = 1.1073``). Last year 0 and this year more is ``"new"``
  (上年同期为零), never a division by zero; both zero is no change (持平).
* **Percent of target** (完成任务量的 %) = value / target: the seed's 1,743
  standardisation self-assessments against a target of 1,490 is 117 %, 4,471
  safety officers trained against 4,300 is 104 %.
* **Rounding** is half-up on the decimal value (``decimal.ROUND_HALF_UP``), not
  Python's ``round`` (half-to-even on a binary float, which prints 108.05 % as
  108.0 %). Percentages get one decimal and a trailing ``.0`` is dropped, which
  reproduces the seed's 110.7 %, 125 %, 117 %, 108.1 % and 104 %. The seed is not
  consistent everywhere (it prints 61.46 % with two decimals and 1,868 of 1,961 as
  95 % rather than 95.3 %); gridwatch prints one decimal throughout, and
  ``decimals`` changes that.
* **Money** is stored in yuan and printed in 万元 with two decimals, as the seed
  does (2,196,200 yuan → 219.62万元).

Rates (coverage, rectification on time, ...) are fractions 0–1 in the data and are
printed as percent; their year-on-year comparison is usually in percentage points
(``compare="points"``: 90 % → 95 % is 提高5个百分点), not a relative change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

__all__ = [
    "Change",
    "Figure",
    "change_phrase",
    "format_number",
    "format_percent",
    "format_value",
    "format_wan_yuan",
    "pct_of_target",
    "points_change",
    "round_half_up",
    "yoy_change",
    "yoy_list_phrase",
]

ChangeKind = Literal["up", "down", "same", "new", "unknown"]
#: Units whose value is a fraction 0-1 printed as percent.
PERCENT_UNITS = ("%",)
#: Units whose value is in yuan, printed in 万元.
YUAN_UNITS = ("元",)


def round_half_up(x: float, decimals: int = 1) -> float:
    """Round half away from zero on the decimal digits, as people and Excel do.

    >>> round_half_up(108.05, 1), round(108.05, 1)
    (108.1, 108.0)
    >>> round_half_up(-2.25, 1)
    -2.3
    """
    if not math.isfinite(x):
        raise ValueError(f"cannot round {x!r}")
    q = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(x)).quantize(q, rounding=ROUND_HALF_UP))


def _check_number(x, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(x).__name__}")
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, got {x!r}")
    return x


@dataclass(frozen=True)
class Change:
    """A comparison with the same period a year earlier.

    Attributes
    ----------
    kind : {"up", "down", "same", "new", "unknown"}
        ``new``: last year was 0 and this year is not; ``unknown``: no figure for
        last year (or this year).
    ratio : float or None
        Relative change (1.107 for +110.7 %) or, for ``compare="points"``, the
        difference of the two fractions (0.05 for 5 percentage points); None for
        ``new`` and ``unknown``.
    compare : {"relative", "points"}
    """

    kind: ChangeKind
    ratio: float | None = None
    compare: Literal["relative", "points"] = "relative"

    @property
    def text(self) -> str:
        """The Chinese phrase: 同比增长110.7% (see :func:`change_phrase`)."""
        return change_phrase(self)


def yoy_change(value: float | None, previous: float | None) -> Change:
    """Year-on-year change (同比) = (value − previous) / previous.

    Parameters
    ----------
    value, previous : float or None
        This period's and the same period a year earlier; counts or yuan, never
        negative. None means "no figure".

    Returns
    -------
    Change
        ``up``/``down`` with the ratio; ``same`` when equal (both zero included);
        ``new`` when ``previous`` is 0 and ``value`` is positive (no division by
        zero); ``unknown`` when either is None.

    Raises
    ------
    ValueError
        A negative or non-finite figure.

    Examples
    --------
    >>> round(yoy_change(432, 205).ratio, 4)
    1.1073
    >>> yoy_change(5, 0).kind, yoy_change(0, 0).kind, yoy_change(None, 3).kind
    ('new', 'same', 'unknown')
    """
    if value is None or previous is None:
        return Change("unknown")
    v, p = _check_number(value, "value"), _check_number(previous, "previous")
    if v < 0 or p < 0:
        raise ValueError(f"year-on-year needs non-negative figures, got {v!r}, {p!r}")
    if v == p:
        return Change("same", 0.0)
    if p == 0:
        return Change("new")
    ratio = (v - p) / p
    return Change("up" if ratio > 0 else "down", ratio)


def points_change(value: float | None, previous: float | None) -> Change:
    """Change of a rate in percentage points: 0.90 → 0.95 is +0.05 (5个百分点).

    >>> c = points_change(0.95, 0.90)
    >>> c.kind, round(c.ratio, 4), c.text
    ('up', 0.05, '同比提高5个百分点')
    """
    if value is None or previous is None:
        return Change("unknown", compare="points")
    d = _check_number(value, "value") - _check_number(previous, "previous")
    if round_half_up(d * 100, 1) == 0:
        return Change("same", 0.0, "points")
    return Change("up" if d > 0 else "down", d, "points")


def pct_of_target(value: float | None, target: float | None) -> float | None:
    """Share of the target reached, as a fraction (1.17 for 117 %).

    None when there is no target (None or 0: a target of zero sets no task) or
    no value. 1,743 against 1,490 is 1.1698 (printed 117%).

    >>> round(pct_of_target(1743, 1490), 4), pct_of_target(5, 0)
    (1.1698, None)
    """
    if value is None or target is None:
        return None
    v, t = _check_number(value, "value"), _check_number(target, "target")
    if v < 0 or t < 0:
        raise ValueError(f"percent of target needs non-negative figures, got {v}, {t}")
    return None if t == 0 else v / t


def format_percent(fraction: float, decimals: int = 1, *, sign: bool = False) -> str:
    """A fraction as percent, half-up, trailing zeros dropped: 1.25 → "125%".

    >>> format_percent(1.1073), format_percent(1.25), format_percent(0.9526)
    ('110.7%', '125%', '95.3%')
    >>> format_percent(-0.125, sign=True), format_percent(0.6146, 2)
    ('-12.5%', '61.46%')
    """
    text = format_number(_check_number(fraction, "fraction") * 100, decimals)
    if sign and fraction > 0:
        text = "+" + text
    return text + "%"


def format_number(x: float, decimals: int = 0) -> str:
    """A number half-up to ``decimals``, trailing zeros dropped, no separators.

    The seed writes counts without thousands separators (49718家).

    >>> format_number(49718), format_number(219.6200, 2), format_number(3.0, 1)
    ('49718', '219.62', '3')
    """
    r = round_half_up(_check_number(x, "x"), decimals)
    text = f"{r:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_wan_yuan(yuan: float, decimals: int = 2) -> str:
    """Yuan printed in 万元 (ten thousand yuan), as the seed does.

    >>> format_wan_yuan(2196200), format_wan_yuan(5000)
    ('219.62万元', '0.5万元')
    """
    return format_number(_check_number(yuan, "yuan") / 10_000, decimals) + "万元"


def format_value(
    value: float | None, unit: str = "", decimals: int | None = None
) -> str:
    """A figure with its unit: counts as integers, 元 as 万元, % from a fraction.

    >>> format_value(432, "次"), format_value(0.953, "%"), format_value(2196200, "元")
    ('432次', '95.3%', '219.62万元')
    >>> format_value(None, "家")
    '—'
    """
    if value is None:
        return "—"
    if unit in PERCENT_UNITS:
        return format_percent(value, 1 if decimals is None else decimals)
    if unit in YUAN_UNITS:
        return format_wan_yuan(value, 2 if decimals is None else decimals)
    return format_number(value, 0 if decimals is None else decimals) + unit


def change_phrase(change: Change, decimals: int = 1) -> str:
    """The Chinese phrase for a year-on-year change.

    ``同比增长110.7%`` / ``同比下降12.5%`` / ``与上年同期持平`` / ``上年同期为零`` /
    ``无上年同期数据``; percentage-point changes read ``同比提高5个百分点`` /
    ``同比下降2.5个百分点``.

    >>> change_phrase(yoy_change(432, 205)), change_phrase(yoy_change(7, 8))
    ('同比增长110.7%', '同比下降12.5%')
    """
    if change.kind == "unknown":
        return "无上年同期数据"
    if change.kind == "new":
        return "上年同期为零"
    if change.kind == "same":
        return "与上年同期持平"
    size = abs(change.ratio)
    if change.compare == "points":
        verb = "提高" if change.kind == "up" else "下降"
        return f"同比{verb}{format_number(size * 100, decimals)}个百分点"
    verb = "增长" if change.kind == "up" else "下降"
    return f"同比{verb}{format_percent(size, decimals)}"


def yoy_list_phrase(changes: list[Change], decimals: int = 1) -> str:
    """Several changes in one clause, as the seed writes them.

    All up: ``同比分别增长110.7%、125%和61.5%``; all down likewise with 下降;
    mixed (or new/unchanged): ``同比分别增长110.7%、下降5%和持平``; every one
    new: ``上年同期均为零``; every one unchanged: ``均与上年同期持平``.

    >>> yoy_list_phrase([yoy_change(432, 205), yoy_change(153, 68)])
    '同比分别增长110.7%和125%'
    >>> yoy_list_phrase([yoy_change(432, 205), yoy_change(60, 80), yoy_change(3, 0)])
    '同比分别增长110.7%、下降25%和上年同期为零'
    >>> yoy_list_phrase([yoy_change(1, 0), yoy_change(2, 0)])
    '上年同期均为零'
    """
    if not changes:
        return ""
    if len(changes) == 1:
        return change_phrase(changes[0], decimals)
    kinds = {c.kind for c in changes}
    if kinds == {"new"}:
        return "上年同期均为零"
    if kinds == {"same"}:
        return "均与上年同期持平"
    relative = all(c.compare == "relative" for c in changes)
    if relative and len(kinds) == 1 and kinds <= {"up", "down"}:
        verb = "增长" if kinds == {"up"} else "下降"
        parts = [format_percent(abs(c.ratio), decimals) for c in changes]
        return f"同比分别{verb}{_join_zh(parts)}"
    parts = [change_phrase(c, decimals).removeprefix("同比") for c in changes]
    parts = ["持平" if p == "与上年同期持平" else p for p in parts]
    return f"同比分别{_join_zh(parts)}"


def _join_zh(parts: list[str]) -> str:
    """a、b和c (the enumeration comma, 和 before the last)."""
    return parts[0] if len(parts) == 1 else "、".join(parts[:-1]) + "和" + parts[-1]


@dataclass(frozen=True)
class Figure:
    """One reported figure with what it is compared against.

    Attributes
    ----------
    key : str
        Stable identifier (``penalties``); templates refer to it.
    label : str
        Chinese name (行政处罚).
    value : float or None
        This period's figure; None when gridwatch has no data for it.
    unit : str
        ``家``, ``项``, ``次``, ``人`` ... (counts, printed as integers); ``元``
        (stored in yuan, printed in 万元); ``%`` (a fraction 0-1).
    previous : float or None
        The same period a year earlier.
    target : float or None
        The annual target (or, for a share, its denominator: the 1,961
        enterprises required to declare).
    compare : {"relative", "points"}
        How :attr:`yoy` compares with ``previous``; rates use ``points``.
    source : str
        Where the figure comes from (the analytics function or record), for the
        annex and for audit.
    note : str
        Anything a reader must know (manual entry, partial data).
    """

    key: str
    label: str
    value: float | None
    unit: str = ""
    previous: float | None = None
    target: float | None = None
    compare: Literal["relative", "points"] = "relative"
    source: str = ""
    note: str = ""
    decimals: int | None = field(default=None, compare=False)

    def __post_init__(self):
        if self.compare not in ("relative", "points"):
            raise ValueError(
                f"compare must be 'relative' or 'points', got {self.compare!r}"
            )

    @property
    def yoy(self) -> Change:
        """:func:`yoy_change` (or :func:`points_change`) against ``previous``."""
        if self.compare == "points":
            return points_change(self.value, self.previous)
        return yoy_change(self.value, self.previous)

    @property
    def pct_of_target(self) -> float | None:
        """:func:`pct_of_target` of ``value`` against ``target``."""
        return pct_of_target(self.value, self.target)

    @property
    def text(self) -> str:
        """The value with its unit: ``432次``, ``219.62万元``, ``95.3%``."""
        return format_value(self.value, self.unit, self.decimals)

    @property
    def previous_text(self) -> str:
        """Last year's value with its unit."""
        return format_value(self.previous, self.unit, self.decimals)

    @property
    def target_text(self) -> str:
        """The target with its unit (``4300人``), or ``—``."""
        return format_value(self.target, self.unit, self.decimals)

    @property
    def yoy_text(self) -> str:
        """``同比增长110.7%`` and the other phrases of :func:`change_phrase`."""
        return change_phrase(self.yoy)

    @property
    def pct_text(self) -> str:
        """Percent of target (``104%``), or ``—`` without a target."""
        p = self.pct_of_target
        return "—" if p is None else format_percent(p)

    def __str__(self) -> str:
        return self.text
