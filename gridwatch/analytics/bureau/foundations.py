"""Figures of the enterprises' safety foundations, and the bureau's targets.

* **Standardisation** (安全生产标准化): enterprises with a self-assessment
  (``self_assessed``) or a review (``reviewed``) done in the period, each
  enterprise once per step (the seed's 1,743 self-assessed and 1,610 reviewed).
* **Declarations** (职业病危害申报): the declaration rows of the period's year;
  an enterprise is *required* when it has a row (declared or missing) and has
  *declared* when its row says so with a date on or before the period's end
  (the seed's 1,868 of 1,961). The rate is declared / required.
* **Safety officers trained** (安全主任培训): officers whose training date lies
  in the period, each officer (enterprise + name) once.
* **Targets** are annual, set per indicator for the district and/or for each
  town/street (:data:`gridwatch.vocab.TARGET_INDICATORS`). A town's target is its
  own row; the district's is its own row, or, when the bureau set only town
  targets, their sum (said in the note). A period inside a year is measured
  against that year's target (progress towards it); a period spanning years
  against the target of the year it ends in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridwatch.analytics.bureau._rows import (
    month_of,
    on_or_before,
    tally_rows,
    town_of,
    within,
)
from gridwatch.analytics.bureau.period import Period
from gridwatch.analytics.bureau.records import Records
from gridwatch.analytics.bureau.tally import Tally

__all__ = [
    "declaration_rate",
    "declarations",
    "safety_officers_trained",
    "standardisation_reviewed",
    "standardisation_self_assessed",
    "target",
    "targets_by_town",
]


def _standardisation(key: str, status: str, rec: Records, p: Period) -> Tally:
    sr = rec.standardisation
    sr = sr[(sr["status"] == status).to_numpy() & within(sr["done_on"], p).to_numpy()]
    sr = sr.sort_values("done_on").drop_duplicates("enterprise_id")
    ents = rec.enterprises.set_index("enterprise_id")
    rows = tally_rows(
        sr,
        town_of(sr, rec.town_of()),
        1.0,
        month=month_of(sr["done_on"]).to_numpy(),
        enterprise_id=sr["enterprise_id"],
        uscc=sr["enterprise_id"].map(ents["uscc"]),
        name=sr["enterprise_id"].map(ents["name"]),
        level=sr["level"],
        done_on=sr["done_on"],
    )
    return Tally(key, rows)


def standardisation_self_assessed(rec: Records, p: Period) -> Tally:
    """Enterprises that completed the standardisation self-assessment (自评)."""
    return _standardisation("standardisation_self_assessed", "self_assessed", rec, p)


def standardisation_reviewed(rec: Records, p: Period) -> Tally:
    """Enterprises whose standardisation was reviewed (评审) in the period."""
    return _standardisation("standardisation_reviewed", "reviewed", rec, p)


def _declaration_rows(rec: Records, p: Period) -> pd.DataFrame:
    dc = rec.declarations
    dc = dc[(pd.to_numeric(dc["year"]) == p.year).to_numpy()]
    dc = dc[dc["status"].isin(["declared", "missing"]).to_numpy()]
    done = (dc["status"] == "declared") & on_or_before(dc["declared_on"], p.end)
    ents = rec.enterprises.set_index("enterprise_id")
    return tally_rows(
        dc,
        town_of(dc, rec.town_of()),
        done.astype(float),
        1.0,
        enterprise_id=dc["enterprise_id"],
        uscc=dc["enterprise_id"].map(ents["uscc"]),
        name=dc["enterprise_id"].map(ents["name"]),
        declared=done.to_numpy(),
        declared_on=dc["declared_on"],
    )


def declarations(rec: Records, p: Period) -> Tally:
    """Required declarations of the year, ``num`` = declared: the value is the
    declared count, the denominator the enterprises required to declare."""
    return Tally("declarations", _declaration_rows(rec, p), "count")


def declaration_rate(rec: Records, p: Period) -> Tally:
    """Declared / required (the seed's 1,868 / 1,961 = 95.3 %)."""
    return Tally("declaration_rate", _declaration_rows(rec, p), "rate")


def safety_officers_trained(rec: Records, p: Period) -> Tally:
    """Safety officers trained in the period (the seed's 4,471)."""
    of = rec.officers
    of = of[within(of["trained_on"], p).to_numpy()]
    of = of.sort_values("trained_on").drop_duplicates(["enterprise_id", "name"])
    ents = rec.enterprises.set_index("enterprise_id")
    rows = tally_rows(
        of,
        town_of(of, rec.town_of()),
        1.0,
        month=month_of(of["trained_on"]).to_numpy(),
        officer_id=of["officer_id"],
        enterprise_id=of["enterprise_id"],
        uscc=of["enterprise_id"].map(ents["uscc"]),
        enterprise=of["enterprise_id"].map(ents["name"]),
        officer=of["name"],
        trained_on=of["trained_on"],
    )
    return Tally("safety_officers_trained", rows)


def targets_by_town(rec: Records, indicator: str, year: int) -> dict[str, float]:
    """``{town code: target}`` for the towns the bureau set one for."""
    tg = rec.targets
    keep = (tg["indicator"] == indicator) & (pd.to_numeric(tg["year"]) == year)
    keep &= tg["unit_code"] != rec.district_code
    tg = tg[keep.to_numpy()]
    return {str(u): float(v) for u, v in zip(tg["unit_code"], tg["value"])}


def target(
    rec: Records, indicator: str, year: int, town: str | None = None
) -> tuple[float | None, str]:
    """(target, note) for the records' scope (``town`` None) or one town.

    The scope is the district, or the street of a street office's records.

    The note is empty, or says the district's target is the sum of the towns'.

    >>> import datetime as dt
    >>> from gridwatch.analytics.bureau.records import Records
    >>> t = pd.DataFrame({"year": [2026] * 2, "indicator": ["declarations"] * 2,
    ...                   "unit_code": ["440604011", "440604003"], "value": [60, 40]})
    >>> r = Records("440604", {}, dt.date(2026, 6, 1), targets=t)
    >>> target(r, "declarations", 2026), target(r, "declarations", 2026, "440604011")
    ((100.0, '全区目标为各镇（街道）目标之和'), (60.0, ''))
    """
    tg = rec.targets
    keep = (tg["indicator"] == indicator) & (pd.to_numeric(tg["year"]) == year)
    if town is None and rec.scope_town:
        town = rec.scope_town
    if town is not None:
        towns = targets_by_town(rec, indicator, year)
        return towns.get(town), ""
    own = tg[keep.to_numpy() & (tg["unit_code"] == rec.district_code).to_numpy()]
    if len(own):
        return float(own["value"].iloc[0]), ""
    towns = targets_by_town(rec, indicator, year)
    if towns:
        return float(np.sum(list(towns.values()))), "全区目标为各镇（街道）目标之和"
    return None, ""
