"""Working days (weekends, public holidays, 调休) and the plan window."""

import datetime as dt
import io

import pandas as pd
import pytest

from gridwatch.errors import InvalidInputError
from gridwatch.patrol.calendar import library_years, make_calendar, read_holiday_file
from gridwatch.patrol.window import make_window

D = dt.date

# 国办发明电〔2025〕7号: the 2026 arrangement. Adjusted working weekends (调休上班日):
ADJUSTED_WORKDAYS_2026 = [
    D(2026, 1, 4),  # Sunday, 元旦
    D(2026, 2, 14),  # Saturday, 春节
    D(2026, 2, 28),  # Saturday, 春节
    D(2026, 5, 9),  # Saturday, 劳动节
    D(2026, 9, 20),  # Sunday, 国庆节
    D(2026, 10, 10),  # Saturday, 国庆节
]
HOLIDAY_WEEKDAYS_2026 = [
    D(2026, 1, 2),  # Friday, 元旦
    D(2026, 2, 16),  # Monday, 春节
    D(2026, 2, 23),  # Monday, 春节
    D(2026, 4, 6),  # Monday, 清明
    D(2026, 5, 5),  # Tuesday, 劳动节
    D(2026, 6, 19),  # Friday, 端午
    D(2026, 9, 25),  # Friday, 中秋
    D(2026, 10, 7),  # Wednesday, 国庆节
]


def test_library_years_cover_2026_not_2027():
    years = library_years()
    assert 2026 in years and 2027 not in years


@pytest.mark.parametrize("day", ADJUSTED_WORKDAYS_2026)
def test_is_workday_adjusted_working_weekend(day):
    assert day.weekday() >= 5
    assert make_calendar().is_workday(day)


@pytest.mark.parametrize("day", HOLIDAY_WEEKDAYS_2026)
def test_is_workday_public_holiday_on_weekday_is_off(day):
    assert day.weekday() < 5
    assert not make_calendar().is_workday(day)


def test_is_workday_plain_week():
    cal = make_calendar()
    assert [cal.is_workday(D(2026, 12, d)) for d in range(1, 8)] == [
        True,
        True,
        True,
        True,
        False,
        False,
        True,  # Tue .. Mon
    ]


def test_working_days_spring_festival_fortnight():
    days = make_calendar().working_days(D(2026, 2, 9), D(2026, 2, 28))
    # Mon 9 - Fri 13, Sat 14 (调休), then 15-23 off, Tue 24 - Fri 27, Sat 28 (调休)
    assert [d.day for d in days] == [9, 10, 11, 12, 13, 14, 24, 25, 26, 27, 28]


def test_day_name_holiday_and_adjusted_day():
    cal = make_calendar()
    assert cal.day_name(D(2026, 2, 17)) == "春节"
    assert cal.day_name(D(2026, 2, 14)) == "春节调休上班"
    assert cal.day_name(D(2026, 12, 2)) is None


def test_unknown_year_is_refused_with_one_sentence():
    with pytest.raises(InvalidInputError) as exc:
        make_calendar().is_workday(D(2027, 3, 1))
    msg = exc.value.user_msg
    assert "2027" in msg and "holiday file" in msg and msg.count(". ") == 0


def test_unknown_year_weekends_only_warns():
    cal = make_calendar(unknown_year="weekends_only")
    assert cal.is_workday(D(2027, 3, 1)) and not cal.is_workday(D(2027, 3, 6))
    assert len(cal.warnings) == 1 and "2027" in cal.warnings[0]


def test_make_calendar_rejects_unknown_policy():
    with pytest.raises(InvalidInputError, match="unknown_year"):
        make_calendar(unknown_year="guess")


def test_holiday_file_overrides_library_both_ways():
    cal = make_calendar(
        pd.DataFrame(
            {
                "date": [D(2026, 12, 2), D(2026, 12, 5)],
                "is_workday": [False, True],
                "name": ["区运动会", "加班"],
            }
        )
    )
    assert not cal.is_workday(D(2026, 12, 2))
    assert cal.is_workday(D(2026, 12, 5))
    assert cal.day_name(D(2026, 12, 2)) == "区运动会"


def test_holiday_file_covers_a_year_the_library_does_not_know():
    text = "日期,是否上班,名称\n2027-02-08,休,春节\n2027-02-20,上班,春节调休上班\n"
    cal = make_calendar(read_holiday_file(io.StringIO(text)))
    assert cal.source_of(2027) == "file"
    assert not cal.is_workday(D(2027, 2, 8))  # Monday, off per file
    assert cal.is_workday(D(2027, 2, 20))  # Saturday, on per file
    assert cal.is_workday(D(2027, 2, 9)) and not cal.is_workday(D(2027, 2, 13))
    assert cal.warnings == []


def test_read_holiday_file_gbk_path(tmp_path):
    path = tmp_path / "假日.csv"
    path.write_bytes("日期,是否上班,名称\n2027年1月1日,否,元旦\n".encode("gbk"))
    frame = read_holiday_file(path)
    assert frame.to_dict("records") == [
        {"date": D(2027, 1, 1), "is_workday": False, "name": "元旦"}
    ]


def test_read_holiday_file_bad_flag_names_the_line():
    text = "date,is_workday,name\n2027-01-01,0,x\n2027-01-02,maybe,y\n"
    with pytest.raises(InvalidInputError, match="line 3"):
        read_holiday_file(io.StringIO(text))


def test_read_holiday_file_bad_date_names_the_line():
    with pytest.raises(InvalidInputError, match="line 2"):
        read_holiday_file(io.StringIO("date,is_workday\n2027-02-30,0\n"))


def test_read_holiday_file_conflicting_duplicate():
    text = "date,is_workday\n2027-01-01,0\n2027-01-01,1\n"
    with pytest.raises(InvalidInputError, match="line 2"):
        read_holiday_file(io.StringIO(text))


def test_read_holiday_file_missing_column():
    with pytest.raises(InvalidInputError, match="is_workday"):
        read_holiday_file(io.StringIO("date,name\n2027-01-01,x\n"))


def test_read_holiday_file_missing_file(tmp_path):
    with pytest.raises(InvalidInputError, match="does not exist"):
        read_holiday_file(tmp_path / "nope.csv")


def test_make_window_edges():
    w = make_window("2026-12-01", 31, today=D(2026, 12, 1))
    assert (w.start, w.end, len(list(w.dates()))) == (
        D(2026, 12, 1),
        D(2026, 12, 31),
        31,
    )
    assert make_window(D(2026, 12, 1), 1, today=D(2026, 12, 1)).end == D(2026, 12, 1)


@pytest.mark.parametrize(
    ("start", "days", "needle"),
    [
        ("2026-12-01", 0, "at least 1 day"),
        ("2026-12-01", -3, "at least 1 day"),
        ("2026-12-01", 400, "at most a year"),
        ("2026-11-30", 7, "before today"),
        ("2026-13-01", 7, "not a date"),
        ("2026-12-01", 2.5, "whole number"),
    ],
)
def test_make_window_bad_input_one_sentence(start, days, needle):
    with pytest.raises(InvalidInputError) as exc:
        make_window(start, days, today=D(2026, 12, 1))
    assert needle in exc.value.user_msg
    assert exc.value.user_msg.endswith(".") and exc.value.user_msg.count(". ") == 0
