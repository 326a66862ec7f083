"""Every option and argument of every command, fed its edge values (issue 15).

The walk goes over the click command tree as it is (so commands added later are
walked too) and feeds each parameter, one at a time, the values that break
programs: negative, zero, huge, NaN, infinite, empty, a path that does not
exist, a choice that is not offered. Each run must end without a traceback; a
failing run prints exactly one ``Error:`` line; and every value except zero and
a tiny positive number must fail unless the parameter is free text that
legitimately takes it (ALLOWED).

Commands run for real on a copy of a small district (towns, communities,
enterprises, an active and a draft grid version), so a value that click lets
through still reaches the service. Commands that would keep running (a server,
the whole demo build) are only parsed: their bad values must be refused by
click before anything starts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from gridwatch.cli import main

EDGES = {
    "negative": "-1",
    "zero": "0",
    "tiny": "0.000001",
    "huge": "99999999999999999999",
    "nan": "nan",
    "inf": "inf",
    "empty": "",
    # below a regular file: no folder can be made there, not even by root
    "no-path": "{file}/no/such/dir/x.csv",
    "bad-choice": "no-such-choice",
}
#: Long-running commands: parse only (a valid value would start the whole build
#: or a server); their edge values must be refused before anything runs.
PARSE_ONLY = {("demo",), ("serve",)}
#: Free text that takes any non-empty value: (command path, parameter) → kinds
#: that may succeed. A name, an address or a label may well be "nan" or "-1".
ANY_TEXT = set(EDGES) - {"empty"}
ALLOWED: dict[tuple[tuple[str, ...], str], set[str]] = {
    (("users", "add"), "full_name"): ANY_TEXT,
    (("users", "add"), "username"): ANY_TEXT,
    (("geocode", "address"), "text"): ANY_TEXT,
    # a town / village hint is a name as the registry wrote it; an unknown one is
    # reported by the geocoder, not refused
    (("geocode", "address"), "hint_town"): ANY_TEXT,
    (("geocode", "address"), "hint_community"): ANY_TEXT,
    (("enterprises", "place"), "actor"): ANY_TEXT,
    # supervision: notes, reasons, names, numbers are free text ("-1" may be one)
    (("hazards", "transition"), "note"): ANY_TEXT,
    (("hazards", "transition"), "photos"): ANY_TEXT,
    (("hazards", "transition"), "body"): ANY_TEXT,
    (("hazards", "transition"), "person"): ANY_TEXT,
    (("tipoffs", "triage"), "department"): ANY_TEXT,
    (("tipoffs", "triage"), "reason"): ANY_TEXT,
    (("tipoffs", "triage"), "note"): ANY_TEXT,
    (("penalties", "add"), "decision_no"): ANY_TEXT,
    (("penalties", "import"), "sheet"): ANY_TEXT,
    (("self-reports", "import"), "sheet"): ANY_TEXT,
    (("campaigns", "create"), "name"): ANY_TEXT,
    (("grids", "import"), "label"): ANY_TEXT,
    # "nan", "inf" and "no-such-choice" are well-formed host names
    (("serve",), "host"): {"nan", "inf", "bad-choice"},
    (("demo",), "host"): {"nan", "inf", "bad-choice"},
    # "show at most N" with a huge N shows everything
    (("enterprises", "list"), "limit"): {"huge"},
    # a huge target workload is meaningful: one grid per unit
    (("grids", "build"), "target_workload"): {"huge"},
}
#: A file to write may be called "-1" or "nan"; only a missing folder or an
#: empty name is wrong.
OUTPUT_NAMES = set(EDGES) - {"empty", "no-path"}


def _allowed(path, param: click.Parameter) -> set[str]:
    if (path, param.name) in ALLOWED:
        return ALLOWED[(path, param.name)]
    if isinstance(param.type, click.Path) and not param.type.exists:
        return OUTPUT_NAMES
    return set()


def _leaves(group: click.Group, prefix=()):
    for name, cmd in sorted(group.commands.items()):
        path = (*prefix, name)
        if isinstance(cmd, click.Group):
            if getattr(cmd, "invoke_without_command", False):
                yield path, cmd
            yield from _leaves(cmd, path)
        else:
            yield path, cmd


def _cases():
    for path, cmd in _leaves(main):
        for param in cmd.params:
            if getattr(param, "is_flag", False) or param.name in ("help",):
                continue
            for kind in EDGES:
                yield pytest.param(path, param.name, kind,
                                   id=f"{' '.join(path)}:{param.name}:{kind}")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A data dir holding the small district with an active and a draft version."""
    from gridwatch.config import load_settings
    from gridwatch.services.context import open_context
    from gridwatch.services.grids import activate_version, build_version
    from tests.actors import SYSTEM
    from tests.db.conftest import build_small_district

    root = tmp_path_factory.mktemp("edge")
    mp = pytest.MonkeyPatch()
    mp.setenv("GRIDWATCH_DATA_DIR", str(root / "data"))
    mp.delenv("GRIDWATCH_DATABASE_URL", raising=False)
    try:
        ctx = open_context(load_settings())
        build_small_district(ctx)
        active = build_version(ctx, SYSTEM, target_workload=20)
        activate_version(ctx, SYSTEM, active["version"])
        draft = build_version(ctx, SYSTEM, target_workload=30)
        from gridwatch.services.grids import read_grids

        grids = read_grids(ctx, SYSTEM, draft["version"])
        grid = grids["code"].iloc[0]
        ctx.close()
    finally:
        mp.undo()
    sample = root / "input.csv"
    sample.write_text("code,name\n440604011,张槎街道\n", "utf-8")
    grids_file = root / "grids.geojson"
    grids.rename(columns={"parent_code": "SQDM"})[["code", "SQDM", "geometry"]] \
        .to_file(grids_file, driver="GeoJSON")
    return {"dir": root / "data", "grid": grid, "draft": draft["version"],
            "file": sample, "root": root, "grids_file": grids_file}


