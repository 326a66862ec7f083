"""Responsibility assessment: grades, rules at their edges, veto, ranking, schemes."""

from __future__ import annotations

import datetime as dt
import doctest
import importlib

import pytest

from gridwatch.analytics.assessment import (
    Accident,
    DeductRule,
    LinearRule,
    Measured,
    StepRule,
    accident_grade,
    default_scheme,
    load_scheme,
    parse_scheme,
    score,
)
from gridwatch.errors import InvalidInputError

D = dt.date(2026, 5, 24)


def _scheme(**veto):
    """Three indicators: linear rate, deduct count, manual step; weights 100."""
    return parse_scheme(
        {
            "scheme": {"name": "测试方案"},
            "veto": veto or {"min_grade": "较大"},
            "grades": [
                {"name": "优秀", "min_score": 90},
                {"name": "合格", "min_score": 60},
            ],
            "indicators": [
                {
                    "key": "coverage",
                    "name": "检查覆盖率",
                    "source": "coverage_rate",
                    "weight": 60,
                    "rule": "linear",
                    "full_at": 95,
                    "zero_at": 60,
                },
                {
                    "key": "overdue",
                    "name": "逾期重大隐患",
                    "source": "overdue_major_hazards",
                    "weight": 30,
                    "rule": "deduct",
                    "per_item": 10,
                },
                {
                    "key": "drills",
                    "name": "应急演练",
                    "source": "manual",
                    "unit": "场",
                    "weight": 10,
                    "rule": "step",
                    "steps": [[2, 10], [1, 5]],
                },
            ],
        }
    )


def _figs(cov, overdue, drills):
    return {
        "coverage_rate": cov,
        "overdue_major_hazards": overdue,
        "drills": Measured(drills, note="演练记录"),
    }


# --- accident grades (Decree No. 493 Article 3) -------------------------------


@pytest.mark.parametrize(
    ("deaths", "injuries", "loss", "grade"),
    [
        (0, 0, 0, "ordinary"),
        (2, 9, 9_999_999, "ordinary"),
        (3, 0, 0, "relatively_serious"),
        (0, 10, 0, "relatively_serious"),
        (0, 0, 10_000_000, "relatively_serious"),
        (9, 49, 49_999_999, "relatively_serious"),
        (10, 0, 0, "serious"),
        (0, 50, 0, "serious"),
        (0, 0, 50_000_000, "serious"),
        (29, 99, 99_999_999, "serious"),
        (30, 0, 0, "especially_serious"),
        (0, 100, 0, "especially_serious"),
        (0, 0, 100_000_000, "especially_serious"),
    ],
)
def test_accident_grade_thresholds_include_the_number(deaths, injuries, loss, grade):
    assert accident_grade(deaths, injuries, loss) == grade


def test_accident_grade_worst_criterion_wins():
    assert accident_grade(1, 60, 0) == "serious"


def test_accident_grade_rejects_negative():
    with pytest.raises(ValueError, match="deaths"):
        accident_grade(-1, 0, 0)


def test_accident_rejects_unknown_grade():
    with pytest.raises(InvalidInputError, match="较大"):
        Accident(D, grade="big")


# --- rules at their edges ------------------------------------------------------


def test_linear_rule_edges_higher_is_better():
    r = LinearRule(full_at=95, zero_at=60)
    assert r.points(95, 10) == 10 and r.points(94.99, 10) < 10
    assert r.points(60, 10) == 0 and r.points(60.01, 10) > 0
    assert r.points(0, 10) == 0 and r.points(100, 10) == 10
    assert r.points(77.5, 10) == pytest.approx(5)


def test_linear_rule_edges_lower_is_better():
    r = LinearRule(full_at=0, zero_at=5)
    assert r.points(0, 10) == 10 and r.points(5, 10) == 0
    assert r.points(2.5, 10) == pytest.approx(5) and r.points(9, 10) == 0


