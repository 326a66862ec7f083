"""A street office redraws one community, sees the wardens' proposal (nothing
written), and confirms it: activation, assignment and dated warden rows exactly
as previewed (both backends)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gridwatch.errors import ConflictError, InvalidInputError, NotFoundError
from gridwatch.services import jobs
from gridwatch.services.grids import build_version, merge, split, undo_edit
from gridwatch.services.job_worker import JobWorker
from gridwatch.services.reassign import confirm_wardens, preview_wardens
from gridwatch.services.redraw import check_build, compare_versions, street_versions
from tests.db.conftest import COMMS, TOWN
from tests.db.street_helpers import MONDAY, OFFICE, OTHER_OFFICE, build_street

TABLES = (
    "grid_versions",
    "grids",
    "enterprise_grid",
    "grid_warden",
    "audit_log",
    "grid_edits",
    "jobs",
)


@pytest.fixture
def street(ctx):
    return build_street(ctx)


def _snapshot(ctx) -> dict:
    out = {}
    with ctx.engine.connect() as conn:
        for t in TABLES:
            rows = conn.execute(sa.text(f"SELECT * FROM {t} ORDER BY id")).all()
            out[t] = [tuple(map(str, r)) for r in rows]
    return out


def _redraw(ctx, parts=3):
    return build_version(
        ctx, OFFICE, "balanced", grids_per_unit=parts, town=TOWN, community=COMMS[0]
    )


def test_build_job_redraws_one_community_and_keeps_the_rest(ctx, street):
    job = jobs.submit_job(
        ctx,
        OFFICE,
        "grids.build",
        {"community": COMMS[0], "method": "balanced", "grids_per_unit": 3},
    )
    assert JobWorker(ctx).run_once() == job["id"]
    done = jobs.get_job(ctx, OFFICE, job["id"])
    assert done["status"] == "done", done["error"]
    vid = done["result"]["version"]
    assert done["result"]["grids_rebuilt"] == 3
    cmp = compare_versions(ctx, OFFICE, vid)
    draft = {f["id"]: f["properties"] for f in cmp["draft"]["features"]}
    assert sum(p["parent_code"] == COMMS[0] for p in draft.values()) == 3
    # the other community's grids are the active ones, unchanged
    assert not any(p["changed"] for p in draft.values() if p["parent_code"] == COMMS[1])
    assert all(0 < p["compactness"] <= 1 for p in draft.values())
    assert cmp["check"]["is_ok"], cmp["check"]["problems"]
    versions = street_versions(ctx, OFFICE)["versions"]
    assert [v["status"] for v in versions[:2]] == ["draft", "active"]
    assert versions[0]["community"] == COMMS[0]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"method": "balanced"}, "takes either a target workload"),
        ({"method": "hex", "cell_size_m": 20}, "at least 100"),
        (
            {"method": "balanced", "target_workload": 5, "grids_per_unit": 2},
            "only that",
        ),
        ({"method": "square", "cell_size_m": "abc"}, "must be a number"),
        (
            {"method": "balanced", "grids_per_unit": 2, "community": "440604003001"},
            "not a community of street",
        ),
    ],
)
def test_check_build_refuses_bad_parameters_in_one_sentence(ctx, street, params, words):
    with pytest.raises(InvalidInputError, match=words):
        check_build(ctx, OFFICE, params)


def test_another_street_cannot_see_or_edit_the_draft(ctx, street):
    vid = _redraw(ctx)["version"]
    with pytest.raises(NotFoundError):
        compare_versions(ctx, OTHER_OFFICE, vid)
    with pytest.raises(Exception) as err:
        split(ctx, OTHER_OFFICE, f"{COMMS[0]}001", 2, version_id=vid)
    assert getattr(err.value, "http_status", 0) in (403, 404)


def test_split_merge_and_undo_on_the_draft(ctx, street):
    vid = _redraw(ctx, parts=2)["version"]
    codes = sorted(
        f["id"]
        for f in compare_versions(ctx, OFFICE, vid)["draft"]["features"]
        if f["properties"]["parent_code"] == COMMS[0]
    )
    merged = merge(ctx, OFFICE, codes, version_id=vid)
    assert merged["into"] == codes[0]
    edits = compare_versions(ctx, OFFICE, vid)["edits"]
    assert edits[0]["op"] == "merge"
    undo_edit(ctx, OFFICE, vid)
    after = sorted(
        f["id"]
        for f in compare_versions(ctx, OFFICE, vid)["draft"]["features"]
        if f["properties"]["parent_code"] == COMMS[0]
    )
    assert after == codes


def test_preview_writes_nothing(ctx, street):
    vid = _redraw(ctx)["version"]
    before = _snapshot(ctx)
    preview = preview_wardens(ctx, OFFICE, vid, today=MONDAY)
    assert _snapshot(ctx) == before
    assert preview["version_status"] == "draft"
    assert {g["grid_code"][:12] for g in preview["grids"]} == set(COMMS)
    assert 0.0 <= preview["churn"] <= 1.0 and preview["churn_compared"] > 0
    per = {w["warden"]: w for w in preview["wardens"]}
    assert sum(w["enterprises_after"] for w in per.values()) == sum(
        g["n_enterprises"] for g in preview["grids"]
    )


def test_confirm_writes_exactly_what_was_previewed(ctx, street):
    vid = _redraw(ctx)["version"]
    pin_grid = f"{COMMS[1]}001"
    preview = preview_wardens(
        ctx, OFFICE, vid, pins={pin_grid: "zc_warden_003"}, today=MONDAY
    )
    assert (
        next(g for g in preview["grids"] if g["grid_code"] == pin_grid)["proposed"]
        == "zc_warden_003"
    )
    with pytest.raises(ConflictError, match="look at the proposal again"):
        confirm_wardens(
            ctx, OFFICE, vid, "0" * 16, pins={pin_grid: "zc_warden_003"}, today=MONDAY
        )
    with ctx.engine.connect() as conn:
        assert (
            conn.execute(
                sa.text("SELECT status FROM grid_versions WHERE id = :v"), {"v": vid}
            ).scalar()
            == "draft"
        )
    out = confirm_wardens(
        ctx,
        OFFICE,
        vid,
        preview["digest"],
        pins={pin_grid: "zc_warden_003"},
        today=MONDAY,
    )
    assert out["activated"] is True
    assert out["mapping"] == {g["grid_code"]: g["proposed"] for g in preview["grids"]}
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT grid_code, is_override, valid_from FROM grid_warden WHERE "
                "version_id = :v AND valid_to IS NULL AND role = 'responsible'"
            ),
            {"v": vid},
        ).all()
        moved = conn.execute(
            sa.text(
                "SELECT count(*) FROM enterprise_grid WHERE version_id = :v "
                "AND valid_to IS NULL"
            ),
            {"v": vid},
        ).scalar()
    assert {r.grid_code for r in rows} == set(out["mapping"])
    assert all(str(r.valid_from) == str(MONDAY) for r in rows)
    assert [r.grid_code for r in rows if r.is_override] == [pin_grid]
    assert moved == 60  # every located enterprise now in the new version's grids
    # a second preview of the now active version proposes no change
    again = preview_wardens(ctx, OFFICE, None, today=MONDAY)
    assert again["churn"] == 0.0


def test_preview_refuses_a_pin_of_another_street(ctx, street):
    vid = _redraw(ctx)["version"]
    with pytest.raises(InvalidInputError, match="not an active warden"):
        preview_wardens(
            ctx, OFFICE, vid, pins={f"{COMMS[0]}001": "gw_intruder"}, today=MONDAY
        )