DATA = Path(__file__).resolve().parents[1] / "data"


def _base(path, target: str, t: dict) -> dict[str, str]:
    """Valid values that take a command past parsing into its service, so an
    edge value of another option meets the real code."""
    if path == ("boundaries", "import"):
        return {"file": str(DATA / "grids" / "gbk_villages.zip"),
                "level": "community"}
    if path == ("boundaries", "import-codes"):
        return {"file": str(DATA / "boundaries" / "chancheng_440604_villages_nbs.csv"),
                "level": "community"}
    if path == ("grids", "build") and target not in (
            "target_workload", "grids_per_unit", "cell_size", "method"):
        return {"target_workload": "20"}
    if path == ("grids", "import"):
        return {"file": str(t["grids_file"]), "parent_field": "SQDM"}
    return {}


def _base_value(param: click.Parameter, t: dict) -> str | None:
    """A valid-looking value for a required parameter."""
    ptype = param.type
    if isinstance(ptype, click.Choice):
        return str(ptype.choices[0])
    if isinstance(ptype, click.Path):
        return str(t["root"] / "out.csv") if not ptype.exists else str(t["file"])
    if isinstance(ptype, click.types.IntParamType | click.types.FloatParamType):
        return "1"
    if isinstance(ptype, click.DateTime):
        return "2026-01-01"
    name = param.name or ""
    if "code" in name or name in ("code", "codes"):
        return t["grid"]
    return "x"


def _argv(path, cmd: click.Command, target: str, value: str, t: dict) -> list[str]:
    args: list[str] = [*path]
    base = _base(path, target, t)
    for param in cmd.params:
        if getattr(param, "is_flag", False):
            continue
        given = value if param.name == target else base.get(param.name) or (
            _base_value(param, t) if param.required else None)
        if given is None:
            continue
        if isinstance(param, click.Option):
            args += [param.opts[0], given]
        else:
            args.append(given)
    return args


