"""The bureau's own demo records: standardisation, declarations, safety officers,
accidents, annual targets and the manual assessment figures.

Scaled from the bureau's report year to the number of enterprises given (the
seed's district has 70,000 units): per year 1,743 standardisation
self-assessments and 1,610 reviews against targets of 1,490 each (117 % and
108.1 %), 1,868 of 1,961 required occupational-hazard declarations (95 %),
4,471 safety officers trained against 4,300 (104 %). The year before is a
little weaker (its achievements ~90 % of these), so the year-on-year changes
have something to show. The report gives no accident count: about 30 一般
accidents a year at 70,000 units (deaths 0-2 each) is gridwatch's assumption,
and the seed's "5.24" fire in a 三合一 workshop (9 deaths, 较大) happens in the
current year, so the veto has a case; in the previous year one accident is
recorded 一般 although its direct loss makes it 较大, so the grade check has one.

Dates in the running year stop at ``today``, so its counts are year to date
(about 91 % of a year at the end of November): the targets are annual.
Pure: frames and plain records out; the services store them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gridwatch.demo.people import _full_names
from gridwatch.frames import require_columns

__all__ = ["SEED_YEAR", "BureauDemo", "build_bureau_records"]

#: The seed's figures (a district of 70,000 units).
SEED_YEAR = {
    "units": 70_000,
    "self_assessed": 1743,
    "reviewed": 1610,
    "std_target": 1490,
    "declared": 1868,
    "required": 1961,
    "officers": 4471,
    "officer_target": 4300,
    "accidents": 30,  # assumption, see the module docstring
}
PREVIOUS_YEAR_FACTOR = 0.9
#: Sectors with occupational hazards (dust, noise, solvents) that must declare.
DECLARING_SECTORS = (
    "ceramics",
    "sanitary_ware",
    "furniture",
    "al_mg_machining",
    "nonferrous_metals",
    "metal_products",
    "textile",
    "plastics",
    "printing",
    "hazchem",
)
_RISK_WEIGHT = {"red": 3.0, "orange": 2.0, "yellow": 1.0, "blue": 0.5}


@dataclass
class BureauDemo:
    """What :func:`build_bureau_records` makes.

    ``foundations``: rows keyed by the import file's Chinese headers;
    ``accidents``: keyword arguments of ``record_accident``; ``targets``:
    (year, indicator, unit code or None for the district, value); ``manual``:
    (year, town code, indicator, value, note).
    """

    foundations: pd.DataFrame
    accidents: list[dict] = field(default_factory=list)
    targets: list[tuple] = field(default_factory=list)
    manual: list[tuple] = field(default_factory=list)


def _year_days(year: int, today: dt.date) -> tuple[dt.date, int]:
    start = dt.date(year, 1, 1)
    end = min(dt.date(year, 12, 31), today)
    return start, (end - start).days + 1


def _dates(rng, year: int, today: dt.date, n: int) -> list[dt.date]:
    start, days = _year_days(year, today)
    return [start + dt.timedelta(days=int(d)) for d in rng.integers(0, days, n)]


def _pick(rng, weights: np.ndarray, n: int) -> np.ndarray:
    n = min(n, int((weights > 0).sum()))
    if n <= 0:
        return np.array([], dtype=int)
    return rng.choice(len(weights), size=n, replace=False, p=weights / weights.sum())


def _count(rng, per_70k: float, n_units: int, factor: float) -> int:
    return int(rng.poisson(per_70k * n_units / SEED_YEAR["units"] * factor))


def _part_of_year(year: int, today: dt.date) -> float:
    return _year_days(year, today)[1] / 365.0


def _standardisation(rng, ents, years, today) -> list[dict]:
    w = ents["risk_level"].map(_RISK_WEIGHT).fillna(1.0).to_numpy(float)
    rows = []
    for year, factor in years:
        share = _part_of_year(year, today) * factor
        n_self = _count(rng, SEED_YEAR["self_assessed"], len(ents), share)
        picked = _pick(rng, w, n_self)
        days = _dates(rng, year, today, len(picked))
        for i, day in zip(picked, days):
            rows.append(
                {
                    "统一社会信用代码": ents["uscc"].iloc[i],
                    "标准化状态": "自评",
                    "标准化日期": day,
                }
            )
        n_rev = _count(rng, SEED_YEAR["reviewed"], len(ents), share)
        for i in _pick(rng, w, n_rev):
            day = _dates(rng, year, today, 1)[0]
            level = rng.choice(["三级", "三级", "二级", "小微"])
            rows.append(
                {
                    "统一社会信用代码": ents["uscc"].iloc[i],
                    "标准化状态": "评审",
                    "标准化等级": level,
                    "标准化日期": day,
                }
            )
    return rows


def _declarations(rng, ents, years, today) -> list[dict]:
    declaring = ents["sector"].isin(DECLARING_SECTORS).to_numpy()
    w = np.where(declaring, 1.0, 0.02)
    n_required = round(SEED_YEAR["required"] * len(ents) / SEED_YEAR["units"])
    required = _pick(rng, w, max(n_required, 1))
    rate = SEED_YEAR["declared"] / SEED_YEAR["required"]
    rows = []
    for year, factor in years:
        start, days = _year_days(year, today)
        # declarations come in through the first half of the year
        window = min(days, 181)
        for i in required:
            if rng.random() < rate * (factor if factor < 1 else 1.0):
                day = start + dt.timedelta(days=int(rng.integers(0, window)))
                rows.append(
                    {
                        "统一社会信用代码": ents["uscc"].iloc[i],
                        "申报年度": year,
                        "申报状态": "已申报",
                        "申报日期": day,
                    }
                )
            else:
                rows.append(
                    {
                        "统一社会信用代码": ents["uscc"].iloc[i],
                        "申报年度": year,
                        "申报状态": "应报未报",
                    }
                )
    return rows


def _officers(rng, ents, years, today) -> list[dict]:
    rows = []
    names = {}
    for year, factor in years:
        share = _part_of_year(year, today) * factor
        n = _count(rng, SEED_YEAR["officers"], len(ents), share)
        picked = _pick(rng, np.ones(len(ents)), n)
        fresh = [i for i in picked if i not in names]
        for i, name in zip(fresh, _full_names(rng, len(fresh))):
            names[i] = name
        for i, day in zip(picked, _dates(rng, year, today, len(picked))):
            rows.append(
                {
                    "统一社会信用代码": ents["uscc"].iloc[i],
                    "安全主任": names[i],
                    "培训日期": day,
                }
            )
    untrained = _pick(rng, np.ones(len(ents)), max(1, len(ents) // 50))
    for i, name in zip(untrained, _full_names(rng, len(untrained))):
        if i not in names:
            rows.append({"统一社会信用代码": ents["uscc"].iloc[i], "安全主任": name})
    return rows


def _accidents(rng, ents, years, today) -> list[dict]:
    w = ents["risk_level"].map(_RISK_WEIGHT).fillna(1.0).to_numpy(float)
    out = []
    for year, factor in years:
        share = _part_of_year(year, today) * factor
        n = max(1, _count(rng, SEED_YEAR["accidents"], len(ents), share))
        for i, day in zip(_pick(rng, w, n), _dates(rng, year, today, n)):
            deaths = int(rng.choice([0, 0, 0, 0, 0, 0, 0, 1, 1, 2]))
            out.append(
                {
                    "occurred_on": day,
                    "uscc": ents["uscc"].iloc[i],
                    "place": ents["name"].iloc[i],
                    "deaths": deaths,
                    "serious_injuries": int(rng.integers(0, 4)),
                    "direct_loss_yuan": float(rng.integers(2, 80)) * 10_000,
                    "description": "示范数据：一般生产安全事故",
                }
            )
    return out


def _named_accidents(rng, ents, current: int, today: dt.date) -> list[dict]:
    """The seed's 5.24 fire (current year) and one grade recorded too low
    (previous year)."""
    out = []
    three = ents.index[ents["is_three_in_one"].fillna(False).astype(bool)]
    pool = three if len(three) else ents.index
    fire_day = dt.date(current, 5, 24)
    if fire_day <= today:
        i = ents.index.get_loc(pool[int(rng.integers(len(pool)))])
        out.append(
            {
                "occurred_on": fire_day,
                "uscc": ents["uscc"].iloc[i],
                "place": ents["name"].iloc[i],
                "grade": "较大",
                "deaths": 9,
                "serious_injuries": 2,
                "direct_loss_yuan": 3_200_000.0,
                "ref": f"禅安事〔{current}〕5号",
                "description": "示范数据：“三合一”场所火灾（仿报告中的“5.24”较大火灾事故）",
            }
        )
    i = int(rng.integers(len(ents)))
    out.append(
        {
            "occurred_on": dt.date(current - 1, 9, 8),
            "uscc": ents["uscc"].iloc[i],
            "place": ents["name"].iloc[i],
            "grade": "一般",
            "deaths": 1,
            "serious_injuries": 0,
            "direct_loss_yuan": 10_600_000.0,
            "ref": f"禅安事〔{current - 1}〕9号",
            "description": "示范数据：记录为一般事故，但直接经济损失已达较大事故标准",
        }
    )
    return out


def _targets(ents, towns, years) -> list[tuple]:
    n = len(ents)
    per_town = ents["town_code"].value_counts()
    out = []
    goals = {
        "standardisation_self_assessed": SEED_YEAR["std_target"],
        "standardisation_reviewed": SEED_YEAR["std_target"],
        "safety_officers_trained": SEED_YEAR["officer_target"],
    }
    for year, _factor in years:
        for indicator, per_70k in goals.items():
            total = max(1, round(per_70k * n / SEED_YEAR["units"]))
            out.append((year, indicator, None, total))
            codes = [c for c in towns if per_town.get(c, 0)]
            shares = [round(total * per_town[c] / n) for c in codes]
            if codes:
                shares[-1] = max(0, total - sum(shares[:-1]))
            out += [(year, indicator, c, v) for c, v in zip(codes, shares)]
    return out


def _manual(rng, towns, years) -> list[tuple]:
    out = []
    for year, _ in years:
        for code in towns:
            meetings, drills = int(rng.integers(2, 6)), int(rng.integers(1, 5))
            out.append(
                (
                    year,
                    code,
                    "meetings",
                    meetings,
                    f"示范数据：党政联席会议纪要{meetings}份",
                )
            )
            out.append(
                (year, code, "drills", drills, f"示范数据：演练方案和记录{drills}份")
            )
    return out


def build_bureau_records(
    enterprises: pd.DataFrame,
    towns: list[str],
    today: dt.date,
    seed: int = 20131,
) -> BureauDemo:
    """The bureau's records for the current and the previous year.

    Parameters
    ----------
    enterprises : DataFrame
        ``uscc``, ``name``, ``town_code``, ``sector``, ``risk_level``,
        ``is_three_in_one`` (the registry as stored).
    towns : list of str
        The towns/streets' codes.
    today : date
        The running year ends here.
    seed : int
    """
    require_columns(
        enterprises,
        ["uscc", "name", "town_code", "sector", "risk_level", "is_three_in_one"],
        "enterprises",
    )
    rng = np.random.default_rng(seed + 12)
    ents = enterprises.reset_index(drop=True)
    years = [(today.year - 1, PREVIOUS_YEAR_FACTOR), (today.year, 1.0)]
    rows = (
        _standardisation(rng, ents, years, today)
        + _declarations(rng, ents, years, today)
        + _officers(rng, ents, years, today)
    )
    accidents = _accidents(rng, ents, years, today)
    accidents += _named_accidents(rng, ents, today.year, today)
    frame = pd.DataFrame(rows)
    frame["申报年度"] = frame["申报年度"].astype("Int64")  # 2026, not 2026.0
    return BureauDemo(
        frame,
        sorted(accidents, key=lambda a: a["occurred_on"]),
        _targets(ents, towns, years),
        _manual(rng, towns, years),
    )
