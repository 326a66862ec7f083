"""Build the demo district into the database, the way a bureau's data would arrive.

The pipeline runs the real use cases in one transaction (a failure leaves the
previous database as it was): boundaries → gazetteer → accounts → registry rows
through the import validator → offline geocoding → balanced grids (activated) →
enterprise → grid and grid → warden assignment → two years of inspections, hazards,
penalties and self-reports by those wardens. Then the maps are written.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa

from gridwatch.db.models import Base, User
from gridwatch.db.queries import bulk_insert, read_frame, wkb
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.services.enterprises import DATA_FIELDS
from gridwatch.services.users import UNUSABLE, hash_password
from gridwatch.timeutil import today as local_today

#: demo accounts that get a password printed; the other wardens get theirs from an
#: admin ('gridwatch users set-password'), as a real office would hand them out.
_LOGIN_ROLES = ("admin", "bureau", "street_office")
_SAMPLE_WARDENS_PER_STREET = 1
GRIDS_PER_COMMUNITY = 4
HISTORY_YEARS = 2


class _Steps:
    """Times each step and tells the caller's ``progress(step, seconds)`` callback
    (``seconds`` None when the step starts); services draw nothing themselves."""

    def __init__(self, progress: Callable[[str, float | None], None] | None):
        self.timings: dict[str, float] = {}
        self.progress = progress

    @contextmanager
    def step(self, name: str):
        if self.progress:
            self.progress(name, None)
        t0 = time.perf_counter()
        yield
        self.timings[name] = round(time.perf_counter() - t0, 2)
        if self.progress:
            self.progress(name, self.timings[name])


def _wipe(conn) -> None:
    for table in reversed(Base.metadata.sorted_tables):
        conn.execute(sa.delete(table))


def _admin_rows(district, towns, communities) -> pd.DataFrame:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    parts = []
    for level, frame in (
        ("district", district),
        ("town", towns),
        ("community", communities),
    ):
        f = pd.DataFrame(
            {
                "code": frame["code"].astype(str),
                "name": frame["name"],
                "short_name": frame["short_name"] if "short_name" in frame else None,
                "level": level,
                "kind": frame["kind"] if "kind" in frame else None,
                "parent_code": frame["parent_code"] if "parent_code" in frame else None,
                "is_illustrative": frame["is_illustrative"].astype(bool),
                "source": "demo (geodata/README.md)",
                "updated_at": now,
                "geom": frame.geometry.values,
            }
        )
        parts.append(f)
    return pd.concat(parts, ignore_index=True)


def _people(conn, users: pd.DataFrame, wardens: pd.DataFrame) -> list[dict]:
    """Insert accounts; hash and return the passwords that are shown once."""
    shown, rows = [], []
    sample = set(
        wardens.groupby("street_code")["username"]
        .apply(lambda s: list(s.sort_values())[:_SAMPLE_WARDENS_PER_STREET])
        .sum()
    )
    for u in users.itertuples(index=False):
        gets = u.role in _LOGIN_ROLES or u.username in sample
        rows.append(
            {
                "username": u.username,
                "full_name": u.full_name,
                "role": u.role,
                "scope_code": u.scope_code,
                "is_active": True,
                "password_hash": hash_password(u.password) if gets else UNUSABLE,
                "created_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
            }
        )
        if gets:
            shown.append(
                {
                    "username": u.username,
                    "role": u.role,
                    "scope": u.scope_code,
                    "password": u.password,
                }
            )
    bulk_insert(conn, "users", pd.DataFrame(rows))
    ids = dict(conn.execute(sa.select(User.username, User.id)).all())
    bulk_insert(
        conn,
        "wardens",
        pd.DataFrame(
            {
                "user_id": wardens["username"].map(ids).to_numpy(),
                "phone": wardens["phone"].astype(str).to_numpy(),
                "street_code": wardens["street_code"].astype(str).to_numpy(),
            }
        ),
    )
    return shown


def _registry_rows(enterprises: pd.DataFrame):
    """The generated registry as raw rows, as read from a file, for the validator."""
    cols = ["uscc", *DATA_FIELDS, "lng", "lat", "datum"]
    for i, rec in enumerate(enterprises[cols].itertuples(index=False), start=2):
        raw = {
            k: v
            for k, v in zip(cols, rec)
            if v is not None and not (isinstance(v, float) and pd.isna(v))
        }
        yield i, raw


def _activity_rows(conn, acts: dict, start: dt.date) -> dict[str, int]:
    from gridwatch.db.models import Enterprise

    ent_ids = dict(conn.execute(sa.select(Enterprise.uscc, Enterprise.id)).all())
    user_ids = dict(conn.execute(sa.select(User.username, User.id)).all())
    ins = acts["inspections"]
    counts = {}
    frame = pd.DataFrame(
        {
            "id": ins["inspection_id"].astype(int).to_numpy(),
            "enterprise_id": ins["uscc"].map(ent_ids).to_numpy(),
            "kind": ins["kind"].to_numpy(),
            "inspected_on": list(ins["inspected_on"]),
            "inspector_id": [user_ids.get(u) for u in ins["inspector"]],
            "result": ins["result"].to_numpy(),
            "created_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
        }
    )
    counts["inspections"] = bulk_insert(conn, "inspections", frame)
    hz = acts["hazards"]
    counts["hazards"] = bulk_insert(
        conn,
        "hazards",
        pd.DataFrame(
            {
                "enterprise_id": hz["uscc"].map(ent_ids).to_numpy(),
                "inspection_id": [
                    None if pd.isna(v) else int(v) for v in hz["inspection_id"]
                ],
                "level": hz["level"].to_numpy(),
                "category": hz["category"].to_numpy(),
                "found_on": list(hz["found_on"]),
                "deadline": list(hz["deadline"]),
                "rectified_on": list(hz["rectified_on"]),
                "closed_on": list(hz["closed_on"]),
                "status": hz["status"].to_numpy(),
                "is_listed": hz["is_listed"].astype(bool),
            }
        ),
    )
    pen = acts["penalties"]
    counts["penalties"] = bulk_insert(
        conn,
        "penalties",
        pd.DataFrame(
            {
                "enterprise_id": pen["uscc"].map(ent_ids).to_numpy(),
                "decided_on": list(pen["decided_on"]),
                "kind": pen["kind"].to_numpy(),
                "amount_yuan": pen["amount_yuan"].astype(float).to_numpy(),
                "decision_no": [
                    f"禅安监罚〔{d.year}〕{i + 1}号"
                    for i, d in enumerate(pen["decided_on"])
                ],
            }
        ),
    )
    sr = acts["self_reports"]
    counts["self_reports"] = bulk_insert(
        conn,
        "self_reports",
        pd.DataFrame(
            {
                "enterprise_id": sr["uscc"].map(ent_ids).to_numpy(),
                "month": sr["month"].to_numpy(),
                "submitted_on": list(sr["submitted_on"]),
                "n_hazards": sr["n_hazards"].astype(int).to_numpy(),
            }
        ),
        batch=20000,
    )
    if conn.dialect.name == "postgresql":  # explicit ids: move the sequence past them
        conn.execute(
            sa.text(
                "SELECT setval(pg_get_serial_sequence('inspections', 'id'), "
                "GREATEST((SELECT max(id) FROM inspections), 1))"
            )
        )
    return counts


def build_demo(
    ctx: Context,
    actor: Actor,
    n_enterprises: int = 9000,
    seed: int = 20131,
    progress: Callable[[str, float | None], None] | None = None,
    today: dt.date | None = None,
    write_maps: bool = True,
    n_address_points: int = 75_000,
) -> dict:
    """Rebuild the demo district; return the summary (counts, timings, logins).

    Replaces everything in the database: the command line (``system``) only.
    """
    require_role(actor, action="Rebuilding the demo district")
    from gridwatch.demo import build_activity, generate_district
    from gridwatch.geocode import Gazetteer
    from gridwatch.grids import build_grids
    from gridwatch.registry.validate import ImportSummary, validate_rows
    from gridwatch.services.assignment import assign_session, assign_wardens_session
    from gridwatch.services.enterprises import upsert_enterprises
    from gridwatch.services.geocoding import fill_admin_codes, geocode_session
    from gridwatch.services.grids import activate_session, store_version

    today = today or local_today()
    # two years of activity: the maps and reports look at the last year, and the
    # year before is the history that says when each enterprise was last inspected
    # (without it every long-registered enterprise would start the year "late")
    start = today - dt.timedelta(days=365 * HISTORY_YEARS)
    steps = _Steps(progress)
    summary: dict = {"seed": seed, "period": [start.isoformat(), today.isoformat()]}
    t_all = time.perf_counter()
    with steps.step("生成示范区 generate district"):
        d = generate_district(
            n_enterprises=n_enterprises,
            seed=seed,
            n_address_points=n_address_points,
        )
    with ctx.transaction(actor) as s:
        conn = s.connection()
        with steps.step("边界与地址库 boundaries + gazetteer"):
            _wipe(conn)
            bulk_insert(
                conn, "admin_units", _admin_rows(d.district, d.towns, d.communities)
            )
            pts = d.address_points
            bulk_insert(
                conn,
                "gazetteer_points",
                pd.DataFrame(
                    {
                        "addr_id": pts["addr_id"].astype(str),
                        "town_code": pts["town_code"],
                        "community_code": pts["community_code"],
                        "road_name": pts["road_name"],
                        "door_no": pts["door_no"],
                        "door_suffix": pts["door_suffix"],
                        "place_name": pts["place_name"],
                        "standard_address": pts["standard_address"],
                        "geom": pts.geometry.values,
                    }
                ),
                batch=20000,
            )
            roads = d.roads
            bulk_insert(
                conn,
                "gazetteer_roads",
                pd.DataFrame(
                    {
                        "road_id": roads["road_id"].astype(str),
                        "name": roads["name"],
                        "town_code": roads["town_code"],
                        "door_from": roads["door_from"],
                        "door_to": roads["door_to"],
                        "geom": roads.geometry.values,
                    }
                ),
            )
        with steps.step("账号 accounts"):
            summary["logins"] = _people(conn, d.users, d.wardens)
        with steps.step("企业登记导入 registry import"):
            imp = ImportSummary()
            outline = d.district.geometry.iloc[0]
            records = [
                r
                for _n, r, _rej in validate_rows(
                    _registry_rows(d.enterprises), imp, outline
                )
                if r
            ]
            upsert_enterprises(s, records)
            summary["registry"] = imp.to_dict()
            summary["registry"]["rejects"] = [
                {
                    "row": r.row,
                    "field": r.field,
                    "value": r.value,
                    "reason": r.reason,
                }
                for r in imp.rejects[:20]
            ]
        with steps.step("离线地址匹配 geocoding"):
            gaz = Gazetteer.build(
                d.address_points, d.roads, d.towns, d.communities, district=outline
            )
            summary["geocoding"] = geocode_session(s, gaz, "missing")
            fill_admin_codes(conn, d.communities)
        with steps.step("划分网格 balanced grids"):
            ents = _enterprises_in(conn)
            weights = ctx.settings.risk_weights
            total = float(ents["risk_level"].map(weights).fillna(1.0).sum())
            target = total / (GRIDS_PER_COMMUNITY * len(d.communities))
            grids, report = build_grids(
                d.communities,
                ents,
                method="balanced",
                target_workload=target,
                weights=weights,
                seed=seed,
            )
            vid = store_version(
                s,
                grids,
                "balanced",
                {
                    "target_workload": round(target, 2),
                    "within": "community",
                    "weights": weights,
                },
                label="示范区网格 demo grids",
            )
            activate_session(s, vid)
            summary["grids"] = {
                "version": vid,
                "count": len(grids),
                "target_workload": round(target, 2),
                "outside_tolerance": len(report.issues),
            }
        with steps.step("企业入格与网格员 assignment"):
            summary["assign"] = _short_assign(assign_session(s, ctx, vid, start))
            summary["wardens"] = assign_wardens_session(
                s, ctx, vid, None, start, seed=seed
            )
        with steps.step("两年检查与隐患 two years of activity"):
            ents = _enterprises_for_activity(conn, vid, start)
            acts = build_activity(ents, start, today, seed=seed, as_of=today)
            summary["activity"] = _activity_rows(conn, acts, start)
    with steps.step("区局台账 bureau records"):
        from gridwatch.services.bureau.demo import add_bureau_demo

        summary["bureau"] = add_bureau_demo(ctx, actor, seed=seed, today=today)
    if write_maps:
        with steps.step("地图 maps"):
            summary["maps"] = _write_maps(ctx, actor)
    from gridwatch.services.summary import table_counts

    summary["counts"] = table_counts(ctx, actor)
    summary["timings_s"] = steps.timings
    summary["total_s"] = round(time.perf_counter() - t_all, 2)
    summary["database"] = ctx.engine.url.render_as_string(hide_password=True)
    return summary


def _short_assign(result: dict) -> dict:
    out = {k: v for k, v in result.items() if k not in ("outside", "no_location")}
    out["outside"] = len(result["outside"])
    out["no_location"] = len(result["no_location"])
    return out


def _enterprises_in(conn) -> gpd.GeoDataFrame:
    from gridwatch.db.models import Enterprise

    return read_frame(
        conn,
        sa.select(Enterprise.uscc, Enterprise.risk_level, wkb(Enterprise.geom)).where(
            Enterprise.geom.isnot(None)
        ),
    )


def _enterprises_for_activity(conn, version_id: int, on: dt.date) -> gpd.GeoDataFrame:
    from gridwatch.db.models import Enterprise
    from gridwatch.services.assignment import _enterprise_grids, _enterprise_wardens

    ents = read_frame(
        conn,
        sa.select(
            Enterprise.uscc,
            Enterprise.risk_level,
            Enterprise.sector,
            Enterprise.is_three_in_one,
            Enterprise.has_hazchem,
            wkb(Enterprise.geom),
        ),
    )
    ents["is_three_in_one"] = ents["is_three_in_one"].astype(bool)
    ents["has_hazchem"] = ents["has_hazchem"].astype(bool)
    grid = _enterprise_grids(conn, version_id, on)
    warden = _enterprise_wardens(conn, on)
    ents["grid_code"] = ents["uscc"].map(grid)
    ents["warden_username"] = ents["uscc"].map(warden)
    return ents


def _write_maps(ctx: Context, actor: Actor) -> dict[str, str]:
    from gridwatch.services.maps import write_district_maps

    out = Path(ctx.settings.data_dir) / "maps"
    return {k: str(v) for k, v in write_district_maps(ctx, actor, out).items()}


def format_summary(summary: dict) -> str:
    """Human-readable summary (Chinese first) of :func:`build_demo`'s result."""
    lines = [
        f"示范区已生成 Demo district built in {summary['total_s']:.1f} s "
        f"({summary['database']})",
        "",
    ]
    lines.append("数据表 Table                行数 rows")
    for table, n in summary["counts"].items():
        lines.append(f"  {table:<24} {n:>9,}")
    g = summary.get("grids", {})
    if g:
        lines += [
            "",
            f"网格 grids: {g['count']} (version {g['version']}, target workload "
            f"{g['target_workload']}, {g['outside_tolerance']} outside ±10%)",
        ]
    reg = summary.get("registry", {})
    if reg:
        lines.append(
            f"企业登记 registry rows {reg['rows']}: {reg['valid']} imported, "
            f"{reg['rejected']} rejected"
        )
        for r in reg.get("rejects", [])[:5]:
            lines.append(f"  row {r['row']} {r['field']}: {r['reason']} ({r['value']})")
    geo = summary.get("geocoding", {})
    if geo:
        lines.append(f"地址匹配 geocoding: {geo.get('by_precision')}")
    a = summary.get("assign", {})
    if a:
        lines.append(
            f"入格 assigned {a['assigned']} of {a['enterprises']}; outside "
            f"{a['outside']}, no location {a['no_location']}"
        )
    w = summary.get("wardens", {})
    if w:
        lines.append(
            f"网格员 wardens {w['wardens']} over {w['grids']} grids; workload "
            f"max/mean {w['workload_max_over_mean']}"
        )
    if summary.get("maps"):
        lines += ["", "地图 maps:"] + [
            f"  {k}: {v}" for k, v in summary["maps"].items()
        ]
    lines += ["", "登录账号 (密码仅显示一次) logins, passwords shown once:"]
    for u in summary.get("logins", []):
        lines.append(f"  {u['role']:<14} {u['username']:<18} {u['password']}")
    lines.append(
        "  其余网格员账号需管理员设置密码: gridwatch users set-password USERNAME"
    )
    lines += [
        "",
        "用时 timings: "
        + ", ".join(f"{k} {v}s" for k, v in summary["timings_s"].items()),
    ]
    return "\n".join(lines)
