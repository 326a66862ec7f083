"""Benchmark: gridwatch's coverage map vs folium FastMarkerCluster (and MarkerCluster).

Side by side in one run, on the same 70,000 enterprises: build time, page size, and
in headless Chromium (Debian's /usr/bin/chromium through Playwright) the time to
first paint and to "all markers loaded". Every page is opened with the network
blocked; folium's CDN links are pointed at the same vendored Leaflet/markercluster
files, so the comparison measures the map technique, not the CDN.

The pages:

* **gridwatch** coverage map: grid coverage choropleth, every enterprise coloured by
  inspection status, a popup per enterprise, status filters in the legend.
* **FastMarkerCluster** (the realistic peer, headlined): folium's documented way to
  put many points on a map, one plain circle per enterprise.
* **FastMarkerCluster with status colours and popups**: the same plugin with a
  JavaScript callback that colours each circle by status and binds a popup (text
  only), which is what a folium user writes to get close to gridwatch's page.
* **MarkerCluster with a popup per enterprise** (a strawman, kept for reference):
  folium's basic tutorial way, one Python Marker object per enterprise.

Every side is timed best-of-3 (build, and each browser figure) except MarkerCluster,
which takes over a minute to build and is run once (its row says so). The
capability table (status colours, popups, filters, offline) says what each page, as
built here, can do; "offline" is measured (0 outside requests and 0 console errors
with the network blocked), the others follow from what each builder puts in the
page.

    .venv/bin/python bench/maps.py [--n 70000] [--seed 0] [--no-browser] [--quick]

Writes bench/results/maps.json and prints a table. Not a timed test.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from _common import RESULTS, best_of, environment, finish
from folium.plugins import FastMarkerCluster, MarkerCluster

from gridwatch.analytics import (
    count_open_hazards,
    enterprise_points,
    enterprise_status,
    grid_coverage,
)
from gridwatch.maps import coverage_map, render_html
from gridwatch.maps.assets import (
    CLUSTER_CSS,
    CLUSTER_JS,
    JQUERY_JS,
    SCHEME,
    inline_assets,
    use_local_assets,
)
from gridwatch.vocab import RISK_LEVELS, SECTORS

BBOX = (112.98, 22.92, 113.17, 23.06)  # Chancheng, WGS-84
DUE_DAYS = {"red": 30, "orange": 90, "yellow": 182, "blue": 365}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BROWSER_CAP_S = 60.0


def _lattice(x0, y0, x1, y1, nx, ny):
    xs, ys = np.linspace(x0, x1, nx + 1), np.linspace(y0, y1, ny + 1)
    return [
        (i, j, shapely.box(xs[i], ys[j], xs[i + 1], ys[j + 1]))
        for j in range(ny - 1, -1, -1)
        for i in range(nx)
    ]


def synthetic_district(n_enterprises=70_000, seed=0):
    """Towns (2x2), communities (6x6 per town), grids (3x3 per community), and
    clustered enterprises, inspections and hazards over one year, all WGS-84."""
    rng = np.random.default_rng(seed)
    towns, comms, grids = [], [], []
    for t, (_, _, tb) in enumerate(_lattice(*BBOX, 2, 2)):
        tcode = f"44060400{t + 1}"
        towns.append((tcode, f"第{t + 1}街道", tb))
        for c, (_, _, cb) in enumerate(_lattice(*tb.bounds, 6, 6)):
            ccode = f"{tcode}{c + 1:03d}"
            comms.append((ccode, f"第{t + 1}街道{c + 1}社区", tcode, cb))
            for g, (_, _, gb) in enumerate(_lattice(*cb.bounds, 3, 3)):
                grids.append((f"{ccode}{g + 1:03d}", ccode, tcode, gb))
    towns = gpd.GeoDataFrame(towns, columns=["code", "name", "geometry"], crs=4326)
    comms = gpd.GeoDataFrame(
        comms, columns=["code", "name", "parent_code", "geometry"], crs=4326
    )
    grids = gpd.GeoDataFrame(
        grids, columns=["code", "parent_code", "town_code", "geometry"], crs=4326
    )
    grids["warden"] = [f"网格员{k % 400:03d}" for k in range(len(grids))]
    grids["workload"] = rng.gamma(4, 10, len(grids)).round(1)

    centres = rng.uniform(BBOX[:2], BBOX[2:], size=(40, 2))
    k = rng.integers(0, 40, n_enterprises)
    pts = centres[k] + rng.normal(0, 0.008, (n_enterprises, 2))
    uniform = rng.random(n_enterprises) < 0.3
    pts[uniform] = rng.uniform(BBOX[:2], BBOX[2:], size=(uniform.sum(), 2))
    pts = np.clip(pts, np.array(BBOX[:2]) + 1e-6, np.array(BBOX[2:]) - 1e-6)
    geoms = gpd.GeoSeries(shapely.points(pts), crs=4326)
    idx = grids.sindex.query(geoms, predicate="intersects")
    grid_of = np.full(n_enterprises, -1)
    grid_of[idx[0]] = idx[1]
    alphabet = np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY"))
    # real codes: 9 (registrar) 1 (company) 440604 (Chancheng) + 9-char organisation
    # code + check character; only the last ten vary, as here
    body = alphabet[rng.integers(0, 31, (n_enterprises, 10))]
    uscc = ["91440604" + "".join(r) for r in body]
    words = np.array(list("华盛隆兴达丰泰新宏明恒美嘉佳利顺发金源永鑫荣"))
    sectors = np.array(list(SECTORS))
    sec = sectors[rng.integers(0, len(sectors), n_enterprises)]
    first = words[rng.integers(0, len(words), (n_enterprises, 2))]
    names = [f"佛山市禅城区{a}{b}{SECTORS[s]}有限公司" for (a, b), s in zip(first, sec)]
    risk = rng.choice(list(RISK_LEVELS), n_enterprises, p=[0.03, 0.12, 0.35, 0.5])
    ents = gpd.GeoDataFrame(
        {
            "uscc": uscc,
            "name": names,
            "sector": sec,
            "risk_level": risk,
            "grid_code": grids["code"].to_numpy()[grid_of],
            "community_code": grids["parent_code"].to_numpy()[grid_of],
            "town_code": grids["town_code"].to_numpy()[grid_of],
        },
        geometry=geoms,
    )
    ents.loc[rng.random(n_enterprises) < 0.01, "geometry"] = None  # unlocated

    per_year = pd.Series(risk).map({"red": 10, "orange": 4, "yellow": 2, "blue": 0.8})
    counts = rng.poisson(per_year.to_numpy())
    who = np.repeat(np.arange(n_enterprises), counts)
    day0 = np.datetime64("2024-01-01")
    insp = pd.DataFrame(
        {
            "uscc": np.array(uscc)[who],
            "inspected_on": day0 + rng.integers(-200, 366, len(who)),
        }
    )
    n_haz = 28_000 * n_enterprises // 70_000
    # hazards concentrate on three of the clusters: a real hotspot to find
    p = np.where(np.isin(k, [0, 1, 2]), 5.0, 1.0)
    owner = rng.choice(n_enterprises, n_haz, p=p / p.sum())
    found = day0 + rng.integers(0, 366, n_haz)
    status = rng.choice(
        ["open", "rectified", "closed", "overdue"], n_haz, p=[0.2, 0.1, 0.65, 0.05]
    )
    hazards = pd.DataFrame(
        {
            "hazard_id": np.arange(n_haz),
            "uscc": np.array(uscc)[owner],
            "level": np.where(rng.random(n_haz) < 0.02, "major", "ordinary"),
            "found_on": found,
            "status": status,
        }
    )
    return towns, comms, grids, ents, insp, hazards


def gridwatch_inputs(towns, comms, grids, ents, insp, hazards):
    """The coverage analytics (timed apart: the map is what is compared)."""
    status = enterprise_status(ents, insp, "2024-01-01", "2024-12-31", DUE_DAYS)
    open_h = count_open_hazards(hazards)
    return (
        grid_coverage(grids, status, open_h),
        enterprise_points(ents, status, open_h),
        towns,
        comms,
    )


def build_gridwatch(grids_cov, points, towns, comms):
    fmap = coverage_map(
        grids_cov,
        points,
        towns,
        comms,
        period=("2024-01-01", "2024-12-31"),
        due_days=DUE_DAYS,
    )
    return render_html(fmap)


def _offline_folium(fmap, cluster):
    # jQuery stays: folium's Popup template calls $(...)
    use_local_assets(
        fmap,
        [("leaflet", SCHEME + "leaflet.js"), *JQUERY_JS],
        [("leaflet_css", SCHEME + "leaflet.css")],
    )
    use_local_assets(cluster, CLUSTER_JS, CLUSTER_CSS)
    return inline_assets(fmap.get_root().render())


def build_marker_cluster(ents):
    """folium's documented way: one Marker with a popup per enterprise."""
    pts = ents[ents.geometry.notna()]
    # markercluster needs a maxZoom, which a tile layer would otherwise provide
    fmap = folium.Map(location=[22.99, 113.075], zoom_start=12, tiles=None, maxZoom=18)
    cluster = MarkerCluster().add_to(fmap)
    for (lat, lng), name, u in zip(
        zip(pts.geometry.y, pts.geometry.x), pts["name"], pts["uscc"]
    ):
        folium.CircleMarker(
            [lat, lng], radius=4, popup=folium.Popup(f"{name}<br>{u}")
        ).add_to(cluster)
    return _offline_folium(fmap, cluster)


