"""Check an accident record as the bureau enters it (form, command line, API).

Rules (生产安全事故报告和调查处理条例, 国务院令第493号):

* the date is a real day, not in the future;
* deaths and serious injuries are whole numbers ≥ 0, the direct loss a number of
  yuan ≥ 0 with at most two decimals (fen);
* the grade recorded is 一般, 较大, 重大 or 特别重大 (or its code); left empty it
  is the grade the casualties and loss give (Article 3);
* a grade recorded *lower* than the casualties and loss give is kept as
  recorded (the investigation's finding) and flagged: every figure and the
  veto use the worse of the two (:attr:`Accident.effective_grade`);
* the place is a description (an enterprise's name or an address), ≤ 300
  characters; where it is, is the enterprise's credit code or a point
  (longitude, latitude and datum: WGS-84/CGCS2000, GCJ-02 or BD-09, converted to
  WGS-84 once).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from gridwatch.analytics.assessment.accidents import (
    GRADE_ORDER,
    accident_grade,
    normalise_grade,
)
from gridwatch.crs import parse_datum, to_wgs84
from gridwatch.errors import InvalidInputError
from gridwatch.registry.uscc import explain_uscc, normalise_uscc
from gridwatch.vocab import ACCIDENT_GRADES

__all__ = ["AccidentInput", "validate_accident"]

PLACE_LIMIT = 300
REF_LIMIT = 64


@dataclass(frozen=True)
class AccidentInput:
    """A checked accident: what the service stores, and the flag to show."""

    occurred_on: dt.date
    place: str
    grade: str
    computed_grade: str
    deaths: int
    serious_injuries: int
    direct_loss_yuan: float
    uscc: str | None = None
    lng: float | None = None
    lat: float | None = None
    source_datum: str | None = None
    ref: str | None = None
    description: str | None = None

    @property
    def is_grade_too_low(self) -> bool:
        """The recorded grade is below what the casualties and loss give."""
        return GRADE_ORDER.index(self.grade) < GRADE_ORDER.index(self.computed_grade)

    @property
    def warning(self) -> str:
        """Chinese, for the page: empty unless the grade is recorded too low."""
        if not self.is_grade_too_low:
            return ""
        return (
            f"记录的等级为{ACCIDENT_GRADES[self.grade]}，但按死亡、重伤和直接经济损失"
            f"应为{ACCIDENT_GRADES[self.computed_grade]}；统计和一票否决按"
            f"{ACCIDENT_GRADES[self.computed_grade]}计。"
        )


def _bad(msg: str, field: str) -> InvalidInputError:
    return InvalidInputError(msg, details={"field": field})


def _count(value, field: str, what: str) -> int:
    if value in (None, ""):
        return 0
    try:
        n = Decimal(str(value).strip())
    except InvalidOperation:
        raise _bad(f"{what} {value!r} is not a number.", field) from None
    if not n.is_finite() or n < 0 or n != n.to_integral_value():
        raise _bad(f"{what} must be a whole number of 0 or more, got {value!r}.", field)
    return int(n)


def _yuan(value) -> float:
    if value in (None, ""):
        return 0.0
    text = str(value).strip().replace(",", "").removesuffix("元")
    try:
        n = Decimal(text)
    except InvalidOperation:
        raise _bad(
            f"The direct loss {value!r} is not a number of yuan.", "direct_loss_yuan"
        ) from None
    if not n.is_finite() or n < 0 or n != n.quantize(Decimal("0.01")):
        raise _bad(
            f"The direct loss {value!r} must be 0 or more yuan with at most two "
            "decimals.",
            "direct_loss_yuan",
        )
    return float(n)


def _date(value, today: dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise _bad(
                f"The accident date {value!r} is not a date; write it as 2026-05-24.",
                "occurred_on",
            ) from None
    if value > today:
        raise _bad(f"The accident date {value} is in the future.", "occurred_on")
    return value


def _point(lng, lat, datum):
    if lng in (None, "") and lat in (None, ""):
        return None, None, None
    if lng in (None, "") or lat in (None, ""):
        raise _bad("Give both longitude and latitude, or neither.", "lng")
    try:
        x, y = float(lng), float(lat)
    except (TypeError, ValueError):
        raise _bad(f"({lng}, {lat}) are not coordinates.", "lng") from None
    if not (math.isfinite(x) and math.isfinite(y)) or not (
        -180 <= x <= 180 and -90 <= y <= 90
    ):
        raise _bad(f"({lng}, {lat}) are not coordinates.", "lng")
    d = parse_datum(datum or "wgs84")
    wx, wy = to_wgs84(x, y, d)
    return float(wx), float(wy), d.value


def _text(value, limit: int, field: str, what: str) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    if len(text) > limit:
        raise _bad(f"{what} is longer than {limit} characters.", field)
    return text or None


def validate_accident(
    *,
    occurred_on,
    place,
    today: dt.date,
    grade=None,
    deaths=0,
    serious_injuries=0,
    direct_loss_yuan=0,
    uscc=None,
    lng=None,
    lat=None,
    datum=None,
    ref=None,
    description=None,
) -> AccidentInput:
    """Check one accident (rules in the module docstring).

    Raises
    ------
    InvalidInputError
        One sentence naming the first wrong field (also ``details["field"]``).

    >>> a = validate_accident(occurred_on="2026-05-24", place="某家具厂",
    ...     today=dt.date(2026, 6, 1), grade="一般", deaths=9)
    >>> a.grade, a.computed_grade, a.is_grade_too_low
    ('ordinary', 'relatively_serious', True)
    """
    day = _date(occurred_on, today)
    where = _text(place, PLACE_LIMIT, "place", "The place")
    if not where:
        raise _bad("Say where the accident happened (enterprise or address).", "place")
    d = _count(deaths, "deaths", "Deaths")
    i = _count(serious_injuries, "serious_injuries", "Serious injuries")
    loss = _yuan(direct_loss_yuan)
    computed = accident_grade(d, i, loss)
    recorded = computed
    if grade not in (None, ""):
        try:
            recorded = normalise_grade(grade)
        except InvalidInputError as exc:
            raise _bad(exc.user_msg, "grade") from None
    code = None
    if uscc not in (None, ""):
        code = normalise_uscc(uscc)
        why = explain_uscc(code)
        if why:
            raise _bad(f"The enterprise's credit code is wrong: {why}.", "uscc")
    x, y, src = _point(lng, lat, datum)
    if code is None and x is None:
        raise _bad(
            "Give the enterprise's credit code or the point where it happened.", "uscc"
        )
    return AccidentInput(
        day,
        where,
        recorded,
        computed,
        d,
        i,
        loss,
        code,
        x,
        y,
        src,
        _text(ref, REF_LIMIT, "ref", "The accident number"),
        _text(description, 2000, "description", "The description"),
    )
