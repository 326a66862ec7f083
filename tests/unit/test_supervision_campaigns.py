"""Special campaigns: target selection, presets, progress per grid/street/district."""

import datetime as dt

import pandas as pd
import pytest

from gridwatch.errors import InvalidInputError
from gridwatch.supervision import (
    PRESETS,
    CampaignSpec,
    Selector,
    enterprise_progress,
    outstanding,
    preset_spec,
    progress,
    select_targets,
)
from gridwatch.vocab import HAZARD_CATEGORIES, SECTORS

START, END = dt.date(2024, 6, 1), dt.date(2024, 8, 31)
T1, T2 = "440604011", "440604100"
ENTS = pd.DataFrame(
    {
        "uscc": list("ABCDEFGH"),
        "sector": [
            "hazchem",
            "retail",
            "fireworks",
            "furniture",
            "warehouse",
            "warehouse",
            "food",
            "al_mg_machining",
        ],
        "risk_level": [
            "red",
            "blue",
            "orange",
            "yellow",
            "orange",
            "blue",
            "yellow",
            "red",
        ],
        "is_three_in_one": [False, True, False, True, False, False, False, False],
        "has_hazchem": [True, True, False, False, True, False, False, False],
        "town_code": [T1, T1, T1, T2, T2, T2, T2, T1],
        "community_code": [
            T1 + "001",
            T1 + "002",
            T1 + "001",
            T2 + "001",
            T2 + "002",
            T2 + "002",
            None,
            T1 + "002",
        ],
        "grid_code": ["g1", "g2", "g1", "g3", "g4", "g4", "g3", "g2"],
        "registered_on": [
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            dt.date(2024, 9, 1),
        ],
    }
)
HAZARDS = pd.DataFrame(
    {
        "uscc": ["D", "F", "G", "B"],
        "category": ["occupational", "confined_space", "confined_space", "dust"],
        "found_on": [
            dt.date(2024, 1, 5),
            dt.date(2023, 5, 1),
            dt.date(2024, 6, 2),
            dt.date(2024, 3, 1),
        ],
    }
)


def _targets(key, **kw):
    spec = preset_spec(key, START, END, **kw)
    return sorted(select_targets(ENTS, spec, HAZARDS)["uscc"])


@pytest.mark.parametrize(
    ("key", "want"),
    [
        ("hazchem", ["A", "B", "E"]),  # sector or flag
        ("fireworks", ["C"]),
        ("furniture", ["D"]),
        ("three_in_one", ["B", "D"]),
        ("petrochemical_depots", ["E"]),  # warehouse AND hazchem flag
        ("occupational", ["D"]),  # furniture sector; D's occupational hazard too
        ("confined_spaces", ["G"]),  # food sector; F's hazard is too old
        ("al_mg_dust", []),  # H registers after the period
    ],
)
def test_preset_targets(key, want):
    assert _targets(key) == want


def test_area_prefixes_restrict_to_town_or_community():
    assert _targets("hazchem", area_prefixes=(T1,)) == ["A", "B"]
    assert _targets("hazchem", area_prefixes=(T2 + "002",)) == ["E"]
    # an enterprise without a community code falls back to its town code
    assert _targets("confined_spaces", area_prefixes=(T2,)) == ["G"]


def test_selector_fields_are_anded_and_selectors_ored():
    spec = CampaignSpec(
        "红橙危化",
        START,
        END,
        selectors=(
            Selector(risk_levels={"red", "orange"}, has_hazchem=True),
            Selector(sectors={"fireworks"}),
        ),
    )
    out = select_targets(ENTS, spec)
    assert dict(zip(out["uscc"], out["selector"], strict=True)) == {
        "A": 1,
        "C": 2,
        "E": 1,
    }


def test_no_selectors_means_every_enterprise_in_the_area():
    spec = CampaignSpec("全覆盖大检查", START, END, area_prefixes=(T2,))
    assert sorted(select_targets(ENTS, spec)["uscc"]) == ["D", "E", "F", "G"]


def test_hazard_window_ends_before_the_period():
    spec = CampaignSpec(
        "有限空间",
        START,
        END,
        selectors=(Selector(hazard_categories={"confined_space"}),),
    )
    assert select_targets(ENTS, spec, HAZARDS).empty  # G's is found during it
    longer = CampaignSpec(
        "有限空间", START, END, hazard_lookback_days=500, selectors=spec.selectors
    )
    assert list(select_targets(ENTS, longer, HAZARDS)["uscc"]) == ["F"]
    with pytest.raises(ValueError, match="pass hazards"):
        select_targets(ENTS, spec)