def build_fast_marker_cluster(ents):
    pts = ents[ents.geometry.notna()]
    # markercluster needs a maxZoom, which a tile layer would otherwise provide
    fmap = folium.Map(location=[22.99, 113.075], zoom_start=12, tiles=None, maxZoom=18)
    # the default callback uses awesome-markers; a plain circle keeps it offline
    callback = (
        "function (row) { return L.circleMarker(new L.LatLng(row[0], row[1]),"
        " {radius: 4}); }"
    )
    cluster = FastMarkerCluster(
        np.column_stack([pts.geometry.y, pts.geometry.x]), callback=callback
    ).add_to(fmap)
    return _offline_folium(fmap, cluster)


_RICH_CALLBACK = """function (row) {
  var colours = %s;
  var m = L.circleMarker(new L.LatLng(row[0], row[1]),
    {radius: 4, weight: 1, color: colours[row[2]], fillColor: colours[row[2]],
     fillOpacity: 0.8});
  var box = document.createElement("div");
  box.textContent = row[3] + " " + row[4] + " " + %s[row[2]];
  m.bindPopup(box);
  return m;
}"""


def build_fast_marker_cluster_rich(points):
    """FastMarkerCluster with the status colour and a text popup per enterprise: a
    JavaScript callback over rows (lat, lng, status, name, uscc). Not filters."""
    from gridwatch.analytics.coverage import STATUS_LABELS, STATUSES
    from gridwatch.maps.coverage import STATUS_COLORS

    pts = points[points.geometry.notna()]
    st = pd.Index(STATUSES).get_indexer(pts["status"])
    rows = [
        [lat, lng, int(k), name, u]
        for lat, lng, k, name, u in zip(
            pts.geometry.y.round(6),
            pts.geometry.x.round(6),
            st,
            pts["name"],
            pts["uscc"],
            strict=True,
        )
    ]
    fmap = folium.Map(location=[22.99, 113.075], zoom_start=12, tiles=None, maxZoom=18)
    labels = [STATUS_LABELS[s] for s in STATUSES]
    callback = _RICH_CALLBACK % (
        json.dumps(list(STATUS_COLORS)),
        json.dumps(labels, ensure_ascii=False),
    )
    cluster = FastMarkerCluster(rows, callback=callback).add_to(fmap)
    return _offline_folium(fmap, cluster)


