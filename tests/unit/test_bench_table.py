"""The README's benchmark section is what scripts/bench_table.py renders from the
committed bench/results/*.json: no hand-copied figure, no stale table."""

import copy
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bt():
    spec = importlib.util.spec_from_file_location(
        "bench_table", ROOT / "scripts" / "bench_table.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results(bt):
    got = bt.load()
    assert got, "bench/results/ holds no JSON"
    return got


def test_renders_every_committed_results_file(bt, results):
    block = bt.render(results)
    for name in results:
        assert f"`{name}.json`" in block
    for name in set(results) & set(bt.RENDERERS):
        assert bt.RENDERERS[name](results[name]), name


def test_readme_block_equals_the_rendering(bt, results):
    readme = (ROOT / "README.md").read_text("utf-8")
    fresh = bt.splice(readme, bt.render(results))
    assert fresh == readme, (
        "README.md's benchmark section is stale: run 'python scripts/bench_table.py'"
    )


def test_figures_come_from_the_json(bt, results):
    if "maps" not in results:
        pytest.skip("no maps.json")
    changed = copy.deepcopy(results)
    row = changed["maps"]["results"]["gridwatch"]
    row["page_mb"] = 123.456
    block = bt.render(changed)
    assert "123.46 MB" in block
    assert "123.46 MB" not in bt.render(results)


def test_assign_rows_carry_their_mismatches(bt, results):
    if "assign" not in results:
        pytest.skip("no assign.json")
    changed = copy.deepcopy(results)
    method = changed["assign"]["datasets"][0]["runs"][0]["methods"][0]
    method.update(mismatches_vs_postgis=7, dropped=5, other_grid=2, extra=0)
    assert "7 (5 dropped, 2 other grid)" in bt.render(changed)


def test_a_changed_format_names_the_file(bt, results):
    broken = copy.deepcopy(results)
    broken["assign"] = {"environment": results.get("assign", {}).get("environment")}
    with pytest.raises(bt.StaleFormatError, match="assign.json"):
        bt.render(broken)


def test_unknown_file_with_a_readme_object_is_rendered(bt):
    extra = {
        "readme": {
            "title": "Patrol routes",
            "header": ["method", "km"],
            "rows": [["gridwatch", 12.5]],
            "notes": ["one note"],
        }
    }
    block = bt.render({"patrol": extra, "other": {}})
    assert "**Patrol routes** (`patrol.json`)" in block
    assert "| gridwatch | 12.5 |" in block
    assert "Not summarised here" in block and "`other.json`" in block


def test_splice_needs_exactly_one_pair_of_markers(bt):
    with pytest.raises(ValueError, match="exactly one"):
        bt.splice("no markers here", "x")
    text = f"a\n{bt.START}\nold\n{bt.END}\nb\n"
    assert bt.splice(text, "new\n") == f"a\n{bt.START}\nnew\n{bt.END}\nb\n"
