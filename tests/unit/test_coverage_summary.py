"""The coverage status computed from a per-enterprise inspection summary equals the
rules of gridwatch.analytics.coverage applied one enterprise at a time.

The oracle below is a plain transcription of the module docstring's rules (clock
start, gaps, due date, status), written for clarity, not speed; hypothesis draws
registries and inspection histories around a period, duplicates and edges
included, and every output column must agree.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from gridwatch.analytics.coverage import (
    enterprise_status,
    enterprise_status_from_summary,
    inspection_summary,
)

DUE = {"red": 30, "orange": 90, "yellow": 182, "blue": 365}
START, END = dt.date(2024, 1, 1), dt.date(2024, 3, 31)


def _oracle(ent: dict, dates: list[dt.date], soon: int = 14) -> dict | None:
    reg, due = ent["registered_on"], DUE[ent["risk_level"]]
    if reg is not None and reg > END:
        return None
    dates = sorted(d for d in dates if d <= END)
    last = dates[-1] if dates else None
    before = [d for d in dates if d <= START]
    anchor = before[-1] if before else reg
    clock = anchor if anchor is not None else START
    within = [d for d in dates if d > START]
    seq = [clock, *within, END]
    gaps = [(b - a).days for a, b in itertools.pairwise(seq)]
    has_start = anchor is not None or last is not None
    base = last if last is not None else reg
    due_on = None if base is None else base + dt.timedelta(days=due)
    if due_on is not None and due_on < END:
        status = "overdue"
    elif due_on is not None and due_on <= END + dt.timedelta(days=soon):
        status = "due_soon"
    else:
        status = "on_time"
    if last is None and not (due_on is not None and due_on >= END):
        status = "never"
    late = status in ("overdue", "never")
    if not late:
        days = 0
    elif due_on is None:
        days = (END - START).days
    else:
        days = max((END - due_on).days, 0)
    n = sum(START <= d <= END for d in dates)
    return {
        "uscc": ent["uscc"],
        "last_inspected_on": last,
        "due_on": due_on,
        "days_overdue": days,
        "status": status,
        "inspected_in_period": n > 0,
        "n_inspections": n,
        "is_on_time": has_start and max(gaps) <= due,
    }


days = st.integers(min_value=-420, max_value=60).map(
    lambda k: START + dt.timedelta(days=k)
)
enterprise = st.fixed_dictionaries(
    {
        "risk_level": st.sampled_from(list(DUE)),
        "registered_on": st.one_of(st.none(), days),
        "inspections": st.lists(days, max_size=8),
    }
)


@settings(max_examples=300, deadline=None)
@given(st.lists(enterprise, min_size=1, max_size=8))
def test_status_from_summary_follows_the_rules_enterprise_by_enterprise(ents):
    rows = [
        {
            "uscc": f"E{k}",
            "risk_level": e["risk_level"],
            "registered_on": e["registered_on"],
        }
        for k, e in enumerate(ents)
    ]
    insp = pd.DataFrame(
        [(f"E{k}", d) for k, e in enumerate(ents) for d in e["inspections"]],
        columns=["uscc", "inspected_on"],
    )
    got = enterprise_status(pd.DataFrame(rows), insp, START, END, DUE)
    expected = [
        o for r, e in zip(rows, ents) if (o := _oracle(r, e["inspections"])) is not None
    ]
    cols = list(expected[0]) if expected else []
    assert got[cols].to_dict("records") == expected if expected else got.empty


def test_summary_given_as_day_numbers_gives_the_same_status():
    ents = pd.DataFrame(
        {
            "uscc": ["A", "B", "C"],
            "risk_level": ["red", "blue", "yellow"],
            "registered_on": [None, dt.date(2023, 6, 1), None],
        }
    )
    insp = pd.DataFrame(
        {
            "uscc": ["A", "A", "A", "B"],
            "inspected_on": ["2023-12-20", "2024-01-15", "2024-03-02", "2023-09-01"],
        }
    )
    summary = inspection_summary(insp, START, END)
    as_days = summary.copy()
    for c in ("last_on", "anchor_on", "first_after"):
        as_days[c] = [
            float((d - dt.date(1970, 1, 1)).days) if d is not None else float("nan")
            for d in summary[c]
        ]
    a = enterprise_status_from_summary(ents, summary, START, END, DUE)
    b = enterprise_status_from_summary(ents, as_days, START, END, DUE)
    pd.testing.assert_frame_equal(a, b)
    assert a.set_index("uscc").loc["C", "status"] == "never"
