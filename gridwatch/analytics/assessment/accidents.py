"""Accident grades (State Council Decree No. 493, 2007) and the accident record.

生产安全事故报告和调查处理条例 (国务院令第493号) Article 3 grades an accident by
the worst of three measures; "以上" includes the number and "以下" does not:

=====================  =============  ========================  =======================
grade                  deaths         serious injuries [1]_     direct economic loss
=====================  =============  ========================  =======================
特别重大 especially      ≥ 30           ≥ 100                     ≥ 100 million yuan
重大 serious            10–29          50–99                     50–100 million yuan
较大 relatively serious  3–9            10–49                     10–50 million yuan
一般 ordinary           < 3            < 10                      < 10 million yuan
=====================  =============  ========================  =======================

.. [1] 重伤 including acute industrial poisoning (包括急性工业中毒).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from gridwatch.errors import InvalidInputError
from gridwatch.vocab import ACCIDENT_GRADE_ALIASES, ACCIDENT_GRADES

__all__ = ["GRADE_ORDER", "Accident", "accident_grade", "grade_rank", "normalise_grade"]

#: Grade codes, least severe first (index = severity rank).
GRADE_ORDER: tuple[str, ...] = tuple(ACCIDENT_GRADES)
#: (grade, min deaths, min serious injuries, min direct loss in yuan), worst first.
_THRESHOLDS = (
    ("especially_serious", 30, 100, 100_000_000),
    ("serious", 10, 50, 50_000_000),
    ("relatively_serious", 3, 10, 10_000_000),
)


def accident_grade(deaths: int, serious_injuries: int, direct_loss_yuan: float) -> str:
    """The grade of an accident by Decree No. 493 Article 3: the worst criterion wins.

    Parameters
    ----------
    deaths : int
        People killed (死亡, including missing presumed dead).
    serious_injuries : int
        Seriously injured (重伤), acute industrial poisoning included.
    direct_loss_yuan : float
        Direct economic loss in yuan (直接经济损失).

    Returns
    -------
    str
        A key of :data:`gridwatch.vocab.ACCIDENT_GRADES`: ``ordinary``,
        ``relatively_serious``, ``serious`` or ``especially_serious``.

    Raises
    ------
    ValueError
        A negative or non-finite figure.

    Examples
    --------
    >>> accident_grade(9, 0, 0)          # the seed's "5.24" fire: 较大
    'relatively_serious'
    >>> accident_grade(2, 9, 9_999_999), accident_grade(0, 0, 50_000_000)
    ('ordinary', 'serious')
    """
    for name, value in (
        ("deaths", deaths),
        ("serious_injuries", serious_injuries),
        ("direct_loss_yuan", direct_loss_yuan),
    ):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{name} must be a number, got {type(value).__name__}")
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a non-negative number, got {value!r}")
    for grade, d, i, loss in _THRESHOLDS:
        if deaths >= d or serious_injuries >= i or direct_loss_yuan >= loss:
            return grade
    return "ordinary"


def normalise_grade(grade: str) -> str:
    """A grade code from a code or a Chinese name (较大, 较大事故).

    Raises
    ------
    InvalidInputError
        An unknown grade, naming the accepted ones.

    >>> normalise_grade("较大"), normalise_grade("serious")
    ('relatively_serious', 'serious')
    """
    key = str(grade).strip()
    if key in ACCIDENT_GRADES:
        return key
    if key in ACCIDENT_GRADE_ALIASES:
        return ACCIDENT_GRADE_ALIASES[key]
    raise InvalidInputError(
        f"Unknown accident grade {grade!r}; use 一般, 较大, 重大 or 特别重大."
    )


def grade_rank(grade: str) -> int:
    """Severity rank 0 (一般) to 3 (特别重大) of a grade code or Chinese name."""
    return GRADE_ORDER.index(normalise_grade(grade))


@dataclass(frozen=True)
class Accident:
    """A production-safety accident (生产安全事故) recorded by the bureau.

    Attributes
    ----------
    occurred_on : datetime.date
    deaths, serious_injuries : int
    direct_loss_yuan : float
        In yuan.
    grade : str or None
        The grade recorded by the bureau (code or Chinese); None to derive it.
    ref : str
        The record's identifier, for drill-down.
    place : str
        Where it happened (enterprise name or address), Chinese.
    """

    occurred_on: dt.date
    deaths: int = 0
    serious_injuries: int = 0
    direct_loss_yuan: float = 0.0
    grade: str | None = None
    ref: str = ""
    place: str = ""

    def __post_init__(self):
        if not isinstance(self.occurred_on, dt.date):
            raise TypeError(
                f"occurred_on must be a date, got {type(self.occurred_on).__name__}"
            )
        if self.grade is not None:
            object.__setattr__(self, "grade", normalise_grade(self.grade))
        accident_grade(self.deaths, self.serious_injuries, self.direct_loss_yuan)

    @property
    def computed_grade(self) -> str:
        """The grade Decree No. 493 gives the recorded deaths, injuries and loss."""
        return accident_grade(self.deaths, self.serious_injuries, self.direct_loss_yuan)

    @property
    def effective_grade(self) -> str:
        """The worse of the recorded and the computed grade.

        A grade recorded lower than its own casualty figures imply is a data error;
        taking the worse one means such an error can never lift a veto.
        """
        if self.grade is None:
            return self.computed_grade
        return max(self.grade, self.computed_grade, key=GRADE_ORDER.index)

    @property
    def is_grade_inconsistent(self) -> bool:
        """True when a recorded grade differs from the computed one."""
        return self.grade is not None and self.grade != self.computed_grade

    @property
    def label(self) -> str:
        """Chinese: ``2026-05-24 某厂 较大事故（死亡9人）``."""
        bits = [f"死亡{self.deaths}人"] if self.deaths else []
        if self.serious_injuries:
            bits.append(f"重伤{self.serious_injuries}人")
        if self.direct_loss_yuan:
            bits.append(f"直接经济损失{self.direct_loss_yuan / 10_000:.2f}万元")
        detail = f"（{'，'.join(bits)}）" if bits else ""
        place = f" {self.place}" if self.place else ""
        return (
            f"{self.occurred_on.isoformat()}{place} "
            f"{ACCIDENT_GRADES[self.effective_grade]}{detail}"
        )