@pytest.mark.slow
@pytest.mark.parametrize("path, name, kind", list(_cases()))
def test_edge_value_is_refused_in_one_sentence(template, tmp_path, monkeypatch, path,
                                               name, kind):
    cmd = main
    for part in path:
        cmd = cmd.commands[part]
    argv = _argv(path, cmd, name, EDGES[kind].format(file=template["file"]),
                 template)
    param = next(p for p in cmd.params if p.name == name)
    must_fail = kind not in ("zero", "tiny") and kind not in _allowed(path, param)
    if path in PARSE_ONLY:
        if must_fail:
            with pytest.raises(click.UsageError):
                cmd.make_context(path[-1], argv[len(path):])
        return
    data = tmp_path / "data"
    shutil.copytree(template["dir"], data)
    env = {"GRIDWATCH_DATA_DIR": str(data), "GRIDWATCH_PROGRESS": "0",
           "GRIDWATCH_DATABASE_URL": None}
    monkeypatch.chdir(tmp_path)  # "-1" may be a file name: keep it out of the tree
    result = CliRunner().invoke(main, argv, env=env)
    shown = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{' '.join(argv)!r} raised {result.exception!r}")
    assert "Traceback" not in shown, shown
    if result.exit_code != 0:
        errors = [ln for ln in shown.splitlines() if ln.startswith("Error")]
        assert len(errors) == 1, shown
    if must_fail:
        assert result.exit_code != 0, f"{' '.join(argv)!r} accepted: {shown}"
def test_the_walk_covers_every_command():
    walked = {p for p, _ in _leaves(main)}
    assert {("grids", "build"), ("grids", "split"), ("boundaries", "import"),
            ("demo",)} <= walked
    assert len(walked) >= 20


def test_issue_examples_name_the_option():
    runner = CliRunner()
    for argv, option in [
        (["demo", "--seed", "-1"], "--seed"),
        (["grids", "build", "--target-workload", "40", "--seed", "-1"], "--seed"),
        (["grids", "split", "440604011001001", "--seed", "-1"], "--seed"),
        (["grids", "build", "--target-workload", "nan"], "--target-workload"),
        (["grids", "build", "--target-workload", "inf"], "--target-workload"),
    ]:
        r = runner.invoke(main, argv)
        assert r.exit_code == 2, (argv, r.output)
        errors = [ln for ln in r.output.splitlines() if ln.startswith("Error")]
        assert len(errors) == 1 and option in errors[0], r.output


def test_a_tiny_target_workload_makes_one_grid_per_place_at_most(template, tmp_path,
                                                                  monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(template["dir"], data)
    monkeypatch.setenv("GRIDWATCH_DATA_DIR", str(data))
    r = CliRunner().invoke(main, ["grids", "build", "--target-workload", "0.000001"])
    assert r.exit_code == 0, r.output
    assert "units have fewer places with enterprises than the grids asked" in r.output
    r = CliRunner().invoke(main, ["grids", "check", "--version", "3", "--json"])
    import json

    report = json.loads(r.output)
    assert report["overall"]["n_grids"] <= 60  # 60 enterprises: never more grids
    # one grid per place cannot always be contiguous: what is left empty is said,
    # and the check fails rather than saying OK
    if report["overall"]["empty_grids"]:
        assert r.exit_code == 1 and not report["balance_ok"]


def test_unknown_layer_of_a_geopackage_is_one_sentence(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDWATCH_DATA_DIR", str(tmp_path / "data"))
    gpkg = Path(__file__).resolve().parents[1] / "data" / "grids" / "metric_towns.gpkg"
    r = CliRunner().invoke(main, ["boundaries", "import", str(gpkg), "--level",
                                  "town", "--layer", "nosuch"])
    assert r.exit_code == 1, r.output
    assert "has no layer 'nosuch'" in r.output and "towns" in r.output