def test_step_rule_edges():
    r = StepRule(((2, 10), (1, 5)), "at_least")
    assert (
        r.points(2, 10),
        r.points(1.999, 10),
        r.points(1, 10),
        r.points(0.999, 10),
    ) == (10, 5, 5, 0)
    low = StepRule(((0, 10), (2, 4)), "at_most", otherwise=1)
    assert (
        low.points(0, 10),
        low.points(1, 10),
        low.points(2, 10),
        low.points(3, 10),
    ) == (10, 4, 4, 1)


def test_deduct_rule_edges_and_cap():
    r = DeductRule(per_item=2, allowance=1, cap=6)
    assert r.points(0, 10) == 10 and r.points(1, 10) == 10
    assert r.points(2, 10) == 8 and r.points(4, 10) == 4
    assert r.points(5, 10) == 4 and r.points(50, 10) == 4  # capped at 6
    assert DeductRule(per_item=3).points(4, 10) == 0  # never below zero


# --- scoring -------------------------------------------------------------------


def test_score_points_and_figures_behind_them():
    res = score(
        _scheme(),
        {"Z": _figs(Measured.ratio(190, 200), 1, 1)},
        unit_names={"Z": "张槎街道"},
    )
    z = res.unit("Z")
    assert z.name == "张槎街道"
    cov = z.indicator("coverage")
    assert cov.points == 60 and cov.value == pytest.approx(95)
    assert cov.measured.numerator == 190 and cov.measured.denominator == 200
    assert "95%" in cov.explanation and "60分" in cov.explanation
    assert z.indicator("overdue").points == 20
    drills = z.indicator("drills")
    assert drills.points == 5 and drills.measured.note == "演练记录"
    assert z.total == 85 and z.grade == "合格" and z.rank == 1


def test_score_rounds_points_and_total_adds_up():
    res = score(_scheme(), {"A": _figs(0.8, 0, 0)})
    a = res.unit("A")
    assert a.indicator("coverage").points == 34.29  # 60 * 20/35 = 34.2857
    assert a.total == round(sum(s.points for s in a.indicators), 2)


def test_score_missing_figure_is_zero_and_marked():
    a = score(_scheme(), {"A": {"coverage_rate": 0.99}}).unit("A")
    assert a.indicator("drills").status == "missing"
    assert a.indicator("drills").points == 0
    assert a.indicator("overdue").status == "missing"


def test_score_not_applicable_rate_follows_the_scheme():
    a = score(_scheme(), {"A": _figs(Measured.ratio(0, 0), 0, 2)}).unit("A")
    assert a.indicator("coverage").status == "not_applicable"
    assert a.indicator("coverage").points == 60


def test_score_refuses_rates_given_in_percent():
    with pytest.raises(InvalidInputError, match="fractions"):
        score(_scheme(), {"A": _figs(95, 0, 1)})


def test_veto_relatively_serious_accident_fails_the_unit():
    acc = Accident(D, deaths=9, place="某家具厂")
    res = score(_scheme(), {"A": _figs(1.0, 0, 2), "B": _figs(0.7, 2, 0)}, {"A": [acc]})
    a = res.unit("A")
    assert a.total == 100 and a.is_vetoed and a.grade == "不合格"
    assert "较大事故" in a.veto_reason and "一票否决" in a.veto_reason
    assert "死亡9人" in a.veto_reason
    assert [u.unit for u in res.units] == ["B", "A"]
    assert a.rank == 2


def test_veto_ordinary_accident_does_not_fail():
    acc = Accident(D, deaths=2, serious_injuries=9, direct_loss_yuan=9_000_000)
    a = score(_scheme(), {"A": _figs(1.0, 0, 2)}, {"A": [acc]}).unit("A")
    assert not a.is_vetoed and a.grade == "优秀"


