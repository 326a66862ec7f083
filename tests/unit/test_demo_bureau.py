"""The bureau's demo records: the seed's rates at the district's size."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from gridwatch.demo.bureau import SEED_YEAR, build_bureau_records

TODAY = dt.date(2026, 11, 30)


def _ents(n=7000):
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "uscc": [f"91X{i:06d}" for i in range(n)],
            "name": [f"企业{i}" for i in range(n)],
            "town_code": rng.choice(["T1", "T2", "T3"], n),
            "sector": rng.choice(["ceramics", "retail", "furniture", "textile"], n),
            "risk_level": rng.choice(["red", "orange", "yellow", "blue"], n),
            "is_three_in_one": rng.random(n) < 0.05,
        }
    )


def test_demo_records_follow_the_seeds_rates():
    demo = build_bureau_records(_ents(), ["T1", "T2", "T3"], TODAY, seed=1)
    f = demo.foundations
    tenth = 7000 / SEED_YEAR["units"]
    done_2025 = f[(f["标准化状态"] == "自评") & (f["标准化日期"] < dt.date(2026, 1, 1))]
    # a full previous year at 90 % of the seed's rate: 1743 x 0.1 x 0.9 = 157
    assert abs(len(done_2025) - SEED_YEAR["self_assessed"] * tenth * 0.9) < 40
    required = f[f["申报年度"] == 2026]
    assert abs(len(required) - SEED_YEAR["required"] * tenth) <= 1
    share = (required["申报状态"] == "已申报").mean()
    assert 0.9 < share < 0.99  # the seed's 95 %
    assert (
        f["申报年度"].dropna().map(type).eq(int).all() or f["申报年度"].dtype == "Int64"
    )


def test_demo_plants_the_veto_and_the_grade_check():
    demo = build_bureau_records(_ents(700), ["T1", "T2", "T3"], TODAY, seed=1)
    fire = [a for a in demo.accidents if a["occurred_on"] == dt.date(2026, 5, 24)]
    assert fire and fire[0]["deaths"] == 9 and fire[0]["grade"] == "较大"
    low = [a for a in demo.accidents if a.get("grade") == "一般"]
    assert low and low[0]["direct_loss_yuan"] >= 10_000_000
    towns = [
        t for t in demo.targets if t[0] == 2026 and t[1] == "safety_officers_trained"
    ]
    district = next(t[3] for t in towns if t[2] is None)
    assert sum(t[3] for t in towns if t[2] is not None) == district
    assert {(m[1], m[2]) for m in demo.manual if m[0] == 2026} == {
        (t, k) for t in ("T1", "T2", "T3") for k in ("meetings", "drills")
    }
