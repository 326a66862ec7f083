"""Scoring rules: how an indicator's figure becomes points between 0 and its weight.

``x`` below is the figure in the scheme's units: percent for rates and
achievement against target (a coverage of 0.953 is x = 95.3), items for counts,
the indicator's own unit for manual figures. Every rule returns points in
``[0, weight]``.

* :class:`LinearRule` (``rule = "linear"``): full marks at ``full_at`` or better,
  zero at ``zero_at`` or worse, a straight line between. ``full_at > zero_at``
  means higher is better (full marks at ≥ 95 %, zero at ≤ 60 %); ``full_at <
  zero_at`` means lower is better.
* :class:`StepRule` (``rule = "step"``): fixed points per band, e.g. ≥ 4 meetings
  5 points, ≥ 2 meetings 3 points, otherwise 0 (``direction = "at_least"``), or
  the mirror (``direction = "at_most"``).
* :class:`DeductRule` (``rule = "deduct"``): start from the weight and deduct
  ``per_item`` for each item beyond ``allowance``, at most ``cap`` (default: the
  whole weight): "每有一处逾期重大隐患扣2分，扣完为止".
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

from gridwatch.analytics.figures import format_number

__all__ = ["DeductRule", "LinearRule", "Rule", "StepRule"]


def _n(x: float) -> str:
    return format_number(x, 2)


@dataclass(frozen=True)
class LinearRule:
    """Full marks at ``full_at``, zero at ``zero_at``, linear between.

    >>> r = LinearRule(full_at=95, zero_at=60)
    >>> r.points(95, 10), r.points(60, 10), r.points(77.5, 10), r.points(99, 10)
    (10.0, 0.0, 5.0, 10.0)
    """

    full_at: float
    zero_at: float
    name = "linear"

    def points(self, x: float, weight: float) -> float:
        """Points for figure ``x`` (scheme units) out of ``weight``."""
        share = (x - self.zero_at) / (self.full_at - self.zero_at)
        return weight * min(1.0, max(0.0, share))

    def problems(self, weight: float, higher_is_better: bool | None) -> list[str]:
        """What is wrong with the thresholds, as sentence endings."""
        if self.full_at == self.zero_at:
            return [f"full_at and zero_at are both {_n(self.full_at)}; set them apart"]
        if higher_is_better is True and self.full_at < self.zero_at:
            return [
                (
                    f"full marks at {_n(self.full_at)} lie below zero at "
                    f"{_n(self.zero_at)} although higher is better; swap them"
                )
            ]
        if higher_is_better is False and self.full_at > self.zero_at:
            return [
                (
                    f"full marks at {_n(self.full_at)} lie above zero at "
                    f"{_n(self.zero_at)} although lower is better; swap them"
                )
            ]
        return []

    def describe(self, unit: str) -> str:
        """Chinese: ``≥95%得满分，≤60%得0分，其间按比例计分``."""
        if self.full_at > self.zero_at:
            return (
                f"≥{_n(self.full_at)}{unit}得满分，≤{_n(self.zero_at)}{unit}得0分，"
                "其间按比例计分"
            )
        return (
            f"≤{_n(self.full_at)}{unit}得满分，≥{_n(self.zero_at)}{unit}得0分，"
            "其间按比例计分"
        )


@dataclass(frozen=True)
class StepRule:
    """Fixed points per band; the first band the figure reaches counts.

    ``steps`` are (threshold, points) pairs; with ``direction="at_least"`` a
    figure ``x >= threshold`` earns ``points`` (the highest threshold reached);
    with ``"at_most"``, ``x <= threshold`` (the lowest one). Below every band:
    ``otherwise`` points.

    >>> r = StepRule(((4, 5), (2, 3)), "at_least")
    >>> r.points(4, 5), r.points(3.9, 5), r.points(2, 5), r.points(1, 5)
    (5.0, 3.0, 3.0, 0.0)
    """

    steps: tuple[tuple[float, float], ...]
    direction: Literal["at_least", "at_most"] = "at_least"
    otherwise: float = 0.0
    name = "step"

    def _ordered(self):
        return sorted(self.steps, reverse=self.direction == "at_least")

    def points(self, x: float, weight: float) -> float:
        """Points for figure ``x`` (scheme units); never above ``weight``."""
        for threshold, pts in self._ordered():
            if (x >= threshold) if self.direction == "at_least" else (x <= threshold):
                return float(min(pts, weight))
        return float(min(self.otherwise, weight))

    def problems(self, weight: float, higher_is_better: bool | None) -> list[str]:
        """What is wrong with the bands, as sentence endings."""
        out = []
        if self.direction not in ("at_least", "at_most"):
            return [f"direction must be at_least or at_most, not {self.direction!r}"]
        if not self.steps:
            return ["steps is empty; give at least one [threshold, points] pair"]
        thresholds = [t for t, _ in self.steps]
        if len(set(thresholds)) != len(thresholds):
            out.append("two steps share one threshold")
        for t, p in [*self.steps, (None, self.otherwise)]:
            if not 0 <= p <= weight:
                where = "otherwise" if t is None else f"the step at {_n(t)}"
                out.append(
                    f"{where} gives {_n(p)} points, outside 0 to the weight "
                    f"{_n(weight)}"
                )
        pts = [p for _, p in self._ordered()] + [self.otherwise]
        if any(a < b for a, b in itertools.pairwise(pts)):
            out.append(
                "a stricter band gives fewer points than a looser one; "
                "points must not rise as the threshold loosens"
            )
        if higher_is_better is True and self.direction == "at_most":
            out.append("direction is at_most although higher is better")
        if higher_is_better is False and self.direction == "at_least":
            out.append("direction is at_least although lower is better")
        return out

    def describe(self, unit: str) -> str:
        """Chinese: ``≥4次得5分；≥2次得3分；其余得0分``."""
        sign = "≥" if self.direction == "at_least" else "≤"
        bands = [f"{sign}{_n(t)}{unit}得{_n(p)}分" for t, p in self._ordered()]
        return "；".join([*bands, f"其余得{_n(self.otherwise)}分"])


@dataclass(frozen=True)
class DeductRule:
    """Start at the weight, deduct ``per_item`` per item beyond ``allowance``.

    The deduction stops at ``cap`` (default the weight: 扣完为止); points never
    fall below zero.

    >>> r = DeductRule(per_item=2)
    >>> r.points(0, 10), r.points(3, 10), r.points(5, 10), r.points(9, 10)
    (10.0, 4.0, 0.0, 0.0)
    >>> DeductRule(per_item=2, allowance=1, cap=4).points(9, 10)
    6.0
    """

    per_item: float
    allowance: float = 0.0
    cap: float | None = None
    name = "deduct"

    def points(self, x: float, weight: float) -> float:
        """Points for ``x`` items out of ``weight``."""
        cap = weight if self.cap is None else min(self.cap, weight)
        deduction = min(cap, self.per_item * max(0.0, x - self.allowance))
        return float(max(0.0, weight - deduction))

    def problems(self, weight: float, higher_is_better: bool | None) -> list[str]:
        """What is wrong with the deduction, as sentence endings."""
        out = []
        if self.per_item <= 0:
            out.append(f"per_item must be above 0, got {_n(self.per_item)}")
        if self.allowance < 0:
            out.append(f"allowance must not be negative, got {_n(self.allowance)}")
        if self.cap is not None and not 0 < self.cap <= weight:
            out.append(
                f"cap {_n(self.cap)} must lie above 0 and at most the weight "
                f"{_n(weight)}"
            )
        if higher_is_better is True:
            out.append(
                "deducts per item from a figure where higher is better; use "
                "linear or step"
            )
        return out

    def describe(self, unit: str) -> str:
        """Chinese: ``每1项扣2分，最多扣10分``."""
        free = f"超过{_n(self.allowance)}{unit}后，" if self.allowance else ""
        cap = f"最多扣{_n(self.cap)}分" if self.cap is not None else "扣完为止"
        return f"{free}每{unit or '项'}扣{_n(self.per_item)}分，{cap}"


Rule = LinearRule | StepRule | DeductRule