def test_veto_uses_the_worse_of_recorded_and_computed_grade():
    acc = Accident(D, deaths=3, grade="一般")
    a = score(_scheme(), {"A": _figs(1.0, 0, 2)}, {"A": [acc]}).unit("A")
    assert a.is_vetoed and "记录为一般事故" in a.veto_reason


def test_veto_ignores_accidents_outside_the_period():
    acc = Accident(dt.date(2025, 12, 31), deaths=5)
    period = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    a = score(_scheme(), {"A": _figs(1.0, 0, 2)}, {"A": [acc]}, period=period)
    assert not a.unit("A").is_vetoed


def test_veto_min_grade_is_part_of_the_scheme():
    acc = Accident(D, deaths=5)
    strict = _scheme(min_grade="重大")
    assert not score(strict, {"A": _figs(1, 0, 2)}, {"A": [acc]}).unit("A").is_vetoed
    off = _scheme(enabled=False)
    assert not score(off, {"A": _figs(1, 0, 2)}, {"A": [acc]}).unit("A").is_vetoed


def test_score_refuses_accidents_of_units_not_assessed():
    with pytest.raises(InvalidInputError, match="X"):
        score(_scheme(), {"A": _figs(1, 0, 0)}, {"X": [Accident(D, deaths=3)]})


def test_ranking_ties_share_a_rank_and_vetoed_rank_last():
    figs = {
        "A": _figs(0.95, 0, 2),
        "B": _figs(0.95, 0, 2),
        "C": _figs(0.6, 3, 0),
        "D": _figs(1.0, 0, 2),
        "E": _figs(0.9, 0, 2),
    }
    res = score(
        _scheme(),
        figs,
        {"D": [Accident(D, deaths=4)], "E": [Accident(D, serious_injuries=12)]},
    )
    ranks = {u.unit: (u.rank, u.is_tied, u.is_vetoed) for u in res.units}
    assert ranks["A"] == (1, True, False) and ranks["B"] == (1, True, False)
    assert ranks["C"] == (3, False, False)
    assert ranks["D"] == (4, False, True)  # vetoed, though its total is the best
    assert ranks["E"] == (5, False, True)
    assert [u.unit for u in res.units] == ["A", "B", "C", "D", "E"]


def test_rescoring_a_past_period_after_a_scheme_change():
    figs = {"A": _figs(0.8, 0, 2), "B": _figs(0.95, 2, 2)}
    before = score(_scheme(), figs)
    assert [u.unit for u in before.units] == ["B", "A"]
    data = _scheme().to_dict()
    data["indicators"][0]["weight"] = 30  # coverage counts less ...
    data["indicators"][1]["weight"] = 60  # ... overdue major hazards more
    changed = parse_scheme(data)
    after = score(changed, figs)
    assert [u.unit for u in after.units] == ["A", "B"]
    assert after.unit("B").indicator("overdue").points == 40
    assert changed.digest != _scheme().digest
    # the first result is unchanged: re-scoring stores nothing
    assert before.unit("B").indicator("overdue").points == 10


def test_ranking_rows_have_chinese_headers():
    rows = score(_scheme(), {"A": _figs(1, 0, 2)}).ranking_rows()
    assert rows[0]["排名"] == 1 and rows[0]["总分"] == 100
    assert rows[0]["检查覆盖率（60分）"] == 60 and rows[0]["一票否决"] == "否"


# --- scheme validation -----------------------------------------------------------


def _raw():
    return _scheme().to_dict()


def _errors(data) -> list[str]:
    with pytest.raises(InvalidInputError) as exc:
        parse_scheme(data)
    return exc.value.details["errors"]


def test_scheme_to_dict_round_trips():
    assert parse_scheme(_raw()) == _scheme()


def test_scheme_weights_must_add_up():
    data = _raw()
    data["indicators"][0]["weight"] = 55
    errs = _errors(data)
    assert errs == ["The indicator weights add up to 95, not 100; adjust them."]