#: What each page, as built above, can do (offline is measured, see _capabilities)
CAPABILITIES = {
    "gridwatch": {
        "status_colours": True,
        "popups": True,
        "filters": True,
        "grid_choropleth": True,
    },
    "fast_marker_cluster": {
        "status_colours": False,
        "popups": False,
        "filters": False,
        "grid_choropleth": False,
    },
    "fast_marker_cluster_rich": {
        "status_colours": True,
        "popups": True,
        "filters": False,
        "grid_choropleth": False,
    },
    "marker_cluster": {
        "status_colours": False,
        "popups": True,
        "filters": False,
        "grid_choropleth": False,
    },
}
LABELS = {
    "gridwatch": "gridwatch coverage map",
    "fast_marker_cluster": "folium FastMarkerCluster",
    "fast_marker_cluster_rich": "folium FastMarkerCluster + status colours + popups "
    "(JS callback)",
    "marker_cluster": "folium MarkerCluster, a popup per enterprise (strawman)",
}


_LOADED_JS = {
    "gridwatch": "() => { const l = window.gridwatch && gridwatch.layers.points;"
    " return l && l._drawn !== undefined ? l._n : null; }",
    "folium": "() => { for (const k in window) { if (k.startsWith('marker_cluster_')"
    " || k.startsWith('fast_marker_cluster_')) { const c = window[k];"
    " if (c && c.getLayers) return c.getLayers().length; } } return null; }",
}


