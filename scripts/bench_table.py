"""Regenerate the README's benchmark section from ``bench/results/*.json``.

    python scripts/bench_table.py           # rewrite README.md between the markers
    python scripts/bench_table.py --check   # exit 1 when README.md is stale
    python scripts/bench_table.py --print   # print the section only

Every figure in the section comes from the JSON the benchmarks wrote; nothing is
copied by hand. The section sits between ``<!-- bench:start -->`` and
``<!-- bench:end -->`` in README.md. ``./run bench`` runs the benchmarks and then
this script; ``tests/unit/test_bench_table.py`` fails when README.md's block is not
what this script renders from the committed JSON.

A results file without a renderer here can still appear: give it a top-level
``"readme"`` object, ``{"title": str, "header": [str], "rows": [[cell]], "notes":
[str]}``, built by its bench script from its own figures. Files with neither are
listed by name as not summarised.

Standard library only, so it runs before any set-up.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
README = ROOT / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


class StaleFormatError(ValueError):
    """A results file lacks what its renderer reads: update the renderer."""


# --- formatting ---------------------------------------------------------------


def secs(v) -> str:
    """Seconds with about three significant figures."""
    if v is None:
        return "—"
    if v < 1:
        return f"{v:.3f} s"
    if v < 10:
        return f"{v:.2f} s"
    return f"{v:.1f} s"


def num(v) -> str:
    return "—" if v is None else f"{v:,}"


def pct(v) -> str:
    return "—" if v is None else f"{100 * v:.1f}%"


def times(ratio, more="faster", less="slower") -> str:
    """Peer / gridwatch ratio in words: ``2.3× faster`` or ``1.8× slower``."""
    if ratio is None:
        return "—"
    r, word = (ratio, more) if ratio >= 1 else (1 / ratio, less)
    return f"{r:.1f}× {word}" if r < 10 else f"{r:.0f}× {word}"


def yes(v) -> str:
    return {True: "yes", False: "no"}.get(v, "not measured")


def table(header: list[str], rows: list[list]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return out


def need(d: dict, *keys, where: str):
    """``d[k1][k2]...``, or StaleFormatError naming the file and the key."""
    cur = d
    for k in keys:
        if not isinstance(cur, dict) or k not in cur:
            raise StaleFormatError(
                f"{where} has no {'/'.join(map(str, keys))}: rerun its benchmark or "
                "update scripts/bench_table.py"
            )
        cur = cur[k]
    return cur


# --- run conditions -----------------------------------------------------------


def _load_text(env: dict) -> str:
    a, b = env.get("load_average_start"), env.get("load_average_end")
    if not a:
        return "not recorded"
    fmt = "/".join(f"{v:.1f}" for v in a)
    return fmt + (f" → {'/'.join(f'{v:.1f}' for v in b)}" if b else "")


def conditions(results: dict) -> list[str]:
    rows = []
    for name, data in sorted(results.items()):
        env = data.get("environment")
        if env is None:
            rows.append([f"`{name}.json`", "not recorded", "—", "not recorded", "—"])
            continue
        rows.append(
            [
                f"`{name}.json`",
                env["date"][:10],
                env["cpus"],
                _load_text(env),
                env.get("commit") or "—",
            ]
        )
    return [
        (
            "Run conditions (load average over 1/5/15 minutes, at the start → at the "
            "end; on 2 cores a load above 2 means the benchmark shared the machine):"
        ),
        "",
        *table(["results", "date (UTC)", "CPUs", "load average", "commit"], rows),
    ]


# --- assignment ---------------------------------------------------------------


def _mismatch_text(m: dict) -> str:
    if "mismatches_vs_postgis" not in m:
        return "—"
    n = m["mismatches_vs_postgis"]
    if n == 0:
        return "0"
    parts = [
        f"{m[k]:,} {w}"
        for k, w in (
            ("dropped", "dropped"),
            ("other_grid", "other grid"),
            ("extra", "extra"),
        )
        if m.get(k)
    ]
    return f"{n:,} ({', '.join(parts)})"


def _fastest_correct_sjoin(methods: list[dict]) -> dict | None:
    ok = [
        m
        for m in methods
        if m["side"] == "sjoin"
        and m["key"] != "sjoin_within"
        and m.get("mismatches_vs_postgis") == 0
    ]
    return min(ok, key=lambda m: m["total_s"]) if ok else None


def render_assign(d: dict) -> list[str]:
    where = "assign.json"
    out = [
        (
            "**Point in grid** (`assign.json`; mismatches are counted against the "
            "PostGIS `ST_Covers` join that `assign --path sql` runs):"
        ),
        "",
    ]
    for ds in need(d, "datasets", where=where):
        runs = ds["runs"]
        sizes = [r["points"] for r in runs]
        by = [{m["key"]: m for m in r["methods"]} for r in runs]
        header = ["method"]
        for n in sizes:
            header += [f"{n:,} points", "≠ PostGIS"]
        rows = []
        for key in by[0]:
            row = [by[0][key]["label"]]
            for b in by:
                m = b.get(key)
                row += [
                    secs(m["total_s"]) if m else "—",
                    _mismatch_text(m) if m else "—",
                ]
            rows.append(row)
        out += [
            (
                f"*{ds['source']}*: {ds['grids']:,} grids, median "
                f"{ds['vertices_median']:,} vertices a grid."
            ),
            "",
            *table(header, rows),
            "",
        ]
        for n, b in zip(sizes, by, strict=True):
            cold, warm = b["gridwatch_cold"]["total_s"], b["gridwatch_warm"]["total_s"]
            peer = b["sjoin_covered_by"]["total_s"]
            line = (
                f"- {n:,} points: against `sjoin(covered_by)` gridwatch is "
                f"{times(peer / warm)} warm and {times(peer / cold)} cold"
            )
            best = _fastest_correct_sjoin(list(b.values()))
            if best is not None and best["key"] != "sjoin_covered_by":
                line += (
                    f"; against the fastest correct geopandas call "
                    f"({best['label']}) {times(best['total_s'] / warm)} warm and "
                    f"{times(best['total_s'] / cold)} cold"
                )
            if "postgis_covers" in b:
                line += (
                    f"; against PostGIS's join {times(b['postgis_covers']['total_s'] / warm)}"
                    " warm"
                )
            out.append(line + ".")
        out.append("")
    out += [f"How timed: {need(d, 'timing', where=where)}", ""]
    sub = d.get("subdivide")
    if sub:
        verdicts = []
        for key, v in sub.items():
            if isinstance(v, dict):
                mv = key.rsplit("_", 1)[1]
                verdicts.append(
                    f"at {mv} vertices a piece its join was faster in "
                    f"{v['join_faster_in']} ({v['join_plus_build_faster_in']}"
                    f" counting the pieces' build) and had 0 mismatches in "
                    f"{v['zero_mismatches_in']}"
                )
        adopted = sub["adopted_by_assign_path_sql"]
        out.append(
            f"`ST_Subdivide`: {'; '.join(verdicts)}. "
            + (
                "`assign --path sql` uses the subdivided join."
                if adopted
                else "So `assign --path sql` keeps the join on the stored grids "
                "(the rule is `ST_Covers` on the stored geometry; a faster "
                "answer that differs is not taken)."
            )
        )
        out.append("")
    return out


# --- maps ---------------------------------------------------------------------


def render_maps(d: dict) -> list[str]:
    where = "maps.json"
    res = need(d, "results", where=where)
    head = need(d, "headline", where=where)
    rows = []
    for r in res.values():
        c = r["capabilities"]
        rows.append(
            [
                r["label"] + (f" ({r['repeat']} run)" if r["repeat"] == 1 else ""),
                secs(r["build_s"]),
                f"{r['page_mb']:.2f} MB",
                secs(r.get("first_paint_s")),
                secs(r.get("all_markers_s")),
                yes(c["status_colours"]),
                yes(c["popups"]),
                yes(c["filters"]),
                yes(c["grid_choropleth"]),
                yes(c["offline"]),
            ]
        )
    gw = res["gridwatch"]
    out = [
        (
            f"**Coverage map**, {d['n_enterprises']:,} enterprises ({d['n_located']:,} "
            f"located) (`maps.json`; {d['timing']}; browser figures in Chromium with "
            "the network blocked):"
        ),
        "",
        *table(
            [
                "page",
                "build",
                "size",
                "first paint",
                "all markers",
                "status colours",
                "popups",
                "filters",
                "grid choropleth",
                "offline",
            ],
            rows,
        ),
        "",
        (
            f"- gridwatch's coverage analytics take a further {secs(gw['analytics_s'])}"
            " (the peers are handed the status they compute)."
        ),
        (
            f"- Against FastMarkerCluster, the realistic peer: the page is "
            f"{times(head['page_smaller_x'], 'smaller', 'larger')}, the build "
            f"{times(head['build_faster_x'])} "
            f"({times(head['build_with_analytics_faster_x'])} counting the analytics), "
            f"first paint {times(head['first_paint_faster_x'])}, all markers "
            f"{times(head['all_markers_faster_x'])}."
        ),
    ]
    rich = d.get("vs_fast_marker_cluster_rich")
    if rich:
        out.append(
            f"- Against FastMarkerCluster with status colours and popups: page "
            f"{times(rich['page_smaller_x'], 'smaller', 'larger')}, build "
            f"{times(rich['build_faster_x'])}, all markers "
            f"{times(rich['all_markers_faster_x'])}."
        )
    straw = d.get("vs_marker_cluster_strawman")
    if straw:
        out.append(
            f"- MarkerCluster with a popup per enterprise is a strawman (one "
            f"Python object per marker), kept for reference: page "
            f"{times(straw['page_smaller_x'], 'smaller', 'larger')}, build "
            f"{times(straw['build_faster_x'])}."
        )
    return [*out, ""]


# --- grids --------------------------------------------------------------------


def render_grids(d: dict) -> list[str]:
    where = "grids.json"
    sbs = need(d, "side_by_side", where=where)
    atoms = sbs["atoms"]
    rows = []
    for r in sbs["rows"]:
        runs = r.get("runs_s") or []
        t = "timed out" if r["seconds"] is None else secs(r["seconds"])
        if len(runs) not in (0, 3):
            t += f" ({len(runs)} run{'s' if len(runs) > 1 else ''})"
        rows.append(
            [
                r["method"],
                t,
                f"{r['grids']} / {r['asked']}" if r["grids"] else "—",
                r["max_mean"] or "—",
                r["min_mean"] if r["grids"] else "—",
                r["compactness"] if r["compactness"] is not None else "—",
            ]
        )
    out = [
        (
            f"**Balanced grids**, {atoms['atoms']} H3 atoms (resolution "
            f"{atoms['h3_resolution']}) of town {atoms['town']}, k = {atoms['k']} "
            f"(`grids.json`; {need(d, 'timing', where=where)}):"
        ),
        "",
        *table(
            [
                "method",
                "time",
                "grids / asked",
                "max/mean",
                "min/mean",
                "compactness (mean Polsby-Popper)",
            ],
            rows,
        ),
        "",
    ]
    sp = sbs.get("speedup_vs_maxp")
    if sp:
        out.append(f"- gridwatch is {times(sp)} than spopt Max-p.")
    for r in sbs["rows"]:
        if "construction_passes" in r:
            out.append(
                f"- Max-p ran with {r['construction_passes']} construction "
                f"pass{'es' if r['construction_passes'] > 1 else ''} (spopt's "
                f"default is 99) and solves a different problem: "
                f"{r['problem']}."
            )
        if r.get("note"):
            out.append(f"- {r['method']}: {r['note']}.")
    mc = sbs.get("most_compact")
    unfinished = any(r["compactness"] is None for r in sbs["rows"])
    if mc and unfinished:
        out.append(
            "- Not every method finished, so compactness compares only those that did."
        )
    if mc:
        if mc["gridwatch_is_most_compact"]:
            out.append(
                f"- gridwatch's regions are the most compact ({mc['compactness']})."
            )
        else:
            out.append(
                f"- {mc['method']} draws more compact regions than gridwatch "
                f"({mc['compactness']} against {mc['gridwatch']})."
            )
    fd = d.get("full_district")
    if fd:
        out.append(
            f"- All {fd['communities']} communities, {fd['enterprises']:,} "
            f"enterprises: {fd['grids']} grids in {secs(fd['build_seconds'])} (check "
            f"{secs(fd['check_seconds'])}), gap {fd['gap_m2']} m², overlap "
            f"{fd['overlap_m2']} m², {pct(fd['parents_all_within_10pct'])} of "
            f"communities within ±10% (worst {pct(fd['worst_parent_deviation'])})."
        )
    return [*out, ""]


# --- geocoding, registry, demo ------------------------------------------------


def render_geocode(d: dict) -> list[str]:
    if "readme" in d:
        return render_generic("geocode", d)
    rows = []
    for key, part in d.items():
        if not key.startswith("n="):
            continue
        for set_name, runs in need(part, "sets", where="geocode.json").items():
            for name, r in runs.items():
                if not isinstance(r, dict) or "n" not in r or name.endswith("_by_kind"):
                    continue  # the set's own facts (file, n) and per-kind detail
                town = r.get("town_accuracy")
                rows.append(
                    [
                        f"{name}: {set_name}, {int(key[2:]):,}-enterprise district",
                        num(r["n"]),
                        num(r.get("per_cpu_s", r.get("per_s"))),
                        pct(town),
                        pct(r.get("village_accuracy")),
                        pct(r.get("door_level")),
                        num(r.get("confident_wrong")),
                    ]
                )
    if not rows:
        raise StaleFormatError(
            "geocode.json has neither 'n=…' sets nor a 'readme' "
            "object: update scripts/bench_table.py"
        )
    return [
        "**Offline geocoding** (`geocode.json`; JioNLP scored by its own fields):",
        "",
        *table(
            [
                "run",
                "addresses",
                "per CPU second",
                "town",
                "village/community",
                "door level",
                "confident wrong (reliability ≥ 7, > 100 m)",
            ],
            rows,
        ),
        "",
    ]

def render_registry(d: dict) -> list[str]:
    where = "registry_import.json"
    f = need(d, "file", where=where)
    rows = [
        [
            r["backend"],
            num(r["rows"]),
            f"{secs(r['import_s'])} ({r['rows_per_s']:,} rows/s)",
            secs(r["reimport_s"]),
            num(r["reimport_changed"]),
            num(r["rejected"]),
            (
                f"{r['rare_character_names_stored']} of "
                f"{f['rows_with_characters_outside_gbk']}"
            ),
        ]
        for r in need(d, "results", where=where)
    ]
    return [
        (
            f"**Registry import**, {d['n']:,} rows, {f['label']} CSV "
            f"(`registry_import.json`; {d['timing']}):"
        ),
        "",
        *table(
            [
                "backend",
                "rows",
                "import",
                "re-import",
                "changes on re-import",
                "rejected",
                "names outside GBK stored intact",
            ],
            rows,
        ),
        "",
        f"- Target: {d['target']}.",
        "",
    ]


def render_demo(d: dict) -> list[str]:
    runs = need(d, "runs", where="demo.json")
    stages = list(dict.fromkeys(s for r in runs for s in r["timings_s"]))
    header = ["stage"] + [f"{r['enterprises']:,} enterprises" for r in runs]
    rows = [[s] + [secs(r["timings_s"].get(s)) for r in runs] for s in stages]
    rows.append(["**total** (the demo's own)"] + [secs(r["total_s"]) for r in runs])
    rows.append(
        ["process wall time / CPU time"]
        + [f"{secs(r['wall_s'])} / {secs(r['cpu_s'])}" for r in runs]
    )
    rows.append(["database"] + [f"{r['database_mb']} MB" for r in runs])
    return [
        f"**`gridwatch demo`** (`demo.json`; {d['timing']}; {d['backend']}):",
        "",
        *table(header, rows),
        "",
    ]


def render_generic(name: str, d: dict) -> list[str]:
    r = d["readme"]
    out = [f"**{r['title']}** (`{name}.json`):", "", *table(r["header"], r["rows"])]
    return [*out, "", *(f"- {n}" for n in r.get("notes", [])), ""]


RENDERERS: dict[str, Callable[[dict], list[str]]] = {
    "assign": render_assign,
    "maps": render_maps,
    "grids": render_grids,
    "geocode": render_geocode,
    "registry_import": render_registry,
    "demo": render_demo,
}


def load(results_dir: Path = RESULTS) -> dict[str, dict]:
    return {
        p.stem: json.loads(p.read_text("utf-8"))
        for p in sorted(results_dir.glob("*.json"))
    }


def render(results: dict[str, dict]) -> str:
    """The markdown between the markers (without them), from the results."""
    lines = [
        (
            "<!-- generated by scripts/bench_table.py from bench/results/*.json; "
            "do not edit by hand -->"
        ),
        "",
    ]
    lines += conditions(results) + [""]
    skipped = []
    for name in [*RENDERERS, *sorted(set(results) - set(RENDERERS))]:
        if name not in results:
            continue
        if name in RENDERERS:
            lines += RENDERERS[name](results[name])
        elif "readme" in results[name]:
            lines += render_generic(name, results[name])
        else:
            skipped.append(f"`{name}.json`")
    if skipped:
        lines += [
            (
                f"Not summarised here (no renderer, no `readme` object): "
                f"{', '.join(skipped)}."
            ),
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def splice(text: str, block: str) -> str:
    """``text`` with the part between the markers replaced by ``block``."""
    if text.count(START) != 1 or text.count(END) != 1:
        raise ValueError(f"README.md must hold exactly one {START} and one {END}")
    head, rest = text.split(START)
    _, tail = rest.split(END)
    return f"{head}{START}\n{block}{END}{tail}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--check",
        action="store_true",
        help="exit 1 when README.md differs from the rendering",
    )
    ap.add_argument(
        "--print",
        action="store_true",
        dest="show",
        help="print the section, change nothing",
    )
    ap.add_argument(
        "--results", type=Path, default=RESULTS, help="directory of the results JSON"
    )
    args = ap.parse_args(argv)
    try:
        block = render(load(args.results))
    except StaleFormatError as exc:
        print(f"bench_table: {exc}", file=sys.stderr)
        return 2
    if args.show:
        print(block, end="")
        return 0
    text = README.read_text("utf-8")
    new = splice(text, block)
    if args.check:
        if new != text:
            print(
                "README.md's benchmark section is stale: run "
                "'python scripts/bench_table.py'.",
                file=sys.stderr,
            )
            return 1
        return 0
    if new != text:
        README.write_text(new, "utf-8")
        print("README.md: benchmark section regenerated.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
