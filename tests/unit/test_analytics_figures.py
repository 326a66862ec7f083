"""Year-on-year change, percent of target and the report's number formats."""

from __future__ import annotations

import doctest

import pytest

import gridwatch.analytics.figures as figures_mod
from gridwatch.analytics.figures import (
    Figure,
    change_phrase,
    format_percent,
    format_value,
    format_wan_yuan,
    pct_of_target,
    points_change,
    round_half_up,
    yoy_change,
    yoy_list_phrase,
)


def test_yoy_change_matches_the_seed_penalties():
    c = yoy_change(432, 205)
    assert c.kind == "up"
    assert c.ratio == pytest.approx((432 - 205) / 205)
    assert c.text == "同比增长110.7%"


def test_yoy_change_matches_the_seed_fines():
    assert yoy_change(153, 68).text == "同比增长125%"


def test_yoy_change_zero_last_year_is_new_not_a_division():
    c = yoy_change(3, 0)
    assert c.kind == "new" and c.ratio is None
    assert c.text == "上年同期为零"


def test_yoy_change_both_zero_is_no_change():
    c = yoy_change(0, 0)
    assert c.kind == "same" and c.ratio == 0.0
    assert c.text == "与上年同期持平"


def test_yoy_change_fall_to_zero_is_minus_100_percent():
    c = yoy_change(0, 40)
    assert c.kind == "down" and c.ratio == -1.0
    assert c.text == "同比下降100%"


def test_yoy_change_without_last_year_is_unknown():
    assert yoy_change(5, None).kind == "unknown"
    assert yoy_change(None, 5).text == "无上年同期数据"


def test_yoy_change_rejects_negative_figures():
    with pytest.raises(ValueError, match="non-negative"):
        yoy_change(-1, 5)


def test_yoy_change_rejects_non_numbers():
    with pytest.raises(TypeError, match="number"):
        yoy_change("432", 205)


def test_points_change_for_rates():
    assert points_change(0.95, 0.90).text == "同比提高5个百分点"
    assert points_change(0.875, 0.9).text == "同比下降2.5个百分点"
    assert points_change(0.9, 0.9).kind == "same"


def test_pct_of_target_matches_the_seed():
    assert format_percent(pct_of_target(1743, 1490)) == "117%"
    assert format_percent(pct_of_target(1610, 1490)) == "108.1%"
    assert format_percent(pct_of_target(4471, 4300)) == "104%"


def test_pct_of_target_without_target_is_none():
    assert pct_of_target(10, 0) is None
    assert pct_of_target(10, None) is None
    assert pct_of_target(None, 10) is None


def test_round_half_up_is_not_bankers_rounding():
    assert round_half_up(0.125, 2) == 0.13
    assert round_half_up(108.05, 1) == 108.1
    assert round_half_up(2.5, 0) == 3.0


def test_format_percent_drops_only_trailing_zeros():
    assert format_percent(1.0) == "100%"
    assert format_percent(0.1050) == "10.5%"
    assert format_percent(0.0) == "0%"


def test_format_wan_yuan_matches_the_seed():
    assert format_wan_yuan(2_196_200) == "219.62万元"
    assert format_wan_yuan(2_196_249) == "219.62万元"
    assert format_wan_yuan(2_196_250) == "219.63万元"


def test_format_value_units():
    assert format_value(49718, "家") == "49718家"
    assert format_value(0.95258, "%") == "95.3%"
    assert format_value(None, "次") == "—"


def test_change_phrase_down():
    assert change_phrase(yoy_change(28, 32)) == "同比下降12.5%"


def test_yoy_list_phrase_all_up_like_the_seed():
    changes = [yoy_change(432, 205), yoy_change(153, 68), yoy_change(100, 50)]
    assert yoy_list_phrase(changes) == "同比分别增长110.7%、125%和100%"


def test_yoy_list_phrase_mixed_directions_names_each():
    changes = [yoy_change(432, 205), yoy_change(50, 100), yoy_change(7, 7)]
    assert yoy_list_phrase(changes) == "同比分别增长110.7%、下降50%和持平"


def test_figure_carries_its_comparison():
    f = Figure("penalties", "行政处罚", 432, "次", previous=205)
    assert f.text == "432次" and f.yoy_text == "同比增长110.7%"
    assert f.pct_text == "—"
    t = Figure("officers", "安全主任培训", 4471, "人", target=4300)
    assert t.pct_of_target == pytest.approx(4471 / 4300)
    assert t.pct_text == "104%" and t.target_text == "4300人"


def test_figure_money_and_rate_units():
    money = Figure("fine_amount", "经济处罚额", 2_196_200, "元", previous=1_360_000)
    assert money.text == "219.62万元"
    assert money.yoy_text == "同比增长61.5%"
    rate = Figure("coverage", "覆盖率", 0.95, "%", previous=0.9, compare="points")
    assert rate.text == "95%" and rate.yoy_text == "同比提高5个百分点"


def test_figure_rejects_unknown_compare():
    with pytest.raises(ValueError, match="compare"):
        Figure("x", "x", 1, compare="ratio")


def test_docstring_examples_hold():
    assert doctest.testmod(figures_mod).failed == 0