def test_presets_use_known_codes_and_are_all_labelled():
    for preset in PRESETS.values():
        for sel in preset.selectors:
            assert sel.sectors <= set(SECTORS)
            assert sel.hazard_categories <= set(HAZARD_CATEGORIES)
        assert preset.name and preset.note


@pytest.mark.parametrize(
    "kw",
    [
        {"name": " "},
        {"end": START - dt.timedelta(1)},
        {"min_inspections": 0},
        {"area_prefixes": ("4406a",)},
        {"inspection_kinds": {"audit"}},
        {"selectors": ({"sectors": ["bakery"]},)},
    ],
)
def test_bad_specs_are_refused(kw):
    with pytest.raises(InvalidInputError):
        CampaignSpec(**{"name": "x", "start": START, "end": END, **kw})


def test_spec_round_trips_through_dict():
    spec = preset_spec(
        "occupational",
        START,
        END,
        area_prefixes=(T1,),
        min_inspections=2,
        inspection_kinds={"inspection"},
    )
    assert CampaignSpec.from_dict(spec.to_dict()) == spec


INSPECTIONS = pd.DataFrame(
    {
        "uscc": ["A", "A", "B", "E", "E", "A", "C"],
        "inspected_on": [
            START,
            END,
            dt.date(2024, 7, 1),
            dt.date(2024, 5, 31),
            dt.date(2024, 9, 1),
            dt.date(2024, 7, 15),
            dt.date(2024, 7, 2),
        ],
        "kind": [
            "inspection",
            "patrol",
            "spot_check",
            "inspection",
            "inspection",
            "inspection",
            "inspection",
        ],
    }
)


def test_enterprise_progress_counts_inside_the_period_only():
    spec = preset_spec("hazchem", START, END, min_inspections=2)
    each = enterprise_progress(select_targets(ENTS, spec), INSPECTIONS, spec)
    got = dict(zip(each["uscc"], each["inspections"], strict=True))
    assert got == {"A": 3, "B": 1, "E": 0}  # E's are a day early and a day late
    assert each.set_index("uscc")["is_reached"].to_dict() == {
        "A": True,
        "B": False,
        "E": False,
    }


def test_progress_only_counts_chosen_kinds_and_up_to_on():
    spec = preset_spec(
        "hazchem",
        START,
        END,
        min_inspections=2,
        inspection_kinds={"inspection", "spot_check"},
    )
    each = enterprise_progress(
        select_targets(ENTS, spec), INSPECTIONS, spec, on=dt.date(2024, 7, 10)
    )
    assert each.set_index("uscc")["inspections"].to_dict() == {"A": 1, "B": 1, "E": 0}


@pytest.mark.parametrize(
    ("by", "column", "rows"),
    [
        ("grid", "grid_code", {"g1": (1, 1, 1), "g2": (1, 1, 1), "g4": (1, 0, 0)}),
        ("street", "town_code", {T1: (2, 2, 2), T2: (1, 0, 0)}),
    ],
)
def test_progress_by_level(by, column, rows):
    spec = preset_spec("hazchem", START, END)
    out = progress(select_targets(ENTS, spec), INSPECTIONS, spec, by=by)
    got = {
        r[column]: (r["targets"], r["inspected"], r["reached"])
        for _, r in out.iterrows()
    }
    assert got == rows


def test_progress_for_the_district_is_one_row_that_adds_up():
    spec = preset_spec("hazchem", START, END)
    out = progress(select_targets(ENTS, spec), INSPECTIONS, spec, by="district")
    assert out.to_dict("records") == [
        {
            "targets": 3,
            "inspected": 2,
            "reached": 2,
            "remaining": 1,
            "inspections": 4,
            "share_reached": 2 / 3,
        },
    ]


def test_outstanding_only_while_running():
    spec = preset_spec("hazchem", START, END)
    targets = select_targets(ENTS, spec)
    mid = outstanding(targets, INSPECTIONS, spec, dt.date(2024, 6, 20))
    assert sorted(mid["uscc"]) == ["B", "E"] and mid["still_needed"].eq(1).all()
    assert outstanding(targets, INSPECTIONS, spec, dt.date(2024, 9, 1)).empty
    assert outstanding(targets, INSPECTIONS, spec, dt.date(2024, 5, 31)).empty
