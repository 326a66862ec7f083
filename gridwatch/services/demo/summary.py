"""The demo build's summary as text (Chinese first)."""

from __future__ import annotations


def format_summary(summary: dict) -> str:
    """Human-readable summary of :func:`gridwatch.services.demo.build_demo`."""
    lines = [
        (
            f"示范区已生成 Demo district built in {summary['total_s']:.1f} s "
            f"({summary['database']})"
        ),
        "",
        "数据表 Table                行数 rows",
    ]
    for table, n in summary["counts"].items():
        lines.append(f"  {table:<24} {n:>9,}")
    lines += _grids(summary.get("grids")) + _registry(summary.get("registry"))
    geo = summary.get("geocoding")
    if geo:
        lines.append(f"地址匹配 geocoding: {geo.get('by_precision')}")
    lines += _assignment(summary.get("assign"), summary.get("wardens"))
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
    timings = ", ".join(f"{k} {v}s" for k, v in summary["timings_s"].items())
    return "\n".join([*lines, "", f"用时 timings: {timings}"])


def _grids(g: dict | None) -> list[str]:
    if not g:
        return []
    return [
        "",
        (
            f"网格 grids: {g['count']} (version {g['version']}, target workload "
            f"{g['target_workload']}, {g['outside_tolerance']} outside ±10%)"
        ),
    ]


def _registry(reg: dict | None) -> list[str]:
    if not reg:
        return []
    lines = [
        (
            f"企业登记 registry rows {reg['rows']}: {reg['valid']} imported, "
            f"{reg['rejected']} rejected"
        )
    ]
    for r in reg.get("rejects", [])[:5]:
        lines.append(f"  row {r['row']} {r['field']}: {r['reason']} ({r['value']})")
    return lines


def _assignment(a: dict | None, w: dict | None) -> list[str]:
    lines = []
    if a:
        lines.append(
            f"入格 assigned {a['assigned']} of {a['enterprises']} "
            f"({a['imprecise']} imprecise, community level); town level, grid "
            f"unknown {a['unplaced']}; outside {a['outside']}, no location "
            f"{a['no_location']}"
        )
    if w:
        lines.append(
            f"网格员 wardens {w['wardens']} over {w['grids']} grids; workload "
            f"max/mean {w['workload_max_over_mean']}"
        )
    return lines