#: What a loaded page exposes: a popup bound to its markers, how many distinct
#: marker colours, how many status filters (checkboxes that hide points)
_PROBE_JS = {
    "gridwatch": "() => { const l = gridwatch.layers.points; return {popups:"
    " typeof l.options.popup === 'function', colours: new Set(l.options.colors).size,"
    " filters: document.querySelectorAll('input[data-gw-status]').length}; }",
    "folium": "() => { for (const k in window) { if (k.startsWith('marker_cluster_')"
    " || k.startsWith('fast_marker_cluster_')) { const ls = window[k].getLayers();"
    " return {popups: ls.some(l => !!l.getPopup()), colours: new Set(ls.map(l =>"
    " l.options.fillColor || l.options.color)).size, filters:"
    " document.querySelectorAll('input[type=checkbox]').length}; } } return null; }",
}


def browser_times(path: Path, kind: str, expected: int) -> dict:
    """First paint and time until the markers are all in the page, network blocked."""
    from playwright.sync_api import sync_playwright

    out = {
        "first_paint_s": None,
        "all_markers_s": None,
        "outside_requests": 0,
        "console_errors": 0,
        "status": "ok",
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})

        def route(r):
            if r.request.url.startswith("file://"):
                return r.continue_()
            out["outside_requests"] += 1
            return r.abort()

        page.route("**/*", route)
        page.on(
            "console",
            lambda m: out.__setitem__(
                "console_errors", out["console_errors"] + (m.type == "error")
            ),
        )
        page.on(
            "pageerror",
            lambda e: out.__setitem__("console_errors", out["console_errors"] + 1),
        )
        t0 = time.perf_counter()
        try:
            page.goto(path.as_uri(), wait_until="commit", timeout=BROWSER_CAP_S * 1000)
            page.wait_for_function(
                "() => performance.getEntriesByName("
                "'first-contentful-paint').length > 0",
                timeout=BROWSER_CAP_S * 1000,
                polling=50,
            )
            out["first_paint_s"] = round(
                page.evaluate(
                    "() => performance.getEntriesByName('first-contentful-paint')[0]"
                    ".startTime"
                )
                / 1000,
                3,
            )
            left = BROWSER_CAP_S - (time.perf_counter() - t0)
            page.wait_for_function(
                f"() => ({_LOADED_JS[kind]})() >= {expected}",
                timeout=max(left, 1) * 1000,
                polling=100,
            )
            out["all_markers_s"] = round(
                page.evaluate("() => performance.now()") / 1000, 3
            )
            out["probe"] = page.evaluate(_PROBE_JS[kind])
        except Exception as exc:  # noqa: BLE001 -- a timeout is a result, reported
            out["status"] = "timeout" if "Timeout" in type(exc).__name__ else repr(exc)
        browser.close()
    return out


def _browser_best(path: Path, kind: str, expected: int, repeat: int) -> dict:
    """Best of ``repeat`` page loads for each browser figure; every run is kept."""
    runs = [browser_times(path, kind, expected) for _ in range(repeat)]
    out = {"browser_runs": runs}
    for key in ("first_paint_s", "all_markers_s"):
        got = [r[key] for r in runs if r[key] is not None]
        out[key] = min(got) if got else None
    out["status"] = (
        "ok"
        if all(r["status"] == "ok" for r in runs)
        else next(r["status"] for r in runs if r["status"] != "ok")
    )
    out["outside_requests"] = max(r["outside_requests"] for r in runs)
    out["console_errors"] = max(r["console_errors"] for r in runs)
    out["probe"] = runs[-1].get("probe")
    return out


def _capabilities(name: str, row: dict) -> dict:
    """The declared capabilities, checked against what the loaded page exposed."""
    caps = dict(CAPABILITIES[name])
    probe = row.get("probe")
    if probe:
        seen = {
            "popups": bool(probe["popups"]),
            "status_colours": probe["colours"] > 1,
            "filters": probe["filters"] > 0,
        }
        wrong = {k: v for k, v in seen.items() if caps[k] != v}
        if wrong:
            raise AssertionError(f"{name}: the page shows {wrong}, not {caps}")
        caps["checked_in_browser"] = sorted(seen)
    if "status" in row:
        caps["offline"] = (
            row["status"] == "ok"
            and row["outside_requests"] == 0
            and row["console_errors"] == 0
        )
    else:
        caps["offline"] = None  # not measured (--no-browser)
    return caps


def _ratio(a, b):
    return round(a / b, 2) if a is not None and b else None


