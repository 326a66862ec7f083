import pytest

from gridwatch.errors import ConflictError, NotFoundError
from gridwatch.services import grids as svc
from tests.actors import SYSTEM


def test_build_version_is_draft_and_tiles_parents(small_district):
    r = svc.build_version(small_district, SYSTEM, "balanced", grids_per_unit=3)
    assert r["status"] == "draft" and r["grids"] == 6
    vid, report = svc.check_version(small_district, SYSTEM, r["version"])
    assert report.is_ok
    codes = svc.read_grids(small_district, SYSTEM, vid)["code"].tolist()
    assert codes[:3] == ["440604011001001", "440604011001002", "440604011001003"]


def test_activate_switches_and_old_version_stays_queryable(small_district):
    v1 = svc.build_version(small_district, SYSTEM, "balanced", grids_per_unit=2, activate=True)
    v2 = svc.build_version(small_district, SYSTEM, "square", cell_size_m=800)
    assert svc.resolve_version(small_district, None) == v1["version"]
    svc.activate_version(small_district, SYSTEM, v2["version"])
    assert svc.resolve_version(small_district, None) == v2["version"]
    statuses = {v["version"]: v["status"] for v in svc.list_versions(small_district, SYSTEM)}
    assert statuses == {v1["version"]: "retired", v2["version"]: "active"}
    assert len(svc.read_grids(small_district, SYSTEM, v1["version"])) == 4


def test_split_merge_undo_restore_the_draft(small_district):
    v = svc.build_version(small_district, SYSTEM, "balanced", grids_per_unit=2)["version"]
    before = svc.read_grids(small_district, SYSTEM, v)
    s = svc.split(small_district, SYSTEM, "440604011001001", 2, v)
    assert s["into"] == ["440604011001003", "440604011001004"]
    m = svc.merge(small_district, SYSTEM, ["440604011002001", "440604011002002"], v)
    assert m["into"] == "440604011002001"
    assert len(svc.read_grids(small_district, SYSTEM, v)) == 4
    svc.undo_edit(small_district, SYSTEM, v)
    svc.undo_edit(small_district, SYSTEM, v)
    after = svc.read_grids(small_district, SYSTEM, v)
    assert after["code"].tolist() == before["code"].tolist()
    assert all(
        a.equals_exact(b, 1e-12) for a, b in zip(after.geometry, before.geometry)
    )
    with pytest.raises(ConflictError, match="no edit left"):
        svc.undo_edit(small_district, SYSTEM, v)


def test_active_version_cannot_be_edited(small_district):
    v = svc.build_version(small_district, SYSTEM, "balanced", grids_per_unit=2, activate=True)
    with pytest.raises(ConflictError, match="not a draft"):
        svc.split(small_district, SYSTEM, "440604011001001", 2, v["version"])


def test_unknown_version_is_not_found(small_district):
    with pytest.raises(NotFoundError, match="no grid version 42"):
        svc.activate_version(small_district, SYSTEM, 42)