def test_scheme_unknown_source_names_the_indicator():
    data = _raw()
    data["indicators"][0]["source"] = "coverage"
    (err,) = _errors(data)
    assert err.startswith('Indicator "coverage" (检查覆盖率): unknown data source')


def test_scheme_inverted_thresholds_named():
    data = _raw()
    data["indicators"][0].update(full_at=60, zero_at=95)
    (err,) = _errors(data)
    assert '"coverage"' in err and "swap them" in err


def test_scheme_unknown_field_named():
    data = _raw()
    data["indicators"][0]["ful_at"] = 90
    (err,) = _errors(data)
    assert "ful_at" in err and '"coverage"' in err


def test_scheme_deduct_on_higher_is_better_refused():
    data = _raw()
    ind = data["indicators"][0]
    for k in ("full_at", "zero_at"):
        del ind[k]
    ind.update(rule="deduct", per_item=1)
    (err,) = _errors(data)
    assert "higher is better" in err


def test_scheme_step_points_above_weight_refused():
    data = _raw()
    data["indicators"][2]["steps"] = [[2, 12], [1, 5]]
    (err,) = _errors(data)
    assert '"drills"' in err and "outside 0 to the weight 10" in err


def test_scheme_manual_needs_unit_and_keys_unique():
    data = _raw()
    data["indicators"][2]["unit"] = ""
    data["indicators"][1]["key"] = "coverage"
    errs = _errors(data)
    assert any("needs a unit" in e for e in errs)
    assert any("keys must be unique" in e for e in errs)


def test_scheme_reports_every_problem_in_one_error():
    data = _raw()
    data["indicators"][0]["weight"] = -1
    data["veto"]["min_grade"] = "huge"
    with pytest.raises(InvalidInputError) as exc:
        parse_scheme(data)
    assert len(exc.value.details["errors"]) == 3
    assert "2 more problem(s)" in exc.value.user_msg


def test_load_scheme_reads_toml_and_yaml(tmp_path):
    toml = tmp_path / "s.toml"
    toml.write_text(
        '[scheme]\nname = "甲"\n[[indicators]]\nkey = "c"\nname = "覆盖率"\n'
        'source = "coverage_rate"\nweight = 100\nrule = "linear"\n'
        "full_at = 95\nzero_at = 60\n",
        "utf-8",
    )
    yaml = tmp_path / "s.yaml"
    yaml.write_text(
        "scheme: {name: 甲}\nindicators:\n- {key: c, name: 覆盖率, "
        "source: coverage_rate, weight: 100, rule: linear, full_at: 95, "
        "zero_at: 60}\n",
        "utf-8",
    )
    assert load_scheme(toml) == load_scheme(yaml)


def test_load_scheme_bad_toml_is_one_sentence(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text("[scheme\n", "utf-8")
    with pytest.raises(InvalidInputError, match="not valid TOML"):
        load_scheme(p)


def test_default_scheme_is_valid_and_chinese():
    s = default_scheme()
    assert sum(i.weight for i in s.indicators) == 100
    assert s.veto.min_grade == "relatively_serious"
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in i.name) for i in s.indicators)
    manual = [i for i in s.indicators if i.source == "manual"]
    assert {i.key for i in manual} == {"meetings", "drills"}


@pytest.mark.parametrize(
    "module", ["accidents", "rules", "scheme", "scoring", "sources"]
)
def test_docstring_examples_hold(module):
    mod = importlib.import_module(f"gridwatch.analytics.assessment.{module}")
    assert doctest.testmod(mod).failed == 0


def test_score_manual_percent_figure_is_shown_as_typed():
    data = _scheme().to_dict()
    data["indicators"][2].update(unit="%", steps=[[90, 10], [50, 5]])
    a = score(parse_scheme(data), {"A": _figs(1, 0, 92)}).unit("A")
    assert a.indicator("drills").points == 10
    assert "92%" in a.indicator("drills").explanation