def compare(rows: dict, peer: str) -> dict:
    """Peer / gridwatch for each figure (above 1: gridwatch is smaller or faster)."""
    gw, p = rows["gridwatch"], rows[peer]
    return {
        "peer": peer,
        "page_smaller_x": _ratio(p["page_mb"], gw["page_mb"]),
        "build_faster_x": _ratio(p["build_s"], gw["build_s"]),
        "build_with_analytics_faster_x": _ratio(
            p["build_s"], gw["build_s"] + gw["analytics_s"]
        ),
        "first_paint_faster_x": _ratio(p.get("first_paint_s"), gw.get("first_paint_s")),
        "all_markers_faster_x": _ratio(p.get("all_markers_s"), gw.get("all_markers_s")),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=70_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--skip-marker-cluster", action="store_true")
    ap.add_argument(
        "--quick",
        action="store_true",
        help="5,000 enterprises, 1 run each, no MarkerCluster; writes only to --out",
    )
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    n, repeat = (5_000, 1) if args.quick else (args.n, 3)
    out = args.out or (None if args.quick else RESULTS / "maps.json")
    env = environment(
        ["folium", "geopandas", "shapely", "playwright"], chromium=_chromium_version()
    )
    data = synthetic_district(n, args.seed)
    ents = data[3]
    n_located = int(ents.geometry.notna().sum())
    analytics_s, analytics_runs, inputs = best_of(
        lambda: gridwatch_inputs(*data), repeat
    )
    points = inputs[1]
    builders = {
        "gridwatch": (lambda: build_gridwatch(*inputs), repeat),
        "fast_marker_cluster": (lambda: build_fast_marker_cluster(ents), repeat),
        "fast_marker_cluster_rich": (
            lambda: build_fast_marker_cluster_rich(points),
            repeat,
        ),
    }
    if not (args.skip_marker_cluster or args.quick):
        # over a minute a build (one Python object per marker): run once
        builders["marker_cluster"] = (lambda: build_marker_cluster(ents), 1)
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (build, times) in builders.items():
            secs, runs, html = best_of(build, times)
            path = Path(tmp) / f"{name}.html"
            path.write_text(html, encoding="utf-8")
            rows[name] = {
                "label": LABELS[name],
                "repeat": times,
                "build_s": round(secs, 3),
                "build_runs_s": runs,
                "page_mb": round(path.stat().st_size / 1e6, 3),
            }
            print(
                f"built {name}: {secs:.2f} s, {rows[name]['page_mb']} MB",
                file=sys.stderr,
            )
            if not args.no_browser and Path(CHROMIUM).exists():
                kind = "gridwatch" if name == "gridwatch" else "folium"
                rows[name].update(_browser_best(path, kind, n_located, times))
            rows[name]["capabilities"] = _capabilities(name, rows[name])
    rows["gridwatch"]["analytics_s"] = round(analytics_s, 3)
    rows["gridwatch"]["analytics_runs_s"] = analytics_runs
    report = {
        "benchmark": "coverage map",
        "environment": finish(env),
        "n_enterprises": n,
        "n_located": n_located,
        "seed": args.seed,
        "timing": f"best of {repeat} (build and each browser figure), MarkerCluster "
        "once; gridwatch's analytics (coverage status) timed apart as "
        "analytics_s: the peers are handed the status it computed",
        "results": rows,
        "headline": compare(rows, "fast_marker_cluster"),
        "vs_fast_marker_cluster_rich": compare(rows, "fast_marker_cluster_rich"),
    }
    if "marker_cluster" in rows:
        report["vs_marker_cluster_strawman"] = compare(rows, "marker_cluster")
    if out is not None:
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")
        print(f"wrote {out}", file=sys.stderr)
    _print_table(report)
    return report


def _chromium_version() -> str | None:
    import subprocess

    try:
        got = subprocess.run(
            [CHROMIUM, "--version"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return got.stdout.strip()


def _print_table(report):
    cols = [
        "build_s",
        "page_mb",
        "first_paint_s",
        "all_markers_s",
        "status",
        "outside_requests",
        "console_errors",
    ]
    print(f"{'map':28}" + "".join(f"{c:>17}" for c in cols))
    for name, row in report["results"].items():
        print(f"{name:28}" + "".join(f"{row.get(c, '-')!s:>17}" for c in cols))
        print(f"{'':28}  capabilities: {row['capabilities']}")
    for key in (
        "headline",
        "vs_fast_marker_cluster_rich",
        "vs_marker_cluster_strawman",
    ):
        if key in report:
            print(key, report[key])


if __name__ == "__main__":
    main()
