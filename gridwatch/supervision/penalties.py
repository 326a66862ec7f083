"""Administrative penalties (行政处罚) and fines (经济处罚): one record check, one total.

What is counted, everywhere (the bureau's report: "432 administrative penalties,
153 fines totalling 2.1962 million yuan"):

* ``penalties`` — every penalty decision (行政处罚决定), of any kind;
* ``fines`` — decisions of kind ``fine`` (罚款), the report's 经济处罚;
* ``fines_yuan`` — the sum of the fines' amounts, added in whole fen so that totals
  are exact and the same by town, by month or overall;
* ``confiscated_yuan`` — confiscated illegal gains (没收违法所得), shown apart so the
  fine total stays the report's figure.

A record: decision number (free text, ≤ 64 characters, e.g. 佛禅安监罚〔2013〕12号),
decision date, kind (``vocab.PENALTY_KINDS`` key or its Chinese label), amount in
yuan ≥ 0 with at most two decimals; a fine must be above 0; a warning or a
suspension carries no amount (record a fine that goes with it as its own decision);
the enterprise's credit code; and optionally the inspection or hazard that led to it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

from gridwatch.errors import InvalidInputError
from gridwatch.frames import require_columns
from gridwatch.registry.uscc import explain_uscc, normalise_uscc
from gridwatch.supervision._common import check_date, clean_text
from gridwatch.vocab import PENALTY_KINDS

MAX_DECISION_NO = 64  # penalties.decision_no is String(64)
_NO_AMOUNT = ("warning", "suspension")
_KIND_BY_LABEL = {label: code for code, label in PENALTY_KINDS.items()}


@dataclass(frozen=True)
class Penalty:
    """A checked penalty record (see the module docstring for the rules)."""

    decision_no: str
    decided_on: dt.date
    kind: str
    amount_yuan: float
    uscc: str
    inspection_id: int | None = None
    hazard_id: int | None = None

    def to_dict(self) -> dict:
        out = dict(self.__dict__)
        out["decided_on"] = self.decided_on.isoformat()
        return out


def _bad(msg: str, field: str) -> InvalidInputError:
    return InvalidInputError(msg, details={"field": field})


def _kind(kind: object) -> str:
    text = clean_text(kind if isinstance(kind, str) else str(kind), "kind") or ""
    code = _KIND_BY_LABEL.get(text, text.lower())
    if code not in PENALTY_KINDS:
        choices = ", ".join(f"{k} ({v})" for k, v in PENALTY_KINDS.items())
        raise _bad(f"Unknown penalty kind {text!r}; use one of {choices}.", "kind")
    return code


def _amount(value: object) -> Decimal:
    """Yuan as an exact Decimal with at most two decimals, >= 0."""
    if isinstance(value, float) and not math.isfinite(value):
        raise _bad(f"The amount {value} is not a number of yuan.", "amount_yuan")
    text = str(value).strip().replace(",", "").removesuffix("元")
    try:
        amount = Decimal(text) if text else Decimal(0)
    except InvalidOperation:
        raise _bad(f"The amount {value!r} is not a number of yuan.", "amount_yuan")
    if not amount.is_finite() or amount < 0:
        raise _bad(f"The amount {value!r} must be 0 or more yuan.", "amount_yuan")
    if amount != amount.quantize(Decimal("0.01")):
        raise _bad(
            f"The amount {value!r} has more than two decimals (fen).", "amount_yuan"
        )
    return amount


def _link(value: object, field: str) -> int | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise _bad(
            f"The {field.replace('_', ' ')} {value!r} is not a record id.", field
        )
    return int(value)


def validate_penalty(
    *,
    decision_no: object,
    decided_on: dt.date,
    kind: object,
    amount_yuan: object,
    uscc: object,
    inspection_id: object = None,
    hazard_id: object = None,
    today: dt.date | None = None,
) -> Penalty:
    """Check one penalty record (a form, an API call or an imported row).

    Parameters
    ----------
    decision_no : str
        Decision number, non-blank, at most 64 characters.
    decided_on : date
        Decision date; not after ``today`` when ``today`` is given.
    kind : str
        ``vocab.PENALTY_KINDS`` code or Chinese label (``罚款`` → ``fine``).
    amount_yuan : number or str
        Yuan (``"12,000.50"`` and ``"12000元"`` accepted), ≥ 0, two decimals at most;
        > 0 for a fine; 0 for a warning or a suspension.
    uscc : str
        The enterprise's unified social credit code (GB 32100-2015).
    inspection_id, hazard_id : int, optional
        The inspection or hazard that led to it.

    Returns
    -------
    Penalty

    Raises
    ------
    InvalidInputError
        One sentence naming the first wrong field (also in ``details["field"]``).

    >>> p = validate_penalty(decision_no="禅安监罚〔2024〕1号", kind="罚款",
    ...     decided_on=dt.date(2024, 5, 1), amount_yuan="20,000",
    ...     uscc="91350100M000100Y43")
    >>> p.kind, p.amount_yuan
    ('fine', 20000.0)
    """
    number = clean_text(None if decision_no is None else str(decision_no), "decision")
    if number is None:
        raise _bad("A penalty needs its decision number.", "decision_no")
    if len(number) > MAX_DECISION_NO:
        raise _bad(
            f"The decision number is longer than {MAX_DECISION_NO} characters.",
            "decision_no",
        )
    check_date(decided_on, "decided_on")
    if today is not None and decided_on > check_date(today, "today"):
        raise _bad(f"The decision date {decided_on} is in the future.", "decided_on")
    code = _kind(kind)
    amount = _amount(amount_yuan)
    if code == "fine" and amount == 0:
        raise _bad("A fine needs an amount above 0 yuan.", "amount_yuan")
    if code in _NO_AMOUNT and amount != 0:
        raise _bad(
            f"A {code} carries no amount; record the fine that goes with it "
            "as its own penalty.",
            "amount_yuan",
        )
    credit = normalise_uscc(uscc)
    why = explain_uscc(credit)
    if why:
        raise _bad(f"The enterprise's credit code is wrong: {why}.", "uscc")
    return Penalty(
        decision_no=number,
        decided_on=decided_on,
        kind=code,
        amount_yuan=float(amount),
        uscc=credit,
        inspection_id=_link(inspection_id, "inspection_id"),
        hazard_id=_link(hazard_id, "hazard_id"),
    )


def penalty_totals(
    penalties: pd.DataFrame,
    *,
    by: tuple[str, ...] = ("town_code", "month"),
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """Penalty counts and yuan, grouped by town and month (or as asked): ONE rule.

    Parameters
    ----------
    penalties : DataFrame
        Columns ``decided_on`` (dates), ``kind`` (``vocab.PENALTY_KINDS`` key),
        ``amount_yuan`` (float) and each column of ``by`` except the derived
        ``month`` (``YYYY-MM`` of ``decided_on``) and ``year``.
    by : tuple of str
        Grouping columns; ``()`` gives one overall row. Default town × month.
    start, end : date, optional
        Keep decisions dated ``start`` to ``end`` inclusive.

    Returns
    -------
    DataFrame
        ``by`` columns then ``penalties``, ``fines`` (int), ``fines_yuan`` and
        ``confiscated_yuan`` (float, exact to the fen), sorted by ``by``. Rows with
        a null grouping value are kept (as NaN), so the parts add up to the whole.

    >>> pens = pd.DataFrame({"town_code": ["440604011", "440604011", "440604100"],
    ...     "decided_on": [dt.date(2024, 3, 2), dt.date(2024, 3, 9),
    ...                    dt.date(2024, 4, 1)],
    ...     "kind": ["fine", "warning", "fine"], "amount_yuan": [0.1, 0.0, 0.2]})
    >>> penalty_totals(pens, by=()).to_dict("records")
    [{'penalties': 3, 'fines': 2, 'fines_yuan': 0.3, 'confiscated_yuan': 0.0}]
    """
    derived = {"month", "year"}
    need = ["decided_on", "kind", "amount_yuan", *(c for c in by if c not in derived)]
    require_columns(penalties, need, "penalties")
    frame = penalties.copy()
    day = pd.to_datetime(frame["decided_on"])
    keep = pd.Series(True, index=frame.index)
    if start is not None:
        keep &= day >= pd.Timestamp(check_date(start, "start"))
    if end is not None:
        keep &= day <= pd.Timestamp(check_date(end, "end"))
    frame, day = frame.loc[keep], day.loc[keep]
    frame["month"] = day.dt.strftime("%Y-%m")
    frame["year"] = day.dt.year
    fen = np.rint(pd.to_numeric(frame["amount_yuan"]).fillna(0) * 100).astype("int64")
    frame["penalties"] = 1
    frame["fines"] = (frame["kind"] == "fine").astype(int)
    frame["_fine_fen"] = np.where(frame["fines"] == 1, fen, 0)
    frame["_conf_fen"] = np.where(frame["kind"] == "confiscation", fen, 0)
    sums = ["penalties", "fines", "_fine_fen", "_conf_fen"]
    if by:
        out = frame.groupby(list(by), dropna=False)[sums].sum().reset_index()
        out = out.sort_values(list(by), ignore_index=True)
    else:
        out = frame[sums].sum().to_frame().T.astype("int64")
    out["fines_yuan"] = out.pop("_fine_fen") / 100
    out["confiscated_yuan"] = out.pop("_conf_fen") / 100
    return out.astype({"penalties": int, "fines": int})
